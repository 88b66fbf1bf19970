import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SegmentWaits } from '../../src/core/segment-waits.js';
import { FakeTimers, settle } from './fakes.js';

const waitsOn = (timers) => new SegmentWaits({ timers, now: timers.now });

test('a wait ends true when its segment is woken, false when its time is up', async () => {
  const timers = new FakeTimers();
  const waits = waitsOn(timers);
  const woken = waits.wait('a', 1000);
  const timedOut = waits.wait('b', 1000);
  waits.wake('a');
  timers.advance(1100);
  assert.equal(await woken, true);
  assert.equal(await timedOut, false);
  assert.equal(waits.waiters.size, 0, 'nothing is left waiting');
  assert.equal(timers.pending(), 0, 'no timer is left behind');
});

test("a player's abort ends the wait at once, also when it came before the wait began", async () => {
  const timers = new FakeTimers();
  const waits = waitsOn(timers);
  const before = new AbortController();
  before.abort();
  let early = null;
  waits.wait('a', 60_000, before.signal).then((v) => (early = v));
  await settle();
  assert.equal(early, true, 'no sleeping until the deadline on a request the player dropped');
  const later = new AbortController();
  const waiting = waits.wait('a', 60_000, later.signal);
  later.abort();
  assert.equal(await waiting, true);
  assert.equal(timers.pending(), 0);
});

test("the wait leaves no listener on the player's signal once it is over", async () => {
  const timers = new FakeTimers();
  const waits = waitsOn(timers);
  let listeners = 0;
  const signal = {
    aborted: false,
    addEventListener: () => { listeners++; },
    removeEventListener: () => { listeners--; },
  };
  const first = waits.wait('a', 1000, signal);
  waits.wake('a');
  await first;
  const second = waits.wait('a', 1000, signal);
  timers.advance(1100);
  await second;
  assert.equal(listeners, 0);
});
