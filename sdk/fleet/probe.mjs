// What the fleet runs inside each viewer page. installProbe is an init script (it runs before
// any of the page's own scripts); samplePage is evaluated once a second.
//
// The probe counts on its own, independent of the demo page and of the SDK:
// - startup: navigation start (performance.now() origin) to the video's first `playing`;
// - stalls: `waiting` events after the first `playing`, and the time until the next `playing`;
//   each one is also classed by what the video element held at the playhead: under
//   STARVED_AHEAD_S of media ahead, the data was late (`starved`); more, the data was there and the
//   browser's decoding or rendering fell behind (a busy machine);
// - segment bytes hls.js loaded: Σ frag.stats.loaded over hls.js FRAG_LOADED events, hooked the
//   moment the page assigns window.demoPlayer (synchronously after hls.loadSource, so no
//   fragment can load before the hook). frag.stats.loaded is used because the payload itself
//   may already be transferred to hls.js's worker when the event fires. P2P-delivered
//   fragments never appear as network responses, so this is the only count that sees them.
// - start-up marks (ms on performance.now(), i.e. since navigation start): hls.js's first
//   MANIFEST_LOADED, first FRAG_LOADING (the player asks for its first fragment), that
//   fragment's FRAG_LOADED and its frag.stats.loading.first; samplePage adds the document's and
//   the scripts' responseEnd from resource timing and the SDK's stats().timings.

/**
 * Init script. `options.swarmgateConfig` is merged into window.swarmgateConfig before the SDK
 * loads ({enabled: false} for --http-only).
 */
