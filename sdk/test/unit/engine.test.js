import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Engine, segmentIdFor } from '../../src/core/engine.js';
import { Peer } from '../../src/core/peer.js';
import { channelPair, FakeSignaling, FakeTimers, RemoteViewer, runClockUntil, segmentBytes, settle, sleep, until } from './fakes.js';

const SEG = 'http://origin.test/live/seg-100.ts';
const engines = [];
after(() => { for (const e of engines) e.destroy(); });

/**
 * An engine joined as `self`, whose neighbours are scripted remotes: `remotes` maps a peer id to
 * RemoteViewer options. Returns once every neighbour's channel is open and its announcement has
 * arrived. With `timers` (a FakeTimers) the engine's clock and timers move only when the test says.
 */
/**
 * An engine whose signaling is a FakeSignaling (`signaling()` once started) and whose neighbours
 * are scripted remotes (`far[id]`), not yet started.
 */
function createEngine({ remotes = {}, scheduler = {}, idleTimeoutMs = 2000, fetchHttp, timers } = {}) {
  let signaling;
  const far = {};
  const engine = new Engine({
    signalingUrl: 'ws://appliance.test/ws', stream: 'http://origin.test/live/master.m3u8',
    WebSocket: function WS() {}, RTCPeerConnection: function PC() {},
    createSignaling: (o) => (signaling = new FakeSignaling(o)),
    createPeer: (o) => {
      const peer = new Peer({ ...o, RTCPeerConnection: null });
      const [mine, theirs] = channelPair();
      far[o.id] = new RemoteViewer(theirs, remotes[o.id] ?? {});
      peer.attachChannel(mine);
      return peer;
    },
    scheduler, idleTimeoutMs, fetchHttp, ...(timers ? { timers, now: timers.now } : {}),
  });
  engines.push(engine);
  return { engine, far, signaling: () => signaling };
}

async function setup({ self = 'p-self', leaders = [], remotes = {}, scheduler = {}, idleTimeoutMs = 2000, fetchHttp, timers, siteHttpKbps } = {}) {
  const { engine, far, signaling: started } = createEngine({ remotes, scheduler, idleTimeoutMs, fetchHttp, timers });
  engine.start();
  const signaling = started();
  signaling.welcome(self, { leaders, siteHttpKbps });
  for (const id of Object.keys(remotes)) signaling.emit('neighbour', { type: 'neighbour', peer: id, offer: true });
  await until(() => engine.stats().peers === Object.keys(remotes).length, 5000, 'the neighbours\' channels to open');
  const held = Object.entries(remotes).map(([id, r]) => [id, [...(r.segments ?? new Map()).keys()]]);
  for (const [id, ids] of held) if (ids.length) far[id].announce(ids, true);
  await until(() => held.every(([id, ids]) => ids.every((seg) => engine.peers.get(id)?.holds(seg))), 5000,
    'the neighbours\' announcements');
  return { engine, signaling, far };
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

test('segment identity is the absolute URL without query or fragment', () => {
  assert.equal(segmentIdFor('http://Origin.test:80/a/seg-1.ts?token=abc#x'), 'http://origin.test/a/seg-1.ts');
  assert.equal(segmentIdFor('seg-2.ts?t=1', 'https://v.corp/live/master.m3u8'), 'https://v.corp/live/seg-2.ts');
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
});

test('a leader prefetches a new live segment as soon as the playlist lists it, before the player asks', async () => {
  const fetched = [];
  const bytes = segmentBytes(30_000, 7);
  const { engine, far } = await setup({
    self: 'p-self', leaders: ['p-self'], remotes: { 'p-n1': {} },
    fetchHttp: async (url) => { fetched.push(url); const t = performance.now(); return { bytes, requestedAt: t, firstByteAt: t, deliveredAt: t + 1 }; },
  });
  const seg = (n) => ({ url: `http://origin.test/live/seg-${n}.ts?tok=1`, sequence: n, durationS: 2 });
  engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(1), seg(2)] });
  assert.deepEqual(fetched, [], 'the first playlist only marks what exists already');
  engine.onPlaylist({ live: true, track: 'main:0', segments: [seg(2), seg(3)] });
  await until(() => fetched.length > 0 && far['p-n1'].announced.length > 0);
  assert.deepEqual(fetched, ['http://origin.test/live/seg-3.ts?tok=1']);
  assert.deepEqual(far['p-n1'].announced, ['http://origin.test/live/seg-3.ts']);
  const http = httpLoader(bytes);
  const r = await engine.loadSegment({ url: seg(3).url, live: true, bufferS: 6, durationS: 2, sequence: 3, httpLoad: http });
  assert.equal(http.log.length, 0, 'served from the prefetch');
  assert.deepEqual(r.bytes, bytes);
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
});

test('an integrity mismatch discards the bytes, fetches over HTTP and reports the neighbour failing integrity', async () => {
  const bytes = segmentBytes(70_000, 5);
  const { engine, signaling } = await setup({
    self: 'p-self', leaders: ['p-bad'], remotes: { 'p-bad': { segments: new Map([[SEG, bytes]]), behaviour: () => 'corrupt' } },
  });
  const http = httpLoader(bytes);
  const r = await engine.loadSegment({ url: SEG, live: true, bufferS: 8, durationS: 2, httpLoad: http });
  assert.equal(r.source, 'http');
  assert.equal(http.log.length, 1);
  assert.deepEqual(signaling.failings, [{ peer: 'p-bad', reason: 'integrity' }]);
  const s = engine.stats();
  assert.equal(s.failures.integrity, 1);
  assert.equal(s.p2pBytes, 0);
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
  signaling.emit('policy', { type: 'policy', policy: { p2p: 'download-only', maxNeighbours: 6, uploadOnCellular: false, iceServers: [] } });
  assert.deepEqual(engine.uploadDecision(), { allowed: false, reason: 'download-only', code: 'policy' });
  engine.connection = { type: 'cellular' };
  signaling.emit('policy', { type: 'policy', policy: { p2p: 'on', maxNeighbours: 6, uploadOnCellular: false, iceServers: [] } });
  assert.equal(engine.uploadDecision().allowed, false);
  engine.connection = { type: 'ethernet', saveData: true };
  assert.equal(engine.uploadDecision().allowed, false);
  engine.connection = { type: 'ethernet' };
  assert.equal(engine.uploadDecision().allowed, true);
  assert.deepEqual(far['p-n'].announced, [SEG]);
});

test('stats().timings marks the first welcome and the first open neighbour on the engine clock, once', async () => {
  const timers = new FakeTimers();
  timers.advance(1000);
  const { engine, signaling: started } = createEngine({ timers });
  engine.start();
  const signaling = started();
  assert.deepEqual(engine.stats().timings, { welcomeMs: null, firstPeerOpenMs: null });
  timers.advance(250);
  signaling.welcome('p-self');
  assert.equal(engine.stats().timings.welcomeMs, 1250);
  timers.advance(100);
  signaling.emit('neighbour', { type: 'neighbour', peer: 'p-2', offer: true });
  await until(() => engine.stats().peers === 1, 5000, 'the neighbour to open');
  assert.equal(engine.stats().timings.firstPeerOpenMs, 1350);
  timers.advance(5000);
  signaling.welcome('p-self'); // a re-join keeps the first marks
  assert.deepEqual(engine.stats().timings, { welcomeMs: 1250, firstPeerOpenMs: 1350 });
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
