// The Video.js adapter against Video.js itself (the npm package): requests go through VHS's own
// xhr function (its onRequest hooks, its callback wrapper that computes a segment's bandwidth).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rangeOf, VideojsSession, wrapVideojs } from '../../src/videojs/adapter.js';
import { loadVideojs, RecordingXhr } from './players.js';

const videojs = await loadVideojs();
const runtime = { config: {}, enabled: true, available: true, env: {}, log() {}, logOnce() {}, register() {}, unregister() {} };
wrapVideojs(videojs, runtime);

/** A session on a player whose VHS is the global one, hooked as on `xhr-hooks-ready`. */
function setup(impl) {
  const handlers = {};
  const vhs = { xhr: videojs.Vhs.xhr, bandwidth: 4_000_000 };
  const player = {
    on: (type, fn) => { handlers[type] = fn; }, duration: () => Infinity,
    tech: () => ({ vhs, el: () => null }), currentSrc: () => '',
  };
  const session = new VideojsSession(runtime, player);
  session.attach();
  handlers['xhr-hooks-ready']();
  const calls = [];
  session.engineRef = { enabled: true, calls, loadSegment: (r) => { calls.push(r); return impl(r); } };
  return { session, calls };
}

function request(options) {
  return new Promise((resolve) => {
    const req = videojs.Vhs.xhr({ responseType: 'arraybuffer', ...options }, (error, r) => resolve({ error, request: r, req }));
  });
}

test('a P2P segment reaches VHS with the HTTP-modelled bandwidth, not the LAN\'s', async () => {
  const { calls } = setup(async () => ({ bytes: new Uint8Array([1, 2, 3]), source: 'p2p', stats: { bwEstimate: 750_000 } }));
  const { error, request: r } = await request({ uri: 'http://o.test/live/seg-5.ts?token=t', requestType: 'segment', headers: { Range: 'bytes=0-2' } });
  assert.equal(error, null);
  assert.deepEqual([...new Uint8Array(r.response)], [1, 2, 3]);
  assert.equal(r.bandwidth, 750_000, 'VHS keeps a preset bandwidth');
  assert.equal(r.requestType, 'segment');
  assert.deepEqual(calls[0].range, { first: 0, last: 2 });
  assert.equal(calls[0].live, true);
});

test('manifests and HTTP loads go to videojs.xhr, measured by VHS', async () => {
  RecordingXhr.sent.length = 0;
  const { calls } = setup(async (r) => ({ ...(await r.httpLoad()), source: 'http', stats: {} }));
  const manifest = request({ uri: 'http://o.test/live/manifest.mpd', requestType: 'vhs-manifest', responseType: '' });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(RecordingXhr.sent[0].url, 'http://o.test/live/manifest.mpd');
  assert.equal(calls.length, 0, 'a manifest never reaches the engine');
  RecordingXhr.sent[0].respond(200, new Uint8Array([60]));
  await manifest;
  const segment = request({ uri: 'http://o.test/live/chunk-9.m4s', requestType: 'segment' });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(RecordingXhr.sent[1].url, 'http://o.test/live/chunk-9.m4s', "the engine's HTTP load is videojs.xhr's");
  RecordingXhr.sent[1].respond(200, new Uint8Array(8));
  const { error, request: r } = await segment;
  assert.equal(error, null);
  assert.equal(r.response.byteLength, 8);
});

test('Range headers name byte ranges', () => {
  assert.deepEqual(rangeOf({ Range: 'bytes=772-51186' }), { first: 772, last: 51186 });
  assert.equal(rangeOf({}), undefined);
});
