/**
 * This viewer's HTTP fetches under way, as its neighbours hear of them (the data-channel
 * `fetching` message; fetch-claims.js keeps what the other side heard).
 *
 * - A fetch is told to the open neighbours when it starts, and to a neighbour whose channel opens
 *   while it is still under way (the {@link MAX_OWN_FETCHES} latest).
 * - While a fetch makes progress (the bytes it received grew since the last look), it is told
 *   again every {@link PROGRESS_EVERY_MS}. On a thin link a colleague waiting for the copy can then
 *   tell a fetch that crawls, because the link is shared, from one that is stuck, and keeps waiting
 *   for the first instead of adding a second copy beside it (scheduler.js): a second fetch over the
 *   same link cannot land before one that makes progress. A fetch whose loader cannot say how far
 *   it is (no `loaded`) is told once.
 *
 * @module core/own-fetches
 */

/** How often a fetch that makes progress is told again. */
export const PROGRESS_EVERY_MS = 500;
/** Fetches kept (a live viewer runs one or two at a time); the earliest are dropped first. */
export const MAX_OWN_FETCHES = 16;

export class OwnFetches {
  /**
   * @param {object} options
   * @param {(ids: string[]) => void} options.send tells the open neighbours that understand it
   * @param {{setTimeout: Function, clearTimeout: Function}} options.timers
   */
  constructor({ send, timers }) {
    this.send = send;
    this.timers = timers;
    /** @type {Map<string, {count: number, loaded: (() => number)|null, last: number}>} oldest first */
    this.fetches = new Map();
    this.timer = null;
  }

  /**
   * A fetch of `id` over HTTP starts; `loaded` (optional) says how many bytes it has received.
   * @param {string} id
   * @param {() => number} [loaded]
   */
  started(id, loaded) {
    const known = this.fetches.get(id);
    const meter = typeof loaded === 'function' ? loaded : null;
    if (known) {
      known.count += 1;
      known.loaded ??= meter;
    } else {
      this.fetches.set(id, { count: 1, loaded: meter, last: 0 });
      while (this.fetches.size > MAX_OWN_FETCHES) this.fetches.delete(this.fetches.keys().next().value);
    }
    this.send([id]);
    this.schedule();
  }

  /** A fetch of `id` ended (with the bytes, an error, or abandoned). */
  ended(id) {
    const known = this.fetches.get(id);
    if (!known) return;
    known.count -= 1;
    if (known.count <= 0) this.fetches.delete(id);
    if (this.fetches.size === 0) this.stop();
  }

  /** Whether a fetch of `id` is under way. */
  has(id) {
    return this.fetches.has(id);
  }

  /** The fetches under way, oldest first. */
  ids() {
    return [...this.fetches.keys()];
  }

  get size() {
    return this.fetches.size;
  }

  schedule() {
    if (this.timer !== null || ![...this.fetches.values()].some((f) => f.loaded)) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.tick();
    }, PROGRESS_EVERY_MS);
  }

  /** Tells again the fetches whose received bytes grew since the last look. */
  tick() {
    const moved = [];
    for (const [id, f] of this.fetches) {
      if (!f.loaded) continue;
      let n;
      try {
        n = Number(f.loaded());
      } catch {
        n = NaN;
      }
      if (Number.isFinite(n) && n > f.last) {
        f.last = n;
        moved.push(id);
      }
    }
    if (moved.length) this.send(moved);
    this.schedule();
  }

  stop() {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
