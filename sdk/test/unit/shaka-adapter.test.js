// The Shaka Player adapter against Shaka itself (the npm package): its NetworkingEngine runs the
// request filters and the scheme plugin the adapter registers, and its own HTTP plugin fetches
// from a real HTTP server on loopback.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { Engine } from '../../src/core/engine.js';
import { MAX_LIVE_SEGMENTS } from '../../src/core/playlist-feed.js';
import { PREFETCH_CONTEXT, ShakaSession, listedSegments, rangeOf, wrapShaka } from '../../src/shaka/adapter.js';
import { loadShaka } from './players.js';

const shaka = await loadShaka();
const NE = shaka.net.NetworkingEngine;
const FILE = new Uint8Array(Array.from({ length: 1000 }, (_, i) => i % 251));
let server;
let base;
const served = [];

before(async () => {
  server = createServer((req, res) => {
    served.push({ url: req.url, range: req.headers.range, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
    if (req.url.startsWith('/missing')) { res.writeHead(404).end(); return; }
    // A fetch the congested link holds up: headers and a first part, the rest never.
    if (req.url.startsWith('/slow')) { res.writeHead(200, { 'content-length': String(FILE.length) }); res.write(Buffer.from(FILE.subarray(0, 10))); return; }
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

test('before its first frame a live player counts its buffer from its start point, the seek range\'s end', async () => {
  const { aheadOfStart } = await import('../../src/shaka/adapter.js');
  const live = { seekRange: () => ({ start: 1000, end: 1015.5 }) };
  assert.equal(aheadOfStart(live, { startTime: 1016 }), 0.5);
  assert.equal(aheadOfStart(live, { startTime: 1014 }), 0, 'the segment it starts in');
  assert.equal(aheadOfStart(live, { startTime: 1018 }), 2.5);
  assert.equal(aheadOfStart({ seekRange: () => ({ start: 0, end: 0 }) }, { startTime: 1016 }), undefined, 'no manifest yet');
  assert.equal(aheadOfStart({ seekRange: () => { throw new Error('unloaded'); } }, { startTime: 1016 }), undefined);
  assert.equal(aheadOfStart(live, undefined), undefined, 'an init segment');

  // Through Shaka's networking engine: the request the engine gets carries it.
  const progress = [];
  const net = configured(new NE((timeMs, bytes) => progress.push(bytes)));
  const player = { getNetworkingEngine: () => net, isLive: () => true, getStats: () => ({}), seekRange: () => ({ start: 1000, end: 1015.5 }) };
  const session = new ShakaSession(runtime, player);
  session.filterRequests();
  const calls = [];
  session.engineRef = { enabled: true, calls, loadSegment: (r) => { calls.push(r); return Promise.resolve({ bytes: FILE, source: 'p2p' }); } };
  // Shaka's own SegmentReference: its compiled build renames the fields, the getters stay.
  const ref = new shaka.media.SegmentReference(1016, 1018, () => [`${base}/seg-508.m4s`], 0, null, null, 0, 0, Infinity);
  const context = { ...segmentContext, segment: ref };
  await fetchWith(net, NE.RequestType.SEGMENT, `${base}/seg-508.m4s`, { context });
  assert.equal(calls[0].bufferS, 0.5);
  assert.equal(calls[0].fromStartPoint, true);
  assert.equal(calls[0].durationS, 2);
  // Once the player played, the element tells (its buffer ahead of the playhead; none attached here).
  session.playing = true;
  await fetchWith(net, NE.RequestType.SEGMENT, `${base}/seg-508.m4s`, { context });
  assert.equal(calls[1].bufferS, 0);
  assert.equal(calls[1].fromStartPoint, undefined);
});

test('Range headers name byte ranges', () => {
  assert.deepEqual(rangeOf({ Range: 'bytes=0-771' }), { first: 0, last: 771 });
  assert.equal(rangeOf({ Range: 'bytes=5-' }), undefined);
  assert.equal(rangeOf({}), undefined);
});

// ---- what the adapter tells the engine from Shaka's segment index ----

const Ref = shaka.media.SegmentReference;
/** A SegmentReference as Shaka's DASH parser makes it ($Number$ template, or a byte range of one file). */
const ref = (n, { range } = {}) => new Ref(n * 2, n * 2 + 2, () => [range ? `${base}/vod/video.mp4?token=v` : `${base}/live/chunk-${n}.m4s?token=v`],
  range ? n * 100 : 0, range ? n * 100 + 99 : null, null, 0, 0, Infinity);

/** A player whose active variant's video stream has `index`; the engine is real (never started). */
function listingPlayer(index, live) {
  const engine = new Engine({ signalingUrl: 'ws://appliance.test/ws', stream: `${base}/live/manifest.mpd` });
  const listed = [];
  const onPlaylist = engine.onPlaylist.bind(engine);
  engine.onPlaylist = (p) => { listed.push(p); onPlaylist(p); };
  const net = configured(new NE());
  const stream = { id: 7, type: 'video', bandwidth: 240_000, segmentIndex: index };
  const manifest = { variants: [{ id: 3, video: stream, audio: null }, { id: 4, video: { id: 8, type: 'video', segmentIndex: new shaka.media.SegmentIndex([ref(90)]) }, audio: null }] };
  const events = {};
  const manifestReads = { count: 0 };
  const player = {
    getNetworkingEngine: () => net, isLive: () => live, getStats: () => ({}), getManifest: () => { manifestReads.count++; return manifest; },
    getVariantTracks: () => [{ id: 3, active: true }, { id: 4, active: false }],
    addEventListener: (type, fn) => { (events[type] ??= []).push(fn); },
  };
  const session = new ShakaSession(runtime, player);
  session.filterRequests();
  session.watchPlaylists();
  session.engineRef = engine;
  const loads = [];
  const loadSegment = engine.loadSegment.bind(engine);
  engine.loadSegment = (r) => { loads.push(r); return Promise.resolve({ bytes: new Uint8Array(1), source: 'p2p', stats: {} }); };
  const fire = (type) => (events[type] || []).forEach((fn) => fn({ type }));
  return { engine, listed, loads, net, stream, fire, loadSegment, manifestReads };
}

/** Fetches `r` through Shaka's networking engine the way its StreamingEngine requests a segment. */
function fetchSegment(net, r, stream) {
  const request = NE.makeRequest(r.getUris(), { ...NE.defaultRetryParameters(), maxAttempts: 1 });
  if (r.getStartByte() !== 0 || r.getEndByte() !== null) request.headers.Range = `bytes=${r.getStartByte()}-${r.getEndByte() ?? ''}`;
  return net.request(NE.RequestType.SEGMENT, request, { type: 1, stream, segment: r }).promise;
}

test('a live index lists the active variant only, with the ids its segment loads compute', async () => {
  const index = new shaka.media.SegmentIndex([1, 2, 3].map((n) => ref(n)));
  const { engine, listed, loads, net, stream, fire } = listingPlayer(index, true);
  fire('loaded');
  assert.equal(listed.length, 1, 'the other variant of the ladder is not listed');
  assert.equal(listed[0].track, 'video:7');
  assert.equal(listed[0].live, true);
  assert.deepEqual(listed[0].segments.map((s) => s.sequence), [0, 1, 2]);
  assert.deepEqual(listed[0].segments.map((s) => s.durationS), [2, 2, 2]);
  for (const r of index) await fetchSegment(net, r, stream);
  assert.deepEqual(loads.map((l) => engine.segmentId(l.url, l.range)), listed[0].segments.map((s) => engine.segmentId(s.url, s.range)));
  assert.ok([...engine.known.keys()].every((id) => !id.includes('token')), 'per-viewer parameters are not part of ids');
  assert.deepEqual(loads.map((l) => l.track), ['video:7', 'video:7', 'video:7'], 'the store keeps them under the listed track');
  engine.destroy();
});

test('a live refresh adds only the new segments; evicted ones leave the engine', () => {
  const index = new shaka.media.SegmentIndex([1, 2, 3].map((n) => ref(n)));
  const { engine, listed, fire } = listingPlayer(index, true);
  fire('trackschanged');
  const before = new Set(engine.known.keys());
  fire('segmentappended');
  assert.equal(listed.length, 1, 'nothing new: the engine is not told again');
  index.mergeAndEvict([ref(4), ref(5)], 6.5);
  fire('manifestupdated');
  assert.equal(listed.length, 2);
  assert.deepEqual(listed[1].segments.map((s) => s.sequence), [2, 3, 4], 'positions survive eviction');
  const added = [...engine.known.keys()].filter((id) => !before.has(id));
  assert.deepEqual(added, [`${base}/live/chunk-4.m4s`, `${base}/live/chunk-5.m4s`]);
  assert.equal(engine.known.size, 3, 'the segments below the window are forgotten');
  assert.ok([...engine.known.values()].filter((k) => k.upcoming).length === 2, 'only the new ones are upcoming');
  engine.destroy();
});

test("Shaka's manifest is read once per loaded content: every read prints a console warning on the page", () => {
  const index = new shaka.media.SegmentIndex([1, 2, 3].map((n) => ref(n)));
  const { engine, listed, fire, manifestReads } = listingPlayer(index, true);
  fire('loaded');
  for (let i = 0; i < 20; i++) fire('segmentappended');
  index.mergeAndEvict([ref(4)], 4.5);
  fire('manifestupdated');
  fire('variantchanged');
  assert.equal(manifestReads.count, 1, 'one read for the loaded content');
  assert.equal(listed.length, 2, 'the live refresh still reached the engine through the kept manifest');
  fire('loading');
  fire('loaded');
  assert.equal(manifestReads.count, 2, 'new content: read again');
  engine.destroy();
});

test('a long live window lists only its newest segments', () => {
  const index = new shaka.media.SegmentIndex(Array.from({ length: MAX_LIVE_SEGMENTS + 40 }, (_, n) => ref(n)));
  assert.deepEqual(listedSegments(index, true).map((s) => s.sequence)[0], 40);
  assert.equal(listedSegments(index, true).length, MAX_LIVE_SEGMENTS);
});

test('a VOD index with byte ranges is listed once, ranges as Shaka requests them', async () => {
  const index = new shaka.media.SegmentIndex([0, 1, 2].map((n) => ref(n, { range: true })));
  const { engine, listed, loads, net, stream, fire } = listingPlayer(index, false);
  fire('loaded');
  let walked = 0;
  const get = index.get.bind(index);
  index.get = (position) => { walked++; return get(position); };
  fire('variantchanged');
  fire('adaptation');
  fire('segmentappended');
  assert.equal(listed.length, 1, 'VOD lists once');
  assert.equal(walked, 0, 'a VOD index already listed is not walked again on later events');
  assert.equal(listed[0].live, false);
  assert.deepEqual(listed[0].segments.map((s) => s.range), [{ first: 0, last: 99 }, { first: 100, last: 199 }, { first: 200, last: 299 }]);
  for (const r of index) await fetchSegment(net, r, stream);
  assert.deepEqual(loads.map((l) => engine.segmentId(l.url, l.range)), listed[0].segments.map((s) => engine.segmentId(s.url, s.range)));
  engine.destroy();
});

test("a leader's prefetch fetches the listed URL and byte range itself (the player has no request for it yet)", async () => {
  served.length = 0;
  const session = new ShakaSession(runtime, { getNetworkingEngine: () => null });
  const r = await session.fetchHttp(`${base}/live/chunk-4.m4s?token=v`, { range: { first: 10, last: 19 } });
  assert.deepEqual([...r.bytes], [...FILE.subarray(10, 20)]);
  assert.deepEqual(served, [{ url: '/live/chunk-4.m4s?token=v', range: 'bytes=10-19' }]);
  assert.ok(r.deliveredAt >= r.firstByteAt && r.firstByteAt >= r.requestedAt);
  await assert.rejects(session.fetchHttp(`${base}/missing/chunk-5.m4s`), (e) => e.httpFailure === true);
});

test("a leader's prefetch goes through the player's networking engine: the page's request filters apply, its response filters do not change the bytes kept", async () => {
  served.length = 0;
  const { net, session, calls } = setup(async () => assert.fail('a prefetch never goes back into the engine'));
  // A page on an authenticated origin, which also rewrites what its player gets.
  const contexts = [];
  net.registerRequestFilter((type, request, context) => { contexts.push(context); request.headers.Authorization = 'Bearer page-token'; });
  net.registerResponseFilter((type, response) => { response.data = new Uint8Array([0]).buffer; });
  const r = await session.fetchHttp(`${base}/live/chunk-4.m4s?token=v`, { range: { first: 10, last: 19 } });
  assert.deepEqual(served, [{ url: '/live/chunk-4.m4s?token=v', range: 'bytes=10-19', auth: 'Bearer page-token' }]);
  assert.deepEqual([...r.bytes], [...FILE.subarray(10, 20)], 'the origin\'s bytes, which the appliance hashes');
  assert.ok(r.deliveredAt >= r.requestedAt);
  assert.equal(calls.length, 0);
  await assert.rejects(session.fetchHttp(`${base}/missing/chunk-5.m4s`), (e) => e.httpFailure === true);
  assert.deepEqual(contexts[0], PREFETCH_CONTEXT, 'pages and probes tell the prefetch from the player\'s own loads');
});

test("a neighbour's copy can end the engine's HTTP load under way: Shaka's own request is aborted and Shaka gets the copy", async () => {
  served.length = 0;
  const copy = new Uint8Array([9, 9, 9]);
  let outcome = null;
  const { net } = setup(async (r) => {
    const fetching = r.httpLoad().then(() => 'completed', (e) => (e.httpFailure ? 'http failure' : 'other'));
    for (let i = 0; i < 200 && served.length === 0; i++) await new Promise((w) => setTimeout(w, 5));
    r.abortHttp();
    outcome = await fetching;
    return { bytes: copy, source: 'p2p', stats: {} };
  });
  const response = await fetchWith(net, NE.RequestType.SEGMENT, `${base}/slow/chunk-4.m4s`, { context: segmentContext });
  assert.equal(outcome, 'http failure', 'the fetch ended at once instead of waiting for the rest');
  assert.deepEqual([...new Uint8Array(response.data)], [...copy]);
  assert.equal(response.fromCache, true, 'kept out of Shaka\'s bandwidth estimate');
});
