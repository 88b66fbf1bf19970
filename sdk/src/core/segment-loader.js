/**
 * Gets one segment's bytes for the player ({@link SegmentLoader#load}, the engine's
 * `loadSegment`): from the store, by joining a fetch of it already under way, from a neighbour
 * that announced it, or over HTTP through the player's own loader.
 *
 * - The adapter supplies an `httpLoad()` per request (the player's own loader, so its headers,
 *   timeouts and credentials apply). Its rejection is an HTTP failure and is passed through
 *   untouched, so the player's own retry logic sees it; every other failure in here falls back to
 *   HTTP and is never surfaced.
 * - Hybrid rules (scheduler.js decides, the loader acts in rounds: load-rounds.js): a viewer takes
 *   a segment from a neighbour that announced it, or waits for one, but never past the deadline by
 *   which an HTTP fetch must start; each re-plan sees the buffer the wait cost.
 * - Integrity (docs/protocol.md "Segment integrity"): every P2P attempt asks the appliance for the
 *   segment's hash (anchor.js, one ask per segment, cached) in parallel with the request, and the
 *   bytes reach the player and the store only when their SHA-256 equals the appliance's. A
 *   mismatch is dropped, fetched over HTTP within the deadline, and reported (integrity-verdict.js);
 *   bytes the appliance has no hash for are dropped too (`unverified`). HTTP copies need no
 *   hash: they come from the origin.
 * - Every copy obtained is kept in the store, to serve neighbours.
 *
 * The session facts (joined, P2P usable, downloads allowed, the leaders) are the engine's: read
 * here, never written.
 *
 * @module core/segment-loader
 */

import { httpLoaderStats, p2pLoaderStats } from './bandwidth.js';
import { rescueHttp } from './http-rescue.js';
import { FillPace } from './fill-pace.js';
import { loadRounds } from './load-rounds.js';
import { askPeer } from './peer-attempt.js';
import { StartBuffer } from './start-buffer.js';
import { Trail } from './trail.js';

/** A transfer that makes no progress for this long is given up (a neighbour vanished silently). */
export const DEFAULT_IDLE_TIMEOUT_MS = 2000;
/** Default ABR estimate (bits/s) when neither HTTP samples nor the player's estimate exist. */
export const FALLBACK_BPS = 500_000;
/** HTTP fetches `stats().httpFetches` lists, the last ones. */
export const HTTP_LOG_SIZE = 120;

/**
 * @typedef {object} HttpResult
 * @property {Uint8Array} bytes
 * @property {number} requestedAt when the request was sent
 * @property {number} firstByteAt
 * @property {number} deliveredAt
 */

/**
 * @typedef {object} LoadRequest
 * @property {string} url absolute segment URL
 * @property {import('./segment-id.js').ByteRange} [range] the bytes of `url` that are the segment (byte-range addressing)
 * @property {string} [segmentId] defaults to engine.segmentId(url, range)
 * @property {boolean} live
 * @property {number} bufferS media the player holds ahead (seconds) when it asks
 * @property {boolean} [fromStartPoint] before the first frame, `bufferS` is the media between where
 *   the player will start and this segment (the adapter knows the start point): the segments asked
 *   for earlier add nothing to it (start-buffer.js)
 * @property {number} [durationS]
 * @property {number} [sizeBytes] expected size (the rendition's bitrate × duration), for the HTTP estimate
 * @property {number} [sequence] media sequence number (live)
 * @property {string} [track] rendition key for the store's live window
 * @property {number} [listedAtMs] when the playlist first listed it (else what onPlaylist saw, else now)
 * @property {() => Promise<HttpResult>} httpLoad the player's own HTTP load of this segment
 * @property {() => number} [httpLoaded] the bytes the HTTP load under way received so far, when its
 *   loader can say: while it grows, neighbours are told the fetch again (own-fetches.js)
 * @property {() => void} [abortHttp] ends the HTTP load under way (its promise then rejects): lets a
 *   neighbour's verified copy replace a fetch that the congested WAN holds up (http-rescue.js)
 * @property {(source: 'http'|'p2p') => void} [onTransferStart] a transfer (not a wait) begins
 * @property {number} [bwEstimate] the player's current bandwidth estimate, bits/s
 * @property {number} [ttfbMs] the player's TTFB estimate
 * @property {{aborted: boolean, addEventListener: Function}} [signal] the player gave up
 */

/**
 * @typedef {object} LoadResult
 * @property {Uint8Array} bytes the engine keeps these (to serve neighbours): hand the player a copy
 * @property {'http'|'p2p'} source
 * @property {{loaded: number, total: number, loading: {start: number, first: number, end: number}, bwEstimate: number}} stats
 *   what to report to the player's ABR (bandwidth.js)
 */

