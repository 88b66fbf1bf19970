/**
 * The media a player that has not played its first frame yet already holds or fetches ahead of a
 * segment it asks for. Before the first frame the buffer does not drain, so a segment asked for
 * behind earlier ones of its rendition is needed no sooner than those earlier segments' media
 * after the player starts: that much counts as buffer for the scheduler's deadline, although the
 * media element does not hold it yet. Shaka, for one, asks for the live window's next segments
 * while the first is still on its way; with the element's buffer alone each of them looked like a
 * page with nothing to play and went to the WAN, although the colleagues being connected held them.
 *
 * The first segment of a run does not count (the player may start part-way into it), nor does an
 * init segment (no duration). A request for a segment at or before the last one asked for starts
 * a new run: the player went back.
 *
 * A player that has held every segment it asked for before this one for a while and still has not
 * played needs this one to start (hls.js on a busy machine asks for its second fragment before its
 * first frame, and plays once that one is in): {@link StartBuffer#heldAllBeforeSince}.
 *
 * @module core/start-buffer
 */

export class StartBuffer {
  constructor() {
    /** @type {Map<string, {segments: {id: string, durationS: number, deliveredAtMs?: number}[], lastSequence?: number}>} rendition key → its run */
    this.runs = new Map();
  }

  /**
   * Notes a segment the starting player asks for and returns the media seconds its earlier asks
   * on the same rendition put ahead of it.
   * @param {{segmentId: string, track?: string, sequence?: number, durationS?: number}} req
   * @returns {number} seconds, 0 when nothing earlier counts
   */
  aheadS({ segmentId, track = '', sequence, durationS }) {
    if (!(durationS > 0)) return 0;
    let run = this.runs.get(track);
    const known = run ? run.segments.findIndex((s) => s.id === segmentId) : -1;
    if (run && known >= 0) return sumAfterFirst(run.segments.slice(0, known));
    if (!run || (Number.isFinite(sequence) && Number.isFinite(run.lastSequence) && sequence <= run.lastSequence)) {
      run = { segments: [] };
      this.runs.set(track, run);
    }
    const ahead = sumAfterFirst(run.segments);
    run.segments.push({ id: segmentId, durationS });
    if (Number.isFinite(sequence)) run.lastSequence = sequence;
    return ahead;
  }

  /**
   * Notes that a segment of a run reached the player.
   * @param {{segmentId: string, track?: string}} req
   * @param {number} atMs when
   */
  delivered({ segmentId, track = '' }, atMs) {
    const segment = this.runs.get(track)?.segments.find((s) => s.id === segmentId);
    if (segment && segment.deliveredAtMs === undefined) segment.deliveredAtMs = atMs;
  }

  /**
   * Since when the player has held every segment asked for before this one on its rendition:
   * the last one's delivery, -Infinity for the first of a run (nothing earlier), null while one is
   * still on its way.
   * @param {{segmentId: string, track?: string}} req
   * @returns {number|null}
   */
  heldAllBeforeSince({ segmentId, track = '' }) {
    const segments = this.runs.get(track)?.segments ?? [];
    const at = segments.findIndex((s) => s.id === segmentId);
    let since = -Infinity;
    for (const s of at >= 0 ? segments.slice(0, at) : segments) {
      if (s.deliveredAtMs === undefined) return null;
      since = Math.max(since, s.deliveredAtMs);
    }
    return since;
  }

  /** The player started: nothing is kept. */
  clear() {
    this.runs.clear();
  }
}

function sumAfterFirst(segments) {
  let s = 0;
  for (let i = 1; i < segments.length; i++) s += segments[i].durationS;
  return s;
}
