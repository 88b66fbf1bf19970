/**
 * The hybrid HTTP/P2P decision for one segment: pure and deterministic given `now()` and the
 * recorded HTTP samples (link-estimates.js keeps them), so every rule is a unit test.
 *
 * The one invariant: P2P never makes playback worse than HTTP. Every P2P attempt or wait gets a
 * deadline by which an HTTP fetch started then would still arrive before the buffer runs dry:
 *
 *     deadline = now + max(0, buffer − safetyMargin − estimatedHttpTime)
 *
 * Live buffers are small (a 6 × 2 s window is 12 s): a non-leader waits only while the slack lasts.
 *
 * With no slack at all the buffer needs the fastest source, which is not always HTTP: on a
 * branch office's congested WAN link a neighbour on the LAN delivers in a fraction of the HTTP
 * time, and one more HTTP fetch slows every other fetch on the scarce link, the leaders' first.
 * So an urgent segment comes from a neighbour that holds it when the measured LAN transfers are
 * clearly faster than the measured HTTP ones, under a short deadline (on a congested link whenever
 * the buffer covers that deadline and an HTTP fetch after it); a non-leader whose own HTTP fetch
 * would arrive after the leader's expected announcement waits for that; else HTTP at once. On a congested link an urgent segment that
 * a neighbour said it is fetching (fetch-claims.js) waits for that copy, up to one HTTP time,
 * instead of adding a second to the link, and for as long as the neighbour says its fetch makes
 * progress, up to {@link MAX_PROGRESS_STALL_MS} past the end of the buffer. On an uncongested
 * link HTTP is fast, so these rules rarely fire and never add more than one HTTP time.
 *
 * Live: the primary leader for a segment (rankLeaders) fetches it over HTTP at once, unless a
 * neighbour holds or is fetching it, and announces it; the backup waits for the primary's
 * announcement one HTTP time plus a grace (longer while a neighbour's fetch is under way), then
 * fetches; everyone else takes it from a holder or waits for one. VOD: from a holder, else HTTP,
 * first waiting for the neighbour that plays ahead in the recording (trail.js); on a scarce link
 * what only fills the buffer is fetched no earlier than needed.
 *
 * @module core/scheduler
 */

import { rankLeaders } from './leaders.js';
import { LinkEstimates, RATE_SAMPLE_MIN_BYTES } from './link-estimates.js';

export const DEFAULT_SAFETY_MARGIN_MS = 1500;
export const DEFAULT_HTTP_ESTIMATE_MS = 1000;
/** How long past its expected HTTP time the backup gives the primary leader to announce. */
export const DEFAULT_BACKUP_GRACE_MS = 500;
/** An urgent segment goes to a neighbour only when the LAN is expected this many times faster. */
export const URGENT_P2P_ADVANTAGE = 2;
/** The shortest deadline an urgent P2P attempt gets, whatever the estimate. */
export const MIN_URGENT_P2P_MS = 250;
/**
 * What a LAN transfer is assumed to take before one was measured, once HTTP was: a segment of a
 * few hundred kB over a data channel (10–30 MB/s here) plus the request's round trip.
 */
export const DEFAULT_P2P_ESTIMATE_MS = 250;
/**
 * Below this per-transfer HTTP throughput (bits/s) the site's WAN is taken as the scarce
 * resource: a segment of a 2–4 Mbit/s rendition (0.5–1 MB) takes a second or more over it, while
 * a LAN neighbour delivers it in a fraction of that.
 */
export const CONGESTED_SITE_BPS = 8_000_000;
/** An HTTP fetch expected to take more than this share of the segment's duration: a congested link. */
export const CONGESTED_SHARE = 0.25;
/** A fetch under way is slow (the link congested) only once it has taken at least this long. */
export const SLOW_FETCH_MIN_MS = 500;
/**
 * A neighbour's fetch told again within this long makes progress (it tells it every 500 ms while
 * its bytes grow: own-fetches.js); one silent for longer may be stuck.
 */
export const CLAIM_ALIVE_MS = 1200;
/**
 * How long a viewer whose buffer ran out still follows a neighbour's fetch that makes progress,
 * rather than fetch beside it. Bounds what a neighbour's word can cost: a stall this long, once
 * until that neighbour delivers a verified segment (FetchClaims#progressMayStall; only its
 * oldest open claim is followed, and none once one of its claims broke).
 */
