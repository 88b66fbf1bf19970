// What the engine keeps per neighbour (core/neighbours.js, the ban list core/integrity-verdict.js)
// in a long event with churn: many neighbours are handed to a viewer and taken away again, and
// every record of them must go with them, or stay bounded where it must outlive them (the ban
// list, the stats' totals).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IntegrityVerdict, MAX_BANNED } from '../../src/core/integrity-verdict.js';
import { MAX_LEFT_TOTALS, Neighbours } from '../../src/core/neighbours.js';
import { PeerGate } from '../../src/core/peer-gate.js';
import { Renditions } from '../../src/core/renditions.js';
import { QoeReporter } from '../../src/core/qoe.js';
import { SegmentStore } from '../../src/core/segment-store.js';
import { UploadMeter } from '../../src/core/upload-meter.js';
import { FakeTimers, POLICY_ON } from './fakes.js';

/** A connection that opens at once and closes when told to, telling its hooks as peer.js does. */
class StubPeer {
  constructor({ id, hooks, fetching }) {
    this.id = id;
    this.hooks = hooks;
    this.tellsFetching = fetching;
    this.isOpen = true;
    this.announced = true;
  }
  handleSignal() {}
  holds() { return false; }
  announcedAt(id) { return this.times?.[id]; }
  announce() {}
  close(reason) {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.hooks.onClose(this, reason);
  }
}

/** Neighbours of a joined viewer whose connections are StubPeers; the session facts are a plain object. */
function joined() {
  const timers = new FakeTimers();
  const failings = [];
  const engine = {
    enabled: true, destroyed: false, selfId: 'p-self', renditions: new Renditions({ send: () => false }), policy: POLICY_ON, uploadAllowedByPage: true,
    signaling: { failing: (peer, reason, segment) => failings.push({ peer, reason, segment }) },
  };
  const reports = [];
  const qoe = new QoeReporter({ send: (body) => reports.push(body) > 0, now: timers.now, timers });
  const verdict = new IntegrityVerdict({ signaling: () => engine.signaling, qoe, now: timers.now, log: () => {} });
  const neighbours = new Neighbours({
    engine, store: new SegmentStore(), qoe, uploadMeter: new UploadMeter({ now: timers.now }), verdict,
    gate: new PeerGate({ connect: (m, signals) => neighbours.connect(m, signals), timers, now: timers.now }),
    createPeer: (o) => new StubPeer(o), RTCPeerConnection: function PC() {}, timers, now: timers.now, log: () => {},
    onOpen: () => {}, onHave: () => {}, onUploadCapacity: () => {},
  });
  return { neighbours, verdict, timers, failings, reports };
}

const REASONS = ['left', 'failing', 'policy', 'rebalanced'];
const CHURN = MAX_LEFT_TOTALS + MAX_BANNED + 100;

/** `count` neighbours, one after another: each is handed over, `meanwhile(id)` happens, and it is taken away. */
function churn(neighbours, count, meanwhile) {
  for (let i = 0; i < count; i++) {
    const id = `p-${i}`;
    neighbours.add({ type: 'neighbour', peer: id, site: `site-${i % 3}`, offer: true });
    meanwhile(id, i);
    neighbours.gone({ type: 'neighbour-gone', peer: id, reason: REASONS[i % REASONS.length] });
  }
}

test('a neighbour separated as failing before its channel ever opened failed to connect: with none open the appliance is told at once', () => {
  const { neighbours, reports } = joined();
  neighbours.add({ peer: 'p-a', offer: true });
  neighbours.add({ peer: 'p-b', offer: true });
  neighbours.peers.get('p-a').openedAtMs = 5;
  neighbours.gone({ peer: 'p-b', reason: 'failing' });
  assert.equal(reports.length, 0, 'p-a is open');
  neighbours.gone({ peer: 'p-a', reason: 'left' });
  assert.equal(reports.length, 0, 'a neighbour that left is no failed connection');
  neighbours.add({ peer: 'p-c', offer: true });
  neighbours.peers.get('p-c').openedAtMs = 7;
  neighbours.gone({ peer: 'p-c', reason: 'failing' });
  assert.equal(reports.length, 0, 'p-c had opened: its neighbour reported its transfers, not a connection');
  neighbours.add({ peer: 'p-d', offer: true });
  neighbours.gone({ peer: 'p-d', reason: 'failing' });
  assert.deepEqual(reports.map((r) => r.neighbours), [0]);
  neighbours.add({ peer: 'p-e', offer: true });
  const e = neighbours.peers.get('p-e');
  e.hooks.onOpen(e);
  assert.deepEqual(reports.map((r) => r.neighbours), [0, 1], 'the next channel to open is told at once');
});

