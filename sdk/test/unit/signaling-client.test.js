import { test } from 'node:test';
import assert from 'node:assert/strict';
import { READY_WAIT_MS, SignalingClient } from '../../src/core/signaling-client.js';
import { backoffMs } from '../../src/core/reconnect-backoff.js';
import { decodeSha256, MAX_HASH_ASKS } from '../../src/core/hash-asks.js';
import { FakeTimers } from './fakes.js';

/** The parts of the browser WebSocket the client uses, plus server-side controls. */
class FakeWebSocket {
  static instances = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.closedWith = null;
    FakeWebSocket.instances.push(this);
  }
  send(data) { this.sent.push(JSON.parse(data)); }
  close(code, reason) { this.closedWith = { code, reason }; this.readyState = 3; }
  // server side
  open() { this.readyState = 1; this.onopen?.({}); }
  receive(msg) { this.onmessage?.({ data: typeof msg === 'string' ? msg : JSON.stringify(msg) }); }
  drop(code = 1006, reason = '') { this.readyState = 3; this.onclose?.({ code, reason }); }
  types() { return this.sent.map((m) => m.type); }
}

const welcome = { type: 'welcome', v: 1, peerId: 'p-1', secret: 's3cret', resumed: false, site: 'hq', streamId: 'tv', heartbeatMs: 15000, policy: { p2p: 'on', maxNeighbours: 6, uploadOnCellular: false, iceServers: [] } };
const hello = { stream: 'https://v/live.m3u8', sdk: '0.1.0', caps: { upload: true, network: 'ethernet', uploadKbps: 50000 } };

function setup(extra = {}) {
  FakeWebSocket.instances = [];
  const timers = new FakeTimers();
  const client = new SignalingClient({
    url: 'wss://a/ws', WebSocket: FakeWebSocket, hello, timers, now: () => timers.t, random: () => 0.5, ...extra,
  });
  const events = [];
  for (const t of ['open', 'welcome', 'neighbour', 'neighbour-gone', 'leaders', 'signal', 'policy', 'pong', 'error', 'disconnected']) {
    client.on(t, (p) => events.push([t, p]));
  }
  client.connect();
  const ws = () => FakeWebSocket.instances.at(-1);
  return { client, timers, events, ws };
}

test('sends hello on open and emits welcome', () => {
  const { client, ws, events } = setup();
  assert.equal(ws().url, 'wss://a/ws');
  ws().open();
  assert.deepEqual(ws().sent, [{ type: 'hello', v: 1, ...hello }]);
  ws().receive(welcome);
  assert.deepEqual(events.map((e) => e[0]), ['open', 'welcome']);
  assert.equal(client.peerId, 'p-1');
  assert.equal(client.joined, true);
});

test('with helloAfter the socket opens at once; without the appliance\'s ready hello waits for what helloAfter(null) returns', async () => {
  let settle;
  const asked = [];
  const fields = { ...hello, caps: { ...hello.caps } };
  const { ws, timers } = setup({ hello: fields, helloAfter: (ready) => { asked.push(ready); return new Promise((r) => { settle = r; }); } });
  assert.equal(FakeWebSocket.instances.length, 1, 'the socket is not held back');
  ws().open();
  assert.deepEqual(asked, [], 'asked only once ready came or was waited out');
  timers.advance(READY_WAIT_MS);
  assert.deepEqual(asked, [null]);
  await Promise.resolve();
  assert.deepEqual(ws().sent, [], 'no hello before the probe answered');
  fields.caps.mdns = true;
  settle();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(ws().types(), ['hello']);
  assert.equal(ws().sent[0].caps.mdns, true);
});

test('the appliance\'s ready is handed to helloAfter at once; nothing to wait for sends hello at once', async () => {
  const asked = [];
  const { ws, timers } = setup({ helloAfter: (ready) => { asked.push(ready); return ready.stun ? null : new Promise(() => {}); } });
  ws().open();
  ws().receive({ type: 'ready', v: 1, stun: true });
  assert.deepEqual(asked, [{ stun: true }]);
  assert.deepEqual(ws().types(), ['hello'], 'no probe to wait for with the STUN responder offered');
  timers.advance(READY_WAIT_MS);
  ws().receive({ type: 'ready', v: 1, stun: false });
  assert.equal(asked.length, 1, 'asked once');
  assert.deepEqual(ws().types(), ['hello']);
});

