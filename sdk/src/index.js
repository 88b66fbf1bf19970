/**
 * Entry of the classic script the appliance serves at `/sdk/swarmgate.js` (docs/integration.md).
 *
 * On load it finds its appliance from its own script URL, reads `window.swarmgateConfig`, wraps
 * the page's player global — `window.Hls`, `window.dashjs`, `window.shaka`, `window.videojs` — now, or when the player's script
 * defines it later, so its players load through the mesh, and exposes `window.swarmgate`. Whatever fails — no WebRTC, appliance
 * unreachable, a bug — the page keeps playing over plain HTTP and sees no error; details go to
 * the console only with `debug: true`.
 *
 * @module index
 */

import { wrapHls } from './hlsjs/adapter.js';
import { pageMode } from './mode.js';
import { wrapDashjs } from './dashjs/adapter.js';
import { wrapShaka } from './shaka/adapter.js';
import { wrapVideojs } from './videojs/adapter.js';
import { LoopLag } from './core/loop-lag.js';

export const VERSION = '0.1.0';
const STATS_INTERVAL_MS = 1000;

/**
 * The signaling URL for a script loaded from `scriptSrc`: same host and port, `/ws`, wss for an
 * https script and ws for an http one.
 * @param {string} scriptSrc absolute URL of swarmgate.js (document.currentScript.src)
 * @returns {string}
 */
export function signalingUrlFor(scriptSrc) {
  const u = new URL(scriptSrc);
  return `${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}/ws`;
}

/**
 * `window.swarmgateConfig` with defaults; unknown keys are ignored, wrong types fall back to the
 * default (a page mistake must not break playback).
 * @param {object} [raw]
 * @returns {{enabled: boolean, stream?: string, token?: string, debug: boolean, maxStoreBytes?: number,
 *   upload: boolean, appliance?: string, wrapGlobal: boolean}}
 */
export function readConfig(raw) {
  const c = raw && typeof raw === 'object' ? raw : {};
  const str = (v) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  return Object.freeze({
    enabled: c.enabled !== false,
    stream: str(c.stream),
    token: str(c.token),
    debug: c.debug === true,
    maxStoreBytes: Number.isFinite(c.maxStoreBytes) && c.maxStoreBytes >= 1024 * 1024 ? c.maxStoreBytes : undefined,
    upload: c.upload !== false,
    appliance: str(c.appliance),
    wrapGlobal: c.wrapGlobal !== false,
  });
}

/** Sums the per-player stats into the page's `swarmgate.stats()`. */
export function combineStats(list, { enabled, version }) {
  const out = {
    httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, peers: 0, stalls: 0, stallMs: 0, watchMs: 0, httpRescued: 0, p2pPauses: 0,
    startupMs: null, p2pRatio: 0, site: null, peerId: null, leader: false, connected: false,
    failures: { timeout: 0, integrity: 0, gone: 0, noHolder: 0, policy: 0, unverified: 0, paused: 0 }, peersBySite: {}, p2pBytesByPeer: {}, enabled, version,
    // HTTP bytes by why they were not P2P (segment-loader.js `httpBytesByReason`), and the last fetches (`httpFetches`).
    httpBytesByReason: {}, httpFetches: [],
    // Loads that waited for a colleague's claimed HTTP fetch (load-rounds.js `claimWaits`).
    claimWaits: { waited: 0, followed: 0, stalled: 0 },
    // 'unavailable' as soon as one player learnt the appliance has no hashes for its stream.
    integrity: 'anchored',
    players: list.length,
    uploadCapacityKbps: 0,
    uploadAllowed: false,
    // First `welcome`, neighbour connections let start and first open data channel of any player, ms on performance.now().
    timings: { welcomeMs: null, peersReleasedMs: null, firstPeerOpenMs: null },
    // Why the first player's neighbour connections started (peer-gate.js), null before.
    peerGate: null,
    // The site's HTTP throughput the appliance gave in the first player's `welcome` (kbit/s), null before or when unknown.
    siteHttpKbps: null,
  };
  for (const s of list) {
    for (const k of ['httpBytes', 'p2pBytes', 'uploadedBytes', 'peers', 'stalls', 'stallMs', 'watchMs', 'httpRescued', 'p2pPauses']) out[k] += s[k] || 0;
    for (const k of Object.keys(out.failures)) out.failures[k] += (s.failures && s.failures[k]) || 0;
    for (const k of Object.keys(out.claimWaits)) out.claimWaits[k] += (s.claimWaits && s.claimWaits[k]) || 0;
    for (const [site, n] of Object.entries(s.peersBySite || {})) out.peersBySite[site] = (out.peersBySite[site] || 0) + n;
    for (const [peer, n] of Object.entries(s.p2pBytesByPeer || {})) out.p2pBytesByPeer[peer] = (out.p2pBytesByPeer[peer] || 0) + n;
    for (const [why, n] of Object.entries(s.httpBytesByReason || {})) out.httpBytesByReason[why] = (out.httpBytesByReason[why] || 0) + n;
    if (Array.isArray(s.httpFetches)) out.httpFetches.push(...s.httpFetches);
    if (out.startupMs === null && s.startupMs != null) out.startupMs = s.startupMs;
    for (const k of Object.keys(out.timings)) {
      const t = s.timings && s.timings[k];
      if (Number.isFinite(t) && (out.timings[k] === null || t < out.timings[k])) out.timings[k] = t;
    }
    if (out.peerGate === null && s.peerGate) out.peerGate = s.peerGate;
    if (out.siteHttpKbps === null && Number.isFinite(s.siteHttpKbps)) out.siteHttpKbps = s.siteHttpKbps;
    if (s.peerId) {
      out.site = s.site;
      out.peerId = s.peerId;
      out.leader = out.leader || !!s.leader;
    }
    out.connected = out.connected || !!s.connected;
    // One page, one link: the best figure any of its players measured.
    out.uploadCapacityKbps = Math.max(out.uploadCapacityKbps, s.uploadCapacityKbps || 0);
    out.uploadAllowed = out.uploadAllowed || !!s.uploadAllowed;
    if (s.integrity === 'unavailable') out.integrity = 'unavailable';
    if (s.level !== undefined) { out.level = s.level; out.bitrateKbps = s.bitrateKbps; }
  }
  const total = out.httpBytes + out.p2pBytes;
  out.p2pRatio = total > 0 ? out.p2pBytes / total : 0;
  return out;
}