export class SegmentLoader {
  /**
   * @param {object} options
   * @param {import('./engine.js').Engine} options.engine the session: `enabled`, `destroyed`,
   *   `selfId`, `leaders`, `p2pUsable()`, `p2pDownloadsAllowed()`, `downloadsWithheld()`,
   *   `unverifiable(id)`, `segmentId()` and `health` (peer-attempt.js) are read
   * @param {import('./segment-store.js').SegmentStore} options.store
   * @param {import('./scheduler.js').Scheduler} options.scheduler
   * @param {import('./qoe.js').QoeReporter} options.qoe
   * @param {import('./peer-gate.js').PeerGate} options.gate opened when the WAN turns out scarce
   * @param {import('./anchor.js').HashAnchor} options.anchor the appliance's segment hashes
   * @param {import('./neighbours.js').Neighbours} options.neighbours
   * @param {import('./segment-waits.js').SegmentWaits} options.waits where a load waits for a neighbour
   * @param {(id: string) => import('./live-prefetch.js').KnownSegment|undefined} options.listing what the
   *   playlists said of a segment (live-prefetch.js), for what a request leaves out
   * @param {import('./self-report.js').EarlyLinkReport} options.earlyReport told of each completed fetch
   * @param {object} options.timers
   * @param {() => number} options.now
   * @param {(...args: any[]) => void} options.log
   * @param {number} [options.idleTimeoutMs]
   */
  constructor({ engine, store, scheduler, qoe, gate, anchor, neighbours, waits, listing, earlyReport, timers, now, log, idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS }) {
    this.engine = engine;
    this.store = store;
    this.scheduler = scheduler;
    this.qoe = qoe;
    this.gate = gate;
    this.anchor = anchor;
    this.neighbours = neighbours;
    this.waits = waits;
    this.earlyReport = earlyReport;
    this.listing = listing;
    this.timers = timers;
    this.now = now;
    this.log = log;
    this.idleTimeoutMs = idleTimeoutMs;
    /** @type {Map<string, Promise<LoadResult|null>>} fetches in progress, joined by later asks */
    this.inflight = new Map();
    /** Player fetches whose HTTP copy a neighbour's verified copy replaced ({@link rescueHttp}). */
    this.rescued = 0;
    /** Bytes fetched over HTTP, by why (the scheduler's reason, `leader`, `backup`, `alone`, …): where the WAN copies go. */
    this.httpBytesByReason = {};
    /** @type {Array<Array<number|string|null>>} the last HTTP fetches ({@link logFetch}) */
    this.httpFetches = [];
    /**
     * Loads that waited for a colleague's claimed HTTP fetch instead of fetching beside it
     * (load-rounds.js): `waited` at all, `followed` its progress past the usual bounds, `stalled`
     * with it past the end of the buffer.
     */
    this.claimWaits = { waited: 0, followed: 0, stalled: 0 };
    /** What a player that has not played yet fetches ahead of each ask (start-buffer.js). */
    this.startBuffer = new StartBuffer();
    /** The VOD segment the player got last per rendition, for who plays ahead of it (trail.js). */
    this.trail = new Trail();
    /** When a VOD player's next segment may start once its buffer is full enough (fill-pace.js). */
    this.fillPace = new FillPace();
  }

  /**
   * Loads one media or init segment for the player: P2P where the rules allow, HTTP otherwise,
   * never later than the deadline. Rejects only with the HTTP load's own error (or when the
   * player aborted).
   * @param {LoadRequest} req
   * @returns {Promise<LoadResult>}
   */
  async load(req) {
    const full = this.startingBuffer(this.withListing(req));
    // Only a paced load waits: any other starts in the player's own call, before the live
    // prefetch of the same playlist refresh (a leader's own ask is then its one fetch).
    const turn = this.store.get(full.segmentId) ? undefined : this.paced(full);
    if (turn) await turn;
    const result = await this.loadOnce(full);
    const at = this.now();
    this.trail.got(full, at);
    this.startBuffer.delivered(full, at);
    return result;
  }

  /**
   * Waits for the request's turn when it only fills a VOD buffer that holds plenty already
   * (fill-pace.js). A wait, not a transfer: the adapters keep the player's timers quiet meanwhile.
   * Rejects when the player gives up during it.
   * @param {LoadRequest & {segmentId: string}} req
   */
  paced(req) {
    const now = this.now();
    const at = this.fillPace.turn(req, this.engine.playerPlaying, now);
    if (at <= now) return undefined;
    this.log('fill paced', req.segmentId, `${Math.round(at - now)} ms, buffer ${Number(req.bufferS).toFixed(1)} s`);
    return new Promise((resolve, reject) => {
      const signal = req.signal;
      const onAbort = () => {
        this.timers.clearTimeout(timer);
        reject(new Error('aborted'));
      };
      const timer = this.timers.setTimeout(() => {
        signal?.removeEventListener?.('abort', onAbort);
        resolve();
      }, at - now);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener?.('abort', onAbort, { once: true });
    });
  }