test('every socket asks helloAfter with its own ready; a socket lost while hello waits gets no hello', async () => {
  let settle;
  const pending = new Promise((r) => { settle = r; });
  let done = false;
  pending.then(() => { done = true; });
  const asked = [];
  // as the engine does: one probe, its answer reused, nothing to wait for once it settled or with STUN
  const { ws, timers } = setup({ helloAfter: (ready) => { asked.push(ready); return done || (ready && ready.stun) ? null : pending; } });
  const first = ws();
  first.open();
  first.receive({ type: 'ready', v: 1, stun: false });
  first.drop(1006);
  timers.advance(60_000);
  assert.notEqual(ws(), first, 'reconnected');
  ws().open();
  ws().receive({ type: 'ready', v: 1, stun: false });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(ws().sent, [], 'still waiting for the probe');
  settle();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(first.sent, [], 'nothing written to the dead socket');
  assert.deepEqual(ws().types(), ['hello']);
  assert.deepEqual(asked, [{ stun: false }, { stun: false }]);
  ws().drop(1006);
  timers.advance(60_000);
  ws().open();
  ws().receive({ type: 'ready', v: 1, stun: false });
  assert.deepEqual(ws().types(), ['hello'], 'once the answer is in, sent synchronously');
  assert.equal(asked.length, 3, 'asked on every socket');
});

test('a socket lost before its ready: the next socket waits for its own', () => {
  const asked = [];
  const { ws, timers } = setup({ helloAfter: (ready) => { asked.push(ready); return null; } });
  const first = ws();
  first.open();
  first.drop(1006);
  timers.advance(60_000);
  assert.deepEqual(asked, [], 'the lost socket\'s wait was dropped');
  ws().open();
  ws().receive({ type: 'ready', v: 1, stun: true });
  assert.deepEqual(asked, [{ stun: true }]);
  assert.deepEqual(ws().types(), ['hello']);
});

test('emits every server message type as an event', () => {
  const { ws, events } = setup();
  ws().open();
  const msgs = [
    welcome,
    { type: 'neighbour', peer: 'p-2', offer: true },
    { type: 'neighbour-gone', peer: 'p-2', reason: 'left' },
    { type: 'leaders', leaders: ['p-1', 'p-3'] },
    { type: 'signal', from: 'p-3', kind: 'offer', sdp: 'v=0' },
    { type: 'policy', policy: { p2p: 'off' } },
    { type: 'pong', t: 1, serverTime: 2 },
    { type: 'error', code: 'not_neighbour', message: 'x', ref: 'signal' },
    { type: 'something-new' },
  ];
  for (const m of msgs) ws().receive(m);
  assert.deepEqual(events.slice(1).map(([t, p]) => [t, p]), msgs.slice(0, -1).map((m) => [m.type, m]));
});

test('a frame that is not a JSON object with a type is reported locally, not thrown', () => {
  const { ws, events } = setup();
  ws().open();
  ws().receive('{nope');
  ws().receive('[1]');
  assert.deepEqual(events.filter((e) => e[0] === 'error').map((e) => e[1].code), ['bad_server_message', 'bad_server_message']);
});

test('pings every heartbeatMs, using the interval from welcome', () => {
  const { ws, timers } = setup({ heartbeatMs: 15000 });
  ws().open();
  timers.advance(15000);
  assert.deepEqual(ws().sent.at(-1), { type: 'ping', t: 15000 });
  ws().receive({ ...welcome, heartbeatMs: 5000 });
  const before = ws().sent.length;
  timers.advance(10000);
  assert.equal(ws().sent.length - before, 2);
  assert.deepEqual(ws().types().slice(-2), ['ping', 'ping']);
});

