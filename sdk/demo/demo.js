// The demo intranet page's player: hls.js (the global from hls.min.js) playing the appliance's
// built-in test stream. It exposes window.demoPlayer = { hls, video, stats } for the browser tests
// and for anyone poking at the page in devtools. Loaded with `defer`: the DOM is ready.
(function () {
  'use strict';

  const params = new URLSearchParams(window.location.search);
  const streamName = params.get('stream') === 'vod' ? 'vod' : 'live';
  // Relative to /demo/, so the page keeps working if the appliance mounts it elsewhere.
  const source = streamName + '/master.m3u8';

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
  if (window.Hls && window.Hls.isSupported()) {
    const Hls = window.Hls;
    hls = new Hls({
      // buffer-controller: drop what is 30 s behind the playhead; a town hall is not rewound far.
      backBufferLength: 30,
      // stream-controller: start 3 target durations behind the live edge (the hls.js default),
      // which a 6-segment window of 2 s segments leaves room for.
      liveSyncDurationCount: 3,
    });
    hls.on(Hls.Events.MANIFEST_PARSED, startPlayback);
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

  window.demoPlayer = {
    hls,
    video,
    stats,
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
