import assert from 'node:assert/strict';
import { test } from 'node:test';
import { combineStats, install, readConfig, signalingUrlFor, VERSION } from '../../src/index.js';
import { FakeTimers } from './fakes.js';

test('the signaling URL is the script\'s own host and port, /ws, wss for https and ws for http', () => {
  assert.equal(signalingUrlFor('https://swarmgate.corp.example:8443/sdk/swarmgate.js'), 'wss://swarmgate.corp.example:8443/ws');
  assert.equal(signalingUrlFor('http://127.0.0.1:18080/sdk/swarmgate.js?v=2'), 'ws://127.0.0.1:18080/ws');
  assert.equal(signalingUrlFor('https://sg.corp/sdk/swarmgate.js'), 'wss://sg.corp/ws');
  assert.equal(signalingUrlFor('http://[fd00::5]:8080/sdk/swarmgate.js'), 'ws://[fd00::5]:8080/ws');
});

test('swarmgateConfig: defaults, and wrong types fall back instead of breaking the page', () => {
  assert.deepEqual({ ...readConfig(undefined) }, { enabled: true, stream: undefined, token: undefined, debug: false, maxStoreBytes: undefined, upload: true, appliance: undefined, wrapGlobal: true });
  // No option makes a page serve altered bytes (the red-team SDK lives in test/redteam/ only).
  assert.equal('debugCorruptUploads' in readConfig({ debugCorruptUploads: true }), false);
  const c = readConfig({ enabled: false, stream: 'townhall', token: 't', debug: true, maxStoreBytes: 64 << 20, upload: false });
  assert.equal(c.enabled, false);
  assert.equal(c.stream, 'townhall');
  assert.equal(c.maxStoreBytes, 64 << 20);
  assert.equal(c.upload, false);
  assert.equal(readConfig({ maxStoreBytes: 'big', stream: 42 }).maxStoreBytes, undefined);
  assert.equal(readConfig({ stream: 42 }).stream, undefined);
});

function fakeHls() {
  const Events = { MANIFEST_LOADING: 'hlsManifestLoading', LEVEL_LOADED: 'hlsLevelLoaded', AUDIO_TRACK_LOADED: 'hlsAudioTrackLoaded', LEVEL_SWITCHED: 'hlsLevelSwitched', MEDIA_ATTACHED: 'hlsMediaAttached', MEDIA_DETACHING: 'hlsMediaDetaching', DESTROYING: 'hlsDestroying' };
  class DefaultLoader {}
  return class Hls {
    static get Events() { return Events; }
    static get DefaultConfig() { return { loader: DefaultLoader }; }
    static isSupported() { return true; }
    constructor(config = {}) {
      this.config = { loader: DefaultLoader, ...config };
      this.handlers = new Map();
    }
    on(event, fn) { this.handlers.set(event, fn); }
  };
}

function fakeWindow(extra = {}) {
  const logs = [];
  return {
    logs,
    WebSocket: function WebSocket() {},
    RTCPeerConnection: function RTCPeerConnection() {},
    navigator: {},
    location: { href: 'http://intranet.test/events/' },
    console: { log: (...a) => logs.push(a), info: (...a) => logs.push(a) },
    setInterval: () => 1,
    clearInterval: () => {},
    ...extra,
  };
}

test('install wraps the page\'s Hls so new Hls() gets the SDK fragment loader, and exposes window.swarmgate', () => {
  const Hls = fakeHls();
  const win = fakeWindow({ Hls });
  const api = install(win, 'https://sg.corp:8443/sdk/swarmgate.js');
  assert.equal(win.swarmgate, api);
  assert.equal(api.version, VERSION);
  assert.notEqual(win.Hls, Hls);
  assert.equal(win.Hls.isSupported(), true, 'static methods still work');
  assert.equal(win.Hls.Events, Hls.Events);
  const hls = new win.Hls({ backBufferLength: 30 });
  assert.ok(hls instanceof Hls);
  assert.equal(typeof hls.config.fLoader, 'function');
  assert.equal(hls.config.backBufferLength, 30);
  assert.ok(hls.handlers.has('hlsLevelLoaded'), 'learns playlists');
  assert.equal(api.hlsjs.wrap(win.Hls), win.Hls, 'wrapping twice is a no-op');
  for (const k of ['httpBytes', 'p2pBytes', 'uploadedBytes', 'peers', 'stalls', 'startupMs', 'p2pRatio', 'site', 'peerId', 'leader']) {
    assert.ok(k in api.stats(), `stats().${k}`);
  }
});

test('a page fLoader is left alone and logged once', () => {
  const Hls = fakeHls();
  const win = fakeWindow({ Hls });
  install(win, 'https://sg.corp/sdk/swarmgate.js');
  class Mine {}
  const a = new win.Hls({ fLoader: Mine });
  new win.Hls({ fLoader: Mine });
  assert.equal(a.config.fLoader, Mine);
  assert.equal(win.logs.length, 1);
});

test('without WebRTC the page\'s Hls works untouched (plain HTTP)', () => {
  const Hls = fakeHls();
  const win = fakeWindow({ Hls, RTCPeerConnection: undefined });
  install(win, 'https://sg.corp/sdk/swarmgate.js');
  const hls = new win.Hls({});
  assert.equal(hls.config.fLoader, undefined);
  assert.equal(win.swarmgate.stats().p2pBytes, 0);
});

