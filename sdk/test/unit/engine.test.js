import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Engine, segmentIdFor } from '../../src/core/engine.js';
import { rankLeaders } from '../../src/core/leaders.js';
import { ANCHOR_BACKOFF_MS } from '../../src/core/integrity-verdict.js';
import { PAUSE_MS } from '../../src/core/download-health.js';
import { streamIdFor } from '../../src/core/segment-id.js';
import { Peer } from '../../src/core/peer.js';
import { channelPair, FakeSignaling, POLICY_ON, FakeTimers, hashAnswer, RemoteViewer, runClockUntil, segmentBytes, settle, sleep, until } from './fakes.js';

const SEG = 'http://origin.test/live/seg-100.ts';
const SEG2 = 'http://origin.test/live/seg-101.ts';
const SEG3 = 'http://origin.test/live/seg-102.ts';
const engines = [];
after(() => { for (const e of engines) e.destroy(); });

/**
 * An engine whose signaling is a FakeSignaling (`signaling()` once started) and whose neighbours
 * are scripted remotes (`far[id]`), not yet started. The appliance's `hash` answers come from
 * `origin` (see FakeSignaling); by default the origin serves what the remotes hold unaltered.
 */
function createEngine({ remotes = {}, scheduler = {}, idleTimeoutMs = 2000, fetchHttp, timers, origin, holdHashes, maxAnchorEntries, holdPeers = false } = {}) {
  let signaling;
  const far = {};
  const held = (url) => {
    for (const r of Object.values(far)) if (r.segments.has(url)) return r.segments.get(url);
    return undefined;
  };
  const engine = new Engine({
    signalingUrl: 'ws://appliance.test/ws', stream: 'http://origin.test/live/master.m3u8',
    WebSocket: function WS() {}, RTCPeerConnection: function PC() {},
    createSignaling: (o) => (signaling = new FakeSignaling(o, { origin: origin ?? held, holdHashes })),
    maxAnchorEntries,
    createPeer: (o) => {
      const peer = new Peer({ ...o, RTCPeerConnection: null });
      const [mine, theirs] = channelPair();
      far[o.id] = new RemoteViewer(theirs, remotes[o.id] ?? {});
      peer.attachChannel(mine);
      return peer;
    },
    scheduler, idleTimeoutMs, fetchHttp, holdPeersUntilStarted: holdPeers, ...(timers ? { timers, now: timers.now } : {}),
  });
  engines.push(engine);
  return { engine, far, signaling: () => signaling };
}

/**
 * An engine joined as `self`, whose neighbours are scripted remotes: `remotes` maps a peer id to
 * RemoteViewer options. Returns once every neighbour's channel is open and its announcement has
 * arrived. With `timers` (a FakeTimers) the engine's clock and timers move only when the test says.
 */
async function setup({
  self = 'p-self', leaders = [], remotes = {}, scheduler = {}, idleTimeoutMs = 2000, fetchHttp, timers, siteHttpKbps,
  origin, holdHashes, maxAnchorEntries,
} = {}) {
  const { engine, far, signaling: started } = createEngine({ remotes, scheduler, idleTimeoutMs, fetchHttp, timers, origin, holdHashes, maxAnchorEntries });
  engine.start();
  const signaling = started();
  signaling.welcome(self, { leaders, siteHttpKbps });
  for (const id of Object.keys(remotes)) signaling.emit('neighbour', { type: 'neighbour', peer: id, offer: true });
  await until(() => engine.stats().peers === Object.keys(remotes).length, 5000, 'the neighbours\' channels to open');
  const held = Object.entries(remotes).map(([id, r]) => [id, [...(r.segments ?? new Map()).keys()]]);
  for (const [id, ids] of held) if (ids.length) far[id].announce(ids, true);
  await until(() => held.every(([id, ids]) => ids.every((seg) => engine.neighbours.peers.get(id)?.holds(seg))), 5000,
    'the neighbours\' announcements');
  return { engine, signaling, far };
}

/** A prefetch fetcher that records each URL in `fetched` and answers `bytes` at once. */
function recordingFetch(fetched, bytes) {
  return async (url) => {
    fetched.push(url);
    const t = performance.now();
    return { bytes, requestedAt: t, firstByteAt: t, deliveredAt: t + 1 };
  };
}

/** The player's HTTP load as the engine sees it; `log` records the time (on `now`) of each request. */
function httpLoader(bytes, { delayMs = 5, log = [], now = () => performance.now() } = {}) {
  const fn = async () => {
    const requestedAt = now();
    log.push(requestedAt);
    await sleep(delayMs);
    return { bytes, requestedAt, firstByteAt: requestedAt + 1, deliveredAt: now() };
  };
  fn.log = log;
  return fn;
}

test('the stream a player joins is its manifest URL without any query', () => {
  assert.equal(streamIdFor('live/master.m3u8?ticket=abc&rep=1#t', 'https://V.corp/demo/'), 'https://v.corp/demo/live/master.m3u8');
});

test('the signaling URL names the stream, so a load balancer can keep its viewers on one appliance', () => {
  const { engine, signaling } = createEngine();
  engine.start();
  assert.equal(signaling().options.url, 'ws://appliance.test/ws?stream=http%3A%2F%2Forigin.test%2Flive%2Fmaster.m3u8');
  assert.equal(signaling().options.hello.stream, 'http://origin.test/live/master.m3u8');
});

test('segment identity keeps the query but its per-viewer parameters, and names a byte range', () => {
  assert.equal(segmentIdFor('http://Origin.test:80/a/seg-1.ts?token=abc#x'), 'http://origin.test/a/seg-1.ts');
  assert.equal(segmentIdFor('seg-2.ts?t=1', 'https://v.corp/live/master.m3u8'), 'https://v.corp/live/seg-2.ts?t=1',
    'two segments that differ only in a query parameter do not collide');
  assert.equal(segmentIdFor('https://v.corp/c.m4s?Token=a&rep=hi&&SIG=x&n=3'), 'https://v.corp/c.m4s?rep=hi&n=3',
    'per-viewer names ignore case; order kept; empty pairs dropped');
  assert.equal(segmentIdFor('https://v.corp/c.m4s?rep=hi&tok=9', undefined, { viewerParams: ['tok'] }), 'https://v.corp/c.m4s?rep=hi',
    "the policy's own list");
  assert.equal(segmentIdFor('https://v.corp/v.mp4?token=a', undefined, { range: { first: 0, last: 771 } }), 'https://v.corp/v.mp4#bytes=0-771');
  assert.equal(segmentIdFor('https://v.corp/v.mp4', undefined, { range: { first: 9, last: 3 } }), 'https://v.corp/v.mp4',
    'an impossible range is no range');
});

test('the designated leader fetches over HTTP at once and announces the segment to its neighbours', async () => {
  const timers = new FakeTimers();
  const { engine, far } = await setup({ self: 'p-self', leaders: ['p-self'], remotes: { 'p-n1': {} }, timers });
  const bytes = segmentBytes(50_000);
  const http = httpLoader(bytes, { now: timers.now });
  // The fake clock stands still: a fetch that waited for any timer would never start.
  const r = await engine.loadSegment({ url: SEG, live: true, bufferS: 8, durationS: 2, sequence: 100, track: 'main:0', httpLoad: http });
  assert.equal(r.source, 'http');
  assert.deepEqual(http.log, [0], 'no waiting before the leader fetch');
  await until(() => far['p-n1'].announced.length > 0);
  assert.deepEqual(far['p-n1'].announced, [SEG]);
  assert.equal(engine.stats().httpBytes, bytes.length);
  assert.deepEqual(engine.stats().httpBytesByReason, { primary: bytes.length }, 'its player asked for a segment it leads');
});

test('a neighbour whose channel opens during an HTTP fetch is told it is under way; one that opens after it ends is not', async () => {
  const timers = new FakeTimers();
  const { engine, far, signaling } = await setup({ self: 'p-self', leaders: ['p-self'], remotes: { 'p-n1': {} }, timers });
  const bytes = segmentBytes(50_000);
  let finish;
  const httpLoad = () => new Promise((resolve) => {
    finish = () => { const t = timers.now(); resolve({ bytes, requestedAt: t, firstByteAt: t, deliveredAt: t }); };
  });
  const loading = engine.loadSegment({ url: SEG, live: true, bufferS: 8, durationS: 2, sequence: 100, track: 'main:0', httpLoad });
  await until(() => finish !== undefined, 5000, 'the fetch to start');
  const opens = async (id) => {
    signaling.emit('neighbour', { type: 'neighbour', peer: id, offer: true, fetching: true });
    await until(() => engine.neighbours.peers.get(id)?.isOpen && far[id]?.announced !== undefined, 5000, `${id}'s channel`);
    await settle();
  };
  // A colleague joining mid-fetch would otherwise add its own copy of the segment to the link.
  await opens('p-late');
  await until(() => far['p-late'].fetching.length > 0, 5000, 'the late neighbour told of the fetch under way');
  assert.deepEqual(far['p-late'].fetching, [SEG]);
  finish();
  assert.equal((await loading).source, 'http');
  await opens('p-later');
  assert.deepEqual(far['p-later'].fetching, [], 'nothing is under way any more');
  assert.deepEqual(far['p-n1'].fetching, [], 'a neighbour that does not understand `fetching` is never sent it');
});

test('a leader prefetches a new live segment as soon as the playlist lists it, before the player asks', async () => {
  const fetched = [];
  const bytes = segmentBytes(30_000, 7);
  const { engine, far } = await setup({
    self: 'p-self', leaders: ['p-self'], remotes: { 'p-n1': {} },
    fetchHttp: recordingFetch(fetched, bytes),
  });
  const seg = (n) => ({ url: `http://origin.test/live/seg-${n}.ts?token=1`, sequence: n, durationS: 2 });
  engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(1), seg(2)] });
  assert.deepEqual(fetched, [], 'the first playlist only marks what exists already');
  engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(2), seg(3)] });
  await until(() => fetched.length > 0 && far['p-n1'].announced.length > 0);
  assert.deepEqual(fetched, ['http://origin.test/live/seg-3.ts?token=1']);
  assert.deepEqual(far['p-n1'].announced, ['http://origin.test/live/seg-3.ts']);
  const http = httpLoader(bytes);
  const r = await engine.loadSegment({ url: seg(3).url, live: true, bufferS: 6, durationS: 2, sequence: 3, httpLoad: http });
  assert.equal(http.log.length, 0, 'served from the prefetch');
  assert.deepEqual(r.bytes, bytes);
  assert.deepEqual(engine.stats().httpBytesByReason, { leader: bytes.length }, 'one copy, fetched as the leader');
  const [fetch] = engine.stats().httpFetches;
  assert.deepEqual(fetch.slice(2, 5), ['leader', 3, 'main:0'], 'each fetch listed with its reason, sequence and rendition');
  assert.ok(fetch[0] >= fetch[5] && fetch[1] >= 0, `requested after it was listed: ${JSON.stringify(fetch)}`);
});

test('a primary leader whose colleague already holds a new segment takes that copy instead of a second over the WAN', async () => {
  const fetched = [];
  const url = 'http://origin.test/live/seg-3.ts';
  const bytes = segmentBytes(30_000, 9);
  const { engine } = await setup({
    self: 'p-self', leaders: ['p-self'], remotes: { 'p-n1': { segments: new Map([[url, bytes]]) } },
    fetchHttp: recordingFetch(fetched, bytes),
  });
  const seg = (n) => ({ url: `http://origin.test/live/seg-${n}.ts`, sequence: n, durationS: 2 });
  engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(1), seg(2)] });
  engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(2), seg(3)] });
  await until(() => engine.store.has(url));
  assert.deepEqual(fetched, []);
  assert.equal(engine.stats().p2pBytes, bytes.length);
});

test('a rendition\'s own leader prefetches its new segments though the site leads others; the appliance hears what the player loads', async () => {
  const fetched = [];
  const bytes = segmentBytes(30_000, 8);
  const { engine, signaling } = await setup({
    self: 'p-self', leaders: ['p-lead-elsewhere'], remotes: { 'p-n1': {} },
    fetchHttp: recordingFetch(fetched, bytes),
  });
  const seg = (level, n) => ({ url: `http://origin.test/live/${level}/seg-${n}.ts`, sequence: n, durationS: 2 });
  engine.onPlaylist({ live: true, track: 'main:1', segments: [seg('low', 1), seg('low', 2)] });
  assert.deepEqual(signaling.tracksSent, [['main:1']]);
  signaling.emit('leaders', { type: 'leaders', leaders: ['p-lead-elsewhere'], tracks: { 'main:1': ['p-self'], 'main:0': ['p-lead-elsewhere'] } });
  assert.equal(engine.stats().leader, true);
  engine.onPlaylist({ live: true, track: 'main:1', segments: [seg('low', 2), seg('low', 3)] });
  await until(() => fetched.length > 0);
  assert.deepEqual(fetched, ['http://origin.test/live/low/seg-3.ts'], 'its rendition\'s primary: at once');

  // The player switches up: the appliance hears it, and the higher rendition's leader fetches its segments.
  engine.onPlaylist({ live: true, track: 'main:0', segments: [seg('high', 2), seg('high', 3)] });
  engine.onPlaylist({ live: true, track: 'main:0', segments: [seg('high', 3), seg('high', 4)] });
  assert.deepEqual(signaling.tracksSent, [['main:1'], ['main:0']]);
  await settle();
  assert.equal(fetched.length, 1, 'not its rendition to lead');
  signaling.welcome('p-self', { leaders: ['p-lead-elsewhere'] });
  assert.deepEqual(signaling.tracksSent.at(-1), ['main:0'], 'a new session hears it again');
});

