/**
 * Renditions and their leaders (docs/protocol.md "Site leaders"). A leader fetches only the
 * renditions its own player loads, and on a thin link a site's viewers part ways across the ladder
 * (a leader's player, timing its fetches over the WAN, stays low while colleagues who get theirs
 * over the LAN climb), so each rendition needs leaders among its own viewers. This viewer tells
 * the appliance which live renditions its player loads (`tracks`), and keeps the leader lists the
 * appliance sends back: the site's, and each rendition's that has its own.
 *
 * The renditions a player loads now: per kind of track (the key's part before its first `:`,
 * such as `main`, `audio` or `video`), the one whose live playlist was listed last. A player
 * that switches renditions loads the new one's playlist and stops refreshing the old one's, so
 * the new key replaces the old at its first listing. VOD playlists have no leaders and are not told.
 *
 * @module core/renditions
 */

/** Renditions told at most (the appliance refuses more): video, audio, and room for subtitles. */
export const MAX_TRACKS = 4;
/** Longest rendition key told; a longer one is not told (its segments follow the site's leaders). */
export const MAX_TRACK_CHARS = 64;
/** Rendition lists kept from one `leaders` message (the appliance keeps at most 16 per site). */
const MAX_LISTS = 32;

/** Peer ids from an untrusted list: strings only, at most 64 of them. */
function peerIds(list) {
  return Array.isArray(list) ? list.filter((id) => typeof id === 'string').slice(0, 64) : [];
}

/** Whether `track` can be told: the appliance's rule (no spaces or control characters). */
function tellable(track) {
  return typeof track === 'string' && track.length > 0 && track.length <= MAX_TRACK_CHARS && !/[\s\p{Cc}]/u.test(track);
}

export class Renditions {
  /**
   * @param {object} options
   * @param {(tracks: string[]) => boolean} options.send tells the appliance (`tracks`); false when not connected
   */
  constructor({ send }) {
    this.send = send;
    /** @type {Map<string, string>} kind of track → the rendition key its player loads now */
    this.playing = new Map();
    /** What the appliance was last told in this session, sorted; null before. */
    this.told = null;
    /** @type {string[]} the site's leaders */
    this.site = [];
    /** @type {Map<string, string[]>} rendition key → its own leaders */
    this.byTrack = new Map();
  }

  /** The player refreshed a playlist of `track` (engine.onPlaylist). */
  listed({ live, track }) {
    if (!live || !tellable(track)) return;
    const colon = track.indexOf(':');
    const kind = colon < 0 ? track : track.slice(0, colon);
    if (this.playing.get(kind) === track || (!this.playing.has(kind) && this.playing.size >= MAX_TRACKS)) return;
    this.playing.set(kind, track);
    this.tell();
  }

  /** A new session (`welcome`): the appliance knows nothing of this viewer's renditions yet. */
  joined() {
    this.told = null;
    this.tell();
  }

  tell() {
    const now = [...this.playing.values()].sort();
    if (now.length === 0 || (this.told && now.join('\n') === this.told.join('\n'))) return;
    if (this.send(now)) this.told = now;
  }

  /**
   * A `leaders` message (an empty object when the session ends): keeps its lists.
   * @returns {string[]} the site's leaders
   */
  heard(m) {
    this.site = peerIds(m.leaders);
    this.byTrack = new Map();
    const tracks = m.tracks && typeof m.tracks === 'object' ? Object.entries(m.tracks) : [];
    for (const [track, ids] of tracks.slice(0, MAX_LISTS)) {
      const list = peerIds(ids);
      if (list.length > 0) this.byTrack.set(track, list);
    }
    return this.site;
  }

  /** Who leads the live segments of `track`: its own leaders when it has them, else the site's. */
  leadersOf(track) {
    return (track !== undefined && this.byTrack.get(track)) || this.site;
  }

  /** Whether `peerId` leads the site or any of its renditions. */
  leads(peerId) {
    if (this.site.includes(peerId)) return true;
    for (const list of this.byTrack.values()) if (list.includes(peerId)) return true;
    return false;
  }
}