  /**
   * Before the player's first frame, the segments it asked for earlier on the same rendition
   * count as buffer (start-buffer.js): they will play before this one, and nothing drains yet.
   * @param {LoadRequest & {segmentId: string}} req
   */
  startingBuffer(req) {
    if (this.engine.playerPlaying) {
      this.startBuffer.clear();
      return req;
    }
    const aheadS = this.startBuffer.aheadS(req);
    if (req.fromStartPoint) return req;
    return aheadS > (req.bufferS || 0) ? { ...req, bufferS: aheadS } : req;
  }

  /**
   * The request with what its playlist listing says filled in where the adapter left it out
   * (Video.js asks with a URL only): the duration decides the backup leader's grace, the HTTP
   * estimate and whether the link counts as congested; the listing time when the leaders are due;
   * the sequence and rendition key the store.
   * @param {LoadRequest} req
   * @returns {LoadRequest & {segmentId: string}}
   */
  withListing(req) {
    const segmentId = req.segmentId ?? this.engine.segmentId(req.url, req.range);
    const k = this.listing(segmentId);
    if (!k) return { ...req, segmentId };
    return {
      ...req, segmentId, durationS: req.durationS ?? k.durationS, sequence: req.sequence ?? k.sequence, track: req.track ?? k.track,
      listedAtMs: req.listedAtMs ?? k.listedAtMs,
    };
  }

  /** @param {LoadRequest & {segmentId: string}} req from {@link withListing} @returns {Promise<LoadResult>} */
  async loadOnce(req) {
    const id = req.segmentId;
    let httpTried = false;
    const httpOnce = (reason) => {
      httpTried = true;
      return rescueHttp(this, id, req, this.http(id, req, reason), reason);
    };
    try {
      if (!this.engine.p2pUsable()) return await httpOnce('off');
      // Fetching takes a good part of the segment's duration: the WAN is scarce, use the LAN now.
      if (!this.gate.isOpen && this.scheduler.congested(req)) this.gate.open('congested');
      const t0 = this.now();
      const cached = this.fromStore(id, req);
      if (cached) return cached;
      const pending = this.inflight.get(id);
      if (pending) {
        const joined = await this.raceUntil(pending, this.joinUntilMs(id, req, t0));
        if (joined) return this.resultFor(joined, req);
        const again = this.fromStore(id, req);
        if (again) return again;
      }
      const own = loadRounds(this, id, req, t0, httpOnce);
      return await this.track(id, own.then((r) => r, () => null)).then((r) => r || own);
    } catch (e) {
      if (e && e.httpFailure) throw e;
      if (req.signal && req.signal.aborted) throw e;
      this.log('engine failure, falling back to HTTP', e);
      if (httpTried) throw e;
      return this.http(id, req, 'error');
    }
  }

  /**
   * How long the player's ask (at `t0`) joins a fetch of the same segment already under way, before
   * it plans one of its own. Waiting on another fetch is not a transfer: the adapter keeps the
   * player's timers quiet.
   * - A pull from a neighbour (or any fetch) started before a new one would: joined while the
   *   slack lasts, and with no slack still for up to one HTTP time, instead of adding a second copy
   *   to the link.
   * - This viewer's own HTTP fetch of it (the leader's or backup's prefetch): joined at least while
   *   the player's buffer lasts. A second fetch from the same viewer takes the same link and
   *   server, so while the first makes progress it cannot land sooner, and on a thin link it halves
   *   the first one's share: the leader's copy, which every colleague waits for, comes later, and
   *   the colleagues' deadlines send them to the link too (the thin-link collapse). A stuck prefetch
   *   (hls.js's has the player's own load timeouts, the other players' none) is left when the
   *   buffer runs out, no later.
   * @param {string} id
   * @param {LoadRequest} req
   * @param {number} t0 when the player asked
   */
  joinUntilMs(id, req, t0) {
    const httpMs = this.scheduler.estimateHttpMs(req);
    const slackMs = req.bufferS * 1000 - this.scheduler.safetyMarginMs - httpMs;
    const untilMs = t0 + (slackMs > 0 ? slackMs : httpMs);
    if (!this.neighbours.fetchingOwn(id)) return untilMs;
    return Math.max(untilMs, t0 + (req.bufferS > 0 ? req.bufferS * 1000 : 0));
  }

  /** Registers a fetch of `id` under way, for later asks to join until it settles. */
  track(id, promise) {
    this.inflight.set(id, promise);
    promise.finally(() => {
      if (this.inflight.get(id) === promise) this.inflight.delete(id);
    });
    return promise;
  }