test('a non-leader gets the segment from the neighbour that holds it, verified, with HTTP-modelled ABR stats', async () => {
  const bytes = segmentBytes(120_000, 1);
  const { engine } = await setup({ self: 'p-self', leaders: ['p-lead'], remotes: { 'p-lead': { segments: new Map([[SEG, bytes]]) } } });
  const http = httpLoader(bytes);
  const r = await engine.loadSegment({ url: SEG, live: true, bufferS: 8, durationS: 2, httpLoad: http, bwEstimate: 2_000_000, ttfbMs: 40 });
  assert.equal(r.source, 'p2p');
  assert.deepEqual(r.bytes, bytes);
  assert.equal(http.log.length, 0);
  const ms = r.stats.loading.end - r.stats.loading.start;
  assert.ok(Math.abs(ms - (40 + (bytes.length * 8 * 1000) / 2_000_000)) < 1, `modelled ${ms} ms at the player's estimate`);
  assert.equal(r.stats.loading.first - r.stats.loading.start, 40);
  assert.equal(engine.stats().p2pBytes, bytes.length);
});

test('a byte-range segment is its own segment: asked, verified and served by its range', async () => {
  const file = 'http://origin.test/vod/video.mp4';
  const id = `${file}#bytes=772-20771`;
  const bytes = segmentBytes(20_000, 5);
  const { engine, signaling } = await setup({
    self: 'p-self', leaders: ['p-lead'], remotes: { 'p-lead': { segments: new Map([[id, bytes]]) } },
    origin: new Map([[`${file}?token=me#bytes=772-20771`, bytes]]),
  });
  const http = httpLoader(bytes);
  const r = await engine.loadSegment({ url: `${file}?token=me`, range: { first: 772, last: 20771 }, live: true, bufferS: 8, durationS: 2, httpLoad: http });
  assert.equal(r.source, 'p2p');
  assert.deepEqual(r.bytes, bytes);
  assert.deepEqual(signaling.hashAsks, [`${file}?token=me#bytes=772-20771`], 'the appliance hashes that range of the URL the page fetches');
  assert.equal(engine.segmentId(`${file}?token=me`, { first: 0, last: 771 }), `${file}#bytes=0-771`);
});

test("the policy's per-viewer query parameters replace the default list", async () => {
  const { engine, signaling } = await setup();
  signaling.emit('policy', { type: 'policy', policy: { p2p: 'on', maxNeighbours: 6, uploadOnCellular: false, iceServers: [], viewerParams: ['k'] } });
  assert.equal(engine.segmentId('http://o.test/s.m4s?k=1&token=2&rep=a'), 'http://o.test/s.m4s?token=2&rep=a');
});

test('a non-leader waits for the leader to announce, then takes it from the leader', async () => {
  const bytes = segmentBytes(20_000, 2);
  const timers = new FakeTimers();
  const { engine, far } = await setup({ self: 'p-self', leaders: ['p-lead'], remotes: { 'p-lead': {} }, timers });
  const http = httpLoader(bytes, { now: timers.now });
  let result = null;
  const loading = engine.loadSegment({ url: SEG, live: true, bufferS: 8, durationS: 2, httpLoad: http }).then((r) => (result = r));
  timers.advance(100);
  await settle();
  assert.equal(result, null, 'still waiting 100 ms in');
  far['p-lead'].segments.set(SEG, bytes);
  far['p-lead'].announce([SEG]);
  const r = await loading;
  assert.equal(r.source, 'p2p');
  assert.equal(http.log.length, 0);
});

test('when nobody announces it, HTTP starts by the deadline and the failure is counted as noHolder', async () => {
  const bytes = segmentBytes(1000);
  const timers = new FakeTimers();
  const { engine } = await setup({
    self: 'p-self', leaders: ['p-lead'], remotes: { 'p-lead': {} }, scheduler: { safetyMarginMs: 100, defaultHttpMs: 100 }, timers,
  });
  const http = httpLoader(bytes, { now: timers.now });
  const loading = engine.loadSegment({ url: SEG, live: true, bufferS: 0.5, durationS: 2, httpLoad: http });
  // Deadline: 500 ms of buffer − 100 ms safety margin − 100 ms estimated HTTP time = 300 ms.
  await runClockUntil(timers, () => http.log.length > 0, { maxMs: 2000, what: 'the HTTP fetch' });
  const r = await loading;
  assert.equal(r.source, 'http');
  assert.ok(http.log[0] >= 300 && http.log[0] <= 305, `HTTP started at ${http.log[0]} ms; the deadline is 300 ms`);
  assert.equal(engine.stats().failures.noHolder, 1);
  assert.deepEqual(engine.stats().httpBytesByReason, { urgent: bytes.length }, 'the deadline came with nobody holding it');
});

test('P2P bytes reach the player only after the appliance vouched for them: asked in parallel, stored with its hash', async () => {
  const bytes = segmentBytes(90_000, 21);
  const { engine, signaling, far } = await setup({
    self: 'p-self', leaders: ['p-lead'], remotes: { 'p-lead': { segments: new Map([[SEG, bytes]]) } }, holdHashes: true,
  });
  const http = httpLoader(bytes);
  let result = null;
  const loading = engine.loadSegment({ url: SEG, live: true, bufferS: 8, durationS: 2, httpLoad: http }).then((r) => (result = r));
  await until(() => far['p-lead'].chunksSent > 0 && signaling.heldHashes.has(SEG), 5000, 'the request and the hash ask');
  await settle(20);
  assert.equal(result, null, 'every byte may be in, but nothing is released before the appliance answers');
  await signaling.answerHash(SEG);
  const r = await loading;
  assert.equal(r.source, 'p2p');
  assert.deepEqual(r.bytes, bytes);
  assert.equal(http.log.length, 0);
  assert.deepEqual(signaling.hashAsks, [SEG]);
  const expected = await hashAnswer(bytes);
  assert.deepEqual(engine.store.get(SEG).meta.sha256, expected.sha256, 'the store keeps the appliance\'s hash');
  assert.equal(engine.stats().integrity, 'anchored');
});

test('altered bytes with the sender\'s own matching hash never reach the player: HTTP at once, reported with the segment, the sender never asked again', async () => {
  const bytes = segmentBytes(70_000, 5);
  const bytes2 = segmentBytes(70_000, 6);
  const { engine, signaling, far } = await setup({
    self: 'p-self', leaders: ['p-bad'],
    remotes: { 'p-bad': { segments: new Map([[SEG, bytes], [SEG2, bytes2]]), behaviour: () => 'corrupt' } },
  });
  const http = httpLoader(bytes);
  const r = await engine.loadSegment({ url: SEG, live: true, bufferS: 8, durationS: 2, httpLoad: http });
  assert.equal(r.source, 'http');
  assert.deepEqual(r.bytes, bytes);
  assert.equal(http.log.length, 1);
  assert.deepEqual(signaling.failings, [{ peer: 'p-bad', reason: 'integrity', segment: SEG }]);
  const s = engine.stats();
  assert.equal(s.failures.integrity, 1);
  assert.equal(s.p2pBytes, 0);
  await until(() => engine.store.has(SEG), 5000, 'the HTTP copy in the store');
  assert.equal(engine.store.get(SEG).meta.source, 'http', 'the altered copy was never stored');
  // It still announces SEG2, but it is never asked again.
  assert.equal(engine.neighbours.peers.get('p-bad').holds(SEG2), true);
  assert.deepEqual(engine.neighbours.holdersOf(SEG2), []);
  const http2 = httpLoader(bytes2);
  const r2 = await engine.loadSegment({ url: SEG2, live: false, bufferS: 10, durationS: 2, httpLoad: http2 });
  assert.equal(r2.source, 'http');
  assert.equal(http2.log.length, 1);
  assert.deepEqual(far['p-bad'].requests, [SEG]);
});

test('a response announcing another length than the appliance\'s is given up at response-start and reported', async () => {
  const bytes = segmentBytes(300_000, 22);
  const { engine, signaling, far } = await setup({
    self: 'p-self', remotes: { 'p-long': { segments: new Map([[SEG, bytes]]), behaviour: () => 'longer' } },
  });
  // The appliance's answer is in before the neighbour's response-start.
  assert.equal((await engine.verdict.anchor.get(SEG, SEG)).length, bytes.length);
  const r = await engine.loadSegment({ url: SEG, live: false, bufferS: 10, durationS: 2, httpLoad: httpLoader(bytes) });
  assert.equal(r.source, 'http');
  assert.deepEqual(signaling.failings, [{ peer: 'p-long', reason: 'integrity', segment: SEG }]);
  await until(() => far['p-long'].cancels.length === 1, 5000, 'the cancel to the sender');
  assert.equal(engine.stats().failures.integrity, 1);
});

test('no hash for a segment: the bytes are dropped as unverified, HTTP serves it, the sender is not blamed', async () => {
  const bytes = segmentBytes(50_000, 23);
  const bytes2 = segmentBytes(50_000, 24);
  const { engine, signaling, far } = await setup({
    self: 'p-self', remotes: { 'p-a': { segments: new Map([[SEG, bytes], [SEG2, bytes2]]) } },
    origin: (url) => (url === SEG ? { error: 'not_found' } : bytes2),
  });
  const r = await engine.loadSegment({ url: SEG, live: false, bufferS: 10, durationS: 2, httpLoad: httpLoader(bytes) });
  assert.equal(r.source, 'http');
  assert.equal(engine.stats().failures.unverified, 1);
  assert.equal(engine.stats().p2pBytes, 0);
  assert.deepEqual(signaling.failings, []);
  assert.equal(engine.stats().integrity, 'anchored');
  // That segment is not asked of anyone again; others still come from the same neighbour.
  await until(() => engine.store.has(SEG), 5000, 'the HTTP copy in the store');
  engine.store.delete(SEG);
  const again = httpLoader(bytes);
  assert.equal((await engine.loadSegment({ url: SEG, live: false, bufferS: 10, durationS: 2, httpLoad: again })).source, 'http');
  assert.equal(again.log.length, 1);
  assert.deepEqual(far['p-a'].requests, [SEG]);
  assert.equal((await engine.loadSegment({ url: SEG2, live: false, bufferS: 10, durationS: 2, httpLoad: httpLoader(bytes2) })).source, 'p2p');
  engine.qoe.flush();
  assert.equal(signaling.reports.at(-1).failures.unverified, 1, 'reported to the appliance');
});

test('not_allowed (no media origin for the stream) ends P2P downloads for the session; stats say so', async () => {
  const bytes = segmentBytes(40_000, 25);
  const bytes2 = segmentBytes(40_000, 26);
  const { engine, signaling, far } = await setup({
    self: 'p-self', remotes: { 'p-a': { segments: new Map([[SEG, bytes], [SEG2, bytes2]]) } },
    origin: () => ({ error: 'not_allowed' }),
  });
  const r = await engine.loadSegment({ url: SEG, live: false, bufferS: 10, durationS: 2, httpLoad: httpLoader(bytes) });
  assert.equal(r.source, 'http');
  assert.equal(engine.stats().integrity, 'unavailable');
  assert.equal(engine.stats().failures.unverified, 1);
  const http2 = httpLoader(bytes2);
  assert.equal((await engine.loadSegment({ url: SEG2, live: false, bufferS: 10, durationS: 2, httpLoad: http2 })).source, 'http');
  assert.equal(http2.log.length, 1);
  assert.deepEqual(far['p-a'].requests, [SEG], 'no neighbour asked after not_allowed');
  assert.deepEqual(signaling.hashAsks, [SEG]);
  // Live segments a neighbour announces are not pulled either.
  engine.onPlaylist({ live: true, track: 'main:0', segments: [{ url: SEG, sequence: 100 }] });
  engine.onPlaylist({ live: true, track: 'main:0', segments: [{ url: SEG, sequence: 100 }, { url: SEG3, sequence: 102 }] });
  far['p-a'].segments.set(SEG3, bytes);
  far['p-a'].announce([SEG3]);
  await until(() => engine.neighbours.peers.get('p-a').holds(SEG3), 5000, 'the announcement');
  await settle(10);
  assert.deepEqual(far['p-a'].requests, [SEG]);
});

