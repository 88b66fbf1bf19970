/**
 * When the signaling client tries the appliance again after losing it: capped exponential backoff
 * with jitter ({@link backoffMs}), capped lower during the first {@link RETURN_WINDOW_MS} of an
 * outage so that viewers are back within seconds of an appliance restart.
 *
 * Separate from signaling-client.js because the outage is state of its own (the attempts since
 * the last `welcome`, when the outage began) with rules that need no socket; the client owns the
 * socket and the timer, and asks this for each delay.
 *
 * @module core/reconnect-backoff
 */

/** The first reconnect attempt's backoff, before jitter; each later one doubles it. */
export const MIN_BACKOFF_MS = 1000;
/** The longest backoff between attempts, before jitter. */
export const MAX_BACKOFF_MS = 30_000;
/**
 * For this long after the connection was lost, reconnect attempts stay at most
 * {@link RETURN_MAX_BACKOFF_MS} apart: an appliance restart takes seconds, and its viewers should
 * be back within seconds of it, not up to {@link MAX_BACKOFF_MS} later. A longer outage backs off
 * to MAX_BACKOFF_MS.
 */
export const RETURN_WINDOW_MS = 120_000;
/** The longest backoff during the first {@link RETURN_WINDOW_MS} of an outage. */
export const RETURN_MAX_BACKOFF_MS = 5000;

/**
 * Backoff before reconnect attempt `attempt` (0-based): doubling from `minMs`, capped at `maxMs`,
 * with jitter over the upper half so a whole office reconnecting after an appliance restart does
 * not arrive in one burst.
 * @param {number} attempt
 * @param {() => number} random in [0, 1)
 * @param {number} [minMs]
 * @param {number} [maxMs]
 * @returns {number} ms
 */
export function backoffMs(attempt, random, minMs = MIN_BACKOFF_MS, maxMs = MAX_BACKOFF_MS) {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(base / 2 + (random() * base) / 2);
}

/** The attempts of one outage and the delay before the next. */
export class ReconnectBackoff {
  /**
   * @param {object} [options]
   * @param {number} [options.minBackoffMs]
   * @param {number} [options.maxBackoffMs]
   * @param {number} [options.returnWindowMs] how long after losing the connection
   *   `returnMaxBackoffMs` caps the backoff (then `maxBackoffMs` does)
   * @param {number} [options.returnMaxBackoffMs]
   * @param {() => number} [options.random] in [0, 1)
   * @param {() => number} [options.now] ms
   */
  constructor({
    minBackoffMs = MIN_BACKOFF_MS, maxBackoffMs = MAX_BACKOFF_MS, returnWindowMs = RETURN_WINDOW_MS,
    returnMaxBackoffMs = RETURN_MAX_BACKOFF_MS, random = Math.random, now = () => Date.now(),
  } = {}) {
    this.minBackoffMs = minBackoffMs;
    this.maxBackoffMs = maxBackoffMs;
    this.returnWindowMs = returnWindowMs;
    this.returnMaxBackoffMs = returnMaxBackoffMs;
    this.random = random;
    this.now = now;
    this.attempt = 0;
    /** When the connection was lost (now()), or null while joined and before the first attempt. */
    this.outageSince = null;
  }

  /** Joined (`welcome`): the next loss starts a new outage, from the shortest backoff. */
  joined() {
    this.attempt = 0;
    this.outageSince = null;
  }

  /**
   * Leaving on the appliance's word (`move`) is no failure: the attempts after it back off from the
   * shortest delay again. An outage under way keeps its start.
   */
  restart() {
    this.attempt = 0;
  }

  /** The connection is lost: the outage starts now, unless it already had. */
  lost() {
    if (this.outageSince === null) this.outageSince = this.now();
  }

  /**
   * The delay before the next attempt: capped exponential backoff with jitter ({@link backoffMs}),
   * the cap `returnMaxBackoffMs` during the first `returnWindowMs` of an outage and `maxBackoffMs`
   * after.
   * Many viewers that lost one appliance at the same moment spread over the cap window; an
   * appliance that answers `overloaded` (close 1013) is retried by the same rule.
   */
  nextDelayMs() {
    const now = this.now();
    if (this.outageSince === null) this.outageSince = now;
    const max = now - this.outageSince < this.returnWindowMs ? Math.min(this.maxBackoffMs, this.returnMaxBackoffMs) : this.maxBackoffMs;
    return backoffMs(this.attempt++, this.random, this.minBackoffMs, max);
  }
}