export function installProbe(options) {
  // Under this much media buffered ahead of the playhead a `waiting` is for want of data: pages
  // that ran dry stalled with about 0.1 s ahead; a browser behind on a busy machine, with 0.4-3 s.
  // (Defined inside: an init script is serialised on its own.)
  const STARVED_AHEAD_S = 0.25;
  if (options && options.swarmgateConfig) {
    window.swarmgateConfig = Object.assign({}, window.swarmgateConfig || {}, options.swarmgateConfig);
  }
  const probe = {
    playingAt: null,
    waiting: 0,
    starved: 0,
    stallLog: [], // the first stalls: [ms since navigation start, seconds buffered ahead]
    stallMs: 0,
    stallStart: null,
    fragBytes: 0,
    frags: 0,
    fragLog: [], // flat pairs: request start (ms since the epoch), bytes
    hooked: false,
    marks: { manifest: null, fragRequest: null, firstByte: null, fragLoaded: null },
  };
  Object.defineProperty(window, '__fleetProbe', { value: probe, enumerable: false });

  document.addEventListener('playing', () => {
    const now = performance.now();
    if (probe.playingAt === null) {
      probe.playingAt = now;
    }
    if (probe.stallStart !== null) {
      probe.stallMs += now - probe.stallStart;
      probe.stallStart = null;
    }
  }, true);
  document.addEventListener('waiting', (event) => {
    if (probe.playingAt === null) {
      return; // the start-up wait is startup time, not a stall
    }
    probe.waiting += 1;
    const media = event.target;
    let ahead = 0;
    if (media instanceof HTMLMediaElement) {
      const b = media.buffered;
      for (let i = 0; i < b.length; i++) {
        if (b.start(i) <= media.currentTime && media.currentTime < b.end(i)) ahead = b.end(i) - media.currentTime;
      }
    }
    if (ahead < STARVED_AHEAD_S) {
      probe.starved += 1;
    }
    if (probe.stallLog.length < 10) {
      probe.stallLog.push([Math.round(performance.now()), Math.round(ahead * 1000) / 1000]);
    }
    if (probe.stallStart === null) {
      probe.stallStart = performance.now();
    }
  }, true);

  // dash.js pages (demo ?player=dashjs): the same marks and counts from dash.js's events; a
  // fragment's bytes are the length of the response dash.js hands to its buffer.
  function hookDash(dash) {
    const events = (window.dashjs && window.dashjs.MediaPlayer && window.dashjs.MediaPlayer.events) || {};
    probe.hooked = true;
    const marks = probe.marks;
    dash.on(events.MANIFEST_LOADED || 'manifestLoaded', () => {
      if (marks.manifest === null) {
        marks.manifest = performance.now();
      }
    });
    dash.on(events.FRAGMENT_LOADING_STARTED || 'fragmentLoadingStarted', () => {
      if (marks.fragRequest === null) {
        marks.fragRequest = performance.now();
      }
    });
    dash.on(events.FRAGMENT_LOADING_COMPLETED || 'fragmentLoadingCompleted', (e) => {
      const now = performance.now();
      if (marks.fragLoaded === null) {
        marks.fragLoaded = now;
        const first = e && e.request && e.request.firstByteDate ? e.request.firstByteDate.getTime() - performance.timeOrigin : 0;
        marks.firstByte = first > 0 ? first : null;
      }
      const loaded = Number(e && e.response ? e.response.byteLength : 0) || 0;
      probe.fragBytes += loaded;
      probe.frags += 1;
      const start = e && e.request && e.request.requestStartDate ? e.request.requestStartDate.getTime() : performance.timeOrigin + now;
      probe.fragLog.push(start, loaded);
    });
  }

  // Shaka pages: its downloadcompleted events for segment URLs (init segments included).
  function hookShaka(player) {
    probe.hooked = true;
    const marks = probe.marks;
    player.addEventListener('downloadcompleted', (e) => {
      // The SDK's leader prefetches (shaka/adapter.js PREFETCH_CONTEXT) are no player load.
      if (e && e.context && e.context.swarmgate === 'prefetch') return;
      const uri = e && e.request && e.request.uris ? e.request.uris[0] : '';
      const now = performance.now();
      if (/\.(mpd|m3u8)(\?|$)/.test(uri)) {
        if (marks.manifest === null) {
          marks.manifest = now;
        }
        return;
      }
      if (!/\/(seg-|chunk-|video\.mp4)/.test(uri)) {
        return;
      }
      if (marks.fragLoaded === null) {
        marks.fragLoaded = now;
      }
      const loaded = e.response && e.response.data ? e.response.data.byteLength : 0;
      probe.fragBytes += loaded;
      probe.frags += 1;
      const started = e.request && e.request.requestStartTime ? e.request.requestStartTime : performance.timeOrigin + now;
      probe.fragLog.push(started, loaded);
    });
  }

  // Video.js pages: VHS's onResponse hook for segment requests.
  function hookVideojs(player) {
    probe.hooked = true;
    const marks = probe.marks;
    player.on('xhr-hooks-ready', () => {
      const xhr = player.tech({ IWillNotUseThisInPlugins: true }).vhs.xhr;
      xhr.onResponse((request, error, response) => {
        const now = performance.now();
        if (request && request.requestType === 'segment') {
          if (marks.fragLoaded === null) {
            marks.fragLoaded = now;
          }
          const loaded = response && response.body ? response.body.byteLength || 0 : 0;
          probe.fragBytes += loaded;
          probe.frags += 1;
          probe.fragLog.push(request.requestTime || performance.timeOrigin + now, loaded);
        } else if (marks.manifest === null) {
          marks.manifest = now;
        }
      });
    });
  }

  function hook(player) {
    if (player && player.videojs && !probe.hooked && typeof player.videojs.on === 'function') {
      hookVideojs(player.videojs);
      return;
    }
    if (player && player.shaka && !probe.hooked && typeof player.shaka.addEventListener === 'function') {
      hookShaka(player.shaka);
      return;
    }
    if (player && player.dash && !probe.hooked && typeof player.dash.on === 'function') {
      hookDash(player.dash);
      return;
    }
    const hls = player && player.hls;
    if (!hls || probe.hooked || typeof hls.on !== 'function') {
      return;
    }
    probe.hooked = true;
    const events = (window.Hls && window.Hls.Events) || {};
    const marks = probe.marks;
    hls.on(events.MANIFEST_LOADED || 'hlsManifestLoaded', () => {
      if (marks.manifest === null) {
        marks.manifest = performance.now();
      }
    });
    hls.on(events.FRAG_LOADING || 'hlsFragLoading', () => {
      if (marks.fragRequest === null) {
        marks.fragRequest = performance.now();
      }
    });
    hls.on(events.FRAG_LOADED || 'hlsFragLoaded', (name, data) => {
      const stats = data && data.frag && data.frag.stats;
      if (marks.fragLoaded === null) {
        marks.fragLoaded = performance.now();
        const first = stats && stats.loading ? Number(stats.loading.first) : 0;
        marks.firstByte = first > 0 ? first : null;
      }
      const loaded = Number(stats ? stats.loaded : 0) || 0;
      probe.fragBytes += loaded;
      probe.frags += 1;
      // When the request began, on the wall clock, so the end of a run can cut both this count
      // and the origin's log at the same instant.
      const start = stats && stats.loading && stats.loading.start > 0 ? stats.loading.start : performance.now();
      probe.fragLog.push(performance.timeOrigin + start, loaded);
    });
  }

  let player;
  Object.defineProperty(window, 'demoPlayer', {
    configurable: true,
    enumerable: true,
    get() {
      return player;
    },
    set(value) {
      player = value;
      hook(value);
    },
  });
}

/**
 * One sample of a page; every value is JSON. With `cutWall` (ms since the epoch) it also
 * returns `fragBytesBeforeCut`: bytes of the fragments whose request began by then.
 */