test('origin_unavailable pauses P2P downloads for 10 s, then they resume', async () => {
  const timers = new FakeTimers();
  const segs = new Map([[SEG, segmentBytes(30_000, 27)], [SEG2, segmentBytes(30_000, 28)], [SEG3, segmentBytes(30_000, 29)]]);
  let reachable = false;
  const { engine, far } = await setup({
    self: 'p-self', remotes: { 'p-a': { segments: segs } }, timers,
    origin: (url) => (reachable ? segs.get(url) : { error: 'origin_unavailable' }),
  });
  const load = (url) => engine.loadSegment({ url, live: false, bufferS: 10, durationS: 2, httpLoad: httpLoader(segs.get(url), { now: timers.now }) });
  assert.equal((await load(SEG)).source, 'http');
  assert.equal(engine.stats().failures.unverified, 1);
  reachable = true;
  assert.equal((await load(SEG2)).source, 'http', 'paused');
  assert.deepEqual(far['p-a'].requests, [SEG]);
  timers.advance(ANCHOR_BACKOFF_MS);
  assert.equal((await load(SEG3)).source, 'p2p', 'resumed after the pause');
  assert.equal(engine.stats().integrity, 'anchored');
});

test('a rejoin ends a pause: the asks that timed out were the old socket\'s', async () => {
  const timers = new FakeTimers();
  const segs = new Map([[SEG, segmentBytes(30_000, 33)]]);
  const { engine, signaling } = await setup({
    self: 'p-self', remotes: { 'p-a': { segments: segs } }, timers,
    origin: () => ({ error: 'origin_unavailable' }),
  });
  await engine.loadSegment({ url: SEG, live: false, bufferS: 10, durationS: 2, httpLoad: httpLoader(segs.get(SEG), { now: timers.now }) });
  assert.equal(engine.p2pDownloadsAllowed(), false, 'paused');
  signaling.welcome('p-self-2', { leaders: [] });
  assert.equal(engine.p2pDownloadsAllowed(), true, 'no pause after the rejoin');
  assert.equal(engine.stats().integrity, 'anchored');
});

test('an ask lost with the socket (disconnected) pauses nothing: the next segment comes from the neighbour', async () => {
  const timers = new FakeTimers();
  const segs = new Map([[SEG, segmentBytes(30_000, 31)], [SEG2, segmentBytes(30_000, 32)]]);
  let connected = false;
  const { engine, far } = await setup({
    self: 'p-self', remotes: { 'p-a': { segments: segs } }, timers,
    origin: (url) => (connected ? segs.get(url) : { error: 'disconnected' }),
  });
  const load = (url) => engine.loadSegment({ url, live: false, bufferS: 10, durationS: 2, httpLoad: httpLoader(segs.get(url), { now: timers.now }) });
  assert.equal((await load(SEG)).source, 'http', 'no hash to check the bytes against');
  connected = true;
  assert.equal(engine.p2pDownloadsAllowed(), true);
  assert.equal((await load(SEG2)).source, 'p2p', 'no pause after the viewer rejoined');
  assert.deepEqual(far['p-a'].requests, [SEG, SEG2]);
});

test('bytes in while the appliance stays silent: the neighbour is not blamed, HTTP starts at the deadline', async () => {
  const timers = new FakeTimers();
  const bytes = segmentBytes(40_000, 30);
  const { engine, signaling, far } = await setup({
    self: 'p-self', idleTimeoutMs: 100, remotes: { 'p-a': { segments: new Map([[SEG, bytes]]) } }, timers, holdHashes: true,
    scheduler: { safetyMarginMs: 100, defaultHttpMs: 100 },
  });
  const http = httpLoader(bytes, { now: timers.now });
  const loading = engine.loadSegment({ url: SEG, live: false, bufferS: 1, durationS: 2, httpLoad: http });
  await until(() => far['p-a'].chunksSent > 0, 5000, 'the bytes');
  await runClockUntil(timers, () => http.log.length > 0, { maxMs: 5000, what: 'the HTTP fallback' });
  assert.equal((await loading).source, 'http');
  // Deadline: 1000 ms of buffer − 100 ms margin − 100 ms HTTP estimate; the idle timeout is 100 ms.
  assert.ok(http.log[0] >= 800, `HTTP at ${http.log[0]} ms, not at the idle timeout`);
  assert.deepEqual(signaling.failings, []);
  assert.equal(engine.neighbours.peerTimeouts.size, 0);
});

test('neighbour-gone barred closes that neighbour for good; about ourselves it closes every neighbour', async () => {
  const { engine, signaling } = await setup({ self: 'p-self', remotes: { 'p-bad': {}, 'p-ok': {} } });
  signaling.emit('neighbour-gone', { type: 'neighbour-gone', peer: 'p-bad', reason: 'barred' });
  assert.equal(engine.neighbours.peers.has('p-bad'), false);
  assert.equal(engine.verdict.banned.has('p-bad'), true);
  signaling.emit('neighbour', { type: 'neighbour', peer: 'p-bad', offer: true });
  assert.equal(engine.neighbours.peers.has('p-bad'), false, 'never connected again');
  assert.equal(engine.neighbours.peers.has('p-ok'), true);
  signaling.emit('neighbour-gone', { type: 'neighbour-gone', peer: 'p-self', reason: 'barred' });
  assert.equal(engine.neighbours.peers.size, 0);
});

test('a neighbour lost mid-transfer is routed around: the next holder serves the segment', async () => {
  const bytes = segmentBytes(100_000, 9);
  const { engine, far } = await setup({
    self: 'p-self', leaders: [],
    remotes: {
      'p-a': { segments: new Map([[SEG, bytes]]), behaviour: () => 'vanish' },
      'p-b': { segments: new Map([[SEG, bytes]]), behaviour: () => 'vanish' },
    },
  });
  // Whichever is asked first vanishes; the other then serves correctly.
  let first = null;
  for (const id of ['p-a', 'p-b']) {
    const r = far[id];
    const original = r.behaviour;
    r.behaviour = (s) => { if (first === null) { first = id; return original(s); } return 'serve'; };
  }
  const http = httpLoader(bytes);
  const r = await engine.loadSegment({ url: SEG, live: false, bufferS: 10, durationS: 2, httpLoad: http });
  assert.equal(r.source, 'p2p');
  assert.deepEqual(r.bytes, bytes);
  assert.equal(http.log.length, 0);
  assert.equal(engine.stats().failures.gone, 1);
});

test('the only holder lost mid-transfer: HTTP right away, long before the deadline', async () => {
  const bytes = segmentBytes(100_000, 4);
  const timers = new FakeTimers();
  const { engine } = await setup({ self: 'p-self', remotes: { 'p-a': { segments: new Map([[SEG, bytes]]), behaviour: () => 'vanish' } }, timers });
  const http = httpLoader(bytes, { now: timers.now });
  // The fake clock stands still: only the lost channel, not a timer, can start the HTTP fetch.
  const r = await engine.loadSegment({ url: SEG, live: false, bufferS: 10, durationS: 2, httpLoad: http });
  assert.equal(r.source, 'http');
  assert.deepEqual(http.log, [0]);
});

test('a neighbour that goes silent mid-transfer is given up after the idle timeout, before the deadline', async () => {
  const bytes = segmentBytes(100_000, 6);
  const timers = new FakeTimers();
  const { engine, far } = await setup({
    self: 'p-self', idleTimeoutMs: 100, remotes: { 'p-a': { segments: new Map([[SEG, bytes]]), behaviour: () => 'silent' } }, timers,
  });
  const http = httpLoader(bytes, { now: timers.now });
  const loading = engine.loadSegment({ url: SEG, live: false, bufferS: 10, durationS: 2, httpLoad: http });
  await until(() => far['p-a'].chunksSent > 0, 5000, 'the first chunk');
  // The deadline is about 10 s away; the neighbour has been silent since the first chunk.
  await runClockUntil(timers, () => http.log.length > 0, { maxMs: 5000, what: 'the HTTP fallback' });
  const r = await loading;
  assert.equal(r.source, 'http');
  assert.ok(http.log[0] >= 100 && http.log[0] <= 200, `gave up ${http.log[0]} ms into the transfer; idle timeout 100 ms`);
  assert.equal(engine.stats().failures.timeout, 1);
});

/**
 * Loads of SEG and SEG2 from `p-a`, their only holder, which answers each request a little at a
 * time: `dripBytes` every 50 ms, under the 100 ms idle timeout, with 1.2 s of buffer for 2 s
 * segments of 40 kB.
 */
async function dripped(dripBytes) {
  const bytes = segmentBytes(40_000, 31);
  const timers = new FakeTimers();
  const { engine, signaling, far } = await setup({
    self: 'p-self', idleTimeoutMs: 100, timers, scheduler: { safetyMarginMs: 100, defaultHttpMs: 100 },
    remotes: { 'p-a': { segments: new Map([[SEG, bytes], [SEG2, bytes]]), behaviour: () => 'drip' } },
  });
  const failingsAfter = [];
  const httpAt = [];
  for (const url of [SEG, SEG2]) {
    const http = httpLoader(bytes, { now: timers.now });
    const startedAt = timers.t;
    const loading = engine.loadSegment({ url, live: false, bufferS: 1.2, durationS: 2, httpLoad: http });
    // The remote hashes its answer on the real clock: the drip starts when the fake one does.
    await until(() => far['p-a'].dripping.size > 0, 5000, `p-a's answer for ${url}`);
    await runClockUntil(timers, () => {
      if (timers.t % 50 === 0) far['p-a'].drip(dripBytes);
      return http.log.length > 0;
    }, { maxMs: timers.t + 5000, what: `the HTTP fetch of ${url}` });
    assert.equal((await loading).source, 'http');
    httpAt.push(http.log[0] - startedAt);
    failingsAfter.push([...signaling.failings]);
  }
  return { engine, failingsAfter, httpAt };
}

test('a neighbour that drips its bytes, never silent for the idle timeout, is given up at the deadline and reported failing after two such transfers', async () => {
  const { engine, failingsAfter, httpAt } = await dripped(64);
  // The deadline: 1.2 s of buffer less the 100 ms margin and the HTTP estimate (100 ms, then the first fetch's ~0).
  for (const at of httpAt) assert.ok(at >= 1000 && at <= 1110, `HTTP ${httpAt} ms into the loads: at the deadline, the idle timeout never ran out`);
  assert.deepEqual(failingsAfter[0], [], 'one crawl is not yet a pattern');
  assert.deepEqual(failingsAfter[1], [{ peer: 'p-a', reason: 'timeout' }], '64 bytes every 50 ms: 31 s for a 2 s segment');
  assert.equal(engine.stats().failures.timeout, 2);
});

test('a neighbour whose bytes come at a fair pace is not blamed for a deadline too short for them', async () => {
  // 1.5 kB every 50 ms: the 40 kB in 1.3 s, faster than the segment plays, but not within the 1 s deadline.
  const { engine, failingsAfter } = await dripped(1536);
  assert.deepEqual(failingsAfter[1], []);
  assert.equal(engine.stats().failures.timeout, 2, 'both transfers still timed out');
  assert.equal(engine.neighbours.peerTimeouts.size, 0);
});

/**
 * Three neighbours that hold SEG and stall mid-transfer, and one that serves SEG2 and SEG3 well:
 * the load of SEG tries the three in turn. `siteHttpKbps` is what welcome says of the site's link.
 */
async function stallingNeighbours({ siteHttpKbps } = {}) {
  const bytes = segmentBytes(100_000, 7);
  const timers = new FakeTimers();
  const silent = { segments: new Map([[SEG, bytes]]), behaviour: () => 'silent' };
  const { engine, far } = await setup({
    self: 'p-self', idleTimeoutMs: 100, timers, siteHttpKbps,
    remotes: { 'p-a': silent, 'p-b': silent, 'p-c': silent, 'p-d': { segments: new Map([[SEG2, bytes], [SEG3, bytes]]) } },
  });
  const http = httpLoader(bytes, { now: timers.now });
  const loading = engine.loadSegment({ url: SEG, live: false, bufferS: 30, durationS: 2, httpLoad: http });
  await runClockUntil(timers, () => http.log.length > 0, { maxMs: timers.t + 10_000, what: 'the HTTP fetch after the stalls' });
  assert.equal((await loading).source, 'http');
  assert.equal(engine.stats().failures.timeout, 3, 'each of the three stalled neighbours was tried');
  const load = (url) => engine.loadSegment({ url, live: false, bufferS: 30, durationS: 2, httpLoad: httpLoader(bytes, { now: timers.now }) });
  return { engine, far, timers, load };
}