test('a silent socket is dropped after three heartbeats and reconnected', () => {
  const { ws, timers, events } = setup({ heartbeatMs: 1000 });
  ws().open();
  ws().receive({ ...welcome, heartbeatMs: 1000 });
  const first = ws();
  timers.advance(3000);
  assert.ok(first.closedWith, 'closed the dead socket');
  assert.deepEqual(events.at(-1), ['disconnected', { code: 4004, reason: 'heartbeat timeout', retryInMs: 750 }]);
  timers.advance(750);
  assert.notEqual(ws(), first);
});

test('reconnects with capped exponential backoff and jitter, resuming the peer id', () => {
  const { ws, timers, events } = setup();
  ws().open();
  ws().receive(welcome);
  const delays = [];
  for (let i = 0; i < 8; i++) {
    ws().drop(1006);
    delays.push(events.at(-1)[1].retryInMs);
    const count = FakeWebSocket.instances.length;
    timers.advance(delays.at(-1) - 1);
    assert.equal(FakeWebSocket.instances.length, count, 'not before the delay');
    timers.advance(1);
    assert.equal(FakeWebSocket.instances.length, count + 1);
  }
  // random() = 0.5: three quarters of 1, 2, 4 s, then of the 5 s cap of an outage's first two minutes
  assert.deepEqual(delays, [750, 1500, 3000, 3750, 3750, 3750, 3750, 3750]);
  ws().open();
  assert.deepEqual(ws().sent[0], { type: 'hello', v: 1, ...hello, resume: { peerId: 'p-1', secret: 's3cret' } });
  // a welcome resets the backoff
  ws().receive({ ...welcome, resumed: true });
  ws().drop(1001);
  assert.equal(events.at(-1)[1].retryInMs, 750);
});

test('an outage longer than two minutes backs off to 30 s; a welcome starts the next outage at the short cap', () => {
  const { ws, timers, events } = setup();
  ws().open();
  ws().receive(welcome);
  const lostAt = timers.t;
  const delays = [];
  // Attempts that fail (the appliance is away) until two minutes have passed since the loss.
  ws().drop(1006);
  for (;;) {
    const delay = events.at(-1)[1].retryInMs;
    delays.push(delay);
    if (timers.t - lostAt >= 120_000) break;
    assert.ok(delay <= 5000, `attempt ${delays.length} within 5 s of the previous one (${delay})`);
    timers.advance(delay);
    ws().drop(1006); // connection refused
  }
  // random() = 0.5: three quarters of the capped base, now 30 s
  assert.equal(delays.at(-1), 22500);
  timers.advance(delays.at(-1));
  ws().open();
  ws().receive({ ...welcome, resumed: true });
  ws().drop(1006);
  assert.equal(events.at(-1)[1].retryInMs, 750, 'a new outage starts from the minimum');
  for (let i = 0; i < 5; i++) {
    timers.advance(events.at(-1)[1].retryInMs);
    ws().drop(1006);
  }
  assert.equal(events.at(-1)[1].retryInMs, 3750, 'and is capped at 5 s again');
});

test('after a lost connection every retry of a viewer lies within 5 s of its previous one, spread by jitter', () => {
  // 200 viewers lose the appliance at the same instant; it answers again 27 s later. Each
  // reconnects within 5 s of that moment, and they do not arrive in one burst.
  const backAt = 27_000;
  const arrivals = [];
  for (let v = 0; v < 200; v++) {
    let seed = v + 1;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed - 1) / 2147483646;
    };
    const { ws, timers } = setup({ random });
    ws().open();
    ws().receive(welcome);
    ws().drop(1006);
    let count = FakeWebSocket.instances.length;
    while (timers.t < backAt) {
      timers.advance(100);
      if (FakeWebSocket.instances.length > count && timers.t < backAt) {
        ws().drop(1006); // still away
        count = FakeWebSocket.instances.length;
      }
    }
    while (FakeWebSocket.instances.length === count) timers.advance(100);
    arrivals.push(timers.t - backAt);
  }
  assert.ok(Math.max(...arrivals) <= 5000, `every viewer back within 5 s (${Math.max(...arrivals)} ms)`);
  // Spread: no half second of the window holds more than a fifth of them.
  const buckets = new Map();
  for (const a of arrivals) buckets.set(Math.floor(a / 500), (buckets.get(Math.floor(a / 500)) ?? 0) + 1);
  assert.ok(Math.max(...buckets.values()) <= 40, `arrivals per 500 ms: ${JSON.stringify([...buckets])}`);
});