/**
 * Builds the SDK for one page.
 * @param {object} win the window (or a test double with the same fields)
 * @param {string} scriptSrc where this script was loaded from
 * @returns {object} the `window.swarmgate` API
 */
export function createSdk(win, scriptSrc) {
  const config = readConfig(win.swarmgateConfig);
  const con = win.console;
  const clock = () => Math.round(win.performance ? win.performance.now() : Date.now());
  const log = config.debug && con ? (...a) => con.log(`[swarmgate] ${clock()}`, ...a) : () => {};
  const once = new Set();
  const sessions = new Set();
  const listeners = new Set();
  let timer = null;
  let signalingUrl = null;
  // How late the page's timers run while a player is on it (core/loop-lag.js), for stats().loopLag.
  const loopLag = typeof win.setTimeout === 'function'
    ? new LoopLag({ timers: win, now: () => (win.performance ? win.performance.now() : Date.now()) }) : null;
  try {
    signalingUrl = signalingUrlFor(config.appliance || scriptSrc);
  } catch (e) {
    log('cannot derive the appliance URL from', scriptSrc, e);
  }
  const env = {
    WebSocket: win.WebSocket,
    RTCPeerConnection: win.RTCPeerConnection,
    connection: win.navigator && win.navigator.connection,
    location: win.location,
  };
  const runtime = {
    config, signalingUrl, version: VERSION, env, log,
    enabled: config.enabled,
    available: !!signalingUrl && typeof env.WebSocket === 'function' && typeof env.RTCPeerConnection === 'function',
    logOnce(key, ...a) {
      if (once.has(key) || !con) return;
      once.add(key);
      con.info(...a);
    },
    leave() {
      for (const s of [...sessions]) {
        try { s.destroy(); } catch (e) { log('leave failed', e); }
      }
    },
    register: (s) => {
      sessions.add(s);
      if (loopLag) loopLag.start();
    },
    unregister: (s) => {
      sessions.delete(s);
      if (loopLag && sessions.size === 0) loopLag.stop();
    },
  };
  if (!runtime.available) log('WebRTC, WebSocket or the appliance URL is missing: plain HTTP');

  const stats = () => {
    try {
      const players = [...sessions].map((s) => s.stats());
      const out = combineStats(players.filter(Boolean), { enabled: runtime.enabled, version: VERSION });
      out.loopLag = loopLag ? loopLag.stats() : null;
      return Object.assign(out, pageMode({ win, runtime, players }));
    } catch (e) {
      log('stats failed', e);
      return combineStats([], { enabled: runtime.enabled, version: VERSION });
    }
  };
  const tick = () => {
    const s = stats();
    for (const fn of [...listeners]) {
      try { fn(s); } catch (e) { log('stats listener failed', e); }
    }
  };
  const setEnabled = (on) => {
    runtime.enabled = on;
    for (const s of sessions) {
      try { s.setEnabled(on); } catch (e) { log('enable/disable failed', e); }
    }
  };

  const api = {
    version: VERSION,
    hlsjs: {
      /** Returns a subclass of `Hls` that loads through the mesh (for bundled hls.js). */
      wrap: (Hls) => {
        try { return wrapHls(Hls, runtime); } catch (e) { log('wrap failed', e); return Hls; }
      },
    },
    dashjs: {
      /** Returns the dash.js namespace whose `MediaPlayer().create()` players load through the mesh. */
      wrap: (dashjs) => {
        try { return wrapDashjs(dashjs, runtime); } catch (e) { log('wrap failed', e); return dashjs; }
      },
    },
    shaka: {
      /** Returns the Shaka Player namespace whose `Player` loads through the mesh (for bundled Shaka). */
      wrap: (shaka) => {
        try { return wrapShaka(shaka, runtime); } catch (e) { log('wrap failed', e); return shaka; }
      },
    },
    videojs: {
      /** Makes players of this (bundled) Video.js load through the mesh; returns it. */
      wrap: (videojs) => {
        try { return wrapVideojs(videojs, runtime); } catch (e) { log('wrap failed', e); return videojs; }
      },
    },
    /** Totals of every player on the page. */
    stats,
    /** `on('stats', fn)`: fn(stats) every second. */
    on(event, fn) {
      if (event !== 'stats' || typeof fn !== 'function') return api;
      listeners.add(fn);
      if (timer === null) timer = win.setInterval(tick, STATS_INTERVAL_MS);
      return api;
    },
    off(event, fn) {
      listeners.delete(fn);
      if (listeners.size === 0 && timer !== null) {
        win.clearInterval(timer);
        timer = null;
      }
      return api;
    },
    /** Stops P2P on this page: every segment over plain HTTP, neighbours closed. */
    disable: () => setEnabled(false),
    /** Turns P2P back on. */
    enable: () => setEnabled(true),
  };
  return { api, runtime };
}