test('a neighbour taken away takes its site with it; a rejoin forgets every site', () => {
  const { neighbours } = joined();
  neighbours.add({ type: 'neighbour', peer: 'p-stays', site: 'hq', offer: true });
  churn(neighbours, CHURN, (id) => neighbours.received(id, 1000));
  assert.deepEqual([...neighbours.sites], [['p-stays', 'hq']]);
  assert.equal(neighbours.bytesBySite['site-0'] + neighbours.bytesBySite['site-1'] + neighbours.bytesBySite['site-2'], CHURN * 1000,
    'their bytes still count for their sites');
  neighbours.closeAll();
  assert.equal(neighbours.sites.size, 0);
  neighbours.add({ type: 'neighbour', peer: 'p-stays', site: 'hq', offer: true });
  assert.equal(neighbours.sites.get('p-stays'), 'hq', 'the appliance names the site again when it hands the neighbour back');
});

test('a neighbour that answered busy and was taken away leaves no back-off behind', () => {
  const { neighbours } = joined();
  neighbours.add({ type: 'neighbour', peer: 'p-stays', offer: true });
  churn(neighbours, CHURN, (id) => neighbours.countFailure(id, { fail: 'busy' }));
  neighbours.countFailure('p-stays', { fail: 'busy' });
  assert.deepEqual([...neighbours.busyUntil.keys()], ['p-stays']);
  assert.equal(neighbours.busyEnds(0).length, 1, 'only the back-off of a neighbour still there delays a wait');
  neighbours.closeAll();
  assert.equal(neighbours.busyUntil.size, 0);
});

test('a neighbour that stalled once and was taken away leaves no stall count behind', () => {
  const { neighbours, failings } = joined();
  churn(neighbours, CHURN, (id) => neighbours.countFailure(id, { fail: 'idle' }));
  assert.equal(neighbours.peerTimeouts.size, 0);
  assert.deepEqual(failings, [], 'one stall each: nobody reported');
  neighbours.add({ type: 'neighbour', peer: 'p-a', offer: true });
  neighbours.countFailure('p-a', { fail: 'idle' });
  neighbours.closeAll();
  assert.equal(neighbours.peerTimeouts.size, 0, 'a rejoin forgets the counts too');
});

test('the received-bytes totals of neighbours that left are kept for the last MAX_LEFT_TOTALS of them, those still there always', () => {
  const { neighbours } = joined();
  neighbours.add({ type: 'neighbour', peer: 'p-stays', offer: true });
  neighbours.received('p-stays', 7);
  churn(neighbours, CHURN, (id, i) => neighbours.received(id, i + 1));
  assert.equal(neighbours.bytesByPeer.size, MAX_LEFT_TOTALS + 1);
  assert.equal(neighbours.bytesByPeer.get('p-stays'), 7, 'a neighbour still there keeps its total, however early it came');
  assert.equal(neighbours.bytesByPeer.get(`p-${CHURN - 1}`), CHURN, 'the latest to leave are kept');
  assert.equal(neighbours.bytesByPeer.has(`p-${CHURN - 1 - MAX_LEFT_TOTALS}`), false, 'the earliest to leave are dropped');
  neighbours.closeAll();
  assert.equal(neighbours.bytesByPeer.size, MAX_LEFT_TOTALS, 'a rejoin counts every neighbour as gone');
  assert.equal(neighbours.bytesByPeer.get('p-stays'), 7);
});

test('the ban list outlives the neighbours it names, bounded to the latest MAX_BANNED', () => {
  const { neighbours, verdict, failings } = joined();
  churn(neighbours, CHURN, (id, i) => {
    if (i % 2 === 0) neighbours.countFailure(id, { fail: 'integrity', segment: 'http://origin.test/s.ts' });
    else neighbours.gone({ type: 'neighbour-gone', peer: id, reason: 'barred' });
  });
  assert.equal(failings.length, CHURN / 2, 'every liar is reported');
  assert.equal(verdict.banned.size, MAX_BANNED);
  const latest = `p-${CHURN - 1}`;
  neighbours.add({ type: 'neighbour', peer: latest, offer: true });
  assert.equal(neighbours.peers.has(latest), false, 'a banned neighbour handed back is not connected');
  neighbours.add({ type: 'neighbour', peer: 'p-0', offer: true });
  assert.equal(neighbours.peers.has('p-0'), true, 'the earliest ban is forgotten: its bytes are still checked against the hash');
  neighbours.closeAll();
  assert.equal(verdict.banned.size, MAX_BANNED, 'a rejoin keeps the bans');
});

