/**
 * What neighbours said they are fetching over HTTP right now (the data-channel `fetching`
 * message), and whether to believe them.
 *
 * On a branch office's congested WAN a segment that is late at one viewer is late at its
 * colleagues too: their deadlines pass together and each one's fallback adds a copy of the same
 * segment to the link that is already too slow, so every copy, the first one included, arrives
 * later (the stampede). A viewer that starts an HTTP fetch tells its neighbours; a colleague
 * short of the same segment then waits for that copy, which started earlier and needs only a
 * LAN transfer once it lands, instead of starting another (scheduler.js uses
 * {@link FetchClaims#since}).
 *
 * A neighbour tells a claim again while its fetch makes progress (own-fetches.js): on a thin link
 * a fetch that crawls because the link is shared still lands before a second copy could, while
 * one told once and silent since may be stuck ({@link FetchClaims#progressAt}). Following it past
 * the end of the buffer costs a stall, which each neighbour may cost this viewer once until it
 * delivers a verified segment ({@link FetchClaims#progressMayStall}).
 *
 * A claim is a neighbour's word, so it only ever buys a bounded wait, and a neighbour whose claims
 * do not turn into announcements is no longer believed:
 * - a claim is answered by the neighbour announcing the segment; one that is not within
 *   {@link CLAIM_LIFETIME_MS} is broken, and after {@link MAX_BROKEN_CLAIMS} broken claims the
 *   neighbour's claims are ignored for the rest of the session (an honest viewer breaks one only
 *   when its fetch failed);
 * - each neighbour has at most {@link MAX_CLAIMS_PER_PEER} claims open (older ones are dropped
 *   without counting), so a flood costs memory bounded by the neighbour count.
 *
 * @module core/fetch-claims
 */

/** A claim not followed by the segment's announcement within this long is broken. */
export const CLAIM_LIFETIME_MS = 10_000;
/** Broken claims after which a neighbour's claims are no longer believed. */
export const MAX_BROKEN_CLAIMS = 3;
/** Open claims kept per neighbour; a live viewer fetches one or two segments at a time. */
export const MAX_CLAIMS_PER_PEER = 16;
/** Neighbours whose broken claims (or the stall their progress cost) are remembered, the earliest dropped first. */
const MAX_JUDGED_PEERS = 256;

export class FetchClaims {
  /** @param {{now: () => number}} options */
  constructor({ now }) {
    this.now = now;
    /** @type {Map<string, Map<string, {at: number, heardAt: number}>>} neighbour id → segment id →
     * when the claim arrived and when it was last told, oldest first */
    this.open = new Map();
    /** @type {Map<string, number>} neighbour id → broken claims (kept after it leaves: a rejoin does not clear it) */
    this.broken = new Map();
    /** @type {Set<string>} neighbours whose progress cost this viewer a stall, until they deliver a segment */
    this.stalled = new Set();
  }

  /**
   * A neighbour said it is fetching `ids` over HTTP (started now, or told again: progress).
   * @param {string} peerId
   * @param {string[]} ids
   * @returns {{fresh: string[], progress: string[]}} the ids it had not claimed yet, and those it
   *   told again (the first claim still dates the fetch)
   */
  claimed(peerId, ids) {
    const heard = { fresh: [], progress: [] };
    if (!this.believed(peerId)) return heard;
    const t = this.now();
    this.expire(peerId, t);
    let claims = this.open.get(peerId);
    if (!claims) this.open.set(peerId, (claims = new Map()));
    for (const id of ids) {
      const known = claims.get(id);
      if (known) {
        if (t > known.heardAt) heard.progress.push(id);
        known.heardAt = Math.max(known.heardAt, t);
        continue;
      }
      claims.set(id, { at: t, heardAt: t });
      heard.fresh.push(id);
      if (claims.size > MAX_CLAIMS_PER_PEER) claims.delete(claims.keys().next().value);
    }
    return heard;
  }

  /**
   * A neighbour announced `ids`: its claims on them are kept.
   * @param {string} peerId
   * @param {string[]} ids
   */
  announced(peerId, ids) {
    const claims = this.open.get(peerId);
    if (!claims) return;
    for (const id of ids) claims.delete(id);
    if (claims.size === 0) this.open.delete(peerId);
  }