test('a viewer whose transfers stall with several neighbours takes its segments over HTTP for a while', async () => {
  const { engine, far, timers, load } = await stallingNeighbours();
  assert.equal(engine.stats().p2pPauses, 1);
  // p-d holds SEG2 and would serve it, but this viewer's transfers have been stalling.
  let paused = null;
  load(SEG2).then((r) => { paused = r; });
  await runClockUntil(timers, () => paused !== null, { maxMs: timers.t + 5000, what: 'the load of SEG2' });
  assert.equal(paused.source, 'http');
  assert.equal(far['p-d'].chunksSent, 0, 'p-d was not asked');
  assert.ok(engine.stats().httpBytesByReason.paused > 0, JSON.stringify(engine.stats().httpBytesByReason));
  assert.equal(engine.stats().failures.paused, 2, 'SEG after its third stall, and SEG2: reported among the reasons for HTTP');
  // The pause ends: the healthy neighbour is asked again.
  timers.advance(PAUSE_MS);
  const resumed = load(SEG3);
  await runClockUntil(timers, () => far['p-d'].chunksSent > 0, { maxMs: timers.t + 5000, what: 'the request to p-d' });
  assert.equal((await resumed).source, 'p2p');
});

test('a neighbour whose last transfer to this viewer stalled is asked after the others', async () => {
  const bytes = segmentBytes(100_000, 8);
  const timers = new FakeTimers();
  // p-a ranks first (not a leader) but stalls; p-b, a leader, serves.
  const { engine, far } = await setup({
    self: 'p-self', idleTimeoutMs: 100, timers, leaders: ['p-b'],
    remotes: {
      'p-a': { segments: new Map([[SEG, bytes], [SEG2, bytes]]), behaviour: () => 'silent' },
      'p-b': { segments: new Map([[SEG2, bytes]]) },
    },
  });
  const http = httpLoader(bytes, { now: timers.now });
  let first = null;
  engine.loadSegment({ url: SEG, live: false, bufferS: 30, durationS: 2, httpLoad: http }).then((r) => { first = r; });
  await runClockUntil(timers, () => first !== null, { maxMs: timers.t + 10_000, what: 'the load of SEG' });
  assert.equal(first.source, 'http', 'p-a, its only holder, stalled');
  let second = null;
  engine.loadSegment({ url: SEG2, live: false, bufferS: 30, durationS: 2, httpLoad: http }).then((r) => { second = r; });
  await runClockUntil(timers, () => second !== null, { maxMs: timers.t + 10_000, what: 'the load of SEG2' });
  assert.equal(second.source, 'p2p');
  assert.ok(far['p-b'].chunksSent > 0);
  assert.equal(engine.stats().failures.timeout, 1, 'p-a was not asked for SEG2 before p-b');
});

test('on a congested link a viewer whose transfers stall keeps asking its neighbours', async () => {
  const { engine, far, timers, load } = await stallingNeighbours({ siteHttpKbps: 1000 });
  assert.equal(engine.stats().p2pPauses, 1, 'the stalls are counted all the same');
  const r = load(SEG2);
  await runClockUntil(timers, () => far['p-d'].chunksSent > 0, { maxMs: timers.t + 5000, what: 'the request to p-d' });
  assert.equal((await r).source, 'p2p', 'one more HTTP fetch on the scarce link would slow every colleague\'s');
});

test('disabled: every load is HTTP and the mesh is closed; enable() joins again', async () => {
  const bytes = segmentBytes(5000);
  const { engine, signaling } = await setup({ self: 'p-self', remotes: { 'p-a': { segments: new Map([[SEG, bytes]]) } } });
  engine.disable();
  assert.equal(signaling.closed, true);
  assert.equal(engine.stats().peers, 0);
  const http = httpLoader(bytes);
  const r = await engine.loadSegment({ url: SEG, live: false, bufferS: 10, httpLoad: http });
  assert.equal(r.source, 'http');
  assert.equal(http.log.length, 1);
  engine.enable();
  assert.notEqual(engine.signaling, signaling);
});

test('an HTTP failure is passed through untouched for the player to handle', async () => {
  const { engine } = await setup({ self: 'p-self', leaders: ['p-self'] });
  const failure = { code: 404, text: 'Not Found' };
  await assert.rejects(engine.loadSegment({ url: SEG, live: true, bufferS: 8, httpLoad: async () => { throw failure; } }), (e) => e === failure && e.httpFailure === true);
});

test('before joining (appliance unreachable) the engine loads over HTTP without waiting', async () => {
  const engine = new Engine({
    signalingUrl: 'ws://x/ws', stream: 's', WebSocket: function WS() {}, RTCPeerConnection: function PC() {},
    createSignaling: (o) => new FakeSignaling(o),
  });
  engines.push(engine);
  engine.start();
  const bytes = segmentBytes(10);
  const r = await engine.loadSegment({ url: SEG, live: true, bufferS: 8, httpLoad: httpLoader(bytes) });
  assert.equal(r.source, 'http');
});

test('requests from neighbours follow the upload policy: download-only answers policy', async () => {
  const bytes = segmentBytes(3000, 8);
  const { engine, signaling, far } = await setup({ self: 'p-self', leaders: ['p-self'], remotes: { 'p-n': {} } });
  await engine.loadSegment({ url: SEG, live: true, bufferS: 8, httpLoad: httpLoader(bytes) });
  await until(() => far['p-n'].announced.length > 0, 5000, 'the announcement of the fetched segment');
  signaling.emit('policy', { type: 'policy', policy: { ...POLICY_ON, p2p: 'download-only' } });
  assert.deepEqual(engine.neighbours.uploadDecision(), { allowed: false, reason: 'download-only', code: 'policy' });
  // The appliance decides about networks: a cellular viewer it allows uploads, one it does not, not.
  engine.connection = { type: 'cellular' };
  signaling.emit('policy', { type: 'policy', policy: { ...POLICY_ON, uploadOnCellular: true } });
  assert.equal(engine.neighbours.uploadDecision().allowed, true);
  signaling.emit('policy', { type: 'policy', policy: { ...POLICY_ON, upload: { ...POLICY_ON.upload, allowed: false } } });
  assert.deepEqual(engine.neighbours.uploadDecision(), { allowed: false, reason: 'not-allowed', code: 'policy' });
  signaling.emit('policy', { type: 'policy', policy: POLICY_ON });
  engine.connection = { type: 'ethernet', saveData: true };
  assert.equal(engine.neighbours.uploadDecision().allowed, false);
  engine.connection = { type: 'ethernet' };
  assert.equal(engine.neighbours.uploadDecision().allowed, true);
  assert.deepEqual(far['p-n'].announced, [SEG]);
});

test('hello declares facts only: the page\'s permission, the network, Save-Data, and no guessed upload capacity', () => {
  for (const [connection, network, saveData] of [[{ type: 'cellular' }, 'cellular', false], [{ type: 'wifi', saveData: true }, 'wifi', true],
    [undefined, 'unknown', false]]) {
    const { engine, signaling } = createEngine();
    engine.connection = connection;
    engine.start();
    assert.deepEqual(signaling().options.hello.caps, { upload: true, network, saveData, uploadKbps: 0, fetching: true });
  }
});

test('upload capacity comes from real uploads timed until their bytes left the channel; it caps uploads, is reported and declared', async () => {
  const timers = new FakeTimers();
  const { engine, signaling, far } = await setup({ self: 'p-self', remotes: { 'p-n': {} }, timers });
  const bytes = segmentBytes(250_000, 5);
  engine.store.put(SEG, bytes, { sha256: (await hashAnswer(bytes)).sha256 });
  const remote = far['p-n'];
  const channel = engine.neighbours.peers.get('p-n').channel;
  const lastChunk = (id) => remote.received.some((m) => m.type === 'chunk' && m.requestId === id && m.offset + m.bytes.length === bytes.length);
  assert.equal(engine.stats().uploadCapacityKbps, 0, 'unknown before any transfer');

  channel.bufferedAmount = 200_000; // the browser still holds most of the segment
  remote.request(1, SEG);
  await until(() => lastChunk(1), 5000, 'every chunk handed to the channel');
  await runClockUntil(timers, () => timers.t >= 250, { stepMs: 10, what: 'time passing' });
  assert.equal(engine.stats().uploadedBytes, 250_000, 'uploaded once handed to the channel');
  assert.equal(engine.stats().uploadCapacityKbps, 0, 'but not yet delivered: no capacity figure');
  channel.bufferedAmount = 0;
  await runClockUntil(timers, () => engine.stats().uploadCapacityKbps > 0, { stepMs: 10, what: 'the drain' });
  const kbps = Math.round((250_000 * 8) / timers.t);
  assert.equal(engine.stats().uploadCapacityKbps, kbps);
  assert.equal(engine.stats().uploadedBytes, 250_000);
  assert.equal(signaling.options.hello.caps.uploadKbps, kbps, 'declared on the next hello (a reconnect)');
  engine.qoe.flush();
  assert.equal(signaling.reports.at(-1).uploadKbps, kbps, 'reported to the appliance');

  // About 7.7 Mbit/s measured against the default 20 Mbit/s over 4 uploads: one upload at a time.
  assert.ok(kbps > 5_000 && kbps < 10_000, String(kbps));
  channel.bufferedAmount = 2 * 1024 * 1024; // full: flow control holds the next upload
  remote.request(2, SEG);
  await until(() => remote.received.some((m) => m.type === 'response-start' && m.requestId === 2), 5000, 'the second upload to start');
  remote.request(3, SEG);
  await until(() => remote.received.some((m) => m.type === 'error' && m.requestId === 3), 5000, 'the answer to the third request');
  assert.equal(remote.received.find((m) => m.requestId === 3).code, 'busy');
  channel.bufferedAmount = 0;
  channel.onbufferedamountlow();
  await until(() => lastChunk(2), 5000, 'the held upload to finish');
  remote.request(4, SEG);
  await until(() => lastChunk(4), 5000, 'the next request served once the slot is free');
});

test('the rules from welcome decide: an upload the appliance did not allow is answered policy', async () => {
  const { engine, far, signaling: started } = createEngine({ remotes: { 'p-n': {} } });
  engine.start();
  const signaling = started();
  signaling.welcome('p-self', { policy: { ...POLICY_ON, upload: { allowed: false, maxUploads: 4, maxKbps: 20000 } } });
  signaling.emit('neighbour', { type: 'neighbour', peer: 'p-n', offer: true });
  await until(() => engine.stats().peers === 1, 5000, 'the neighbour');
  const bytes = segmentBytes(10_000, 6);
  engine.store.put(SEG, bytes, { sha256: (await hashAnswer(bytes)).sha256 });
  far['p-n'].request(1, SEG);
  await until(() => far['p-n'].received.length > 0, 5000, 'an answer');
  assert.deepEqual(far['p-n'].received.map((m) => [m.type, m.code]), [['error', 'policy']]);
  assert.equal(engine.stats().uploadAllowed, false);

  // A `policy` message with the caps of a changed policy replaces them at once.
  signaling.emit('policy', { type: 'policy', policy: { ...POLICY_ON, upload: { allowed: true, maxUploads: 1, maxKbps: 1000 } } });
  assert.equal(engine.stats().uploadAllowed, true);
  assert.deepEqual(engine.neighbours.uploadDecision(), { allowed: true });
  engine.neighbours.uploadLog.push({ at: engine.now(), bytes: 250_000 }); // 1 Mbit/s over the last 2 s
  assert.deepEqual(engine.neighbours.uploadDecision(), { allowed: false, reason: 'rate', code: 'busy' });
  engine.neighbours.uploadLog.length = 0;
  engine.neighbours.uploadLog.push({ at: engine.now(), bytes: 249_000 });
  assert.deepEqual(engine.neighbours.uploadDecision(), { allowed: true });
  engine.neighbours.uploadLog.push({ at: engine.now(), bytes: 1000 });
  assert.deepEqual(engine.neighbours.uploadDecision(), { allowed: false, reason: 'rate', code: 'busy' });
});

test('stats().timings marks the first welcome and the first open neighbour on the engine clock, once', async () => {
  const timers = new FakeTimers();
  timers.advance(1000);
  const { engine, signaling: started } = createEngine({ timers });
  engine.start();
  const signaling = started();
  assert.deepEqual(engine.stats().timings, { welcomeMs: null, firstPeerOpenMs: null, peersReleasedMs: null });
  timers.advance(250);
  signaling.welcome('p-self');
  assert.equal(engine.stats().timings.welcomeMs, 1250);
  timers.advance(100);
  signaling.emit('neighbour', { type: 'neighbour', peer: 'p-2', offer: true });
  await until(() => engine.stats().peers === 1, 5000, 'the neighbour to open');
  assert.equal(engine.stats().timings.firstPeerOpenMs, 1350);
  timers.advance(5000);
  signaling.welcome('p-self'); // a re-join keeps the first marks
  assert.deepEqual(engine.stats().timings, { welcomeMs: 1250, firstPeerOpenMs: 1350, peersReleasedMs: null });
});

