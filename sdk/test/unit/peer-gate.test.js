import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_MAX_HOLD_MS, DEFAULT_STAGGER_MS, MAX_HELD_SIGNALS, PeerGate } from '../../src/core/peer-gate.js';
import { Engine } from '../../src/core/engine.js';
import { PlayerSession } from '../../src/core/player-session.js';
import { FakeSignaling, FakeTimers, runClockUntil, settle } from './fakes.js';

function gate({ holding = true } = {}) {
  const timers = new FakeTimers();
  const connected = [];
  const g = new PeerGate({ holding, timers, now: timers.now, connect: (n, signals) => connected.push({ id: n.peer, at: timers.t, signals }) });
  return { g, timers, connected };
}

test('an open gate lets a neighbour connect at once', () => {
  const { g, connected } = gate({ holding: false });
  assert.equal(g.hold({ peer: 'p-a' }), false);
  assert.equal(g.isOpen, true);
  assert.equal(g.openedBy, 'open');
  assert.deepEqual(connected, []);
});

test('a holding gate keeps neighbours and their signals until the player starts, then connects them one at a time', () => {
  const { g, timers, connected } = gate();
  assert.equal(g.hold({ peer: 'p-a', offer: false }), true);
  assert.equal(g.hold({ peer: 'p-b', offer: true }), true);
  assert.equal(g.signal({ from: 'p-a', kind: 'offer', sdp: 'v=0' }), true);
  assert.equal(g.signal({ from: 'p-a', kind: 'candidate', candidate: { candidate: 'c' } }), true);
  assert.equal(g.signal({ from: 'p-z', kind: 'offer', sdp: 'v=0' }), false, 'not held: the caller routes it');
  timers.advance(1000);
  assert.deepEqual(connected, [], 'nothing connects while the player starts');
  g.open('started');
  assert.equal(g.openedBy, 'started');
  assert.equal(g.openedAtMs, 1000);
  assert.deepEqual(connected.map((c) => [c.id, c.at]), [['p-a', 1000]]);
  assert.deepEqual(connected[0].signals.map((m) => m.kind), ['offer', 'candidate'], 'signals handed over in order');
  timers.advance(DEFAULT_STAGGER_MS);
  assert.deepEqual(connected.map((c) => [c.id, c.at]), [['p-a', 1000], ['p-b', 1000 + DEFAULT_STAGGER_MS]]);
  assert.equal(g.hold({ peer: 'p-c' }), false, 'once drained, new neighbours connect at once');
  g.open('started');
  assert.equal(g.openedBy, 'started', 'opening again changes nothing');
});

test('held neighbours connect at the latest when the hold runs out, inside the other side\'s connect timeout', () => {
  const { g, timers, connected } = gate();
  timers.advance(700);
  g.hold({ peer: 'p-a' });
  timers.advance(DEFAULT_MAX_HOLD_MS - 1);
  assert.equal(connected.length, 0);
  timers.advance(1);
  assert.deepEqual(connected.map((c) => [c.id, c.at]), [['p-a', 700 + DEFAULT_MAX_HOLD_MS]]);
  assert.equal(g.openedBy, 'timeout');
  assert.ok(DEFAULT_MAX_HOLD_MS < 5000, 'below peer.js DEFAULT_CONNECT_TIMEOUT_MS');
});

test('a neighbour that left, or was handed again, is not connected twice; a flood of signals is capped', () => {
  const { g, timers, connected } = gate();
  g.hold({ peer: 'p-a' });
  g.hold({ peer: 'p-b' });
  g.signal({ from: 'p-b', kind: 'offer', sdp: 'old' });
  g.hold({ peer: 'p-b', offer: true });
  for (let i = 0; i < MAX_HELD_SIGNALS + 10; i++) g.signal({ from: 'p-b', kind: 'candidate', candidate: { candidate: `c${i}` } });
  g.drop('p-a');
  g.open('started');
  timers.advance(10 * DEFAULT_STAGGER_MS);
  assert.deepEqual(connected.map((c) => c.id), ['p-b']);
  assert.equal(connected[0].signals.length, MAX_HELD_SIGNALS);
  assert.equal(connected[0].signals[0].kind, 'candidate', 'the old connection\'s offer was dropped with it');
  g.hold({ peer: 'p-c' });
  g.clear();
  g.destroy();
  assert.equal(timers.pending(), 0);
});

