import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QoeReporter } from '../../src/core/qoe.js';
import { FakeTimers } from './fakes.js';

function setup({ accept = () => true } = {}) {
  const timers = new FakeTimers();
  const sent = [];
  const q = new QoeReporter({ send: (b) => { const ok = accept(b); if (ok) sent.push(b); return ok; }, now: () => timers.t, timers });
  q.start();
  return { q, timers, sent };
}

const noFailures = { timeout: 0, integrity: 0, gone: 0, noHolder: 0, policy: 0, unverified: 0, paused: 0 };

test('reports every 10 s with the counters since the previous report', () => {
  const { q, timers, sent } = setup();
  q.setWatching(true);
  q.addHttpBytes(1000);
  q.addP2pBytes(3000);
  q.addUploadedBytes(500);
  q.setLevel(2, 1200.4);
  q.setNeighbours(3);
  q.addFailure('timeout');
  timers.advance(9999);
  assert.equal(sent.length, 0);
  timers.advance(1);
  assert.deepEqual(sent[0], {
    httpBytes: 1000, p2pBytes: 3000, uploadedBytes: 500, stalls: 0, stallMs: 0, watchMs: 10000,
    level: 2, bitrateKbps: 1200, neighbours: 3, failures: { ...noFailures, timeout: 1 },
  });
  q.addP2pBytes(10);
  timers.advance(10000);
  assert.deepEqual(sent[1], {
    httpBytes: 0, p2pBytes: 10, uploadedBytes: 0, stalls: 0, stallMs: 0, watchMs: 10000,
    level: 2, bitrateKbps: 1200, neighbours: 3, failures: noFailures,
  });
});

test('a pairing that failed to connect and left no channel open is reported at once, and so is the next channel that opens', () => {
  const { q, sent } = setup();
  q.setNeighbours(1);
  q.setNeighbours(0);
  assert.equal(sent.length, 0, 'a neighbour that left says nothing of this viewer');
  q.setNeighbours(1, true);
  assert.equal(sent.length, 0, 'one failed, another is open');
  q.setNeighbours(0, true);
  assert.deepEqual(sent.map((r) => r.neighbours), [0]);
  q.setNeighbours(0, true);
  assert.equal(sent.length, 1, 'told once');
  q.setNeighbours(1);
  assert.deepEqual(sent.map((r) => r.neighbours), [0, 1]);
  q.setNeighbours(2);
  q.setNeighbours(0, true);
  assert.deepEqual(sent.map((r) => r.neighbours), [0, 1, 0], 'and again after it reached one');
});

test('an early report of no channel open that could not be sent is tried again at the next failure', () => {
  let up = false;
  const { q, sent } = setup({ accept: () => up });
  q.setNeighbours(0, true);
  up = true;
  q.setNeighbours(1);
  assert.equal(sent.length, 0, 'nothing was told, so an open channel needs no report');
  q.setNeighbours(0, true);
  assert.deepEqual(sent.map((r) => r.neighbours), [0]);
});

test('startupMs goes in the first report after it is known, and only once', () => {
  const { q, timers, sent } = setup();
  timers.advance(10000);
  assert.equal('startupMs' in sent[0], false);
  q.setStartup(812.6);
  q.setStartup(5000); // later calls do not count
  timers.advance(10000);
  assert.equal(sent[1].startupMs, 813);
  timers.advance(10000);
  assert.equal('startupMs' in sent[2], false);
});

test('stalls are counted when they start and their time split across reports', () => {
  const { q, timers, sent } = setup();
  timers.advance(8000);
  q.stallStarted();
  q.stallStarted(); // same stall
  timers.advance(2000);
  timers.advance(1500);
  q.stallEnded();
  q.stallEnded();
  timers.advance(8500);
  assert.deepEqual([sent[0].stalls, sent[0].stallMs], [1, 2000]);
  assert.deepEqual([sent[1].stalls, sent[1].stallMs], [0, 1500]);
  assert.equal(q.stats().stallMs, 3500);
  assert.equal(q.stats().stalls, 1);
});

test('watch time only accrues while watching', () => {
  const { q, timers, sent } = setup();
  q.setWatching(true);
  timers.advance(4000);
  q.setWatching(false);
  timers.advance(6000);
  assert.equal(sent[0].watchMs, 4000);
});

test('a report that cannot be sent is merged into the next one', () => {
  let up = false;
  const { q, timers, sent } = setup({ accept: () => up });
  q.addHttpBytes(100);
  q.addFailure('integrity');
  q.setStartup(500);
  timers.advance(10000);
  assert.equal(sent.length, 0);
  q.addHttpBytes(50);
  up = true;
  timers.advance(10000);
  assert.equal(sent[0].httpBytes, 150);
  assert.equal(sent[0].failures.integrity, 1);
  assert.equal(sent[0].startupMs, 500);
});

test('a throwing send is treated like a refused one', () => {
  const q = new QoeReporter({ send: () => { throw new Error('closed'); }, timers: new FakeTimers() });
  q.addP2pBytes(5);
  assert.equal(q.flush(), null);
  assert.equal(q.body().p2pBytes, 5);
});

test('every report field is a non-negative integer', () => {
  const { q, timers, sent } = setup();
  q.addHttpBytes(-5);
  q.addHttpBytes(NaN);
  q.setLevel(-1, -3);
  q.setNeighbours(-2);
  timers.advance(10000);
  const check = (o) => {
    for (const v of Object.values(o)) {
      if (typeof v === 'object') check(v);
      else assert.ok(Number.isInteger(v) && v >= 0, `${v}`);
    }
  };
  check(sent[0]);
  assert.throws(() => q.addFailure('nope'), RangeError);
});

test('stats() gives totals for swarmgate.stats()', () => {
  const { q, timers } = setup();
  q.addHttpBytes(1000);
  q.addP2pBytes(3000);
  timers.advance(10000); // a report resets the since-last counters, not the totals
  q.addP2pBytes(1000);
  q.addUploadedBytes(7);
  q.setNeighbours(4);
  q.setStartup(600);
  q.addFailure('gone');
  assert.deepEqual(q.stats(), {
    httpBytes: 1000, p2pBytes: 4000, uploadedBytes: 7, peers: 4, stalls: 0, stallMs: 0, watchMs: 0,
    startupMs: 600, level: 0, bitrateKbps: 0, p2pRatio: 0.8, failures: { ...noFailures, gone: 1 },
  });
});

test('destroy stops the reports', () => {
  const { q, timers, sent } = setup();
  q.destroy();
  timers.advance(60000);
  assert.equal(sent.length, 0);
  assert.equal(timers.jobs.size, 0);
});