test('on a slow WAN a viewer with an empty buffer takes the segment from a neighbour instead of the link', async () => {
  const bytes = segmentBytes(60_000, 11);
  const { engine } = await setup({ self: 'p-self', leaders: ['p-lead'], remotes: { 'p-lead': { segments: new Map([[SEG, bytes]]) } } });
  // Three fetches of this size took 3 s each over HTTP: the branch office's link is congested.
  for (let i = 0; i < 3; i++) engine.scheduler.recordHttp({ bytes: 60_000, ms: 3000, durationS: 2 });
  const http = httpLoader(bytes);
  const r = await engine.loadSegment({ url: SEG, live: true, bufferS: 0, durationS: 2, httpLoad: http });
  assert.equal(r.source, 'p2p');
  assert.deepEqual(r.bytes, bytes);
  assert.equal(http.log.length, 0, 'nothing added to the WAN link');
  assert.equal(engine.scheduler.p2pSamples.length, 1, 'the LAN transfer is measured for the next decision');
});

test('with nothing measured an empty buffer still goes to HTTP at once, holder or not', async () => {
  const timers = new FakeTimers();
  const bytes = segmentBytes(60_000, 12);
  const { engine } = await setup({ self: 'p-self', leaders: ['p-lead'], remotes: { 'p-lead': { segments: new Map([[SEG, bytes]]) } }, timers });
  const http = httpLoader(bytes, { now: timers.now });
  const r = await engine.loadSegment({ url: SEG, live: true, bufferS: 0, durationS: 2, httpLoad: http });
  assert.equal(r.source, 'http');
  assert.deepEqual(http.log, [0], 'no P2P attempt and no wait before the first fragments');
});

test('an urgent request joins the leader prefetch already under way instead of fetching a second copy', async () => {
  let release;
  const fetched = [];
  const bytes = segmentBytes(40_000, 13);
  const { engine } = await setup({
    self: 'p-self', leaders: ['p-self'], remotes: { 'p-n1': {} },
    fetchHttp: (url) => {
      fetched.push(url);
      const t = performance.now();
      return new Promise((resolve) => { release = () => resolve({ bytes, requestedAt: t, firstByteAt: t, deliveredAt: performance.now() }); });
    },
  });
  const seg = (n) => ({ url: `http://origin.test/live/seg-${n}.ts`, sequence: n, durationS: 2 });
  engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(1)] });
  engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(1), seg(2)] });
  await until(() => fetched.length === 1, 2000, 'the leader prefetch');
  const http = httpLoader(bytes);
  const loading = engine.loadSegment({ url: seg(2).url, live: true, bufferS: 0, durationS: 2, sequence: 2, httpLoad: http });
  await settle();
  release();
  const r = await loading;
  assert.deepEqual(r.bytes, bytes);
  assert.equal(http.log.length, 0, 'one HTTP copy of the segment, not two');
  assert.equal(fetched.length, 1);
});

test('a viewer joining a site whose link is slow starts from its neighbours, and reports its own HTTP throughput', async () => {
  const bytes = segmentBytes(75_000, 14);
  const { engine, signaling } = await setup({
    self: 'p-self', leaders: ['p-lead'], remotes: { 'p-lead': { segments: new Map([[SEG, bytes]]) } }, siteHttpKbps: 300,
  });
  assert.equal(engine.stats().siteHttpKbps, 300, 'stats() shows what the site\'s figure was at welcome');
  const http = httpLoader(bytes);
  // Nothing fetched yet, but the site says 75 kB take 2 s over HTTP: the LAN is the faster source.
  const r = await engine.loadSegment({ url: SEG, live: true, bufferS: 0, durationS: 2, sizeBytes: 75_000, httpLoad: http });
  assert.equal(r.source, 'p2p');
  assert.equal(http.log.length, 0);
  engine.qoe.flush();
  assert.equal(signaling.reports.at(-1).httpKbps, undefined, 'the site\'s figure is not echoed back as our own');
  await engine.loadSegment({ url: 'http://origin.test/live/seg-101.ts', live: true, bufferS: 0, durationS: 2, httpLoad: httpLoader(bytes, { delayMs: 20 }) });
  engine.qoe.flush();
  assert.ok(signaling.reports.at(-1).httpKbps > 0, JSON.stringify(signaling.reports.at(-1)));
});

/** The player's HTTP load of `bytes` as if it had taken `ms` (a thin link), without waiting that long. */
function slowHttp(bytes, ms) {
  return async () => {
    const deliveredAt = performance.now();
    return { bytes, requestedAt: deliveredAt - ms, firstByteAt: deliveredAt - ms + 50, deliveredAt };
  };
}

test('a viewer whose own fetches show the site\'s link congested reports it at once, not at its next periodic report', async () => {
  const bytes = segmentBytes(90_000, 21);
  const { engine, signaling } = await setup({ self: 'p-lead', leaders: ['p-lead'] });
  const load = (url) => engine.loadSegment({ url, live: true, bufferS: 0, durationS: 2, httpLoad: slowHttp(bytes, 720) });
  await load(SEG);
  assert.equal(signaling.reports.length, 0, 'one slow fetch is not enough');
  await load(SEG2);
  assert.equal(signaling.reports.length, 1, 'the appliance hears it before the 10-s report');
  assert.equal(signaling.reports[0].httpKbps, 1000, JSON.stringify(signaling.reports[0]));
  await load(SEG3);
  assert.equal(signaling.reports.length, 1, 'once');
});

test('slow fetches made before the appliance\'s welcome are reported as soon as the socket joins', async () => {
  const bytes = segmentBytes(90_000, 22);
  const { engine, signaling: started } = createEngine();
  engine.start();
  const signaling = started();
  signaling.report = (body) => signaling.joined && signaling.reports.push(body) > 0;
  for (const url of [SEG, SEG2]) {
    const r = await engine.loadSegment({ url, live: true, bufferS: 0, durationS: 2, httpLoad: slowHttp(bytes, 720) });
    assert.equal(r.source, 'http');
  }
  assert.equal(signaling.reports.length, 0, 'no socket joined yet');
  signaling.welcome('p-first', { leaders: ['p-first'] });
  assert.equal(signaling.reports.length, 1);
  assert.equal(signaling.reports[0].httpKbps, 1000);
});

test('fast fetches send no early report: on an open link the periodic reports say so', async () => {
  const bytes = segmentBytes(90_000, 23);
  const { engine, signaling } = await setup({ self: 'p-lead', leaders: ['p-lead'] });
  for (const url of [SEG, SEG2, SEG3]) {
    await engine.loadSegment({ url, live: true, bufferS: 0, durationS: 2, httpLoad: slowHttp(bytes, 20) });
  }
  assert.equal(signaling.reports.length, 0);
});

/** An engine started on a fake signaling whose `connect` is recorded; `options` is what the engine gave createSignaling. */
function engineProbing(probeMdns) {
  const rig = { options: null, connected: false };
  const engine = new Engine({
    signalingUrl: 'ws://appliance.test/ws', stream: 'http://origin.test/live/master.m3u8',
    WebSocket: function WS() {}, RTCPeerConnection: function PC() {},
    createSignaling: (o) => {
      rig.options = o;
      const signaling = new FakeSignaling(o);
      signaling.connect = () => { rig.connected = true; };
      return signaling;
    },
    probeMdns,
  });
  engines.push(engine);
  engine.start();
  return rig;
}

test('without the STUN responder the join says whether the browser hides its addresses behind mDNS names: hello waits for the probe, the socket does not', async () => {
  for (const mdns of [true, false]) {
    let answer;
    const { options, connected } = engineProbing(() => new Promise((r) => { answer = r; }));
    assert.equal(connected, true, 'the socket opens while the probe runs');
    const waiting = options.helloAfter({ stun: false });
    assert.ok(waiting instanceof Promise, 'without the STUN responder hello waits for the probe');
    answer(mdns);
    await waiting;
    assert.equal(options.hello.caps.mdns === true, mdns);
  }
});

test('with the appliance\'s STUN responder offered (ready.stun) the mDNS probe is never run', () => {
  let probes = 0;
  const { options } = engineProbing(() => { probes++; return Promise.resolve(true); });
  assert.equal(options.helloAfter({ stun: true }), null, 'nothing for hello to wait for');
  assert.equal(probes, 0);
  assert.equal(options.hello.caps.mdns, undefined);
  // an appliance that sends no ready: probed as before
  assert.ok(options.helloAfter(null) instanceof Promise);
  assert.equal(probes, 1);
});

test('a reconnect that reaches an appliance without the STUN responder runs the probe then, once', async () => {
  let probes = 0;
  let answer;
  const { options } = engineProbing(() => { probes++; return new Promise((r) => { answer = r; }); });
  assert.equal(options.helloAfter({ stun: true }), null, 'first socket: the responder is offered');
  assert.equal(probes, 0);
  const waiting = options.helloAfter({ stun: false });
  assert.ok(waiting instanceof Promise, 'the restarted appliance offers none: hello waits for the probe');
  assert.equal(options.helloAfter({ stun: false }), waiting, 'a socket opened meanwhile waits for the same probe');
  answer(true);
  await waiting;
  assert.equal(options.hello.caps.mdns, true, 'hello says the browser hides its addresses');
  assert.equal(options.helloAfter({ stun: false }), null, 'later sockets reuse the answer');
  assert.equal(probes, 1);
});

/**
 * A player's HTTP load that takes `delayMs` unless ended by `abortHttp` (then it rejects, as the
 * hls.js loader's does); `aborted` says whether it was.
 */
function abortableHttp(bytes, delayMs) {
  const state = { aborted: false, requests: 0 };
  let end = null;
  state.httpLoad = () => new Promise((resolve, reject) => {
    state.requests += 1;
    const requestedAt = performance.now();
    const timer = setTimeout(() => resolve({ bytes, requestedAt, firstByteAt: requestedAt + 1, deliveredAt: performance.now() }), delayMs);
    end = () => { clearTimeout(timer); reject(Object.assign(new Error('http abort'), { httpFailure: true, kind: 'abort' })); };
  });
  state.abortHttp = () => { state.aborted = true; end?.(); };
  return state;
}

/**
 * A joined engine loads SEG with an empty buffer over an HTTP fetch of `delayMs` (nothing measured,
 * nobody holds it: HTTP at once); once the fetch is under way the leader gets the segment and
 * announces it, as it would while the fetch crawls over a congested link.
 */
async function holderArrivesDuringFetch({ seed, delayMs, remote = {}, idleTimeoutMs, abortable = true }) {
  const bytes = segmentBytes(60_000, seed);
  const { engine, far } = await setup({ self: 'p-self', leaders: ['p-lead'], remotes: { 'p-lead': remote }, idleTimeoutMs });
  const http = abortableHttp(bytes, delayMs);
  const loading = engine.loadSegment({
    url: SEG, live: true, bufferS: 0, durationS: 2, httpLoad: http.httpLoad, ...(abortable ? { abortHttp: http.abortHttp } : {}),
  });
  await until(() => http.requests === 1);
  far['p-lead'].segments.set(SEG, bytes);
  far['p-lead'].announce([SEG]);
  return { engine, lead: far['p-lead'], http, bytes, r: await loading };
}

test('a first fragment the WAN holds up is taken from a neighbour that gets it meanwhile, and the slow fetch is ended', async () => {
  const { engine, lead, http, bytes, r } = await holderArrivesDuringFetch({ seed: 21, delayMs: 5000 });
  assert.equal(r.source, 'p2p');
  assert.deepEqual(r.bytes, bytes);
  assert.equal(http.aborted, true, 'the HTTP fetch no longer takes the WAN link');
  assert.equal(engine.stats().httpRescued, 1);
  assert.deepEqual(lead.requests, [SEG]);
  const [ended] = engine.stats().httpFetches;
  assert.equal(ended[2], 'urgent:ended', `the ended fetch is listed, as what it sent crossed the WAN: ${JSON.stringify(ended)}`);
  assert.ok(ended[1] > 0);
});

test('an HTTP fetch that completes in time is never replaced, even with a neighbour holding the segment', async () => {
  const { engine, lead, http, r } = await holderArrivesDuringFetch({ seed: 22, delayMs: 300 });
  assert.equal(r.source, 'http');
  assert.equal(http.aborted, false);
  assert.deepEqual(lead.requests, [], 'a quick fetch is not slow: nobody is asked');
  assert.equal(engine.stats().httpRescued, 0);
});

test('when the slow HTTP fetch still wins, the neighbour\'s attempt is cancelled and the player gets HTTP\'s bytes', async () => {
  const { lead, http, r } = await holderArrivesDuringFetch({
    seed: 23, delayMs: 1200, idleTimeoutMs: 10_000, remote: { behaviour: () => 'silent', chunkBytes: 4096 },
  });
  assert.equal(r.source, 'http');
  assert.equal(http.aborted, false);
  assert.deepEqual(lead.requests, [SEG], 'the neighbour was asked once the fetch was slow');
  await until(() => lead.cancels.length === 1, 2000, 'the neighbour told to stop');
});

test('a load whose adapter cannot end its HTTP fetch is left to HTTP', async () => {
  const { lead, r } = await holderArrivesDuringFetch({ seed: 24, delayMs: 900, abortable: false });
  assert.equal(r.source, 'http');
  assert.deepEqual(lead.requests, []);
});


