/**
 * Which segment a VOD player got last on each rendition, and when: the segment loader asks the
 * neighbours who got that one before this viewer did ({@link Neighbours#announcedBefore}). Viewers
 * of a recording who started together play it in a line, each a little behind the one before,
 * and the one ahead is fetching the next segment while this viewer asks for it: waiting for its
 * announcement (scheduler.js, `aheadAtMs`) keeps a second copy off the WAN.
 *
 * Only the player's own consecutive asks count (a seek or a rendition switch starts over), and
 * live streams are left to their leaders.
 *
 * @module core/trail
 */

export class Trail {
  constructor() {
    /** @type {Map<string, {id: string, sequence?: number, atMs: number}>} by rendition key */
    this.last = new Map();
  }

  /**
   * A load for the player ended with the segment's bytes.
   * @param {{segmentId: string, live?: boolean, track?: string, sequence?: number}} req
   * @param {number} atMs
   */
  got(req, atMs) {
    if (req.live || !req.track) return;
    this.last.set(req.track, { id: req.segmentId, sequence: req.sequence, atMs });
  }

  /**
   * The segment the player got just before the one it now asks for, on the same rendition.
   * @param {{segmentId: string, live?: boolean, track?: string, sequence?: number}} req
   * @returns {{id: string, atMs: number}|undefined}
   */
  previous(req) {
    if (req.live || !req.track) return undefined;
    const p = this.last.get(req.track);
    if (!p || p.id === req.segmentId) return undefined;
    if (Number.isFinite(p.sequence) && Number.isFinite(req.sequence) && p.sequence !== req.sequence - 1) return undefined;
    return p;
  }
}