/**
 * Wraps the player global `name` now, or the moment the player's script defines it.
 * @param {object} win
 * @param {string} name
 * @param {(v: any) => boolean} isPlayer
 * @param {(v: any) => any} wrap
 * @param {Function} log
 */
function watchGlobal(win, name, isPlayer, wrap, log) {
  if (isPlayer(win[name])) {
    win[name] = wrap(win[name]);
  } else if (!(name in win)) {
    let current;
    try {
      Object.defineProperty(win, name, {
        configurable: true,
        enumerable: true,
        get: () => current,
        set: (v) => { current = isPlayer(v) ? wrap(v) : v; },
      });
    } catch (e) {
      log(`cannot watch window.${name}`, e);
    }
  }
}

/**
 * Installs the SDK on the page: `window.swarmgate`, and the wrapped `window.Hls`.
 * @param {object} win
 * @param {string} scriptSrc
 */
export function install(win, scriptSrc) {
  if (win.swarmgate && win.swarmgate.version) return win.swarmgate; // loaded twice
  const { api, runtime } = createSdk(win, scriptSrc);
  win.swarmgate = api;
  if (typeof win.addEventListener === 'function') {
    // Leaving the page: say `bye` so neighbours are replaced at once instead of after the
    // appliance's 30 s resume grace.
    win.addEventListener('pagehide', () => runtime.leave());
  }
  if (!runtime.config.wrapGlobal) return api;
  watchGlobal(win, 'Hls', (v) => typeof v === 'function', api.hlsjs.wrap, runtime.log);
  watchGlobal(win, 'dashjs', (v) => !!v && typeof v === 'object', api.dashjs.wrap, runtime.log);
  watchGlobal(win, 'shaka', (v) => !!v && typeof v === 'object', api.shaka.wrap, runtime.log);
  watchGlobal(win, 'videojs', (v) => typeof v === 'function', api.videojs.wrap, runtime.log);
  return api;
}

// Runs as the classic script; importing this module elsewhere (tests) installs nothing.
if (typeof window !== 'undefined' && typeof document !== 'undefined') {
  try {
    const script = document.currentScript;
    install(window, (script && script.src) || window.location.href);
  } catch (e) {
    if (window.swarmgateConfig && window.swarmgateConfig.debug) window.console.log('[swarmgate] not started', e);
  }
}
