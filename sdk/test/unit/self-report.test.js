import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONGESTED_SITE_BPS, Scheduler } from '../../src/core/scheduler.js';
import { REPORT_WINDOW_MS } from '../../src/core/link-estimates.js';
import { EARLY_REPORT_FETCHES, EarlyLinkReport } from '../../src/core/self-report.js';

/** A scheduler on a settable clock and an early report whose sends are counted. */
function rig({ accept = () => true } = {}) {
  const clock = { t: 1000 };
  const scheduler = new Scheduler({ now: () => clock.t });
  const sent = [];
  const report = new EarlyLinkReport({
    scheduler,
    send: () => {
      if (!accept()) return false;
      sent.push(scheduler.reportedHttpBps());
      return true;
    },
  });
  /** A completed fetch of `bytes` in `ms`, as the segment loader records it, then the check. */
  const fetched = (bytes, ms) => {
    clock.t += ms;
    scheduler.recordHttp({ bytes, ms, durationS: 2 });
    report.check();
  };
  return { clock, scheduler, report, sent, fetched };
}

// 90 kB in 720 ms: 1 Mbit/s, a branch office's thin link carrying one segment of the demo stream.
const SLOW = [90_000, 720];
// 90 kB in 20 ms: 36 Mbit/s.
const FAST = [90_000, 20];

test('a viewer whose first fetches show a congested link reports at once, and only once', () => {
  assert.equal(EARLY_REPORT_FETCHES, 2);
  const { sent, fetched } = rig();
  fetched(...SLOW);
  assert.deepEqual(sent, [], 'one slow fetch is not enough: a cold connection or a busy desktop can slow one');
  fetched(...SLOW);
  assert.equal(sent.length, 1);
  assert.ok(sent[0] < CONGESTED_SITE_BPS && Math.abs(sent[0] - 1_000_000) < 1, `figure ${sent[0]}`);
  fetched(...SLOW);
  fetched(...SLOW);
  assert.equal(sent.length, 1, 'later figures go with the periodic reports');
});

test('no early report when the fastest of the fetches says the link is open', () => {
  const { sent, fetched } = rig();
  fetched(...SLOW);
  fetched(...FAST);
  fetched(...SLOW);
  assert.deepEqual(sent, []);
});

test('fetches too small to show the link\'s speed do not count, nor fetches older than the report window', () => {
  const { sent, fetched, clock } = rig();
  // A DASH init segment's 800 bytes in 300 ms measure a request's latency, not the link.
  fetched(800, 300);
  fetched(800, 300);
  fetched(...SLOW);
  assert.deepEqual(sent, []);
  clock.t += REPORT_WINDOW_MS;
  fetched(...SLOW);
  assert.deepEqual(sent, [], 'the first slow fetch left the window');
  fetched(...SLOW);
  assert.equal(sent.length, 1);
});

test('a report that could not be sent (no socket yet) is tried again at the next check', () => {
  let open = false;
  const { sent, fetched, report } = rig({ accept: () => open });
  fetched(...SLOW);
  fetched(...SLOW);
  assert.equal(report.sent, false);
  open = true; // the engine checks again at `welcome`
  report.check();
  assert.equal(sent.length, 1);
  assert.equal(report.sent, true);
});