test('a starting viewer whose first fetch crawls lets its held neighbours in and takes the fragment from the first that has it', async () => {
  const bytes = segmentBytes(60_000, 25);
  const { engine, far, signaling } = createEngine({ holdPeers: true, remotes: { 'p-lead': {} } });
  engine.start();
  signaling().welcome('p-self', { leaders: ['p-lead'] });
  signaling().emit('neighbour', { type: 'neighbour', peer: 'p-lead', offer: true });
  assert.equal(engine.stats().peers, 0, 'held until the player plays');
  const http = abortableHttp(bytes, 5000);
  const loading = engine.loadSegment({ url: SEG, live: true, bufferS: 0, durationS: 2, httpLoad: http.httpLoad, abortHttp: http.abortHttp });
  await until(() => engine.stats().peers === 1, 3000, 'the gate to open once the fetch is slow');
  far['p-lead'].segments.set(SEG, bytes);
  far['p-lead'].announce([SEG], true);
  const r = await loading;
  assert.equal(r.source, 'p2p');
  assert.equal(http.aborted, true);
});

test('a first fragment asked for before the appliance\'s welcome is still rescued once the neighbours arrive', async () => {
  const bytes = segmentBytes(60_000, 26);
  const { engine, far, signaling } = createEngine({ holdPeers: true, remotes: { 'p-lead': {} } });
  engine.start();
  const http = abortableHttp(bytes, 6000);
  const loading = engine.loadSegment({ url: SEG, live: true, bufferS: 0, durationS: 2, httpLoad: http.httpLoad, abortHttp: http.abortHttp });
  await until(() => http.requests === 1);
  await sleep(700);
  // The welcome and the neighbour arrive late, over the congested link; the fetch is slow by now.
  signaling().welcome('p-self', { leaders: ['p-lead'] });
  signaling().emit('neighbour', { type: 'neighbour', peer: 'p-lead', offer: true });
  await until(() => engine.stats().peers === 1, 3000, 'the neighbour let in at once');
  far['p-lead'].segments.set(SEG, bytes);
  far['p-lead'].announce([SEG], true);
  const r = await loading;
  assert.equal(r.source, 'p2p');
  assert.equal(http.aborted, true);
});

test('a live byte-range segment prefetched from a neighbour is checked against the hash of its range', async () => {
  const file = 'http://origin.test/live/video.mp4';
  const id = `${file}#bytes=772-20771`;
  const bytes = segmentBytes(20_000, 9);
  const { engine, signaling } = await setup({
    self: 'p-self', leaders: ['p-lead'], remotes: { 'p-lead': { segments: new Map([[id, bytes]]) } },
    origin: new Map([[`${file}?token=me#bytes=772-20771`, bytes]]),
  });
  const listed = (n, range) => ({ url: `${file}?token=me`, range, sequence: n, durationS: 2 });
  engine.onPlaylist({ live: true, track: 'main:0', segments: [listed(1, { first: 0, last: 771 })] });
  engine.onPlaylist({ live: true, track: 'main:0', segments: [listed(1, { first: 0, last: 771 }), listed(2, { first: 772, last: 20771 })] });
  await until(() => engine.store.has(id), 5000, 'the prefetched range in the store');
  // The first listing's segment is asked for ahead (the player starts there), the new one when it
  // is listed: each the hash of its range, not of the whole file.
  assert.deepEqual(signaling.hashAsks, [`${file}?token=me#bytes=0-771`, `${file}?token=me#bytes=772-20771`], 'the hash of each range, not of the whole file');
  assert.equal(engine.verdict.banned.size, 0, 'the honest neighbour is not taken for a liar');
  const http = httpLoader(bytes);
  const r = await engine.loadSegment({ url: `${file}?token=me`, range: { first: 772, last: 20771 }, live: true, bufferS: 8, durationS: 2, httpLoad: http });
  assert.deepEqual(r.bytes, bytes);
  assert.equal(http.log.length, 0, 'served from the prefetch');
});

/** A live segment of the test stream: 2 s, numbered `n`. */
const liveSeg = (n) => ({ url: `http://origin.test/live/seg-${n}.ts`, sequence: n, durationS: 2 });

/** The first segment number from `from` whose backup leader, of p-lead and p-self, is p-self. */
function backedUpByMe(from = 10) {
  let n = from;
  while (rankLeaders(liveSeg(n).url, ['p-lead', 'p-self'])[1] !== 'p-self') n++;
  return n;
}

test('a backup leader whose page turned P2P off does not fetch the segment it was backing up', async () => {
  const seg = liveSeg;
  // A segment this viewer backs up for p-lead (who never announces it).
  const n = backedUpByMe();
  for (const disable of [false, true]) {
    const timers = new FakeTimers();
    const fetched = [];
    const bytes = segmentBytes(1000, 3);
    const { engine } = await setup({
      self: 'p-self', leaders: ['p-lead', 'p-self'], remotes: { 'p-lead': {} }, timers,
      fetchHttp: async (url) => { fetched.push(url); const t = timers.now(); return { bytes, requestedAt: t, firstByteAt: t, deliveredAt: t }; },
    });
    engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(n - 1)] });
    engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(n - 1), seg(n)] });
    if (disable) engine.disable();
    timers.advance(10_000);
    await settle();
    assert.deepEqual(fetched, disable ? [] : [seg(n).url], disable ? 'no fetch after disable()' : 'the backup steps in');
    engine.destroy();
  }
});

test('a backup leader waits for the primary that said it is fetching, instead of fetching a second copy beside it', async () => {
  const seg = liveSeg;
  const n = backedUpByMe();
  const bytes = segmentBytes(1000, 3);
  // The primary's playlist listed the segment 1.5 s after ours did, and its fetch on the thin link
  // runs long. The backup's moment from our listing: HTTP time + duration = 3 s; from the claim:
  // 1.5 s + twice the HTTP time + the grace = 4 s.
  for (const lands of [true, false]) {
    const timers = new FakeTimers();
    const fetched = [];
    const { engine, far } = await setup({
      self: 'p-self', leaders: ['p-lead', 'p-self'], remotes: { 'p-lead': {} }, timers, scheduler: { defaultHttpMs: 1000, backupGraceMs: 500 },
      origin: new Map([[seg(n).url, bytes]]),
      fetchHttp: async (url) => { fetched.push([url, timers.now()]); const t = timers.now(); return { bytes, requestedAt: t, firstByteAt: t, deliveredAt: t }; },
    });
    engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(n - 1)] });
    engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(n - 1), seg(n)] });
    await runClockUntil(timers, () => timers.now() >= 1_500, { maxMs: 2_000, what: '1.5 s' });
    far['p-lead'].send({ type: 'fetching', ids: [seg(n).url] });
    await until(() => engine.neighbours.fetchingSince(seg(n).url) !== undefined, 5000, 'the claim to arrive');
    await runClockUntil(timers, () => timers.now() >= 3_900, { maxMs: 4_000, what: '3.9 s' });
    assert.deepEqual(fetched, [], 'no second copy while the claim is not due');
    if (lands) {
      far['p-lead'].segments.set(seg(n).url, bytes);
      far['p-lead'].announce([seg(n).url]);
      await runClockUntil(timers, () => engine.store.has(seg(n).url), { maxMs: 6_000, what: 'the segment from the primary' });
      await runClockUntil(timers, () => timers.now() >= 12_000, { maxMs: 13_000, what: '12 s' });
      assert.deepEqual(fetched, [], 'the primary delivered: the backup never fetched');
    } else {
      // A claim only buys a bounded wait: once it is due the backup steps in.
      await runClockUntil(timers, () => fetched.length > 0, { maxMs: 5_000, what: 'the backup\'s fetch' });
      assert.equal(fetched[0][0], seg(n).url);
      assert.ok(fetched[0][1] >= 4_000 && fetched[0][1] <= 4_010, `the backup stepped in at ${fetched[0][1]} ms; the claim is due at 4,000 ms`);
    }
    engine.destroy();
  }
});

test('a backup leader whose primary announced none of the rendition for three segment durations fetches a new segment at once', async () => {
  const seg = liveSeg;
  const n = backedUpByMe(20);
  const bytes = segmentBytes(1000, 5);
  // The channel to p-lead opens at 0; the playlist lists one more segment every 2 s; seg(n) at 8 s.
  for (const variant of ['silent', 'a colleague fetches', 'on the rendition']) {
    const onTrack = variant === 'on the rendition';
    const timers = new FakeTimers();
    const fetched = [];
    const { engine, far } = await setup({
      self: 'p-self', leaders: ['p-lead', 'p-self'], remotes: { 'p-lead': {}, 'p-other': {} }, timers,
      scheduler: { defaultHttpMs: 1000, backupGraceMs: 500 },
      fetchHttp: async (url) => { fetched.push([url, timers.now()]); const t = timers.now(); return { bytes, requestedAt: t, firstByteAt: t, deliveredAt: t }; },
    });
    const listed = [seg(n - 4)];
    engine.onPlaylist({ live: true, track: 'main:0', segments: [...listed] });
    for (let i = 3; i >= 0; i--) {
      timers.advance(2000);
      await settle();
      // A primary on this rendition announces what it gets, whoever fetched it.
      if (onTrack && i === 1) far['p-lead'].announce([seg(n - 2).url]);
      if (onTrack && i === 1) await until(() => engine.neighbours.peers.get('p-lead').holds(seg(n - 2).url), 5000, 'the announcement');
      // A colleague's urgent fetch of the rendition says nothing of the primary.
      if (variant === 'a colleague fetches' && i === 1) {
        far['p-other'].send({ type: 'fetching', ids: [seg(n - 2).url] });
        await until(() => engine.neighbours.fetchingSince(seg(n - 2).url) !== undefined, 5000, 'the claim');
      }
      listed.push(seg(n - i));
      engine.onPlaylist({ live: true, track: 'main:0', segments: [...listed] });
      await settle();
    }
    const mine = () => fetched.filter(([url]) => url === seg(n).url);
    if (!onTrack) {
      assert.deepEqual(mine(), [[seg(n).url, 8000]], `${variant}: no wait for a primary that shows none of this rendition`);
    } else {
      assert.deepEqual(mine(), [], 'a primary on the rendition gets its time');
      await runClockUntil(timers, () => mine().length > 0, { maxMs: 12_000, what: 'the backup\'s fetch' });
      assert.ok(mine()[0][1] > 8500, `the backup stepped in at ${mine()[0][1]} ms, after the primary's time`);
    }
    engine.destroy();
  }
});

test('a request that names only its URL gets the listed duration: the backup leader\'s player waits a whole duration for its primary', async () => {
  const seg = liveSeg;
  const n = backedUpByMe();
  const timers = new FakeTimers();
  const bytes = segmentBytes(1000, 3);
  const { engine } = await setup({
    self: 'p-self', leaders: ['p-lead', 'p-self'], remotes: { 'p-lead': {} }, timers, scheduler: { defaultHttpMs: 100, backupGraceMs: 500 },
    origin: new Map([[seg(n).url, bytes]]),
  });
  engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(n - 1)] });
  engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(n - 1), seg(n)] });
  // As the Video.js adapter asks: URL, liveness and buffer, no duration.
  const http = httpLoader(bytes, { now: timers.now });
  const loading = engine.loadSegment({ url: seg(n).url, live: true, bufferS: 8, httpLoad: http });
  timers.advance(1_000);
  await settle();
  assert.deepEqual(http.log, [], 'the primary is not late after 1 s: due one HTTP time and a 2 s duration after listing');
  await runClockUntil(timers, () => http.log.length > 0, { maxMs: 3000, what: 'the backup\'s fetch' });
  assert.ok(http.log[0] >= 2_100 && http.log[0] <= 2_110, `the backup fetched at ${http.log[0]} ms; due at 2,100 ms`);
  assert.equal((await loading).source, 'http');
  assert.deepEqual(engine.stats().httpBytesByReason, { backup: bytes.length });
});

test('VOD: a viewer behind a neighbour in the recording waits for its next segment instead of fetching a second copy', async () => {
  const VOD1 = 'http://origin.test/vod/seg-001.ts';
  const VOD2 = 'http://origin.test/vod/seg-002.ts';
  const b1 = segmentBytes(20_000, 31);
  const b2 = segmentBytes(20_000, 32);
  const timers = new FakeTimers();
  const { engine, far } = await setup({ self: 'p-self', remotes: { 'p-ahead': { segments: new Map([[VOD1, b1]]) } }, timers });
  timers.advance(10);
  const http = httpLoader(b2, { now: timers.now });
  const vod = (url, sequence) => ({ url, live: false, bufferS: 10, durationS: 2, track: 'main:0', sequence, httpLoad: http });
  assert.equal((await engine.loadSegment(vod(VOD1, 1))).source, 'p2p', 'the neighbour ahead had the first one');
  let result = null;
  const loading = engine.loadSegment(vod(VOD2, 2)).then((r) => (result = r));
  timers.advance(1500);
  await settle();
  assert.equal(result, null, 'still waiting for the neighbour ahead 1.5 s in');
  assert.equal(http.log.length, 0);
  far['p-ahead'].segments.set(VOD2, b2);
  far['p-ahead'].announce([VOD2]);
  const r = await loading;
  assert.equal(r.source, 'p2p');
  assert.equal(http.log.length, 0, 'one copy over the WAN, the neighbour\'s');
});