/** An engine whose neighbours are recorded stand-ins (what was created and what each was handed). */
function engineWith({ hold = true } = {}) {
  const timers = new FakeTimers();
  let signaling;
  const created = [];
  const engine = new Engine({
    signalingUrl: 'ws://appliance.test/ws', stream: 'http://origin.test/live/master.m3u8',
    WebSocket: function WS() {}, RTCPeerConnection: function PC() {}, timers, now: timers.now,
    probeMdns: async () => false, holdPeersUntilStarted: hold,
    createSignaling: (o) => (signaling = new FakeSignaling(o)),
    createPeer: (o) => {
      const p = { id: o.id, offer: o.offer, signals: [], isOpen: false, handleSignal(m) { this.signals.push(m.kind); }, close() { this.closed = true; } };
      created.push(p);
      return p;
    },
  });
  engine.start();
  return { engine, timers, created, signaling: () => signaling };
}

test('the engine holds its neighbours while the player starts and connects them once it plays', async () => {
  const { engine, created, signaling } = engineWith();
  await settle();
  signaling().welcome('p-self');
  signaling().emit('neighbour', { type: 'neighbour', peer: 'p-a', offer: false });
  signaling().emit('signal', { type: 'signal', from: 'p-a', kind: 'offer', sdp: 'v=0' });
  assert.equal(created.length, 0);
  assert.equal(engine.stats().peerGate, null);
  engine.playerStarted();
  assert.deepEqual(created.map((p) => [p.id, p.offer, p.signals]), [['p-a', false, ['offer']]]);
  signaling().emit('signal', { type: 'signal', from: 'p-a', kind: 'candidate', candidate: { candidate: 'c' } });
  assert.deepEqual(created[0].signals, ['offer', 'candidate'], 'later signals go to the connection');
  assert.equal(engine.stats().peerGate, 'started');
  engine.destroy();
});

test('on a congested site the engine connects its neighbours at once: the LAN serves the first fragments', async () => {
  const { engine, created, signaling } = engineWith();
  await settle();
  signaling().welcome('p-self', { siteHttpKbps: 2500 });
  signaling().emit('neighbour', { type: 'neighbour', peer: 'p-a', offer: true });
  assert.deepEqual(created.map((p) => p.id), ['p-a']);
  assert.equal(engine.stats().peerGate, 'congested');
  engine.destroy();
});

test('a fast site keeps the hold; a fetch that takes a good part of the segment opens it', async () => {
  const { engine, created, signaling, timers } = engineWith();
  await settle();
  signaling().welcome('p-self', { siteHttpKbps: 200_000 });
  signaling().emit('neighbour', { type: 'neighbour', peer: 'p-a', offer: true });
  assert.equal(created.length, 0);
  const bytes = new Uint8Array(500_000);
  // 500 kB at 200 Mbit/s is 20 ms: the link is not the problem, the gate stays.
  await engine.loadSegment({ url: 'http://origin.test/live/a.ts', live: true, bufferS: 0, durationS: 2, sizeBytes: bytes.length,
    httpLoad: async () => ({ bytes, requestedAt: 0, firstByteAt: 0, deliveredAt: 20 }) });
  assert.equal(created.length, 0);
  // The viewer's own fetches now say 1.5 s for the next segment of 2 s.
  engine.scheduler.samples.length = 0;
  engine.scheduler.recordHttp({ bytes: bytes.length, ms: 1500, durationS: 2 });
  let fetched = false;
  const loading = engine.loadSegment({ url: 'http://origin.test/live/b.ts', live: true, bufferS: 0, durationS: 2, sizeBytes: bytes.length,
    httpLoad: async () => { fetched = true; return { bytes, requestedAt: 0, firstByteAt: 0, deliveredAt: 1500 }; } });
  await settle();
  assert.deepEqual(created.map((p) => p.id), ['p-a']);
  assert.equal(engine.stats().peerGate, 'congested');
  // The neighbour it just connected holds the live window: it gets half an HTTP time to open and announce.
  const t0 = timers.t;
  const at = await runClockUntil(timers, () => fetched, { what: 'the HTTP fetch', maxMs: t0 + 5000 });
  assert.ok(at - t0 >= 750 && at - t0 < 800, `HTTP after ${at - t0} ms of fake time`);
  await loading;
  engine.destroy();
});