  /** The appliance no longer lists the neighbour: its open claims go, unjudged. */
  forget(peerId) {
    this.open.delete(peerId);
  }

  /** Whether `peerId`'s claims are believed. */
  believed(peerId) {
    return (this.broken.get(peerId) ?? 0) < MAX_BROKEN_CLAIMS;
  }

  /**
   * When the earliest open claim on `id` arrived, among believed neighbours that `usable` accepts
   * (an open channel, not banned): the fetch that lands first. Undefined when nobody claims it.
   * @param {string} id
   * @param {(peerId: string) => boolean} [usable]
   * @returns {number|undefined}
   */
  since(id, usable = () => true) {
    const t = this.now();
    let earliest;
    for (const peerId of [...this.open.keys()]) {
      this.expire(peerId, t);
      const at = this.open.get(peerId)?.get(id)?.at;
      if (at === undefined || !this.believed(peerId) || !usable(peerId)) continue;
      if (earliest === undefined || at < earliest) earliest = at;
    }
    return earliest;
  }

  /**
   * When a claim on `id` was last told again (its fetch made progress), among believed neighbours
   * that `usable` accepts; undefined when no open claim on it was told more than once. Following
   * a fetch's progress can cost a stall (scheduler.js), so only a neighbour with no broken claim
   * is followed, and only for its oldest open claim: one whose earlier claim is still unanswered
   * does not hold anyone for the next.
   * @param {string} id
   * @param {(peerId: string) => boolean} [usable]
   * @returns {number|undefined}
   */
  progressAt(id, usable = () => true) {
    let latest;
    for (const [, heardAt] of this.progressing(id, usable)) if (latest === undefined || heardAt > latest) latest = heardAt;
    return latest;
  }

  /**
   * Whether following the progress of `id`'s fetch may still cost this viewer a stall: one of the
   * neighbours {@link progressAt} counts has not cost it one since it last delivered a verified
   * segment ({@link stalledFor}, {@link delivered}).
   * @param {string} id
   * @param {(peerId: string) => boolean} [usable]
   */
  progressMayStall(id, usable = () => true) {
    return this.progressing(id, usable).some(([peerId]) => !this.stalled.has(peerId));
  }

  /**
   * This viewer waits for `id` past the end of its buffer on the progress of the neighbours
   * {@link progressAt} counts: each of them has had its one stall until it delivers a segment.
   */
  stalledFor(id, usable = () => true) {
    for (const [peerId] of this.progressing(id, usable)) this.stalled.add(peerId);
    while (this.stalled.size > MAX_JUDGED_PEERS) this.stalled.delete(this.stalled.values().next().value);
  }

  /** `peerId` delivered a verified segment to this viewer: its progress may hold a stall again. */
  delivered(peerId) {
    this.stalled.delete(peerId);
  }

  /** [neighbour id, when its claim on `id` was last told again] for the claims progress counts for. */
  progressing(id, usable) {
    const t = this.now();
    const out = [];
    for (const peerId of [...this.open.keys()]) {
      this.expire(peerId, t);
      const claims = this.open.get(peerId);
      const c = claims?.get(id);
      if (!c || c.heardAt <= c.at || this.broken.has(peerId) || claims.keys().next().value !== id || !usable(peerId)) continue;
      out.push([peerId, c.heardAt]);
    }
    return out;
  }

  /** Counts and drops `peerId`'s claims older than {@link CLAIM_LIFETIME_MS}. */
  expire(peerId, t) {
    const claims = this.open.get(peerId);
    if (!claims) return;
    for (const [id, { at }] of claims) {
      if (t - at < CLAIM_LIFETIME_MS) break; // oldest first
      claims.delete(id);
      this.broken.set(peerId, (this.broken.get(peerId) ?? 0) + 1);
      if (this.broken.size > MAX_JUDGED_PEERS) this.broken.delete(this.broken.keys().next().value);
    }
    if (claims.size === 0 || !this.believed(peerId)) this.open.delete(peerId);
  }
}