test('hls.js loaded after the script is wrapped when it defines window.Hls', () => {
  const win = fakeWindow();
  install(win, 'https://sg.corp/sdk/swarmgate.js');
  const Hls = fakeHls();
  win.Hls = Hls;
  assert.notEqual(win.Hls, Hls);
  assert.equal(typeof new win.Hls().config.fLoader, 'function');
});

test('on(stats) listeners are called with the stats; off removes them; disable/enable never throw', () => {
  let tick = null;
  const win = fakeWindow({ Hls: fakeHls(), setInterval: (fn) => { tick = fn; return 7; } });
  const api = install(win, 'https://sg.corp/sdk/swarmgate.js');
  const seen = [];
  const fn = (s) => seen.push(s);
  api.on('stats', fn);
  tick();
  assert.equal(seen.length, 1);
  assert.equal(seen[0].httpBytes, 0);
  api.off('stats', fn);
  api.disable();
  assert.equal(api.stats().enabled, false);
  api.enable();
  assert.equal(api.stats().enabled, true);
});

test('stats of several players add up; the P2P ratio is over all segment bytes', () => {
  const s = combineStats([
    { httpBytes: 100, p2pBytes: 300, uploadedBytes: 50, peers: 2, stalls: 1, startupMs: 800, site: 'hq', peerId: 'p-1', leader: false, connected: true, failures: { timeout: 1 }, httpRescued: 2, p2pPauses: 1, httpBytesByReason: { alone: 60, leader: 40 }, claimWaits: { waited: 3, followed: 1, stalled: 1 } },
    { httpBytes: 100, p2pBytes: 500, uploadedBytes: 0, peers: 1, stalls: 0, startupMs: 900, site: 'hq', peerId: 'p-2', leader: true, connected: true, httpBytesByReason: { leader: 100 }, claimWaits: { waited: 2, followed: 0, stalled: 0 } },
  ], { enabled: true, version: 'x' });
  assert.deepEqual(s.claimWaits, { waited: 5, followed: 1, stalled: 1 });
  assert.deepEqual(s.httpBytesByReason, { alone: 60, leader: 140 });
  assert.equal(s.httpBytes, 200);
  assert.equal(s.p2pBytes, 800);
  assert.equal(s.p2pRatio, 0.8);
  assert.equal(s.peers, 3);
  assert.equal(s.httpRescued, 2);
  assert.equal(s.p2pPauses, 1);
  assert.equal(s.startupMs, 800);
  assert.equal(s.leader, true);
  assert.equal(s.failures.timeout, 1);
  assert.equal(s.failures.unverified, 0);
  assert.equal(s.integrity, 'anchored');
});

test('integrity is unavailable as soon as one player learnt the appliance has no hashes for its stream', () => {
  const s = combineStats([
    { integrity: 'anchored', failures: { unverified: 2 } },
    { integrity: 'unavailable', failures: { unverified: 1 } },
  ], { enabled: true, version: 'x' });
  assert.equal(s.integrity, 'unavailable');
  assert.equal(s.failures.unverified, 3);
});

test('stats carry the earliest welcome, peers-released and first-open-peer marks of any player, null until they happen', () => {
  const s = combineStats([
    { timings: { welcomeMs: 420, peersReleasedMs: null, firstPeerOpenMs: null } },
    { timings: { welcomeMs: 380, peersReleasedMs: 700, firstPeerOpenMs: 900 }, peerGate: 'started', siteHttpKbps: null },
    { siteHttpKbps: 52_000 },
    {},
  ], { enabled: true, version: 'x' });
  assert.deepEqual(s.timings, { welcomeMs: 380, peersReleasedMs: 700, firstPeerOpenMs: 900 });
  assert.equal(s.peerGate, 'started');
  assert.equal(s.siteHttpKbps, 52_000, 'the first player welcomed with a site figure');
  const none = combineStats([], { enabled: true, version: 'x' });
  assert.deepEqual(none.timings, { welcomeMs: null, peersReleasedMs: null, firstPeerOpenMs: null });
  assert.equal(none.peerGate, null);
  assert.equal(none.siteHttpKbps, null);
});

test('stats say how late the page\'s timers run once a player is on it: null without timers, figures with them', () => {
  assert.equal(install(fakeWindow({ Hls: fakeHls() }), 'https://sg.corp/sdk/swarmgate.js').stats().loopLag, null, 'no setTimeout: no figure');
  const timers = new FakeTimers();
  const win = fakeWindow({ Hls: fakeHls(), setTimeout: (fn, ms) => timers.setTimeout(fn, ms), clearTimeout: (id) => timers.clearTimeout(id),
    performance: { now: timers.now } });
  const api = install(win, 'https://sg.corp/sdk/swarmgate.js');
  timers.advance(1000);
  assert.deepEqual(api.stats().loopLag, { p90Ms: null, maxMs: null, lateShare: null }, 'no player yet: not ticking');
  new win.Hls({}); // eslint-disable-line no-new
  timers.advance(1000);
  assert.deepEqual(api.stats().loopLag, { p90Ms: 0, maxMs: 0, lateShare: 0 });
});