export const MAX_PROGRESS_STALL_MS = 2000;
/** The longest an urgent segment waits for connecting neighbours on a congested link before HTTP. */
export const MAX_CONGESTED_WAIT_MS = 2000;
/**
 * The longest a segment with slack waits for neighbours that are still connecting (their
 * channels open and announce within a few hundred ms of being created) before HTTP.
 */
export const CONNECTING_WAIT_MS = 1500;

/**
 * On a scarce link (Scheduler#scarceLink) a VOD segment nobody holds goes over HTTP once the slack
 * left is this (buffer beyond the safety margin and the expected HTTP time), not sooner.
 */
export const CONGESTED_VOD_SLACK_MS = 20_000;

/**
 * Reasons a P2P attempt failed, as counted in the QoE `failures` object. `unverified`: bytes dropped,
 * the appliance had no hash; `paused`: no neighbour asked, own transfers kept stalling (download-health.js).
 */
export const FAILURE_REASONS = Object.freeze(['timeout', 'integrity', 'gone', 'noHolder', 'policy', 'unverified', 'paused']);

/**
 * @typedef {{source: 'http', reason: string}} HttpPlan
 *   `reason` is for logs and tests: 'off', 'urgent', 'primary', 'backup', 'noHolder', or a failure reason.
 * @typedef {{source: 'p2p', peer: string, deadlineMs: number}} P2pPlan
 *   Ask `peer`; if the verified bytes are not in by `deadlineMs`, cancel and go HTTP.
 * @typedef {{source: 'wait', untilMs: number, thenHttp: true, progress?: true}} WaitPlan
 *   Nobody holds it yet but someone should soon: plan again when an announcement arrives, and
 *   fetch over HTTP at `untilMs` at the latest. `progress`: the wait follows a neighbour's fetch
 *   that makes progress, and is planned again each time it is told again (load-rounds.js).
 * @typedef {HttpPlan|P2pPlan|WaitPlan} Plan
 */

/**
 * @typedef {object} SegmentRequest
 * @property {string} segmentId
 * @property {boolean} live
 * @property {number} bufferS seconds of media the player holds ahead of this segment (for a
 *   prefetch: how long until the player needs it)
 * @property {number} [durationS] segment duration, to pick similar HTTP samples when the size is unknown
 * @property {number} [sizeBytes] expected size, if known (byte-range playlists, earlier renditions)
 * @property {string[]} [holders] neighbours that announced this segment, best first
 * @property {string[]} [leaders] the segment's leaders: its rendition's or the site's (renditions.js)
 * @property {string} [selfId] my peer id
 * @property {number} [neighbours] neighbours the appliance gave this viewer (open or still connecting)
 * @property {number} [connecting] of those, neighbours whose channel is not open yet (held by the peer gate included)
 * @property {number} [open] of those, neighbours whose channel is open (undefined: not known, no rule applies)
 * @property {boolean} [starting] the player has not played yet
 * @property {number} [askedAtMs] when the player asked for the segment (bounds waits across re-plans)
 * @property {number} [listedAtMs] when the playlist first listed the segment (live), default now
 * @property {boolean} [upcoming] false: the first listing of its playlist held it (live-prefetch.js)
 * @property {number} [backupGraceMs] this segment's backup grace, overriding the default: the
 *   primary refreshes its playlist on its own timer, so it may list a segment up to one target
 *   duration after the backup did
 * @property {(peerId: string) => boolean} [primaryOffTrack] whether a primary leader shows no
 *   sign of fetching this segment's rendition (live-prefetch.js): its backup does not wait for it
 * @property {string[]} [exclude] neighbours that already failed this segment
 * @property {boolean} [p2p] false when the policy or the SDK state rules P2P out
 * @property {number} [aheadAtMs] VOD: when a neighbour announced the segment this player got just
 *   before this one, having got it before this viewer did (trail.js): it plays ahead, and is
 *   likely fetching this one now
 * @property {number} [fetchingSinceMs] when the earliest HTTP fetch of the segment that an open
 *   neighbour said it started (data-channel `fetching`, fetch-claims.js) began; it has not
 *   announced the segment yet
 * @property {number} [fetchProgressAtMs] when such a neighbour last told its fetch again (it made
 *   progress: own-fetches.js)
 * @property {number} [bufferEndsAtMs] when the buffer the player had at its ask runs out
 * @property {boolean} [fetchProgressMayStall] following that progress past `bufferEndsAtMs` is
 *   allowed: a neighbour it counts has not cost this viewer a stall since it last delivered a
 *   segment (fetch-claims.js)
 */

