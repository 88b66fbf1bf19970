/**
 * The playlists the player loads, and what a viewer fetches before its player asks: the leader
 * duties of live streams.
 *
 * Hybrid rules (scheduler.js and leaders.js decide, this acts): the designated (primary) leader of
 * a new live segment fetches it over HTTP as soon as its playlist lists it, and the store then
 * announces it; the backup leader steps in once the primary's expected HTTP time and a grace
 * have passed with nobody holding it, and later while a neighbour said it is fetching it (until
 * that claim is due), or at once when the primary shows no sign of fetching this rendition
 * ({@link LivePrefetch#primaryOffTrack}); every other viewer pulls it from a neighbour as soon as
 * one announces it, so it is here before the player asks (no added latency behind the leader).
 *
 * A prefetch is an ordinary fetch in progress (SegmentLoader#track): the player's request for
 * the segment joins it. HTTP prefetches use the adapter's `fetchHttp(url, {range, progress})` (there
 * is no player request to ride on; the fetcher sets `progress.loaded()`, the bytes received so far,
 * when it can); its rejection only ends the prefetch.
 *
 * Only segments that appear in a live playlist after the player first loaded it are prefetched
 * (`upcoming`): what the first listing holds, the player asks for itself right away.
 *
 * The appliance's hash of a segment a viewer will likely take from a neighbour is asked for when
 * the segment is listed ({@link LivePrefetch#warmHashes}), not when the transfer starts: on a
 * branch office's congested link the ask's round trip to the appliance took longer than the LAN
 * transfer itself (P2P deliveries of 80 kB took 320 ms at the median on a 2.4 Mbit/s link), and
 * made a starting viewer's next fragments look no faster from a colleague than over the WAN.
 *
 * @module core/live-prefetch
 */

import { rankLeaders } from './leaders.js';
import { backupGrace } from './load-rounds.js';

/** Longest a prefetch pulls from a neighbour before giving up (the player's request goes on). */
export const DEFAULT_PREFETCH_TIMEOUT_MS = 4000;
/** Segments remembered across all playlists (the oldest are forgotten first). */
const MAX_KNOWN = 4096;
/**
 * Of a live playlist's first listing, the newest segments whose hashes are asked for ahead: a
 * player starts three target durations from the live edge, so these are the ones it asks for
 * first, and the ones a starting viewer takes from colleagues.
 */
export const START_HASHES = 4;
/**
 * Segment durations over which a primary leader whose channel is open must have announced none of
 * a rendition's segments for its backup to stop waiting for it ({@link LivePrefetch#primaryOffTrack}).
 */
export const OFF_TRACK_SEGMENTS = 3;

/**
 * @typedef {object} KnownSegment what a playlist said of a segment
 * @property {number} listedAtMs when a playlist first listed it (on `now()`)
 * @property {string} url
 * @property {import('./segment-id.js').ByteRange} [range]
 * @property {number} [sequence]
 * @property {number} [durationS]
 * @property {string} track
 * @property {boolean} live
 * @property {boolean} upcoming listed by a refresh of a live playlist, not its first load
 */

export class LivePrefetch {
  /**
   * @param {object} options
   * @param {import('./engine.js').Engine} options.engine the session: `destroyed`, `selfId`,
   *   `leaders`, `p2pUsable()`, `p2pDownloadsAllowed()`, `unverifiable(id)` and `segmentId()` are read
   * @param {import('./segment-store.js').SegmentStore} options.store
   * @param {import('./scheduler.js').Scheduler} options.scheduler
   * @param {import('./segment-loader.js').SegmentLoader} options.loader does the fetches
   * @param {import('./neighbours.js').Neighbours} options.neighbours who holds what
   * @param {((url: string, options?: {range?: import('./segment-id.js').ByteRange}) => Promise<object>)|null} options.fetchHttp
   *   HTTP for prefetches; without it this viewer never fetches for the others
   * @param {object} options.timers
   * @param {() => number} options.now
   * @param {(...args: any[]) => void} options.log
   */
  constructor({ engine, store, scheduler, loader, neighbours, fetchHttp, timers, now, log }) {
    this.engine = engine;
    this.store = store;
    this.scheduler = scheduler;
    this.loader = loader;
    this.neighbours = neighbours;
    this.fetchHttp = fetchHttp;
    this.timers = timers;
    this.now = now;
    this.log = log;
    /** @type {Map<string, KnownSegment>} segment id → what its playlist said, in listing order */
    this.known = new Map();
    this.seenTracks = new Set();
    this.backupTimers = new Set();
  }

