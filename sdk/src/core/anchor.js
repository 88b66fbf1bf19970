/**
 * The integrity anchor: the SHA-256 each segment must have, as the appliance learnt it from the
 * origin (signaling `hash`, docs/protocol.md "Segment integrity"). A neighbour's own hash in
 * `response-start` is its word only; bytes from a neighbour reach the player only when they match
 * what this module returns.
 *
 * One lookup per segment id: concurrent asks share it, and the answer is kept in a bounded LRU so
 * the next neighbour asked for the same segment costs no round trip. Errors that say something
 * lasting about the segment (`not_found`, `too_large`, `not_allowed`, a URL the appliance cannot
 * take) are kept too, so the engine goes to HTTP for that segment without trying a neighbour
 * first; errors about the moment (`origin_unavailable`, `busy`, `malformed`, `disconnected`) are
 * forgotten once answered, so a later ask tries again.
 *
 * @module core/anchor
 */

import { MAX_SEGMENT_URL_CHARS } from './signaling-client.js';
import { rangeText } from './segment-id.js';

/** Segment hashes remembered: several live windows of every rendition, or a stretch of VOD. */
export const DEFAULT_MAX_ENTRIES = 512;

/** Errors that may be different a moment later: never cached. */
export const TRANSIENT_ERRORS = Object.freeze(['origin_unavailable', 'busy', 'malformed', 'disconnected']);

/**
 * @typedef {import('./hash-asks.js').SegmentHash} SegmentHash
 * @typedef {{error: string}} AnchorError an error of the appliance's `hash` answer, or `unsupported`
 *   (a URL the appliance cannot be asked about: not absolute http(s), or too long)
 */

/** Whether the appliance can be asked about `url` (protocol: an absolute http(s) URL ≤ 2048 chars). */
export function askableUrl(url) {
  return typeof url === 'string' && url.length <= MAX_SEGMENT_URL_CHARS && /^https?:\/\/[^/?#]/i.test(url);
}

export class HashAnchor {
  /**
   * @param {object} options
   * @param {(url: string, range?: {first: number, last: number}) => Promise<SegmentHash|{error: string}>} options.lookup asks the
   *   appliance (SignalingClient#hashFor); must not reject, but a rejection counts as `origin_unavailable`
   * @param {number} [options.maxEntries]
   */
  constructor({ lookup, maxEntries = DEFAULT_MAX_ENTRIES }) {
    if (typeof lookup !== 'function') throw new TypeError('lookup required');
    if (!(Number.isInteger(maxEntries) && maxEntries > 0)) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    this.lookup = lookup;
    this.maxEntries = maxEntries;
    // Insertion order is recency order: a hit is moved to the end.
    /** @type {Map<string, {promise: Promise<SegmentHash|AnchorError>, result?: SegmentHash|AnchorError}>} */
    this.entries = new Map();
  }

  /**
   * The appliance's hash of segment `id`, fetched from `url`; asked once however many callers.
   * @param {string} id segment id (segmentIdFor)
   * @param {string} url the URL the page would fetch it from (the appliance fetches the same)
   * @param {{first: number, last: number}} [range] for byte-range addressing: the bytes of `url` hashed
   * @returns {Promise<SegmentHash|AnchorError>} never rejects
   */
  get(id, url, range) {
    const hit = this.entries.get(id);
    if (hit) {
      this.entries.delete(id);
      this.entries.set(id, hit);
      return hit.promise;
    }
    const entry = {};
    if (!askableUrl(url)) {
      entry.result = { error: 'unsupported' };
      entry.promise = Promise.resolve(entry.result);
    } else {
      entry.promise = Promise.resolve()
        .then(() => (rangeText(range) ? this.lookup(url, range) : this.lookup(url)))
        .catch(() => ({ error: 'origin_unavailable' }))
        .then((result) => {
          entry.result = result;
          if (result.error && TRANSIENT_ERRORS.includes(result.error) && this.entries.get(id) === entry) this.entries.delete(id);
          return result;
        });
    }
    this.entries.set(id, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value);
    return entry.promise;
  }

  /**
   * What is known about `id` without asking: the answer, or undefined while none arrived.
   * @param {string} id
   * @returns {SegmentHash|AnchorError|undefined}
   */
  peek(id) {
    return this.entries.get(id)?.result;
  }

  /** Number of segments remembered (answers and open asks). */
  get size() {
    return this.entries.size;
  }

  /** Forgets everything (open asks still settle for their callers). */
  clear() {
    this.entries.clear();
  }
}
