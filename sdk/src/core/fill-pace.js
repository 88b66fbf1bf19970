/**
 * Paces a VOD player's buffer fill once it already holds plenty ahead.
 *
 * hls.js, Shaka and dash.js fill a recording's forward buffer as fast as the segments arrive: a
 * viewer who joins a recorded town hall pulls its next minute within a few seconds, from
 * colleagues over data channels or from the origin. Past {@link FILL_AHEAD_S} of buffer that
 * speed buys nothing for playback, but it arrives as a burst: on the colleagues' machines (the
 * uploads, DTLS and SCTP work of every data channel), on the LAN, and on the site's WAN link for
 * segments nobody holds yet — at the moment other colleagues open the same recording and need
 * their first fragments. With 8 viewers joining a second apart on one machine, the late joiners'
 * manifest and first frame came 0.5–1.5 s later than over HTTP while the earlier pages filled a
 * minute each from their colleagues; with the players' buffer capped at 12 s they did not.
 *
 * So a VOD segment asked for with more than {@link FILL_AHEAD_S} ahead, by a player that is
 * playing, starts no sooner than its turn: the segments of one rendition are spaced by their
 * duration divided by {@link FILL_RATE}, so the buffer still grows by a second every second until
 * the player's own cap. Live segments, a starting player, a buffer below the threshold (a seek
 * starts afresh) and init segments (no duration) are never paced.
 *
 * @module core/fill-pace
 */

/** Media held ahead (seconds) beyond which a VOD player's further segments are paced: Shaka Player's default buffering goal. */
export const FILL_AHEAD_S = 10;
/** Media seconds a paced buffer fill may load per wall-clock second. */
export const FILL_RATE = 2;

export class FillPace {
  /**
   * @param {object} [options]
   * @param {number} [options.aheadS]
   * @param {number} [options.rate]
   */
  constructor({ aheadS = FILL_AHEAD_S, rate = FILL_RATE } = {}) {
    this.aheadS = aheadS;
    this.rate = rate;
    /** @type {Map<string, number>} rendition key → the earliest start of its next paced segment */
    this.nextAtMs = new Map();
  }

  /**
   * When the load of `req` may start, and books that turn: `nowMs` when it is not paced.
   * @param {{live?: boolean, bufferS?: number, durationS?: number, track?: string}} req
   * @param {boolean} playing the player has shown its first frame
   * @param {number} nowMs
   * @returns {number}
   */
  turn(req, playing, nowMs) {
    if (req.live || !playing || !(req.durationS > 0) || !(req.bufferS > this.aheadS)) return nowMs;
    const key = req.track ?? '';
    const at = Math.max(nowMs, this.nextAtMs.get(key) ?? nowMs);
    this.nextAtMs.set(key, at + (req.durationS * 1000) / this.rate);
    return at;
  }
}
