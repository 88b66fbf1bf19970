/**
 * How late the page's own timers fire: a timer due every {@link LOOP_LAG_TICK_MS} notes how long
 * after its due time it ran. A page whose main thread cannot keep up (a desktop or a test machine
 * whose cores are all busy) runs its timers late, and everything the SDK does on time (a P2P
 * attempt's deadline, the HTTP fetch after it, answering a neighbour's request) is late by as
 * much. The figure is diagnostic: `stats().loopLag` and the fleet's report show whether a page's
 * stalls came with a starved page; no decision reads it yet.
 *
 * A hidden tab's timers are throttled by the browser (to once a second or less), so its figure
 * reads as a starved page's.
 *
 * @module core/loop-lag
 */

/** Time between two ticks: light enough for every page, fine enough to see a late P2P deadline. */
export const LOOP_LAG_TICK_MS = 200;
/** The window of the recent figures (`p90Ms`, `maxMs`). */
export const LOOP_LAG_WINDOW_MS = 10_000;
/** A tick this late counts as late in `lateShare`: later than a P2P attempt's shortest budget. */
export const LOOP_LATE_MS = 100;

export class LoopLag {
  /**
   * @param {object} [options]
   * @param {{setTimeout: Function, clearTimeout: Function}} [options.timers]
   * @param {() => number} [options.now] clock in ms
   */
  constructor({ timers = globalThis, now = () => globalThis.performance.now() } = {}) {
    this.timers = timers;
    this.now = now;
    /** @type {{at: number, lagMs: number}[]} ticks of the window, oldest first */
    this.recent = [];
    this.ticks = 0;
    this.late = 0;
    this.timer = null;
    this.dueAt = 0;
  }

  /** Starts ticking (again); a started meter is left as it is. */
  start() {
    if (this.timer !== null) return;
    this.schedule();
  }

  schedule() {
    this.dueAt = this.now() + LOOP_LAG_TICK_MS;
    this.timer = this.timers.setTimeout(() => this.tick(), LOOP_LAG_TICK_MS);
    // Outside a browser (a page's SDK under Node) the meter must not keep the process alive.
    if (this.timer && typeof this.timer.unref === 'function') this.timer.unref();
  }

  tick() {
    const t = this.now();
    const lagMs = Math.max(0, t - this.dueAt);
    this.ticks++;
    if (lagMs > LOOP_LATE_MS) this.late++;
    this.recent.push({ at: t, lagMs });
    while (this.recent.length > 0 && this.recent[0].at < t - LOOP_LAG_WINDOW_MS) this.recent.shift();
    this.schedule();
  }

  /** Stops ticking; the figures stay. */
  stop() {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * @returns {{p90Ms: number|null, maxMs: number|null, lateShare: number|null}} the 90th
   *   percentile and the largest lag of the last {@link LOOP_LAG_WINDOW_MS} (whole ms), and the
   *   share of all ticks so far later than {@link LOOP_LATE_MS}; null before the first tick
   */
  stats() {
    if (this.ticks === 0) return { p90Ms: null, maxMs: null, lateShare: null };
    const lags = this.recent.map((r) => r.lagMs).sort((a, b) => a - b);
    const p90 = lags.length ? lags[Math.min(lags.length - 1, Math.ceil(0.9 * lags.length) - 1)] : 0;
    return {
      p90Ms: Math.round(p90),
      maxMs: Math.round(lags.length ? lags[lags.length - 1] : 0),
      lateShare: Math.round((this.late / this.ticks) * 1000) / 1000,
    };
  }
}
