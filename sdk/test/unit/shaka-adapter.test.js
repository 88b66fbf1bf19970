// The Shaka Player adapter against Shaka itself (the npm package): its NetworkingEngine runs the
// request filters and the scheme plugin the adapter registers, and its own HTTP plugin fetches
// from a real HTTP server on loopback.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { ShakaSession, rangeOf, wrapShaka } from '../../src/shaka/adapter.js';
import { loadShaka } from './players.js';

const shaka = await loadShaka();
const NE = shaka.net.NetworkingEngine;
const FILE = new Uint8Array(Array.from({ length: 1000 }, (_, i) => i % 251));
let server;
let base;
const served = [];

before(async () => {
  server = createServer((req, res) => {
    served.push({ url: req.url, range: req.headers.range });
    if (req.url.startsWith('/missing')) { res.writeHead(404).end(); return; }
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range || '');
    if (m) {
      const [first, last] = [Number(m[1]), Number(m[2])];
      res.writeHead(206, { 'content-range': `bytes ${first}-${last}/${FILE.length}` }).end(Buffer.from(FILE.subarray(first, last + 1)));
    } else {
      res.writeHead(200).end(Buffer.from(FILE));
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.close());

const runtime = { config: {}, enabled: true, available: true, env: {}, log() {}, logOnce() {}, register() {}, unregister() {} };
wrapShaka(shaka, runtime);

/** A networking engine configured as Shaka's Player configures its own. */
function configured(net) {
  net.configure(shaka.util.PlayerConfiguration.createDefault().networking);
  return net;
}

/** Shaka's networking engine with a session's request filter, as a wrapped Player has it. */
function setup(impl) {
  const progress = [];
  const net = configured(new NE((timeMs, bytes) => progress.push(bytes)));
  const player = { getNetworkingEngine: () => net, isLive: () => true, getStats: () => ({ estimatedBandwidth: 2_000_000 }) };
  const session = new ShakaSession(runtime, player);
  session.filterRequests();
  const calls = [];
  session.engineRef = { enabled: true, calls, loadSegment: (r) => { calls.push(r); return impl(r); } };
  return { net, session, calls, progress };
}

function fetchWith(net, type, url, { range, context } = {}) {
  const retry = { ...NE.defaultRetryParameters(), maxAttempts: 1 };
  const request = NE.makeRequest([url], retry);
  if (range) request.headers.Range = `bytes=${range}`;
  return net.request(type, request, context).promise;
}

const segmentContext = { type: 1, stream: { id: 7, type: 'video', bandwidth: 240_000 }, segment: { startTime: 10, endTime: 12 } };

test('manifests and players the SDK did not wrap go to Shaka\'s own HTTP plugin', async () => {
  const { net, calls } = setup(() => assert.fail('not a segment'));
  const manifest = await fetchWith(net, NE.RequestType.MANIFEST, `${base}/live/manifest.mpd`);
  assert.equal(manifest.data.byteLength, FILE.length);
  const plain = configured(new NE());
  const segment = await fetchWith(plain, NE.RequestType.SEGMENT, `${base}/live/chunk-1.m4s`);
  assert.equal(segment.data.byteLength, FILE.length);
  assert.equal(calls.length, 0);
});

test('a P2P delivery is returned fromCache, with no progress sample for Shaka\'s ABR', async () => {
  const bytes = new Uint8Array([1, 2, 3]);
  const { net, calls, progress } = setup(async () => ({ bytes, source: 'p2p', stats: {} }));
  const response = await fetchWith(net, NE.RequestType.SEGMENT, `${base}/vod/video.mp4?token=x`, { range: '100-102', context: segmentContext });
  assert.equal(response.fromCache, true);
  assert.deepEqual([...new Uint8Array(response.data)], [1, 2, 3]);
  assert.deepEqual(progress, [], 'Shaka adds no bandwidth sample for it');
  const [call] = calls;
  assert.deepEqual(call.range, { first: 100, last: 102 });
  assert.equal(call.durationS, 2);
  assert.equal(call.track, 'video:7');
  assert.equal(call.sizeBytes, 60_000);
  assert.equal(call.live, true);
});

test("the engine's HTTP load is Shaka's own request, measured by Shaka", async () => {
  served.length = 0;
  const { net, progress } = setup(async (r) => ({ ...(await r.httpLoad()), source: 'http', stats: {} }));
  const response = await fetchWith(net, NE.RequestType.SEGMENT, `${base}/vod/video.mp4`, { range: '10-19', context: segmentContext });
  assert.deepEqual([...new Uint8Array(response.data)], [...FILE.subarray(10, 20)]);
  assert.equal(served[0].range, 'bytes=10-19');
  assert.notEqual(response.fromCache, true);
  assert.ok(progress.length > 0, 'a bandwidth sample from the real request');
});

test("an HTTP failure is Shaka's own error; an engine failure falls back to Shaka's HTTP", async () => {
  const { net } = setup(async (r) => r.httpLoad());
  await assert.rejects(fetchWith(net, NE.RequestType.SEGMENT, `${base}/missing/chunk.m4s`, { context: segmentContext }),
    (e) => e instanceof shaka.util.Error && e.code === shaka.util.Error.Code.BAD_HTTP_STATUS);
  const broken = setup(async () => { throw new Error('engine bug'); });
  const response = await fetchWith(broken.net, NE.RequestType.SEGMENT, `${base}/live/chunk-2.m4s`, { context: segmentContext });
  assert.equal(response.data.byteLength, FILE.length);
});

test('Range headers name byte ranges', () => {
  assert.deepEqual(rangeOf({ Range: 'bytes=0-771' }), { first: 0, last: 771 });
  assert.equal(rangeOf({ Range: 'bytes=5-' }), undefined);
  assert.equal(rangeOf({}), undefined);
});
