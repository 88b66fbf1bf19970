// The demo intranet page's player playing the appliance's built-in test stream: hls.js (the
// global from hls.min.js) on HLS by default, or the player and format the page's query names
// (?player=dashjs&format=dash; the selector under the video sets them). It exposes
// window.demoPlayer = { hls | dash, video, stats, player, format } for the browser tests and for
// anyone poking at the page in devtools. Loaded with `defer`: the DOM is ready.
(function () {
  'use strict';

  const params = new URLSearchParams(window.location.search);
  const streamName = params.get('stream') === 'vod' ? 'vod' : 'live';
  // Which player the page uses, and the format it plays (each player plays what it can).
  const PLAYERS = { hlsjs: ['hls'], dashjs: ['dash'], shaka: ['dash', 'hls'], videojs: ['hls', 'dash'] };
  const playerName = Object.prototype.hasOwnProperty.call(PLAYERS, params.get('player')) ? params.get('player') : 'hlsjs';
  const format = PLAYERS[playerName].includes(params.get('format')) ? params.get('format') : PLAYERS[playerName][0];
  // ?renditions=2: the live HLS stream with two renditions (abr.m3u8: 320x180 and 192x108), whose
  // viewers may play either; ?level=N pins hls.js to rendition N instead of its ABR's choice.
  const abr = streamName === 'live' && format === 'hls' && params.get('renditions') === '2';
  const pinnedLevel = /^[0-9]$/.test(params.get('level') || '') ? Number(params.get('level')) : null;
  // Relative to /demo/, so the page keeps working if the appliance mounts it elsewhere.
  const source = streamName + (format === 'dash' ? '/manifest.mpd' : abr ? '/abr.m3u8' : '/master.m3u8');
  const selector = document.getElementById('player-select');
  if (selector) {
    selector.value = playerName + ':' + format;
    selector.addEventListener('change', () => {
      const [player, fmt] = selector.value.split(':');
      params.set('player', player);
      params.set('format', fmt);
      window.location.search = String(params);
    });
  }

  const video = document.getElementById('video');
  const statusLine = document.getElementById('status');
  document.getElementById('stream-name').textContent =
    streamName === 'live' ? 'Live stream' : 'Recording';

  /**
   * Counters the tests read. `waiting` and `stallMs` only count after the first `playing`
   * event: the start-up wait is `startupMs`, not a stall.
   */
  const stats = {
    started: false,
    startupMs: null,
    waiting: 0,
    stallMs: 0,
    stalled: false,
    errors: [], // { type, details, fatal, at } for every hls.js ERROR event
    fatalErrors: 0,
    recoveries: 0,
    // Segment bytes hls.js loaded, by its own account (FRAG_LOADED frag.stats.loaded): the
    // fleet harness compares them with what the origin served, independently of the SDK.
    fragBytes: 0,
    frags: 0,
    level: null, // { width, height, bitrate } of the level playing
  };
  const createdAt = performance.now();
  let stallStartedAt = 0;

  function setStatus(state, text) {
    statusLine.dataset.state = state;
    statusLine.textContent = text;
  }

  function describeLevel() {
    const level = stats.level;
    return level ? ` · ${level.width}x${level.height} · ${Math.round(level.bitrate / 1000)} kb/s` : '';
  }

  video.addEventListener('playing', () => {
    if (!stats.started) {
      stats.started = true;
      stats.startupMs = Math.round(performance.now() - createdAt);
    }
    if (stats.stalled) {
      stats.stallMs += Math.round(performance.now() - stallStartedAt);
      stats.stalled = false;
    }
    setStatus('playing', 'Playing' + describeLevel());
  });
  video.addEventListener('waiting', () => {
    if (!stats.started) {
      return;
    }
    stats.waiting += 1;
    if (!stats.stalled) {
      stats.stalled = true;
      stallStartedAt = performance.now();
    }
    setStatus('buffering', 'Buffering…');
  });
  video.addEventListener('pause', () => setStatus('paused', 'Paused'));

  function startPlayback() {
    video.muted = true; // autoplay policies allow muted playback without a click
    video.play().catch(() => setStatus('paused', 'Press play to start'));
  }

  let hls = null;
  if (playerName === 'dashjs') {
    playDashjs();
  } else if (playerName === 'shaka') {
    playShaka();
  } else if (playerName === 'videojs') {
    playVideojs();
  } else if (window.Hls && window.Hls.isSupported()) {
    const Hls = window.Hls;
    hls = new Hls({
      // buffer-controller: drop what is 30 s behind the playhead; a town hall is not rewound far.
      backBufferLength: 30,
      // stream-controller: buffer at most 60 s ahead. hls.js otherwise fills up to 60 MB, capped
      // at 600 s: a whole five-minute recording of a 350 kb/s stream in a viewer's first seconds,
      // which every viewer then downloads whether or not they watch it.
      maxMaxBufferLength: 60,
      // stream-controller: start 3 target durations behind the live edge (the hls.js default),
      // which a 6-segment window of 2 s segments leaves room for.
      liveSyncDurationCount: 3,
      ...(pinnedLevel === null ? {} : { startLevel: pinnedLevel }),
    });
    hls.on(Hls.Events.MANIFEST_PARSED, (event, data) => {
      // A manual level: hls.js's ABR stays off and every fragment comes from that rendition.
      if (pinnedLevel !== null && pinnedLevel < hls.levels.length) hls.loadLevel = pinnedLevel;
      startPlayback(event, data);
    });
    hls.on(Hls.Events.FRAG_LOADED, (event, data) => {
      // The payload may already be detached (hls.js hands it to its worker): use the stats.
      const loaded = data.frag && data.frag.stats ? data.frag.stats.loaded : 0;
      stats.fragBytes += loaded || 0;
      stats.frags += 1;
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, (event, data) => {
      const level = hls.levels[data.level];
      stats.level = level ? { width: level.width, height: level.height, bitrate: level.bitrate } : null;
      if (stats.started && !stats.stalled) {
        setStatus('playing', 'Playing' + describeLevel());
      }
    });
    hls.on(Hls.Events.ERROR, (event, data) => {
      stats.errors.push({
        type: data.type,
        details: data.details,
        fatal: data.fatal,
        at: Math.round(performance.now() - createdAt),
      });
      if (data.fatal) {
        recoverFromFatal(Hls, data);
      }
    });
    hls.loadSource(source);
    hls.attachMedia(video);
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    // Safari plays HLS natively; only the counters fed by video events work there.
    video.src = source;
    video.addEventListener('loadedmetadata', startPlayback);
  } else {
    setStatus('error', 'This browser cannot play HLS');
  }

  let lastMediaRecovery = 0;
  let networkRetryMs = 1000;

  // The recovery the hls.js API guide documents: recoverMediaError() for media errors (swapping
  // the audio codec if a second one follows quickly), startLoad() after a pause for network errors
  // once hls.js's own retries are exhausted, and giving up on anything else.
  function recoverFromFatal(Hls, data) {
    stats.fatalErrors += 1;
    setStatus('error', `Recovering from ${data.details}…`);
    if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
      const now = performance.now();
      if (now - lastMediaRecovery < 3000) {
        hls.swapAudioCodec();
      }
      lastMediaRecovery = now;
      stats.recoveries += 1;
      hls.recoverMediaError();
    } else if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
      // Restarting at once would loop on a server that is down; back off up to 10 s.
      const delay = networkRetryMs;
      networkRetryMs = Math.min(networkRetryMs * 2, 10000);
      setTimeout(() => {
        stats.recoveries += 1;
        hls.startLoad();
      }, delay);
    } else {
      setStatus('error', `Playback failed: ${data.details}`);
      hls.destroy();
    }
  }
  video.addEventListener('playing', () => {
    networkRetryMs = 1000;
  });

  // dash.js, loaded only by pages that use it (served by the appliance from its own jar).
  function playDashjs() {
    const script = document.createElement('script');
    script.src = 'dash.all.min.js';
    script.onerror = () => setStatus('error', 'Cannot load dash.js');
    script.onload = () => {
      const dashjs = window.dashjs;
      const events = dashjs.MediaPlayer.events;
      const dash = dashjs.MediaPlayer().create();
      dash.updateSettings({
        streaming: {
          // 3 segments behind the live edge, as hls.js's liveSyncDurationCount: 3.
          delay: { liveDelay: 6 },
          buffer: { bufferToKeep: 30 },
        },
      });
      dash.on(events.FRAGMENT_LOADING_COMPLETED, (e) => {
        const bytes = e && e.response && e.response.byteLength;
        stats.fragBytes += bytes || 0;
        stats.frags += 1;
      });
      dash.on(events.QUALITY_CHANGE_RENDERED, (e) => {
        const rep = e && e.newRepresentation;
        if (e.mediaType === 'video' && rep) stats.level = { width: rep.width, height: rep.height, bitrate: rep.bandwidth };
      });
      dash.on(events.ERROR, (e) => {
        const error = (e && e.error) || {};
        stats.errors.push({ type: 'dashjs', details: String(error.code || error.message || 'error'), fatal: true,
          at: Math.round(performance.now() - createdAt) });
        stats.fatalErrors += 1;
      });
      window.demoPlayer = { dash, video, stats, stream: streamName, player: playerName, format,
        sdk: () => (window.swarmgate ? window.swarmgate.stats() : null) };
      video.muted = true;
      dash.initialize(video, source, true);
    };
    document.head.appendChild(script);
  }

  // Shaka Player, loaded only by pages that use it (served by the appliance from its own jar).
  function playShaka() {
    const script = document.createElement('script');
    script.src = 'shaka-player.compiled.js';
    script.onerror = () => setStatus('error', 'Cannot load Shaka Player');
    script.onload = () => {
      const shaka = window.shaka;
      shaka.polyfill.installAll();
      const player = new shaka.Player();
      player.configure({ streaming: { bufferBehind: 30 } });
      player.addEventListener('downloadcompleted', (e) => {
        // The SDK's leader prefetches: bytes the player has not asked for (yet).
        if (e.context && e.context.swarmgate === 'prefetch') return;
        const uri = e.request && e.request.uris ? e.request.uris[0] : '';
        if (/\/(seg-|chunk-|video\.mp4)/.test(uri)) {
          stats.fragBytes += e.response && e.response.data ? e.response.data.byteLength : 0;
          stats.frags += 1;
        }
      });
      player.addEventListener('variantchanged', () => {
        const track = player.getVariantTracks().find((t) => t.active);
        if (track) stats.level = { width: track.width, height: track.height, bitrate: track.bandwidth };
      });
      player.addEventListener('error', (e) => {
        const error = (e && e.detail) || {};
        stats.errors.push({ type: 'shaka', details: String(error.code || 'error'), fatal: error.severity === 2,
          at: Math.round(performance.now() - createdAt) });
        if (error.severity === 2) stats.fatalErrors += 1;
      });
      window.demoPlayer = { shaka: player, video, stats, stream: streamName, player: playerName, format,
        sdk: () => (window.swarmgate ? window.swarmgate.stats() : null) };
      video.muted = true;
      player.attach(video)
        .then(() => player.load(source))
        .then(startPlayback)
        .catch((e) => setStatus('error', 'Playback failed: ' + (e && e.code)));
    };
    document.head.appendChild(script);
  }

  // Video.js with its VHS engine, loaded only by pages that use it.
  function playVideojs() {
    const script = document.createElement('script');
    script.src = 'video.min.js';
    script.onerror = () => setStatus('error', 'Cannot load Video.js');
    script.onload = () => {
      const player = window.videojs(video, { autoplay: 'muted', muted: true, html5: { vhs: { overrideNative: true } } });
      player.on('xhr-hooks-ready', () => {
        player.tech({ IWillNotUseThisInPlugins: true }).vhs.xhr.onResponse((request, error, response) => {
          if (request && (request.requestType === 'segment') && response && response.body) {
            stats.fragBytes += response.body.byteLength || 0;
            stats.frags += 1;
          }
        });
      });
      player.on('error', () => {
        const error = player.error() || {};
        stats.errors.push({ type: 'videojs', details: String(error.code || 'error'), fatal: true,
          at: Math.round(performance.now() - createdAt) });
        stats.fatalErrors += 1;
      });
      window.demoPlayer = { videojs: player, video, stats, stream: streamName, player: playerName, format,
        sdk: () => (window.swarmgate ? window.swarmgate.stats() : null) };
      player.src({ src: source, type: format === 'dash' ? 'application/dash+xml' : 'application/x-mpegURL' });
    };
    document.head.appendChild(script);
  }

  if (playerName !== 'hlsjs') {
    return;
  }
  window.demoPlayer = {
    hls,
    video,
    stats,
    player: playerName,
    format,
    stream: streamName,
    // The Swarmgate SDK's own figures (bytes by source, neighbours), or null without the SDK.
    sdk: () => (window.swarmgate ? window.swarmgate.stats() : null),
  };
})();