  /** `promise`'s result, or null once `untilMs` passed (or it rejected). */
  raceUntil(promise, untilMs) {
    return new Promise((resolve) => {
      const timer = this.timers.setTimeout(() => resolve(null), Math.max(0, untilMs - this.now()));
      promise.then((r) => { this.timers.clearTimeout(timer); resolve(r); }, () => { this.timers.clearTimeout(timer); resolve(null); });
    });
  }

  fromStore(id, req) {
    const entry = this.store.get(id);
    if (!entry) return null;
    return { bytes: entry.bytes, source: entry.meta.source === 'p2p' ? 'p2p' : 'http', stats: this.modelledStats(entry.bytes.length, req) };
  }

  resultFor(r, req) {
    if (r.source === 'p2p' || !r.timing) return { bytes: r.bytes, source: r.source, stats: this.modelledStats(r.bytes.length, req) };
    return r;
  }

  modelledStats(bytes, req) {
    const httpBps = this.scheduler.httpThroughputBps() || (req.bwEstimate > 0 ? req.bwEstimate : FALLBACK_BPS);
    return p2pLoaderStats({ bytes, deliveredAt: this.now(), httpBps, ttfbMs: req.ttfbMs > 0 ? req.ttfbMs : 0 });
  }

  /**
   * One P2P attempt at `peerId` for `id` (peer-attempt.js), bounded by `deadlineMs` and by progress.
   * @returns {Promise<{result?: object, fail?: string, segment?: string, anchorError?: string}>}
   */
  tryPeer(id, peerId, deadlineMs, req) {
    return askPeer(this, id, peerId, deadlineMs, req);
  }

  /**
   * HTTP through the player's loader (or the prefetch's `fetchHttp`); keeps the bytes to serve neighbours.
   * @returns {Promise<LoadResult & {timing: HttpResult}>}
   */
  async http(id, req, reason) {
    this.log('http', reason, id, `buffer ${Number(req.bufferS ?? 0).toFixed(2)} s, neighbours open ${this.neighbours.openCount()}, connecting ${this.neighbours.connectingCount()}${this.engine.playerPlaying ? '' : ', not playing yet'}`);
    req.onTransferStart?.('http');
    // Colleagues short of the same segment wait for this copy rather than add another to the link.
    this.neighbours.tellFetching(id, req.httpLoaded);
    let res;
    try {
      res = await req.httpLoad();
    } catch (e) {
      const err = e && typeof e === 'object' ? e : new Error(String(e));
      err.httpFailure = true;
      throw err;
    } finally {
      this.neighbours.fetchEnded(id);
    }
    const bytes = res.bytes;
    this.qoe.addHttpBytes(bytes.length);
    const why = reason || 'other';
    this.httpBytesByReason[why] = (this.httpBytesByReason[why] || 0) + bytes.length;
    this.logFetch(id, why, res, req);
    this.scheduler.recordHttp({ bytes: bytes.length, ms: res.deliveredAt - res.requestedAt, durationS: req.durationS });
    this.earlyReport.check();
    // Kept without a hash: the store hashes it if a neighbour asks for it (SegmentStore#sha256).
    this.keep(id, bytes, { source: 'http', sequence: req.sequence, track: req.track });
    return { bytes, source: 'http', stats: httpLoaderStats(res), timing: res };
  }

  /**
   * The last {@link HTTP_LOG_SIZE} HTTP fetches, for `stats().httpFetches` (what a thin link carried
   * for this viewer, and when): `[requested, took ms, reason, sequence, rendition, listed]`, times
   * on `now()`; `listed` is when the playlist first listed the segment (null: not listed). A fetch
   * a copy from the LAN ended early (http-rescue.js) has `:ended` after its reason.
   */
  logFetch(id, why, res, req) {
    const k = this.listing(id);
    const at = (t) => (Number.isFinite(t) ? Math.round(t) : null);
    this.httpFetches.push([at(res.requestedAt), at(res.deliveredAt - res.requestedAt), why, req.sequence ?? k?.sequence ?? null,
      req.track ?? k?.track ?? null, at(k?.listedAtMs)]);
    if (this.httpFetches.length > HTTP_LOG_SIZE) this.httpFetches.shift();
  }

  keep(id, bytes, { sha256: hash, source, sequence, track }) {
    if (this.engine.destroyed || this.store.has(id)) return;
    const k = this.listing(id);
    const meta = { stream: track ?? (k && k.track) ?? '', source };
    if (hash) meta.sha256 = hash;
    const seq = sequence ?? (k && k.sequence);
    if (Number.isFinite(seq)) meta.sequence = seq;
    this.store.put(id, bytes, meta);
  }
}