test('announcedBefore: the latest time an open, unbanned neighbour announced a segment before a given time', () => {
  const { neighbours, verdict } = joined();
  for (const id of ['p-a', 'p-b', 'p-c', 'p-d']) neighbours.add({ type: 'neighbour', peer: id, site: 'site-0', offer: true });
  const peer = (id) => neighbours.peers.get(id);
  peer('p-a').times = { 'v/1.ts': 1000 };
  peer('p-b').times = { 'v/1.ts': 1200 };
  peer('p-c').times = { 'v/1.ts': 1500 }; // got it after this viewer did: behind, not ahead
  peer('p-d').times = { 'v/1.ts': 1300 };
  peer('p-d').isOpen = false;
  assert.equal(neighbours.announcedBefore('v/1.ts', 1400), 1200);
  assert.equal(neighbours.announcedBefore('v/1.ts', 1000), undefined, 'strictly before');
  assert.equal(neighbours.announcedBefore('v/2.ts', 1400), undefined);
  verdict.ban('p-b');
  assert.equal(neighbours.announcedBefore('v/1.ts', 1400), 1000, 'a banned neighbour says nothing');
});

test('a neighbour\'s fetch claims are kept until it announces the segment or leaves, and wake only when new', () => {
  const fetching = [];
  const { neighbours } = joined();
  neighbours.onFetching = (ids) => fetching.push(...ids);
  for (const id of ['p-a', 'p-b']) neighbours.add({ type: 'neighbour', peer: id, site: 'site-0', offer: true, fetching: true });
  const hooks = neighbours.peers.get('p-a').hooks;
  const a = neighbours.peers.get('p-a');
  hooks.onFetching(a, ['s1', 's2']);
  hooks.onFetching(a, ['s1']);
  hooks.onFetching(neighbours.peers.get('p-b'), ['s2', 's3']);
  assert.deepEqual(fetching, ['s1', 's2', 's3'], 'a repeated claim, or a second one on a segment, wakes nobody');
  assert.equal(typeof neighbours.fetchingSince('s1'), 'number');
  hooks.onHave(a, ['s1'], false);
  assert.equal(neighbours.fetchingSince('s1'), undefined, 'announced: no fetch to wait for');
  const b = neighbours.peers.get('p-b');
  b.isOpen = false;
  assert.equal(neighbours.fetchingSince('s3'), undefined, 'a closed channel cannot serve the copy');
  assert.equal(typeof neighbours.fetchingSince('s2'), 'number', 'the other neighbour\'s claim stands');
  b.isOpen = true;
  for (const id of ['p-a', 'p-b']) neighbours.gone({ type: 'neighbour-gone', peer: id, reason: 'left' });
  assert.equal(neighbours.fetchingSince('s2'), undefined);
  assert.equal(neighbours.claims.open.size, 0);
});

test('an HTTP fetch is told to the open neighbours, with whether each understands it', () => {
  const { neighbours } = joined();
  neighbours.add({ type: 'neighbour', peer: 'p-new', site: 'site-0', offer: true, fetching: true });
  neighbours.add({ type: 'neighbour', peer: 'p-old', site: 'site-0', offer: true });
  const told = [];
  for (const p of neighbours.peers.values()) p.fetching = (ids) => told.push([p.id, ids, p.tellsFetching]);
  neighbours.tellFetching('s3');
  assert.deepEqual(told.sort(), [['p-new', ['s3'], true], ['p-old', ['s3'], false]]);
});

test('a neighbour whose channel opens while fetches are under way is told them, and only those still under way', () => {
  const { neighbours } = joined();
  neighbours.tellFetching('s1');
  neighbours.tellFetching('s2');
  neighbours.tellFetching('s3');
  neighbours.fetchEnded('s1');
  const told = [];
  const opens = (id) => {
    neighbours.add({ type: 'neighbour', peer: id, site: 'site-0', offer: true, fetching: true });
    const peer = neighbours.peers.get(id);
    peer.fetching = (ids) => told.push([id, ids]);
    peer.hooks.onOpen(peer);
  };
  opens('p-late');
  neighbours.fetchEnded('s2');
  neighbours.fetchEnded('s3');
  opens('p-later');
  assert.deepEqual(told, [['p-late', ['s2', 's3']]]);
  // However many fetches were started and never ended, an opening neighbour is told a bounded few.
  for (const id of ['p-late', 'p-later']) neighbours.gone({ type: 'neighbour-gone', peer: id, reason: 'left' });
  for (let i = 0; i < 100; i++) neighbours.tellFetching(`x${i}`);
  opens('p-last');
  assert.equal(told.length, 2);
  assert.equal(told[1][1].length, 16);
  assert.equal(told[1][1][15], 'x99', 'the latest fetches are the ones kept');
});