test('move: the client leaves the draining appliance and reconnects to the same URL within the window, resuming', () => {
  const { ws, timers, events } = setup();
  ws().open();
  ws().receive(welcome);
  ws().drop(1006); // an earlier blip raised the backoff
  timers.advance(events.at(-1)[1].retryInMs);
  ws().open();
  ws().receive(welcome);
  const draining = ws();
  draining.receive({ type: 'move', reason: 'draining', withinMs: 4000 });
  assert.deepEqual(draining.closedWith, { code: 1000, reason: 'moving' });
  // random() = 0.5: half the window, not the backoff
  assert.equal(events.at(-1)[1].retryInMs, 2000);
  const count = FakeWebSocket.instances.length;
  draining.drop(1001); // the appliance's own close after move changes nothing
  timers.advance(1999);
  assert.equal(FakeWebSocket.instances.length, count);
  timers.advance(1);
  assert.equal(FakeWebSocket.instances.length, count + 1);
  assert.equal(ws().url, 'wss://a/ws');
  ws().open();
  assert.deepEqual(ws().sent[0].resume, { peerId: 'p-1', secret: 's3cret' });
});

test('backoff jitter spans the upper half of the capped base', () => {
  assert.equal(backoffMs(0, () => 0), 500);
  assert.equal(backoffMs(0, () => 0.999999), 1000);
  assert.equal(backoffMs(10, () => 0), 15000);
  assert.equal(backoffMs(10, () => 0.999999), 30000);
  assert.equal(backoffMs(1000, () => 0.5), 22500);
});

test('resume_failed forgets the old session; the new welcome gives a new id', () => {
  const { client, ws, timers } = setup();
  ws().open();
  ws().receive(welcome);
  ws().drop(1006);
  timers.advance(1000);
  ws().open();
  ws().receive({ type: 'error', code: 'resume_failed', message: 'expired' });
  ws().receive({ ...welcome, peerId: 'p-9', secret: 'new' });
  assert.equal(client.peerId, 'p-9');
  ws().drop(1006);
  timers.advance(1000);
  ws().open();
  assert.deepEqual(ws().sent[0].resume, { peerId: 'p-9', secret: 'new' });
});

test('policy and version closes are final', () => {
  for (const code of [1008, 4005]) {
    const { ws, timers, events } = setup();
    ws().open();
    ws().drop(code, 'origin');
    assert.deepEqual(events.at(-1), ['disconnected', { code, reason: 'origin', retryInMs: null }]);
    timers.advance(120000);
    assert.equal(FakeWebSocket.instances.length, 1);
  }
});

test('a constructor that throws is retried later', () => {
  let fail = true;
  class Flaky extends FakeWebSocket {
    constructor(url) { if (fail) throw new Error('blocked'); super(url); }
  }
  const { timers, events } = setup({ WebSocket: Flaky });
  assert.equal(events.at(-1)[0], 'disconnected');
  fail = false;
  timers.advance(750);
  assert.equal(FakeWebSocket.instances.length, 1);
});

test('send relays signals, failing and report only once joined', () => {
  const { client, ws } = setup();
  assert.equal(client.send({ to: 'p-2', kind: 'offer', sdp: 'v=0' }), false);
  ws().open();
  assert.equal(client.report({ httpBytes: 1 }), false, 'not before welcome');
  ws().receive(welcome);
  assert.equal(client.send({ to: 'p-2', kind: 'offer', sdp: 'v=0' }), true);
  assert.equal(client.send({ to: 'p-2', kind: 'candidate', candidate: { candidate: 'c', sdpMid: '0' } }), true);
  assert.equal(client.failing('p-2', 'integrity'), true);
  assert.equal(client.report({ httpBytes: 5, p2pBytes: 7 }), true);
  assert.deepEqual(ws().sent.slice(1), [
    { type: 'signal', to: 'p-2', kind: 'offer', sdp: 'v=0' },
    { type: 'signal', to: 'p-2', kind: 'candidate', candidate: { candidate: 'c', sdpMid: '0' } },
    { type: 'failing', peer: 'p-2', reason: 'integrity' },
    { type: 'report', httpBytes: 5, p2pBytes: 7 },
  ]);
});

