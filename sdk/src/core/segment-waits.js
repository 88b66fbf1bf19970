/**
 * Loads waiting for a neighbour to offer a segment (the scheduler's `wait` plan), and what wakes
 * them to plan again before their time is up: a neighbour announcing the segment or opening, the
 * store getting it, the leaders or the mesh changing. A woken load only re-plans; the deadline by
 * which an HTTP fetch must start still holds.
 *
 * @module core/segment-waits
 */

export class SegmentWaits {
  /**
   * @param {object} options
   * @param {{setTimeout: Function, clearTimeout: Function}} options.timers
   * @param {() => number} options.now
   */
  constructor({ timers, now }) {
    this.timers = timers;
    this.now = now;
    /** @type {Map<string, Set<() => void>>} segment id → wake-ups of waiting loads */
    this.waiters = new Map();
  }

  /**
   * Resolves true when {@link SegmentWaits#wake} is called for `id` (or {@link SegmentWaits#wakeAll})
   * or the player aborted, false once `untilMs` passed.
   * @param {string} id
   * @param {number} untilMs on `now()`
   * @param {{addEventListener?: Function}} [signal] the player's abort signal
   * @returns {Promise<boolean>}
   */
  wait(id, untilMs, signal) {
    return new Promise((resolve) => {
      let timer = null;
      const set = this.waiters.get(id) ?? new Set();
      this.waiters.set(id, set);
      const done = (woken) => {
        if (timer === null) return;
        this.timers.clearTimeout(timer);
        timer = null;
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(id) === set) this.waiters.delete(id);
        signal?.removeEventListener?.('abort', wake);
        resolve(woken);
      };
      const wake = () => done(true);
      set.add(wake);
      // +2 ms: timers may fire a hair before now() reaches untilMs, and a re-plan must see it passed.
      timer = this.timers.setTimeout(() => done(false), Math.max(0, untilMs - this.now()) + 2);
      // Aborted already: the caller plans again at once and sees it.
      if (signal?.aborted) wake();
      else signal?.addEventListener?.('abort', wake, { once: true });
    });
  }

  /** Something changed for segment `id`: its waiting loads plan again. */
  wake(id) {
    for (const fn of [...(this.waiters.get(id) ?? [])]) fn();
  }

  /** Something changed for every segment (neighbours, leaders, the mesh): every waiting load plans again. */
  wakeAll() {
    for (const set of [...this.waiters.values()]) for (const fn of [...set]) fn();
  }
}
