/**
 * The integrity verdict: what a viewer does, for the rest of its session, with the appliance's
 * word on the segments its neighbours send (docs/protocol.md "Segment integrity").
 *
 * Who does what:
 * - anchor.js asks the appliance for a segment's hash, once per segment, and keeps the answer;
 *   the anchor is created and owned here ({@link IntegrityVerdict#anchor}), so every answer passes
 *   through {@link IntegrityVerdict#askHash};
 * - transfer.js releases a neighbour's bytes only when they match that hash, and fails the
 *   transfer `integrity` when they do not, `unverified` when the appliance gave no hash;
 * - segment-loader.js, live-prefetch.js and http-rescue.js then drop the bytes, take the segment
 *   over HTTP and hand the failed attempt to neighbours.js, which passes a mismatch on here
 *   ({@link IntegrityVerdict#mismatch}); before asking a neighbour they ask, through the engine,
 *   whether P2P downloads are allowed ({@link IntegrityVerdict#downloadsAllowed}) and whether the
 *   segment can be verified at all ({@link IntegrityVerdict#unverifiable});
 * - neighbours.js neither asks nor connects to a banned neighbour ({@link IntegrityVerdict#isBanned}).
 *
 * The verdicts:
 * - Bytes that do not match: the neighbour is reported `failing` `integrity` with the segment and
 *   banned. One report does not bar a peer (docs/protocol.md), but this viewer has seen enough.
 *   A neighbour the appliance says is `barred` is banned too.
 * - No hash for a segment: what the appliance answered decides. A lasting answer (`not_found`,
 *   `too_large`, a URL it cannot take; anchor.js keeps it) makes that segment unverifiable: it
 *   comes over HTTP without a neighbour being asked. `not_allowed` (no media origin configured for
 *   the stream) ends P2P downloads for the session; an unreachable or busy origin, or a malformed
 *   answer, pauses them ({@link ANCHOR_BACKOFF_MS}). An ask lost with the viewer's own socket
 *   (`disconnected`: the appliance restarted, or a cluster's load balancer moved the viewer) says
 *   nothing about the origin: that segment comes over HTTP, and P2P downloads resume as soon as
 *   the viewer has rejoined (a pause would outlast a reconnect of about a second by ten).
 * Uploads and leaders' HTTP fetches go on whatever the verdict.
 *
 * @module core/integrity-verdict
 */

import { HashAnchor } from './anchor.js';

/**
 * P2P downloads pause this long after the appliance could not give a hash because the origin was
 * unreachable or the appliance was busy: every P2P attempt meanwhile would be dropped unverified.
 */
export const ANCHOR_BACKOFF_MS = 10_000;
/**
 * Neighbours kept banned. A ban must outlive the neighbour's departure (the appliance may hand the
 * same peer id back, after a resume or a re-placement), so it is bounded instead, the earliest
 * banned forgotten first: a forgotten neighbour that sends altered bytes again is still caught by
 * the hash check (the bytes dropped, the segment over HTTP, a new report) and banned again.
 */
export const MAX_BANNED = 256;

export class IntegrityVerdict {
  /**
   * @param {object} options
   * @param {() => object|null} options.signaling the current signaling client (`hashFor`,
   *   `failing`), none before the join; a reconnect replaces it
   * @param {import('./qoe.js').QoeReporter} options.qoe counts integrity failures
   * @param {() => number} options.now
   * @param {(...args: any[]) => void} options.log
   * @param {number} [options.maxAnchorEntries] segment hashes remembered (anchor.js)
   */
  constructor({ signaling, qoe, now, log, maxAnchorEntries }) {
    this.signaling = signaling;
    this.qoe = qoe;
    this.now = now;
    this.log = log;
    // Asked through whichever signaling client is current: a reconnect replaces none of the answers.
    this.anchor = new HashAnchor({
      lookup: (url, range) => this.askHash(url, range),
      ...(maxAnchorEntries ? { maxEntries: maxAnchorEntries } : {}),
    });
    /** 'anchored': P2P bytes are checked against the appliance's hashes; 'unavailable': it has none, P2P downloads are off */
    this.integrity = 'anchored';
    /** P2P downloads pause until then (the appliance could not reach the origin, or was busy). */
    this.pausedUntil = -Infinity;
    /** @type {Set<string>} neighbours that sent altered bytes, or barred, the earliest first ({@link MAX_BANNED}) */
    this.banned = new Set();
  }

  /**
   * The viewer (re)joined the mesh: a pause ends. It came from asks of the socket before this one
   * (a timeout, or the appliance busy or unable to reach the origin then); an appliance that went
   * away without closing the socket (a host that failed) leaves its asks to time out, and the
   * viewer that rejoins elsewhere would otherwise stay off P2P for the rest of the pause. The next
   * error answer pauses again. `not_allowed` stays: it is the stream's configuration.
   */
  rejoined() {
    this.pausedUntil = -Infinity;
  }

  /** Whether what neighbours send can be vouched for now (the engine adds whether P2P is usable). */
  downloadsAllowed() {
    return this.integrity === 'anchored' && this.now() >= this.pausedUntil;
  }

  /** Whether the appliance already said it has no hash for this segment (so no neighbour is asked). */
  unverifiable(id) {
    const known = this.anchor.peek(id);
    return !!(known && known.error);
  }

  /** The anchor's lookup: the appliance's `hash` answer, whose errors decide for the session. */
  askHash(url, range) {
    const s = this.signaling();
    const asked = s && typeof s.hashFor === 'function' ? s.hashFor(url, range) : Promise.resolve({ error: 'disconnected' });
    return asked.then((answer) => {
      if (answer && answer.error) this.onAnchorError(answer.error);
      return answer;
    });
  }

  /**
   * What an error answer to `hash` means for the rest of the session. `disconnected` (the ask was
   * lost with the socket) and the lasting answers about one segment change nothing here.
   */
  onAnchorError(code) {
    if (code === 'not_allowed') {
      if (this.integrity !== 'unavailable') this.log('the appliance has no media origin for this stream: P2P downloads off');
      this.integrity = 'unavailable';
    } else if (code === 'origin_unavailable' || code === 'busy' || code === 'malformed') {
      this.pausedUntil = this.now() + ANCHOR_BACKOFF_MS;
      this.log('no segment hash from the appliance (', code, '): P2P downloads paused');
    }
  }

  /**
   * A neighbour's bytes did not match the appliance's hash: counted, the neighbour banned and
   * reported with the segment.
   * @param {string} peerId
   * @param {string} segment the URL asked for
   */
  mismatch(peerId, segment) {
    this.qoe.addFailure('integrity');
    this.ban(peerId);
    this.signaling()?.failing(peerId, 'integrity', segment);
    this.log('integrity failure from', peerId, segment);
  }

  /** Never asks `id` again, nor connects to it, this session ({@link MAX_BANNED} at most, the latest). */
  ban(id) {
    this.banned.delete(id);
    this.banned.add(id);
    if (this.banned.size > MAX_BANNED) this.banned.delete(this.banned.values().next().value);
  }

  /** Whether `id` is banned. */
  isBanned(id) {
    return this.banned.has(id);
  }
}