test('close sends bye, closes normally, stops timers and never reconnects', () => {
  const { client, ws, timers } = setup();
  ws().open();
  ws().receive(welcome);
  const socket = ws();
  client.close();
  assert.equal(socket.sent.at(-1).type, 'bye');
  assert.deepEqual(socket.closedWith, { code: 1000, reason: 'bye' });
  assert.equal(timers.pending(), 0);
  socket.drop(1000);
  timers.advance(60000);
  assert.equal(FakeWebSocket.instances.length, 1);
  client.destroy(); // idempotent
});

test('close during a reconnect wait cancels the reconnect', () => {
  const { client, ws, timers } = setup();
  ws().open();
  ws().drop(1006);
  client.close();
  assert.equal(timers.pending(), 0);
  timers.advance(60000);
  assert.equal(FakeWebSocket.instances.length, 1);
});

test('a throwing listener does not break the others', () => {
  const { client, ws, events } = setup();
  const warn = console.warn;
  console.warn = () => {};
  try {
    client.on('welcome', () => { throw new Error('boom'); });
    ws().open();
    ws().receive(welcome);
  } finally {
    console.warn = warn;
  }
  assert.equal(events.filter((e) => e[0] === 'welcome').length, 1);
  assert.equal(client.joined, true);
});

/** base64 of a 32-byte hash whose bytes are all `fill`. */
const b64 = (fill) => Buffer.alloc(32, fill).toString('base64');

function joined(extra) {
  const t = setup(extra);
  t.ws().open();
  t.ws().receive(welcome);
  return t;
}

test('hash: asks with the segment URL and resolves with the answer matched by the echoed URL', async () => {
  const { client, ws } = joined();
  const a = client.hashFor('http://origin/live/a.ts?tok=1');
  const b = client.hashFor('http://origin/live/b.ts');
  assert.deepEqual(ws().sent.slice(1), [
    { type: 'hash', segment: 'http://origin/live/a.ts?tok=1' },
    { type: 'hash', segment: 'http://origin/live/b.ts' },
  ]);
  ws().receive({ type: 'hash', segment: 'http://origin/live/b.ts', error: 'not_found' });
  ws().receive({ type: 'hash', segment: 'http://origin/live/other.ts', sha256: b64(1), length: 5 });
  ws().receive({ type: 'hash', segment: 'http://origin/live/a.ts?tok=1', sha256: b64(7), length: 188000 });
  assert.deepEqual(await b, { error: 'not_found' });
  const answer = await a;
  assert.deepEqual([...answer.sha256], [...Buffer.alloc(32, 7)]);
  assert.equal(answer.length, 188000);
});

test('hash: byte ranges of one file are separate asks, each matched by the echoed range', async () => {
  const { client, ws } = joined();
  const init = client.hashFor('http://o/v.mp4', { first: 0, last: 771 });
  const media = client.hashFor('http://o/v.mp4', { first: 772, last: 51186 });
  assert.deepEqual(ws().sent.slice(1), [
    { type: 'hash', segment: 'http://o/v.mp4', range: '0-771' },
    { type: 'hash', segment: 'http://o/v.mp4', range: '772-51186' },
  ]);
  ws().receive({ type: 'hash', segment: 'http://o/v.mp4', sha256: b64(9), length: 99 });
  ws().receive({ type: 'hash', segment: 'http://o/v.mp4', range: '772-51186', sha256: b64(4), length: 50415 });
  ws().receive({ type: 'hash', segment: 'http://o/v.mp4', range: '0-771', sha256: b64(3), length: 772 });
  assert.equal((await init).length, 772, 'the answer without a range answered nothing asked');
  assert.equal((await media).length, 50415);
});