  /**
   * The adapter's view of the playlist the player is loading (on every refresh).
   * @param {object} playlist
   * @param {boolean} playlist.live
   * @param {string} playlist.track rendition key (e.g. the level index or its URL)
   * @param {{url: string, range?: import('./segment-id.js').ByteRange, segmentId?: string, sequence?: number, durationS?: number}[]} playlist.segments
   */
  onPlaylist({ live, track, segments }) {
    try {
      if (this.engine.destroyed || !Array.isArray(segments)) return;
      const t = this.now();
      const firstLook = !this.seenTracks.has(track);
      this.seenTracks.add(track);
      let lowest = Infinity;
      const fresh = [];
      for (const s of segments) {
        const id = s.segmentId ?? this.engine.segmentId(s.url, s.range);
        if (Number.isFinite(s.sequence)) lowest = Math.min(lowest, s.sequence);
        if (this.known.has(id)) continue;
        const k = { listedAtMs: t, url: s.url, range: s.range, sequence: s.sequence, durationS: s.durationS, track, live, upcoming: live && !firstLook };
        this.known.set(id, k);
        if (k.upcoming) fresh.push([id, k]);
      }
      if (live && Number.isFinite(lowest)) {
        this.store.setLiveWindow(track, lowest);
        for (const [id, k] of this.known) {
          if (k.track === track && k.sequence !== undefined && k.sequence < lowest) this.known.delete(id);
        }
      }
      while (this.known.size > MAX_KNOWN) this.known.delete(this.known.keys().next().value);
      this.warmHashes(firstLook ? this.newest(track) : fresh);
      for (const [id, k] of fresh) this.prefetchLive(id, k);
    } catch (e) {
      this.log('playlist handling failed', e);
    }
  }

  /**
   * Asks the appliance for the hashes of live segments this viewer will likely take from a
   * neighbour, so that the transfer does not wait for the answer (one ask per segment, shared with
   * the transfer's: anchor.js). Not for a segment this viewer fetches over HTTP as its primary
   * leader, nor before it may download from neighbours (it asks again on joining: {@link warmStart}).
   * @param {[string, KnownSegment][]} entries
   */
  warmHashes(entries) {
    const e = this.engine;
    if (entries.length === 0 || !e.p2pDownloadsAllowed()) return;
    for (const [id, k] of entries) {
      if (!k.live || this.store.has(id) || e.unverifiable(id)) continue;
      if (k.upcoming && rankLeaders(id, e.renditions.leadersOf(k.track))[0] === e.selfId) continue;
      this.loader.anchor.get(id, k.url, k.range);
    }
  }

  /** Joined the mesh: the hashes of the newest segments of every live playlist seen. */
  warmStart() {
    for (const track of this.seenTracks) this.warmHashes(this.newest(track));
  }

  /** The newest {@link START_HASHES} segments listed for `track`. */
  newest(track) {
    const listed = [...this.known].filter(([, k]) => k.track === track && k.live);
    return listed.slice(-START_HASHES);
  }

  /** A neighbour announced `id`. */
  onHave(id) {
    // A new live segment of our playlist that a neighbour already holds: pull it now, so it
    // is here before the player asks (no added latency behind the leader).
    const k = this.known.get(id);
    if (k && k.upcoming && !this.store.has(id) && !this.loader.inflight.has(id)) this.prefetchP2p(id, k);
  }

  /** A new live segment was listed: fetch it as its primary leader, its backup, or from a neighbour. */
  prefetchLive(id, k) {
    const e = this.engine;
    if (!e.p2pUsable() || this.store.has(id) || this.loader.inflight.has(id)) return;
    const ranked = rankLeaders(id, e.renditions.leadersOf(k.track));
    if (this.neighbours.holdersOf(id).length > 0) {
      this.prefetchP2p(id, k); // a colleague listed it first and holds it already: the site has its copy
    } else if (ranked[0] === e.selfId && this.neighbours.fetchingSince(id) === undefined) {
      this.log('primary leader for', id);
      this.prefetchHttp(id, k, 'leader');
    } else if (ranked[1] === e.selfId) {
      this.backUp(id, k);
    }
  }

  /**
   * The backup leader's duty for `id`: once the primary is late (Scheduler#backupDueMs, the rule its
   * player's requests follow too), fetch it over HTTP unless somebody holds it or is fetching it. A
   * neighbour that said it is fetching it (the primary, on a thin link whose fetches run longer than
   * the last ones did) gets until its claim is due: a second copy beside a late first one makes both
   * later on the link they share. The due time is taken again when the timer fires, since a claim
   * may have come meanwhile; claims are bounded (fetch-claims.js), so the duty is only ever put off.
   * It is due at once when the primary shows none of the rendition ({@link primaryOffTrack}).
   */
  backUp(id, k) {
    const dueInMs = this.backupDueMs(id, k) - this.now();
    if (dueInMs <= 0) {
      this.stepIn(id, k);
      return;
    }
    const timer = this.timers.setTimeout(() => {
      this.backupTimers.delete(timer);
      this.stepIn(id, k);
    }, dueInMs);
    this.backupTimers.add(timer);
  }