test('VOD: the viewer in front fetches at once', async () => {
  const VOD1 = 'http://origin.test/vod/seg-001.ts';
  const VOD2 = 'http://origin.test/vod/seg-002.ts';
  const bytes = segmentBytes(20_000, 33);
  const timers = new FakeTimers();
  // the neighbour announced what it holds (another stream's segment): it is open, not connecting
  const other = new Map([['http://origin.test/other/seg-9.ts', segmentBytes(100, 9)]]);
  const { engine, far } = await setup({ self: 'p-self', remotes: { 'p-behind': { segments: other } }, timers });
  const http = httpLoader(bytes, { now: timers.now });
  const vod = (url, sequence) => ({ url, live: false, bufferS: 10, durationS: 2, track: 'main:0', sequence, httpLoad: http });
  const first = engine.loadSegment(vod(VOD1, 1));
  await runClockUntil(timers, () => http.log.length === 1, { maxMs: 5000, what: 'the first fetch' });
  await first;
  // the neighbour got the first one after this viewer did: it is behind, not ahead
  timers.advance(10);
  far['p-behind'].segments.set(VOD1, bytes);
  far['p-behind'].announce([VOD1]);
  await until(() => engine.neighbours.peers.get('p-behind').holds(VOD1), 5000, 'the announcement');
  const second = engine.loadSegment(vod(VOD2, 2));
  await runClockUntil(timers, () => http.log.length === 2, { maxMs: 5000, what: 'the second fetch' });
  assert.equal((await second).source, 'http');
  assert.ok(http.log[1] - http.log[0] < 100, `fetched ${http.log[1] - http.log[0]} ms after the first: no wait`);
  assert.deepEqual(engine.stats().httpBytesByReason, { noHolder: 2 * bytes.length });
});

test('VOD: a neighbour ahead that does not announce the next segment in its time is not waited for longer', async () => {
  const VOD1 = 'http://origin.test/vod/seg-001.ts';
  const VOD2 = 'http://origin.test/vod/seg-002.ts';
  const b1 = segmentBytes(20_000, 35);
  const timers = new FakeTimers();
  const { engine } = await setup({ self: 'p-self', remotes: { 'p-ahead': { segments: new Map([[VOD1, b1]]) } }, timers });
  const announcedAt = timers.now();
  timers.advance(10);
  const http = httpLoader(segmentBytes(20_000, 36), { now: timers.now });
  const vod = (url, sequence) => ({ url, live: false, bufferS: 10, durationS: 2, track: 'main:0', sequence, httpLoad: http });
  assert.equal((await engine.loadSegment(vod(VOD1, 1))).source, 'p2p');
  const loading = engine.loadSegment(vod(VOD2, 2));
  await runClockUntil(timers, () => http.log.length === 1, { maxMs: 10_000, what: 'the HTTP fetch' });
  assert.equal((await loading).source, 'http');
  // its turn: one segment duration (2 s) + the HTTP estimate (1 s before any fetch) + 500 ms after it got the first
  const due = announcedAt + 2000 + 1000 + 500;
  assert.ok(http.log[0] >= due && http.log[0] <= due + 50, `HTTP at ${http.log[0] - announcedAt} ms after the neighbour's announcement, due at 3500`);
  assert.equal(engine.stats().httpBytesByReason.noHolder, 20_000);
});

test('a starting player that has held its first fragment a while without playing gets the next over HTTP, before the connecting wait ends', async () => {
  // hls.js on a busy machine: the first fragment is in, the player has not played, and the
  // neighbours the gate holds connect only once it plays: waiting longer only delays the start.
  const { START_NEED_MS } = await import('../../src/core/load-rounds.js');
  const { CONNECTING_WAIT_MS } = await import('../../src/core/scheduler.js');
  const bytes = segmentBytes(30_000, 27);
  const { engine, signaling } = createEngine({ holdPeers: true, remotes: { 'p-a': {}, 'p-b': {} } });
  engine.start();
  signaling().welcome('p-self', { leaders: ['p-lead-elsewhere'] });
  for (const peer of ['p-a', 'p-b']) signaling().emit('neighbour', { type: 'neighbour', peer, offer: true });
  await engine.loadSegment({ url: SEG, live: true, bufferS: 0, durationS: 4, sequence: 100, track: 'v', httpLoad: httpLoader(bytes) });
  const second = httpLoader(bytes);
  const t0 = performance.now();
  // 3.7 s of the first ahead of the playhead: with 1.5 s of safety the colleagues could have had 2 s.
  const r = await engine.loadSegment({ url: SEG2, live: true, bufferS: 3.7, durationS: 4, sequence: 101, track: 'v', httpLoad: second });
  const waited = performance.now() - t0;
  assert.equal(r.source, 'http');
  assert.ok(waited >= START_NEED_MS - 50 && waited < CONNECTING_WAIT_MS - 300,
    `fetched once the player had held the first ${START_NEED_MS} ms, not after the connecting wait (${Math.round(waited)} ms)`);
  assert.equal(engine.stats().peers, 0, 'the gate still holds the neighbours');
  assert.equal(engine.stats().httpBytesByReason.alone, 2 * bytes.length);
});

test('a starting player that plays soon after its first fragment gets the next from the colleagues it then lets in', async () => {
  const bytes = segmentBytes(30_000, 29);
  const { engine, far, signaling } = createEngine({ holdPeers: true, remotes: { 'p-a': {} } });
  engine.start();
  signaling().welcome('p-self', { leaders: ['p-lead-elsewhere'] });
  signaling().emit('neighbour', { type: 'neighbour', peer: 'p-a', offer: true });
  await engine.loadSegment({ url: SEG, live: true, bufferS: 0, durationS: 4, sequence: 100, track: 'v', httpLoad: httpLoader(bytes) });
  const second = httpLoader(bytes);
  const loading = engine.loadSegment({ url: SEG2, live: true, bufferS: 3.7, durationS: 4, sequence: 101, track: 'v', httpLoad: second });
  await sleep(100);
  engine.playerStarted();
  await until(() => engine.stats().peers === 1, 3000, 'the gate to open at the first frame');
  far['p-a'].segments.set(SEG2, bytes);
  far['p-a'].announce([SEG2], true);
  assert.equal((await loading).source, 'p2p');
  assert.equal(second.log.length, 0, 'not over HTTP');
});

test('a starting player that asks for its next segments while the first is on its way still waits for the held colleagues', async () => {
  // Shaka asks for the live window's next segments before the first has arrived: those wait for
  // the neighbours, who connect once the player plays on the first.
  const bytes = segmentBytes(30_000, 28);
  const { engine, far, signaling } = createEngine({ holdPeers: true, remotes: { 'p-a': {} } });
  engine.start();
  signaling().welcome('p-self', { leaders: ['p-lead-elsewhere'] });
  signaling().emit('neighbour', { type: 'neighbour', peer: 'p-a', offer: true });
  const first = abortableHttp(bytes, 300);
  const loadingFirst = engine.loadSegment({ url: SEG, live: true, bufferS: 0, durationS: 4, sequence: 100, track: 'v', httpLoad: first.httpLoad, abortHttp: first.abortHttp });
  const second = httpLoader(bytes);
  const loadingSecond = engine.loadSegment({ url: SEG2, live: true, bufferS: 0, durationS: 4, sequence: 101, track: 'v', httpLoad: second });
  const third = httpLoader(bytes);
  const loadingThird = engine.loadSegment({ url: SEG3, live: true, bufferS: 0, durationS: 4, sequence: 102, track: 'v', httpLoad: third });
  assert.equal((await loadingSecond).source, 'http', 'the second counts nothing ahead (the player may start part-way into the first)');
  await loadingFirst;
  engine.playerStarted();
  await until(() => engine.stats().peers === 1, 3000, 'the gate to open at the first frame');
  far['p-a'].segments.set(SEG3, bytes);
  far['p-a'].announce([SEG3], true);
  assert.equal((await loadingThird).source, 'p2p');
  assert.equal(third.log.length, 0, 'the third did not go over HTTP');
});

test('a starting player whose adapter knows its start point keeps that buffer: the earlier asks add nothing', async () => {
  // Shaka starts late in its first segments (aheadOfStart in shaka/adapter.js): the third segment
  // of the window with 0.5 s between the start point and it is needed 0.5 s after the first frame.
  const bytes = segmentBytes(30_000, 30);
  const { engine, signaling } = createEngine({ holdPeers: true, remotes: { 'p-a': {} } });
  engine.start();
  signaling().welcome('p-self', { leaders: ['p-lead-elsewhere'] });
  signaling().emit('neighbour', { type: 'neighbour', peer: 'p-a', offer: true });
  const ask = (url, sequence, bufferS, httpLoad) => engine.loadSegment({ url, live: true, bufferS, fromStartPoint: true, durationS: 2, sequence, track: 'v', httpLoad });
  await ask(SEG, 100, 0, httpLoader(bytes));
  await ask(SEG2, 101, 0, httpLoader(bytes));
  const third = httpLoader(bytes);
  const t0 = performance.now();
  const r = await ask(SEG3, 102, 0.5, third);
  assert.equal(r.source, 'http');
  assert.ok(performance.now() - t0 < 300, `at once, not after a wait for the held colleagues (${Math.round(performance.now() - t0)} ms)`);
  assert.equal(engine.stats().httpBytesByReason.alone, 3 * bytes.length);
});

test('VOD: a playing player that holds plenty ahead gets its further segments at twice real time, and may give up while it waits', async () => {
  const { FILL_AHEAD_S, FILL_RATE } = await import('../../src/core/fill-pace.js');
  const timers = new FakeTimers();
  const { engine } = await setup({ timers });
  engine.playerStarted();
  const http = httpLoader(segmentBytes(20_000, 41), { delayMs: 0, now: timers.now });
  const vod = (n, extra = {}) => ({ url: `http://origin.test/vod/seg-${n}.ts`, live: false, bufferS: FILL_AHEAD_S + 10, durationS: 2, track: 'main:0', sequence: n, httpLoad: http, ...extra });
  const start = timers.now();
  await engine.loadSegment(vod(1));
  const second = engine.loadSegment(vod(2));
  await runClockUntil(timers, () => http.log.length === 2, { maxMs: 10_000, what: 'the second fetch' });
  await second;
  assert.equal(http.log[1] - start, 2000 / FILL_RATE, 'the second starts one duration / rate after the first');
  assert.equal((await engine.loadSegment(vod(3, { bufferS: 5 }))).source, 'http');
  assert.equal(http.log.length, 3, 'with little ahead (after a seek) at once');
  const controller = new AbortController();
  const waiting = engine.loadSegment(vod(4, { signal: controller.signal }));
  await settle();
  controller.abort();
  await assert.rejects(waiting, /aborted/);
  timers.advance(5000);
  await settle();
  assert.equal(http.log.length, 3, 'nothing fetched for the segment the player gave up on');
  assert.equal((await engine.loadSegment(vod(5, { live: true, sequence: 5 }))).source, 'http');
  assert.equal(http.log.length, 4, 'live segments are never paced');
});

test('the hashes of the live segments a viewer will take from neighbours are asked for when they are listed, or on joining', async () => {
  const seg = (n) => ({ url: `http://origin.test/live/seg-${n}.ts`, sequence: n, durationS: 2 });
  const window = [1, 2, 3, 4, 5, 6].map(seg);
  // Listed before the viewer joined: nothing can be asked yet; on `welcome`, the newest four.
  const { engine, signaling: started } = createEngine();
  engine.start();
  engine.onPlaylist({ live: true, track: 'main:0', segments: window });
  const signaling = started();
  assert.deepEqual(signaling.hashAsks, []);
  signaling.welcome('p-self', { leaders: ['p-lead'] });
  await until(() => signaling.hashAsks.length === 4, 2000, 'the asks on joining');
  assert.deepEqual(signaling.hashAsks, [3, 4, 5, 6].map((n) => seg(n).url));
  // A new segment whose primary leader is another viewer: asked for when listed.
  engine.onPlaylist({ live: true, track: 'main:0', segments: [...window.slice(1), seg(7)] });
  await until(() => signaling.hashAsks.length === 5, 2000, 'the ask for the new segment');
  assert.equal(signaling.hashAsks[4], seg(7).url);
  engine.destroy();
  // The primary leader of every new segment fetches them over HTTP and asks for nothing.
  const alone = await setup({ self: 'p-self', leaders: ['p-self'] });
  alone.engine.onPlaylist({ live: true, track: 'main:0', segments: window });
  await until(() => alone.signaling.hashAsks.length === 4, 2000, 'the first listing\'s asks');
  alone.engine.onPlaylist({ live: true, track: 'main:0', segments: [...window.slice(1), seg(7)] });
  await settle();
  assert.equal(alone.signaling.hashAsks.includes(seg(7).url), false);
  alone.engine.destroy();
});