test('hash: asks for the same URL share one message and one answer', async () => {
  const { client, ws } = joined();
  const asks = [client.hashFor('http://o/s.ts'), client.hashFor('http://o/s.ts')];
  assert.equal(ws().sent.filter((m) => m.type === 'hash').length, 1);
  ws().receive({ type: 'hash', segment: 'http://o/s.ts', sha256: b64(2), length: 1 });
  const [x, y] = await Promise.all(asks);
  assert.equal(x, y);
});

test('hash: beyond 32 open asks the answer is busy at once and nothing is sent', async () => {
  const { client, ws } = joined();
  const open = [];
  for (let i = 0; i < MAX_HASH_ASKS; i++) open.push(client.hashFor(`http://o/${i}.ts`));
  assert.deepEqual(await client.hashFor('http://o/one-more.ts'), { error: 'busy' });
  assert.equal(ws().sent.filter((m) => m.type === 'hash').length, MAX_HASH_ASKS);
  ws().receive({ type: 'hash', segment: 'http://o/0.ts', error: 'busy' });
  await open[0];
  client.hashFor('http://o/now-there-is-room.ts');
  assert.equal(ws().sent.at(-1).segment, 'http://o/now-there-is-room.ts');
});

test('hash: no answer within the timeout is origin_unavailable; a dropped socket or no socket at all is disconnected', async () => {
  const { client, ws, timers } = joined({ hashTimeoutMs: 3000 });
  const slow = client.hashFor('http://o/slow.ts');
  timers.advance(2999);
  let settled = false;
  slow.then(() => { settled = true; });
  await Promise.resolve();
  assert.equal(settled, false);
  timers.advance(1);
  assert.deepEqual(await slow, { error: 'origin_unavailable' });
  ws().receive({ type: 'hash', segment: 'http://o/slow.ts', sha256: b64(3), length: 1 }); // too late: ignored

  const cut = client.hashFor('http://o/cut.ts');
  ws().drop(1006);
  assert.deepEqual(await cut, { error: 'disconnected' });
  assert.deepEqual(await client.hashFor('http://o/offline.ts'), { error: 'disconnected' }, 'not joined: nothing sent');
  assert.equal(timers.pending(), 1, 'only the reconnect timer: no hash timer left behind');
});

test('hash: a malformed answer is an error, never a hash', async () => {
  const bad = [
    { sha256: Buffer.alloc(31, 1).toString('base64'), length: 10 },
    { sha256: Buffer.alloc(33, 1).toString('base64'), length: 10 },
    { sha256: `${b64(1).slice(0, 42)}*=`, length: 10 },
    { sha256: Buffer.alloc(32, 255).toString('base64url'), length: 10 },
    { sha256: b64(1) },
    { sha256: b64(1), length: -1 },
    { sha256: b64(1), length: 1.5 },
    { sha256: b64(1), length: '10' },
    { sha256: [1, 2, 3], length: 10 },
    { error: 'teapot' },
    { error: 'not_found', sha256: b64(1), length: 10 },
  ];
  const { client, ws } = joined();
  for (const [i, fields] of bad.entries()) {
    const url = `http://o/${i}.ts`;
    const ask = client.hashFor(url);
    ws().receive({ type: 'hash', segment: url, ...fields });
    assert.deepEqual(await ask, { error: 'malformed' }, JSON.stringify(fields));
  }
  assert.equal(decodeSha256(b64(255)).length, 32);
  assert.equal(decodeSha256(b64(255).slice(0, 43)).length, 32, 'padding may be left out');
});

test('failing carries the segment of an integrity report when given', () => {
  const { client, ws } = joined();
  client.failing('p-2', 'integrity', 'http://o/s.ts');
  client.failing('p-3', 'timeout');
  client.failing('p-4', 'integrity', 'x'.repeat(2049));
  assert.deepEqual(ws().sent.slice(1), [
    { type: 'failing', peer: 'p-2', reason: 'integrity', segment: 'http://o/s.ts' },
    { type: 'failing', peer: 'p-3', reason: 'timeout' },
    { type: 'failing', peer: 'p-4', reason: 'integrity' },
  ]);
});
