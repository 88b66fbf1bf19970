/**
 * Whether this viewer's transfers from neighbours work at all: a viewer whose transfers stall
 * with several neighbours in a row takes its segments over HTTP for a while instead.
 *
 * One neighbour that stalls is that neighbour's fault (neighbours.js reports it `failing`). Several
 * stalling one after the other, none delivering in between, is this viewer's: its own machine too
 * busy to run the data channels (the fleet saw it on a 2-core machine running sixteen pages: every
 * transfer timed out while the pages' timers still ran on time), or its own network (UDP throttled
 * or blocked after the connections opened). Each stalled attempt costs the player the time until
 * its deadline and then an HTTP fetch anyway, so such a viewer's buffer runs lower than plain
 * HTTP's would, and its requests keep its colleagues busy uploading.
 *
 * The rule: {@link STALLS_TO_PAUSE} stalled attempts (deadline passed or no progress) within
 * {@link STALL_WINDOW_MS}, from at least two neighbours, with fewer verified transfers than stalls
 * in that window, pause P2P downloads for {@link PAUSE_MS}; a pause that follows the end of the last
 * one within {@link PAUSE_MS} lasts twice as long, up to {@link MAX_PAUSE_MS}. The engine applies it
 * only while the site's link is not congested by the appliance's figure for it: on a congested WAN
 * one more HTTP fetch slows every colleague's, and the scheduler's own bounds already keep a
 * neighbour's wait within the buffer. This viewer's own fetches do not decide it: a desktop too
 * busy for its data channels makes them look slow too (the fleet's 3 sites × 6 on a starved
 * machine: 11 pauses, all overruled while they did).
 * Uploads, and a leader's HTTP fetches, go on during a pause.
 *
 * @module core/download-health
 */

/** Stalled attempts within {@link STALL_WINDOW_MS} that pause P2P downloads. */
export const STALLS_TO_PAUSE = 3;
/** How far back attempts count. */
export const STALL_WINDOW_MS = 20_000;
/** The first pause. */
export const PAUSE_MS = 15_000;
/** The longest pause. */
export const MAX_PAUSE_MS = 120_000;

export class DownloadHealth {
  /**
   * @param {object} options
   * @param {() => number} options.now
   * @param {(...args: any[]) => void} [options.log]
   */
  constructor({ now, log = () => {} }) {
    this.now = now;
    this.log = log;
    /** @type {{at: number, peer: string, ok: boolean}[]} the attempts of the window, oldest first */
    this.attempts = [];
    this.pausedUntil = -Infinity;
    this.lastPauseMs = 0;
    /** P2P downloads paused so far (stats().p2pPauses). */
    this.pauses = 0;
  }

  /**
   * One P2P attempt ended (peer-attempt.js). Only a verified transfer and a stalled one count:
   * a neighbour gone, busy or refusing, bytes that failed the hash check (integrity-verdict.js
   * deals with those) and the player's own abort say nothing about this viewer's transfers.
   * @param {string} peerId
   * @param {{result?: object, fail?: string}} outcome
   */
  record(peerId, outcome) {
    const ok = !!outcome.result;
    if (!ok && outcome.fail !== 'timeout' && outcome.fail !== 'idle') return;
    const t = this.now();
    this.attempts.push({ at: t, peer: peerId, ok });
    while (this.attempts.length > 0 && t - this.attempts[0].at > STALL_WINDOW_MS) this.attempts.shift();
    if (ok || !this.allowed()) return;
    const stalled = this.attempts.filter((a) => !a.ok);
    const verified = this.attempts.length - stalled.length;
    if (stalled.length < STALLS_TO_PAUSE || verified >= stalled.length) return;
    // One neighbour that stalls is its own problem (or means to be one): neighbours.js reports it.
    if (new Set(stalled.map((a) => a.peer)).size < 2) return;
    const soonAfterLast = t - this.pausedUntil < PAUSE_MS;
    this.lastPauseMs = soonAfterLast ? Math.min(MAX_PAUSE_MS, this.lastPauseMs * 2) : PAUSE_MS;
    this.pausedUntil = t + this.lastPauseMs;
    this.pauses++;
    this.attempts = [];
    this.log('p2p downloads paused', `${this.lastPauseMs} ms:`, `${stalled.length} transfers from neighbours stalled in ${STALL_WINDOW_MS / 1000} s, ${verified} delivered`);
  }

  /**
   * Whether this viewer's last attempt with `peerId` within the window stalled: neighbours.js
   * asks the others first, so that the next stall, if any, is with another neighbour.
   * @param {string} peerId
   */
  lastStalled(peerId) {
    const t = this.now();
    for (let i = this.attempts.length - 1; i >= 0; i--) {
      const a = this.attempts[i];
      if (t - a.at > STALL_WINDOW_MS) return false;
      if (a.peer === peerId) return !a.ok;
    }
    return false;
  }

  /** Whether P2P downloads may be tried now (no pause running). */
  allowed() {
    return this.now() >= this.pausedUntil;
  }
}