export async function samplePage(cutWall) {
  const probe = window.__fleetProbe;
  const player = window.demoPlayer;
  const now = performance.now();
  const hls = player && player.hls;
  const video = player && player.video;
  let sdk = null;
  let sdkError = null;
  const sg = window.swarmgate;
  if (sg && typeof sg.stats === 'function') {
    try {
      sdk = JSON.parse(JSON.stringify(await sg.stats()));
    } catch (error) {
      sdkError = String(error);
    }
  }
  let latency = null;
  try {
    latency = hls && Number.isFinite(hls.latency) && hls.latency > 0 ? hls.latency : null;
    const vjs = player && player.videojs;
    if (vjs && vjs.liveTracker && typeof vjs.liveTracker.liveCurrentTime === 'function') {
      const l = vjs.liveTracker.liveCurrentTime() - vjs.currentTime();
      latency = Number.isFinite(l) && l > 0 ? l : null;
    }
    const shakaPlayer = player && player.shaka;
    if (shakaPlayer && typeof shakaPlayer.getStats === 'function') {
      const l = shakaPlayer.getStats().liveLatency;
      latency = Number.isFinite(l) && l > 0 ? l : null;
    }
    const dash = player && player.dash;
    if (dash && typeof dash.getCurrentLiveLatency === 'function') {
      const l = dash.getCurrentLiveLatency();
      latency = Number.isFinite(l) && l > 0 ? l : null;
    }
  } catch {
    latency = null;
  }
  const resourceEnd = (suffix) => {
    const entry = performance.getEntriesByType('resource').find((e) => e.name.split('?')[0].endsWith(suffix));
    return entry && entry.responseEnd > 0 ? entry.responseEnd : null;
  };
  const navigation = performance.getEntriesByType('navigation')[0];
  const timings = sdk && sdk.timings ? sdk.timings : {};
  const marks = probe ? {
    html: navigation && navigation.responseEnd > 0 ? navigation.responseEnd : null,
    hls_js: resourceEnd('/hls.min.js') ?? resourceEnd('/dash.all.min.js') ?? resourceEnd('/shaka-player.compiled.js') ?? resourceEnd('/video.min.js'),
    sdk: resourceEnd('/sdk/swarmgate.js'),
    welcome: Number.isFinite(timings.welcomeMs) ? timings.welcomeMs : null,
    manifest: probe.marks.manifest,
    frag_request: probe.marks.fragRequest,
    first_byte: probe.marks.firstByte,
    frag_loaded: probe.marks.fragLoaded,
    playing: probe.playingAt,
    peers_released: Number.isFinite(timings.peersReleasedMs) ? timings.peersReleasedMs : null,
    first_peer: Number.isFinite(timings.firstPeerOpenMs) ? timings.firstPeerOpenMs : null,
  } : null;
  const pageFragBytes = player && player.stats && Number.isFinite(player.stats.fragBytes) ? player.stats.fragBytes : null;
  return {
    now,
    playingAt: probe ? probe.playingAt : null,
    waiting: probe ? probe.waiting : 0,
    starved: probe ? probe.starved : 0,
    stallLog: probe ? probe.stallLog : [],
    stallMs: probe ? probe.stallMs + (probe.stallStart !== null ? now - probe.stallStart : 0) : 0,
    fragBytes: probe ? probe.fragBytes : 0,
    fragBytesBeforeCut: probe && cutWall ? probe.fragLog.reduce((sum, v, i, log) => (i % 2 === 0 && v <= cutWall ? sum + log[i + 1] : sum), 0) : null,
    frags: probe ? probe.frags : 0,
    hooked: probe ? probe.hooked : false,
    pageFragBytes,
    latency,
    live: player && (player.dash || player.shaka || player.videojs) ? player.stream === 'live' : !!(hls && hls.levels && hls.levels.length && hls.levels[0].details ? hls.levels[0].details.live : player && player.stream === 'live'),
    currentTime: video ? video.currentTime : null,
    paused: video ? video.paused : null,
    fatalErrors: player && player.stats ? player.stats.fatalErrors || 0 : 0,
    // hls.js ERROR events by details (fragParsingError here means bad bytes reached the player).
    hlsErrors: player && player.stats && Array.isArray(player.stats.errors)
      ? player.stats.errors.reduce((counts, e) => {
        counts[e.details] = (counts[e.details] || 0) + 1;
        return counts;
      }, {})
      : {},
    marks,
    // The page's HTTP version to the appliance ('h2', 'http/1.1'), from its navigation entry.
    protocol: navigation && navigation.nextHopProtocol ? navigation.nextHopProtocol : null,
    hasSdk: !!sg,
    sdk,
    sdkError,
  };
}