test('a VOD player that has not played takes its fragments over HTTP; once it plays, a fragment waits for the connecting colleague', async () => {
  const { engine, created, signaling, timers } = engineWith();
  await settle();
  signaling().welcome('p-self');
  signaling().emit('neighbour', { type: 'neighbour', peer: 'p-a', offer: true });
  const bytes = new Uint8Array(80_000);
  let fetched = 0;
  const load = (name) => engine.loadSegment({ url: `http://origin.test/vod/${name}.ts`, live: false, bufferS: 6, durationS: 2,
    httpLoad: async () => { fetched++; return { bytes, requestedAt: 0, firstByteAt: 0, deliveredAt: 40 }; } });
  await load('1');
  assert.equal(fetched, 1, 'before playing: HTTP at once, although 6 s of buffer would allow a wait');
  assert.equal(created.length, 0, 'and the colleague is still held');
  engine.playerStarted();
  assert.deepEqual(created.map((p) => p.id), ['p-a']);
  const second = load('2');
  await settle();
  assert.equal(fetched, 1, 'playing: it waits for p-a to open and announce');
  const t0 = timers.t;
  const at = await runClockUntil(timers, () => fetched === 2, { what: 'the HTTP fetch', maxMs: t0 + 5000 });
  assert.ok(at - t0 >= 1500 && at - t0 < 1550, `HTTP after ${at - t0} ms of fake time`);
  await second;
  engine.destroy();
});

test('a neighbour gone while held is never connected; a rejoin forgets the held ones', async () => {
  const { engine, created, signaling } = engineWith();
  await settle();
  signaling().welcome('p-self');
  signaling().emit('neighbour', { type: 'neighbour', peer: 'p-a', offer: true });
  signaling().emit('neighbour', { type: 'neighbour', peer: 'p-b', offer: true });
  signaling().emit('neighbour-gone', { type: 'neighbour-gone', peer: 'p-a', reason: 'left' });
  signaling().welcome('p-self');
  signaling().emit('neighbour', { type: 'neighbour', peer: 'p-c', offer: true });
  engine.playerStarted();
  assert.deepEqual(created.map((p) => p.id), ['p-c']);
  engine.destroy();
});

test('an engine without a player to wait for connects at once (the default)', async () => {
  const { engine, created, signaling } = engineWith({ hold: false });
  await settle();
  signaling().welcome('p-self');
  signaling().emit('neighbour', { type: 'neighbour', peer: 'p-a', offer: true });
  assert.deepEqual(created.map((p) => p.id), ['p-a']);
  assert.equal(engine.stats().peerGate, 'open');
  engine.destroy();
});

test('a player session holds its engine\'s neighbours until the media element plays, and not on a later source', () => {
  const listeners = new Map();
  const media = { addEventListener: (t, fn) => listeners.set(t, [...(listeners.get(t) ?? []), fn]), removeEventListener() {} };
  const runtime = {
    enabled: true, env: { WebSocket: function WS() {}, RTCPeerConnection: function PC() {} }, config: {},
    signalingUrl: 'ws://appliance.test/ws', version: '0', log: () => {}, unregister() {},
  };
  const session = new PlayerSession(runtime);
  session.attachMedia(media);
  session.startEngine('http://origin.test/live/a.m3u8', { probeMdns: async () => false, createSignaling: (o) => new FakeSignaling(o) });
  assert.equal(session.engineRef.gate.isOpen, false);
  for (const fn of listeners.get('playing')) fn();
  assert.equal(session.engineRef.gate.isOpen, true);
  assert.equal(session.engineRef.gate.openedBy, 'started');
  session.startEngine('http://origin.test/live/b.m3u8', { probeMdns: async () => false, createSignaling: (o) => new FakeSignaling(o) });
  assert.equal(session.engineRef.gate.isOpen, true, 'a player already playing does not hold a new stream\'s neighbours');
  session.destroy();
});

test('a starting live player asking for a segment behind its first ones waits for the held colleague, connected once it plays', async () => {
  const { engine, created, signaling, timers } = engineWith();
  await settle();
  signaling().welcome('p-self');
  signaling().emit('neighbour', { type: 'neighbour', peer: 'p-a', offer: true });
  const pending = [];
  const load = (n) => engine.loadSegment({ url: `http://origin.test/live/seg${n}.ts`, live: true, bufferS: 0, durationS: 2, sequence: n, track: 'v',
    httpLoad: () => new Promise((resolve) => pending.push({ n, resolve })) });
  const first = [1, 2, 3].map(load);
  await settle();
  assert.deepEqual(pending.map((p) => p.n), [1, 2, 3], 'the first fragments go over HTTP at once');
  const fourth = load(4);
  await settle();
  assert.deepEqual(pending.map((p) => p.n), [1, 2, 3], 'three segments on their way leave time to wait for the fourth');
  assert.equal(created.length, 0, 'the colleague is still held: connecting now would compete with the start');
  engine.playerStarted();
  assert.deepEqual(created.map((p) => p.id), ['p-a']);
  await runClockUntil(timers, () => pending.length === 4, { what: 'the HTTP fetch', maxMs: timers.t + 5000 });
  for (const p of pending) p.resolve({ bytes: new Uint8Array(1000), requestedAt: 0, firstByteAt: 0, deliveredAt: 40 });
  await Promise.all([...first, fourth]);
  engine.destroy();
});