  /** The backup's moment for `id` came: it fetches unless somebody holds it or the moment moved. */
  stepIn(id, k) {
    const e = this.engine;
    if (this.store.has(id) || this.loader.inflight.has(id) || this.neighbours.holdersOf(id).length > 0) return;
    // The mesh may have changed since the listing (a rejoin, a new leader list): only a
    // backup that is still one steps in.
    if (!e.p2pUsable() || !rankLeaders(id, e.renditions.leadersOf(k.track)).slice(0, 2).includes(e.selfId)) return;
    if (this.backupDueMs(id, k) > this.now()) {
      this.log('backup leader waits for a neighbour\'s fetch of', id);
      this.backUp(id, k);
      return;
    }
    this.log('backup leader steps in for', id);
    this.prefetchHttp(id, k, 'backup');
  }

  /**
   * Whether `peerId`, the primary leader of the new segment `k`, shows no sign of fetching its
   * rendition: its channel to this viewer has been open for {@link OFF_TRACK_SEGMENTS} segment
   * durations, and of the segments this viewer listed on the rendition between that long and one
   * duration ago (two at least), it announced none and said it was fetching none (a colleague's
   * urgent fetch says nothing of the primary). Leaders are the site's, not a rendition's: a
   * primary watching another rendition never fetches this one, nor does a modified SDK that leads
   * and fetches nothing, and each of their segments would wait for the backup's grace while
   * colleagues fetch it urgently. An honest primary on the rendition announces every segment it
   * gets, from its own fetch or a colleague's, and tells the ones it is still fetching.
   * @param {string} peerId
   * @param {KnownSegment} k
   */
  primaryOffTrack(peerId, k) {
    const peer = this.neighbours.usable(peerId);
    const durationMs = (k.durationS || 0) * 1000;
    const t = this.now();
    const since = t - OFF_TRACK_SEGMENTS * durationMs;
    if (!peer || !(durationMs > 0) || !(peer.openedAtMs <= since)) return false;
    let listed = 0;
    for (const [id, other] of this.known) {
      if (other.track !== k.track || other.listedAtMs < since || other.listedAtMs > t - durationMs) continue;
      if (peer.holds(id) || this.neighbours.claims.since(id, (claimant) => claimant === peerId) !== undefined) return false;
      listed++;
    }
    return listed >= 2;
  }

  /** When this viewer, the backup leader of `id`, steps in (Scheduler#backupDueMs). */
  backupDueMs(id, k) {
    const s = this.scheduler;
    return s.backupDueMs({
      listedAtMs: k.listedAtMs, backupGraceMs: backupGrace(s, k.durationS), fetchingSinceMs: this.neighbours.fetchingSince(id),
      primary: rankLeaders(id, this.engine.renditions.leadersOf(k.track))[0], primaryOffTrack: (peerId) => this.primaryOffTrack(peerId, k),
      fetchProgressAtMs: this.neighbours.fetchProgress(id)?.atMs,
    }, s.estimateHttpMs({ durationS: k.durationS }));
  }

  /** @param {'leader'|'backup'} reason which leader duty */
  prefetchHttp(id, k, reason) {
    if (typeof this.fetchHttp !== 'function') return;
    const url = k.url;
    // The fetcher sets `progress.loaded` when it can say how far it is (neighbours are told again
    // while it grows: own-fetches.js).
    const progress = {};
    const httpLoad = () => this.fetchHttp(url, k.range ? { range: k.range, progress } : { progress });
    const httpLoaded = () => (typeof progress.loaded === 'function' ? progress.loaded() : 0);
    this.loader.track(id, (async () => {
      try {
        return await this.loader.http(id, { url, range: k.range, durationS: k.durationS, sequence: k.sequence, track: k.track, httpLoad, httpLoaded }, reason);
      } catch {
        return null;
      }
    })());
  }

  prefetchP2p(id, k) {
    const e = this.engine;
    if (!e.p2pDownloadsAllowed() || e.unverifiable(id)) return;
    const deadlineMs = this.now() + Math.max(DEFAULT_PREFETCH_TIMEOUT_MS, (k.durationS || 0) * 1000);
    this.loader.track(id, (async () => {
      for (let round = 0; round < 4; round++) {
        const peer = this.neighbours.holdersOf(id)[0];
        if (peer === undefined || this.now() >= deadlineMs || !e.p2pDownloadsAllowed()) return null;
        const r = await this.loader.tryPeer(id, peer, deadlineMs, { url: k.url, range: k.range, sequence: k.sequence, track: k.track });
        if (r.result) return r.result;
        this.neighbours.countFailure(peer, r);
        if (r.fail === 'integrity' || r.fail === 'unverified' || r.fail === 'timeout') return null;
      }
      return null;
    })().catch(() => null));
  }

  /** Drops the backup duties still pending: the page left the mesh (disable, destroy). */
  cancelBackups() {
    for (const t of this.backupTimers) this.timers.clearTimeout(t);
    this.backupTimers.clear();
  }

  destroy() {
    this.cancelBackups();
  }
}