// The "Delivery" panel: what the Swarmgate SDK reports about this page, refreshed by
// swarmgate.on('stats') (once a second). Without the SDK the panel says so and stays still.
// (Same file as the player: the appliance serves a fixed set of demo files.)
(function () {
  'use strict';

  const field = (id) => document.getElementById(id);

  function formatBytes(n) {
    if (n >= 1024 * 1024) {
      return (n / (1024 * 1024)).toFixed(1) + ' MB';
    }
    if (n >= 1024) {
      return Math.round(n / 1024) + ' kB';
    }
    return n + ' B';
  }

  function render(s) {
    field('sg-share').textContent = Math.round(s.p2pRatio * 100) + ' %';
    field('sg-peers').textContent = String(s.peers);
    field('sg-http').textContent = formatBytes(s.httpBytes);
    field('sg-p2p').textContent = formatBytes(s.p2pBytes);
    field('sg-up').textContent = formatBytes(s.uploadedBytes);
    field('sg-site').textContent = s.site || '–';
    field('sg-leader').textContent = s.peerId ? (s.leader ? 'yes' : 'no') : '–';
    field('sg-off').hidden = s.enabled !== false && (s.connected || s.players === 0 || s.httpBytes === 0);
  }

  const sdk = window.swarmgate;
  if (!sdk || typeof sdk.on !== 'function') {
    field('sg-off').hidden = false;
    return;
  }
  render(sdk.stats());
  sdk.on('stats', render);
})();
