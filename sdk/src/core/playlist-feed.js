/**
 * What the dash.js, Shaka and Video.js adapters share to tell the engine what their player's
 * playlist lists ({@link import('./engine.js').Engine#onPlaylist}): the bound on what one call
 * lists and the skipping of calls that would say nothing new. hls.js hands its adapter a whole
 * media playlist per refresh and needs none of this; these players keep a segment index that the
 * adapter reads on the player's own events, some of which fire far more often than the index
 * changes (a segment appended, a timeline tick).
 *
 * @module core/playlist-feed
 */

/**
 * Most segments one live listing names: the newest ones, which are what viewers near the live
 * edge will load next and what leaders prefetch. A DASH time-shift window of hours would
 * otherwise list thousands per refresh; the engine keeps at most 4096 ids of all tracks.
 */
export const MAX_LIVE_SEGMENTS = 60;

/** Most segments a VOD listing names (from the first): VOD lists once per track. */
export const MAX_VOD_SEGMENTS = 1000;

/**
 * @typedef {object} ListedSegment
 * @property {string} url absolute, as the player will request it
 * @property {import('./segment-id.js').ByteRange} [range]
 * @property {number} [sequence] monotonic per track
 * @property {number} [durationS]
 */

/** One per player session: what it last told its engine, per track. */
export class PlaylistFeed {
  constructor() {
    this.engine = null;
    /** @type {Map<string, string>} track → what its last listing named (first, last, count) */
    this.last = new Map();
  }

  /**
   * Whether a listing of `track` could tell `engine` anything (a VOD track is listed once): lets
   * an adapter skip building one.
   */
  wants(engine, live, track) {
    return !!engine && (live || engine !== this.engine || !this.last.has(track));
  }

  /**
   * Tells `engine` what `track` lists now, unless it said exactly that last time (or, VOD, said
   * anything before). A new engine (another stream) starts afresh.
   * @param {object|null} engine
   * @param {{live: boolean, track: string, segments: ListedSegment[]}} playlist in playback order
   * @returns {boolean} whether the engine was told
   */
  feed(engine, { live, track, segments }) {
    if (!engine || typeof engine.onPlaylist !== 'function' || !Array.isArray(segments) || segments.length === 0) return false;
    if (engine !== this.engine) {
      this.engine = engine;
      this.last.clear();
    }
    if (!live && this.last.has(track)) return false;
    const listed = live ? segments.slice(-MAX_LIVE_SEGMENTS) : segments.slice(0, MAX_VOD_SEGMENTS);
    const first = listed[0];
    const end = listed[listed.length - 1];
    const said = `${first.url}|${first.sequence}|${end.url}|${end.sequence}|${listed.length}`;
    if (this.last.get(track) === said) return false;
    this.last.set(track, said);
    engine.onPlaylist({ live: !!live, track, segments: listed });
    return true;
  }
}