/**
 * The plan for one segment, on top of the link figures it measures ({@link LinkEstimates}: the
 * HTTP and LAN samples, the expected times), and the count of failed P2P attempts.
 */
export class Scheduler extends LinkEstimates {
  /**
   * @param {object} [options]
   * @param {() => number} [options.now] clock in ms (performance.now in the browser)
   * @param {number} [options.safetyMarginMs]
   * @param {number} [options.defaultHttpMs] HTTP time estimate before any sample
   * @param {number} [options.backupGraceMs]
   */
  constructor({
    now = () => Date.now(), safetyMarginMs = DEFAULT_SAFETY_MARGIN_MS,
    defaultHttpMs = DEFAULT_HTTP_ESTIMATE_MS, backupGraceMs = DEFAULT_BACKUP_GRACE_MS,
  } = {}) {
    for (const [k, v] of Object.entries({ safetyMarginMs, defaultHttpMs, backupGraceMs })) {
      if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`${k} must be a non-negative number, got ${v}`);
    }
    super({ now, defaultHttpMs });
    this.safetyMarginMs = safetyMarginMs;
    this.backupGraceMs = backupGraceMs;
    /** Failures by reason since creation. */
    this.failures = Object.fromEntries(FAILURE_REASONS.map((r) => [r, 0]));
  }

  /**
   * Whether the site's WAN is the scarce resource: the appliance's figure for the site is under
   * {@link CONGESTED_SITE_BPS}, or (for a segment of known duration) fetching it is expected to
   * take more than {@link CONGESTED_SHARE} of its duration.
   * @param {{sizeBytes?: number, durationS?: number}} [segment]
   */
  congested(segment = {}) {
    if (this.siteHttpBps !== undefined && this.siteHttpBps < CONGESTED_SITE_BPS) return true;
    return segment.durationS > 0 && this.httpMeasured(segment)
      && this.estimateHttpMs(segment) > CONGESTED_SHARE * segment.durationS * 1000;
  }

  /**
   * Whether a fetch still under way after `elapsedMs` shows the link congested by itself: it has
   * taken more than {@link CONGESTED_SHARE} of the segment's duration, and at least
   * {@link SLOW_FETCH_MIN_MS} (a busy machine, not the link, can hold up a short fetch that long).
   * @param {number} elapsedMs
   * @param {{durationS?: number}} [segment]
   */
  slowFetch(elapsedMs, { durationS } = {}) {
    return durationS > 0 && elapsedMs > Math.max(SLOW_FETCH_MIN_MS, CONGESTED_SHARE * durationS * 1000);
  }

  /**
   * Decides where to get a segment from, now.
   * @param {SegmentRequest} req
   * @returns {Plan}
   */
  plan(req) {
    const now = this.now();
    if (req.p2p === false) return { source: 'http', reason: 'off' };
    const httpMs = this.estimateHttpMs(req);
    const slackMs = req.bufferS * 1000 - this.safetyMarginMs - httpMs;
    const self = req.selfId;
    const ranked = req.live ? rankLeaders(req.segmentId, req.leaders ?? []) : [];
    const exclude = new Set(req.exclude ?? []);
    const holder = (req.holders ?? []).find((p) => p !== self && !exclude.has(p));
    // With a holder, an attempt the slack cannot cover (a neighbour's channel opened late in a
    // starting player's wait) would time out, cost the holder an upload and count against it: that
    // is urgent too. Never more than the default is asked for: slow transfers in the history
    // (bytes held while the appliance was away for their hash) must not keep a viewer off P2P,
    // with no new sample to tell it otherwise.
    const needMs = holder === undefined ? 0 : Math.min(DEFAULT_P2P_ESTIMATE_MS, this.estimateP2pMs(req) ?? DEFAULT_P2P_ESTIMATE_MS);
    if (!(slackMs > 0) || slackMs < needMs) return this.urgentPlan(req, { now, httpMs, ranked, self, exclude, holder });
    const deadlineMs = now + slackMs;
    // A colleague's copy first, the primary's too: the site has its copy (a leader chosen later).
    if (holder !== undefined) return { source: 'p2p', peer: holder, deadlineMs };
    // Neighbours still connecting (a viewer that just started) announce what they hold within a
    // few hundred ms of being created: with buffer to spare they get that moment, then HTTP.
    const connectingUntil = Math.min(deadlineMs, (req.askedAtMs ?? now) + CONNECTING_WAIT_MS);
    const connectingWait = req.connecting > 0 && connectingUntil > now ? { source: 'wait', untilMs: connectingUntil, thenHttp: true } : null;
    // The primary adds no copy beside a colleague's fetch while that is due, and gives connecting
    // neighbours their moment for what its first listing held (older than this viewer).
    const primary = self !== undefined && ranked[0] === self;
    const claimDueMs = primary ? this.claimDueMs(req, httpMs) : undefined;
    if (claimDueMs > now) return { source: 'wait', untilMs: Math.min(claimDueMs, deadlineMs), thenHttp: true };
    if (primary) return (req.upcoming === false && connectingWait) || { source: 'http', reason: 'primary' };
    if (req.open === 0) {
      // Nothing open yet can announce or serve anything (a starting live player asks for the
      // window's next segments within that time, and plays on the first): wait for the connecting
      // ones instead of taking the window over the WAN. A VOD player fills its buffer before it
      // plays: a wait then delays its start.
      return connectingWait && (req.live || !req.starting) ? connectingWait : { source: 'http', reason: 'alone' };
    }
    if (!req.live) return connectingWait ?? this.vodWait(req, now, httpMs, deadlineMs) ?? { source: 'http', reason: 'noHolder' };

    const listedAt = req.listedAtMs ?? now;
    if (self !== undefined && ranked[1] === self) {
      const primaryDue = this.backupDueMs({
        listedAtMs: listedAt, backupGraceMs: req.backupGraceMs, fetchingSinceMs: req.fetchingSinceMs, fetchProgressAtMs: req.fetchProgressAtMs,
        primary: ranked[0], primaryOffTrack: req.primaryOffTrack,
      }, httpMs);
      if (primaryDue <= now) return { source: 'http', reason: 'backup' };
      return { source: 'wait', untilMs: Math.min(primaryDue, deadlineMs), thenHttp: true };
    }
    // A leader other than me will fetch and announce it, unless it already failed us; or a
    // neighbour said it is fetching it.
    const expected = ranked.some((p) => p !== self && !exclude.has(p)) || req.fetchingSinceMs !== undefined;
    if (!expected) return { source: 'http', reason: 'noHolder' };
    return { source: 'wait', untilMs: deadlineMs, thenHttp: true };
  }

  /**
   * When the backup leader of a live segment steps in: the primary needs about one HTTP fetch from
   * the listing, past that plus the grace it is late; a fetch a neighbour said it started is given
   * until it is due ({@link claimDueMs}); a primary that shows none of the segment's rendition
   * (`primaryOffTrack`, live-prefetch.js) is not waited for. One rule for the backup's player
   * requests ({@link plan}) and its own prefetch (live-prefetch.js).
   * @param {{listedAtMs: number, backupGraceMs?: number, fetchingSinceMs?: number, fetchProgressAtMs?: number,
   *   primary?: string, primaryOffTrack?: (peerId: string) => boolean}} req
   * @param {number} httpMs
   */
  backupDueMs(req, httpMs) {
    const grace = req.backupGraceMs >= 0 ? req.backupGraceMs : this.backupGraceMs;
    const due = Math.max(req.listedAtMs + httpMs + grace, this.claimDueMs(req, httpMs) ?? 0);
    return due > this.now() && req.primaryOffTrack?.(req.primary) ? req.listedAtMs : due;
  }

  /**
   * When a fetch a neighbour said it started (`fetchingSinceMs`) is due: twice its expected HTTP
   * time after the claim (a slow link's fetch takes longer than the last ones did while others
   * share it) plus the backup grace, or later while the neighbour says it makes progress
   * ({@link CLAIM_ALIVE_MS} after it last did); undefined without a claim.
   * @param {SegmentRequest} req
   * @param {number} httpMs
   */
  claimDueMs(req, httpMs) {
    if (req.fetchingSinceMs === undefined) return undefined;
    const due = req.fetchingSinceMs + 2 * httpMs + this.backupGraceMs;
    return req.fetchProgressAtMs !== undefined ? Math.max(due, req.fetchProgressAtMs + CLAIM_ALIVE_MS) : due;
  }

  /**
   * VOD, a segment nobody holds, with slack: until when to wait for a neighbour's announcement
   * (never past the deadline; null: HTTP now).
   * - The neighbour ahead in the recording (`aheadAtMs`) asks for it once it has the one before
   *   (at once while it fills its buffer, within one segment's duration once full), and its fetch
   *   takes one HTTP time: wait that long plus the backup grace instead of fetching a second copy
   *   alongside it (on a thin link both copies take twice as long).
   * - A neighbour said it is fetching it (`fetchingSinceMs`): wait twice the expected HTTP time
   *   from then plus the backup grace.
   * - On a scarce link ({@link scarceLink}), with more than {@link CONGESTED_VOD_SLACK_MS} of
   *   slack the fetch only fills the player's buffer, while colleagues' first fragments and the
   *   live leaders' fetches need the link now: wait until the slack is down to that. The viewer
   *   ahead keeps less slack for the same segment, so its turn comes first.
   * @returns {WaitPlan|null}
   */
  vodWait(req, now, httpMs, deadlineMs) {
    let untilMs = now;
    if (Number.isFinite(req.aheadAtMs)) {
      untilMs = Math.max(untilMs, req.aheadAtMs + (req.durationS > 0 ? req.durationS * 1000 : 0) + httpMs + this.backupGraceMs);
    }
    untilMs = Math.max(untilMs, this.claimDueMs(req, httpMs) ?? untilMs);
    if (this.scarceLink(req)) untilMs = Math.max(untilMs, deadlineMs - CONGESTED_VOD_SLACK_MS);
    untilMs = Math.min(untilMs, deadlineMs);
    return untilMs > now ? { source: 'wait', untilMs, thenHttp: true } : null;
  }

  /**
   * Whether what this viewer reports of its link ({@link LinkEstimates#reportedHttpBps}) says it is
   * congested, from at least `fetches` fetches large enough to show the link's speed: the rule of
   * the report a viewer sends early (self-report.js).
   * @param {number} fetches
   */
  reportedCongested(fetches) {
    return this.reportedSamples().length >= fetches && this.reportedHttpBps() < CONGESTED_SITE_BPS;
  }

  /**
   * Whether a fetch that only fills the buffer should leave the link to others: it is congested
   * ({@link congested}), or this viewer's own fetches large enough to show the link's speed
   * measured it under {@link CONGESTED_SITE_BPS}. The first viewer of a recording gets no site
   * figure and alone on a thin link takes each segment in a fifth of its duration, yet its buffer
   * fill takes the link from every colleague who starts meanwhile. Only the buffer fill is held
   * back on this signal (never a start or an urgent fetch), so a busy machine that makes a fast
   * link look slow costs only buffer beyond the slack kept.
   */
  scarceLink(req) {
    if (this.congested(req)) return true;
    const own = this.ownHttpThroughputBps(RATE_SAMPLE_MIN_BYTES);
    return own !== undefined && own < CONGESTED_SITE_BPS;
  }

  /**
   * The plan when the buffer cannot afford a normal P2P attempt (see the module comment).
   * @returns {Plan}
   */
  urgentPlan(req, { now, httpMs, ranked, self, exclude, holder }) {
    if (self !== undefined && ranked[0] === self && holder === undefined) return { source: 'http', reason: 'primary' };
    if (req.open === 0 && !(req.connecting > 0 && this.congested(req))) return { source: 'http', reason: 'alone' };
    // Nothing measured yet (a viewer starting up): HTTP, as a page without the SDK would.
    const measured = this.httpMeasured(req);
    const p2pMs = this.estimateP2pMs(req) ?? (measured ? DEFAULT_P2P_ESTIMATE_MS : undefined);
    if (holder !== undefined && p2pMs !== undefined) {
      const budgetMs = Math.max(MIN_URGENT_P2P_MS, Math.min(httpMs / 2, p2pMs * 4));
      // On a congested link another copy over the WAN slows every colleague's fetch (a starting
      // viewer's second fragment with 1.9 s buffered was one per joiner): a neighbour's copy is
      // also tried whenever the buffer covers the attempt and an HTTP fetch after it.
      const lanFaster = p2pMs * URGENT_P2P_ADVANTAGE < httpMs;
      if (lanFaster || (this.congested(req) && req.bufferS * 1000 >= budgetMs + httpMs)) {
        return { source: 'p2p', peer: holder, deadlineMs: now + budgetMs };
      }
    }
    if (holder === undefined && req.fetchingSinceMs !== undefined && this.congested(req)) {
      // A colleague's fetch of it is under way on the congested link: it started earlier and then
      // needs one LAN transfer, where another copy would share the scarce link with it and slow
      // both. Wait while it may still land (twice its expected time), one HTTP time at most; and
      // while its fetch makes progress, with the buffer gone too (MAX_PROGRESS_STALL_MS at most): a
      // second copy on the same link cannot land first, and slows the next segment's fetch too.
      // Following to the safety margin instead, colleagues fell back together there and the
      // link collapsed (docs/benchmarks.md).
      const p2pMs = this.estimateP2pMs(req) ?? DEFAULT_P2P_ESTIMATE_MS;
      const until = Math.min(req.fetchingSinceMs + 2 * httpMs + p2pMs, (req.askedAtMs ?? now) + httpMs);
      const stallUntil = (req.bufferEndsAtMs ?? now + req.bufferS * 1000) + (req.fetchProgressMayStall ? MAX_PROGRESS_STALL_MS : 0);
      const alive = req.fetchProgressAtMs !== undefined && now - req.fetchProgressAtMs < CLAIM_ALIVE_MS
        ? Math.min(req.fetchProgressAtMs + CLAIM_ALIVE_MS, stallUntil) : -Infinity;
      if (alive > now && alive > until) return { source: 'wait', untilMs: alive, thenHttp: true, progress: true };
      if (until > now) return { source: 'wait', untilMs: until, thenHttp: true };
    }
    if (req.live && holder === undefined && measured) {
      // The leader's fetch started when it listed the segment; its announcement is due one
      // HTTP time later, plus the grace for playlist refreshes that are not in step.
      const primary = ranked.find((p) => p !== self && !exclude.has(p));
      const grace = req.backupGraceMs >= 0 ? req.backupGraceMs : this.backupGraceMs;
      const due = (req.listedAtMs ?? now) + httpMs + grace;
      if (primary !== undefined && ranked[1] !== self && due > now && due < now + httpMs) {
        return { source: 'wait', untilMs: due, thenHttp: true };
      }
    }
    if (holder === undefined && req.neighbours > 0 && this.congested(req)) {
      // A starting viewer on a congested WAN: one more fetch there takes long and slows the
      // leaders' fetches, while the neighbours being connected hold the live window. Wait for one
      // to announce it for part of the HTTP time (counted from the player's ask), then HTTP.
      const until = (req.askedAtMs ?? now) + Math.min(httpMs / 2, MAX_CONGESTED_WAIT_MS);
      if (until > now) return { source: 'wait', untilMs: until, thenHttp: true };
    }
    return { source: 'http', reason: 'urgent' };
  }

  /**
   * A P2P attempt failed: count it and fall back to HTTP. The engine may instead plan() again
   * with the failed peer in `exclude` when the deadline leaves room (re-routing).
   * @param {'timeout'|'integrity'|'gone'|'noHolder'|'policy'|'unverified'} reason
   * @returns {HttpPlan}
   */
  onP2pFailure(reason) {
    if (!FAILURE_REASONS.includes(reason)) throw new RangeError(`unknown failure reason ${reason}`);
    this.failures[reason]++;
    return { source: 'http', reason };
  }
}
