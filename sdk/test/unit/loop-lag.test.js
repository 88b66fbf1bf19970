import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LOOP_LAG_TICK_MS, LOOP_LAG_WINDOW_MS, LoopLag } from '../../src/core/loop-lag.js';
import { FakeTimers } from './fakes.js';

/** Fake timers whose callbacks run `lateMs` after they are due, as on a starved page. */
function lateTimers(timers, lateMs) {
  return {
    setTimeout: (fn, ms) => timers.setTimeout(fn, ms + lateMs()),
    clearTimeout: (id) => timers.clearTimeout(id),
  };
}

test('a page whose timers run on time shows no lag; nothing before the first tick', () => {
  const timers = new FakeTimers();
  const lag = new LoopLag({ timers, now: timers.now });
  assert.deepEqual(lag.stats(), { p90Ms: null, maxMs: null, lateShare: null });
  lag.start();
  timers.advance(5 * LOOP_LAG_TICK_MS);
  assert.deepEqual(lag.stats(), { p90Ms: 0, maxMs: 0, lateShare: 0 });
  lag.stop();
  assert.equal(timers.pending(), 0, 'stopped: no timer left');
});

test('late timers show as lag: the recent 90th percentile and maximum, and the share of late ticks so far', () => {
  const timers = new FakeTimers();
  let late = 0;
  const lag = new LoopLag({ timers: lateTimers(timers, () => late), now: timers.now });
  lag.start();
  timers.advance(9 * LOOP_LAG_TICK_MS); // 9 ticks on time, the 10th due
  late = 300;
  timers.advance(LOOP_LAG_TICK_MS); // the 10th, on time; the next ones run 300 ms late
  timers.advance(10 * (LOOP_LAG_TICK_MS + 300)); // 10 ticks 300 ms late
  assert.deepEqual(lag.stats(), { p90Ms: 300, maxMs: 300, lateShare: 0.5 });
  late = 0;
  timers.advance(LOOP_LAG_WINDOW_MS + 2 * (LOOP_LAG_TICK_MS + 300)); // the late ticks (one more was already due late) leave the window
  const s = lag.stats();
  assert.equal(s.p90Ms, 0, 'the recent figures cover the last window only');
  assert.equal(s.maxMs, 0);
  assert.ok(s.lateShare > 0 && s.lateShare < 0.5, `the session share keeps the late ticks: ${s.lateShare}`);
  lag.stop();
});

test('start is idempotent and a stopped meter starts again', () => {
  const timers = new FakeTimers();
  const lag = new LoopLag({ timers, now: timers.now });
  lag.start();
  lag.start();
  assert.equal(timers.pending(), 1, 'one tick scheduled');
  lag.stop();
  lag.start();
  timers.advance(LOOP_LAG_TICK_MS);
  assert.equal(lag.ticks, 1);
  lag.stop();
});
