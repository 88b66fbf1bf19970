import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageMode } from '../../src/mode.js';

// A page's media elements as the DOM gives them: currentSrc/src attribute and <source> children.
function element({ src = '', currentSrc = '', sources = [], srcObject = null } = {}) {
  return {
    currentSrc, src, srcObject,
    getAttribute: (name) => (name === 'src' && src ? src : null),
    querySelectorAll: () => sources,
  };
}

function page({ elements = [], MediaSource = function MediaSource() {}, ManagedMediaSource } = {}) {
  return { MediaSource, ManagedMediaSource, document: { querySelectorAll: () => elements } };
}

const runtime = (over = {}) => ({
  enabled: true,
  signalingUrl: 'wss://sg.corp/ws',
  env: { WebSocket: function WebSocket() {}, RTCPeerConnection: function RTCPeerConnection() {} },
  ...over,
});

test('a page whose player the SDK carries is in p2p mode, even before the player loads a source', () => {
  assert.deepEqual(pageMode({ win: page(), runtime: runtime(), players: [null] }), { mode: 'p2p', modeReason: null });
  assert.deepEqual(pageMode({ win: page(), runtime: runtime(), players: [{ refused: null, p2pPolicy: 'on' }] }), { mode: 'p2p', modeReason: null });
  assert.equal(pageMode({ win: page(), runtime: runtime(), players: [{ refused: null, p2pPolicy: 'download-only' }] }).mode, 'p2p');
});

test('the page\'s own switch and missing browser APIs come first, in that order', () => {
  const reason = (rt, win = page()) => pageMode({ win, runtime: runtime(rt), players: [null] }).modeReason;
  assert.equal(reason({ enabled: false, env: {} }), 'disabled');
  assert.equal(reason({ signalingUrl: null }), 'no-appliance-url');
  assert.equal(reason({ env: { RTCPeerConnection: function RTCPeerConnection() {} } }), 'no-websocket');
  assert.equal(reason({ env: { WebSocket: function WebSocket() {} } }), 'no-rtcpeerconnection');
  assert.equal(reason({}, page({ MediaSource: null })), 'no-mediasource');
});

test('ManagedMediaSource alone (iOS Safari 17.1+) is enough for a script player', () => {
  const win = page({ MediaSource: null, ManagedMediaSource: function ManagedMediaSource() {} });
  assert.deepEqual(pageMode({ win, runtime: runtime(), players: [null] }), { mode: 'p2p', modeReason: null });
});

test('the appliance\'s refusal and a policy with p2p off make every player HTTP-only', () => {
  const mode = (players) => pageMode({ win: page(), runtime: runtime(), players });
  assert.deepEqual(mode([{ refused: 'origin_not_allowed', p2pPolicy: null }]), { mode: 'http-only', modeReason: 'refused' });
  assert.deepEqual(mode([{ refused: null, p2pPolicy: 'off' }]), { mode: 'http-only', modeReason: 'policy-off' });
  assert.equal(mode([{ refused: null, p2pPolicy: 'off' }, null]).mode, 'p2p', 'one player still on is enough');
});

test('without a carried player: native HLS, an unknown player, or nothing playing yet', () => {
  const reason = (elements) => pageMode({ win: page({ elements }), runtime: runtime(), players: [] }).modeReason;
  assert.equal(reason([element({ src: 'https://cdn.corp/live/master.m3u8?token=1' })]), 'native-hls');
  assert.equal(reason([element({ sources: [{ type: 'application/vnd.apple.mpegurl', src: '/live/index' }] })]), 'native-hls');
  assert.equal(reason([element({ currentSrc: 'blob:https://intranet.corp/0f1e' })]), 'unknown-player');
  assert.equal(reason([element({ src: '/talk.mp4' })]), 'unknown-player');
  assert.equal(reason([element({ srcObject: {} })]), 'unknown-player');
  assert.equal(reason([element()]), 'no-player');
  assert.equal(reason([]), 'no-player');
  assert.equal(reason([element({ src: '/talk.mp4' }), element({ src: '/live.m3u8' })]), 'native-hls');
});