test('wake-ups of a waiting segment are not planning rounds: twenty announcements of other segments, then the segment from the neighbour', async () => {
  const SEGX = 'http://origin.test/live/seg-77.ts';
  const bytes = segmentBytes(20_000, 5);
  const remote = { segments: new Map() };
  const { engine, far } = await setup({ self: 'p-self', leaders: ['p-lead'], remotes: { 'p-lead': remote }, origin: new Map([[SEGX, bytes]]) });
  const http = httpLoader(bytes);
  const loading = engine.loadSegment({ url: SEGX, live: true, bufferS: 12, durationS: 2, httpLoad: http });
  for (let i = 0; i < 20; i++) {
    far['p-lead'].announce([`http://origin.test/live/other-${i}.ts`], true); // a full list wakes every waiting load
    await sleep(2);
  }
  remote.segments.set(SEGX, bytes);
  far['p-lead'].announce([SEGX]);
  const r = await loading;
  assert.equal(r.source, 'p2p');
  assert.equal(http.log.length, 0, 'never over HTTP for want of rounds');
});

test('a primary leader whose player asks for a new live segment before the refresh is handled fetches it once, through its player', async () => {
  const seg = (n) => ({ url: `http://origin.test/live/seg-${n}.ts`, sequence: n, durationS: 2 });
  const bytes = segmentBytes(30_000, 4);
  const prefetched = [];
  const { engine } = await setup({
    self: 'p-self', leaders: ['p-self'], remotes: { 'p-n': {} },
    fetchHttp: async (url) => { prefetched.push(url); const t = performance.now(); return { bytes, requestedAt: t, firstByteAt: t, deliveredAt: t }; },
  });
  engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(1)] });
  const http = httpLoader(bytes);
  // hls.js asks for the new fragment in the same task in which its playlist refresh reaches the SDK.
  const loading = engine.loadSegment({ url: seg(2).url, live: true, bufferS: 6, durationS: 2, httpLoad: http });
  engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(1), seg(2)] });
  const r = await loading;
  await settle();
  assert.equal(r.source, 'http');
  assert.equal(http.log.length, 1, 'the player\'s own fetch');
  assert.deepEqual(prefetched, [], 'no second fetch by the prefetch');
  assert.deepEqual(engine.stats().httpBytesByReason, { primary: bytes.length });
});

test('a leader\'s player joins its own prefetch of the segment while its buffer lasts, not only while the slack does', async () => {
  const seg = (n) => ({ url: `http://origin.test/live/seg-${n}.ts`, sequence: n, durationS: 2 });
  const bytes = segmentBytes(30_000, 5);
  // HTTP time 1 s, margin 1.5 s: with 4 s buffered the slack ends 1.5 s after the ask. A second
  // fetch from the same viewer then would share the link with the first and land after it.
  for (const landsAtMs of [3_000, 5_000]) {
    const timers = new FakeTimers();
    let release;
    const prefetched = [];
    const { engine } = await setup({
      self: 'p-self', leaders: ['p-self'], remotes: { 'p-n': {} }, timers, scheduler: { defaultHttpMs: 1000, safetyMarginMs: 1500 },
      fetchHttp: (url) => {
        prefetched.push(url);
        const t = timers.now();
        return new Promise((resolve) => { release = () => resolve({ bytes, requestedAt: t, firstByteAt: t, deliveredAt: timers.now() }); });
      },
    });
    engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(1)] });
    engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(1), seg(2)] });
    await runClockUntil(timers, () => prefetched.length === 1, { maxMs: 100, what: 'the leader prefetch' });
    const player = { requests: [], aborted: false };
    const loading = engine.loadSegment({
      url: seg(2).url, live: true, bufferS: 4, durationS: 2, sequence: 2,
      httpLoad: () => new Promise((resolve, reject) => {
        player.requests.push(timers.now());
        player.end = () => reject(Object.assign(new Error('http abort'), { httpFailure: true, kind: 'abort' }));
      }),
      abortHttp: () => { player.aborted = true; player.end?.(); },
    });
    await runClockUntil(timers, () => timers.now() >= landsAtMs, { maxMs: landsAtMs + 10, what: 'the prefetch to take its time' });
    release();
    let r;
    loading.then((x) => { r = x; });
    await runClockUntil(timers, () => r !== undefined, { maxMs: landsAtMs + 500, what: 'the player\'s segment' });
    assert.deepEqual(r.bytes, bytes);
    if (landsAtMs < 4_000) {
      assert.deepEqual(player.requests, [], 'no second copy while the buffer lasted');
      assert.equal(engine.stats().httpRescued, 0);
    } else {
      // The buffer ran out first: the player's own fetch began then, and the prefetch that landed
      // after it ended it (the first copy wins, and the link is freed).
      assert.equal(player.requests.length, 1);
      assert.ok(player.requests[0] >= 4_000 && player.requests[0] <= 4_010, `the player's fetch began at ${player.requests[0]} ms; the buffer lasted until 4,000 ms`);
      assert.equal(player.aborted, true, 'the player\'s HTTP fetch no longer takes the link');
      assert.equal(engine.stats().httpRescued, 1);
    }
    engine.destroy();
  }
});

test('a leader\'s prefetch that makes progress is told again to its neighbours every half second, and no more once it stalls', async () => {
  const timers = new FakeTimers();
  const seg = (n) => ({ url: `http://origin.test/live/seg-${n}.ts`, sequence: n, durationS: 2 });
  const bytes = segmentBytes(40_000, 6);
  let progress;
  let finish;
  const { engine, far, signaling } = await setup({
    self: 'p-self', leaders: ['p-self'], remotes: {}, timers,
    fetchHttp: (url, options) => new Promise((resolve) => {
      progress = { n: 0 };
      options.progress.loaded = () => progress.n;
      finish = () => { const t = timers.now(); resolve({ bytes, requestedAt: t, firstByteAt: t, deliveredAt: t }); };
    }),
  });
  signaling.emit('neighbour', { type: 'neighbour', peer: 'p-n', offer: true, fetching: true });
  await until(() => engine.neighbours.peers.get('p-n')?.isOpen, 5000, 'the neighbour\'s channel');
  engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(1)] });
  engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(1), seg(2)] });
  await until(() => far['p-n'].fetching.length === 1, 5000, 'the claim');
  for (const n of [10_000, 20_000]) {
    progress.n = n;
    await runClockUntil(timers, () => far['p-n'].fetching.length > (n / 10_000), { maxMs: timers.now() + 600, what: 'the claim told again' });
  }
  await runClockUntil(timers, () => false, { maxMs: timers.now() + 2000 }).catch(() => {});
  assert.deepEqual(far['p-n'].fetching, [seg(2).url, seg(2).url, seg(2).url], 'stalled: not told again');
  finish();
  await until(() => far['p-n'].announced.includes(seg(2).url), 5000, 'the announcement');
});

test('on a congested link a colleague follows the leader\'s fetch while it makes progress and takes its copy, however long it runs', async () => {
  const seg = { url: 'http://origin.test/live/seg-7.ts', sequence: 7, durationS: 2 };
  const bytes = segmentBytes(30_000, 8);
  for (const stalls of [false, true]) {
    const timers = new FakeTimers();
    // 2.4 Mbit/s for the site: 300 kB take 1 s. The player holds 5 s: its slack (5 s - the 1.5 s
    // margin - 1 s) ends at 2.5 s, where the claim's bound without progress (one HTTP time from
    // the ask) is long past.
    const { engine, far } = await setup({
      self: 'p-self', leaders: ['p-lead'], remotes: { 'p-lead': {} }, timers, siteHttpKbps: 2400,
      origin: new Map([[seg.url, bytes]]),
    });
    far['p-lead'].send({ type: 'fetching', ids: [seg.url] });
    await until(() => engine.neighbours.fetchingSince(seg.url) !== undefined, 5000, 'the claim');
    const http = { requests: [] };
    let r;
    engine.loadSegment({
      ...seg, live: true, bufferS: 5, sizeBytes: 300_000,
      httpLoad: () => { http.requests.push(timers.now()); return Promise.resolve({ bytes, requestedAt: timers.now(), firstByteAt: timers.now(), deliveredAt: timers.now() }); },
    }).then((x) => { r = x; });
    // The leader's fetch shares the thin link: it tells it again every 500 ms for 3 s (or 1 s).
    for (let t = 500; t <= (stalls ? 1000 : 3000); t += 500) {
      await runClockUntil(timers, () => timers.now() >= t, { maxMs: t + 1, what: `${t} ms` });
      far['p-lead'].send({ type: 'fetching', ids: [seg.url] });
      await settle();
    }
    if (!stalls) {
      assert.deepEqual(http.requests, [], 'no second copy beside a fetch that makes progress');
      far['p-lead'].segments.set(seg.url, bytes);
      far['p-lead'].announce([seg.url]);
      await runClockUntil(timers, () => r !== undefined, { maxMs: 5000, what: 'the leader\'s copy' });
      assert.equal(r.source, 'p2p');
      assert.deepEqual(http.requests, []);
    } else {
      // Silent since 1 s: maybe stuck. HTTP when the slack ends, as without a claim.
      await runClockUntil(timers, () => r !== undefined, { maxMs: 5000, what: 'the HTTP copy' });
      assert.equal(r.source, 'http');
      assert.ok(http.requests[0] >= 2500 && http.requests[0] <= 2510, `HTTP began at ${http.requests[0]} ms; the slack ended at 2,500 ms`);
    }
    engine.destroy();
  }
});

test('with its buffer gone a colleague follows a leader\'s fetch that makes progress for 2 s at most, and only once until the leader delivers', async () => {
  const timers = new FakeTimers();
  const seg = (n) => ({ url: `http://origin.test/live/seg-${n}.ts`, sequence: n, durationS: 2 });
  const bytes = segmentBytes(30_000, 9);
  const { engine, far } = await setup({
    self: 'p-self', leaders: ['p-lead'], remotes: { 'p-lead': {} }, timers, siteHttpKbps: 2400,
    origin: new Map([[seg(7).url, bytes], [seg(8).url, bytes]]),
  });
  const http = [];
  const ask = (s) => {
    const out = {};
    const t0 = timers.now();
    engine.loadSegment({
      ...s, live: true, bufferS: 2, sizeBytes: 300_000,
      httpLoad: () => { http.push({ url: s.url, atMs: timers.now() - t0 }); return Promise.resolve({ bytes, requestedAt: timers.now(), firstByteAt: timers.now(), deliveredAt: timers.now() }); },
    }).then((r) => { out.r = r; });
    return out;
  };
  // The leader's fetch crawls on for 6 s, told again every 500 ms; the colleague's 2 s of buffer
  // run out at 2 s: it stalls with the fetch until 4 s, then fetches its own copy.
  const tell = async (s, fromMs, toMs) => {
    for (let t = fromMs; t <= toMs; t += 500) {
      await runClockUntil(timers, () => timers.now() >= t, { maxMs: t + 1, what: `${t} ms` });
      far['p-lead'].send({ type: 'fetching', ids: [s.url] });
      await settle();
    }
  };
  far['p-lead'].send({ type: 'fetching', ids: [seg(7).url] });
  await until(() => engine.neighbours.fetchingSince(seg(7).url) !== undefined, 5000, 'the claim');
  const first = ask(seg(7));
  await tell(seg(7), 500, 6000);
  assert.ok(first.r, 'the player got its segment');
  assert.equal(http.length, 1);
  assert.ok(http[0].atMs >= 4000 && http[0].atMs <= 4010, `HTTP began at ${http[0].atMs} ms; the buffer ran out at 2,000 ms`);
  assert.deepEqual(engine.stats().claimWaits, { waited: 1, followed: 1, stalled: 1 });
  // The leader lands its copy, but this viewer got nothing from it: the next crawl is followed
  // while the buffer lasts, no further.
  far['p-lead'].segments.set(seg(7).url, bytes);
  far['p-lead'].announce([seg(7).url]);
  await settle();
  const base = timers.now();
  far['p-lead'].send({ type: 'fetching', ids: [seg(8).url] });
  await settle();
  const second = ask(seg(8));
  await tell(seg(8), base + 500, base + 4000);
  assert.ok(second.r);
  assert.equal(http.length, 2);
  assert.ok(http[1].atMs >= 2000 && http[1].atMs <= 2010, `HTTP began at ${http[1].atMs} ms; the buffer ran out at 2,000 ms`);
  assert.deepEqual(engine.stats().claimWaits, { waited: 2, followed: 2, stalled: 1 }, 'followed while the buffer lasted, no stall');
  engine.destroy();
});
