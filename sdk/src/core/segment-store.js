/**
 * In-memory, byte-capped store of the segments this viewer can serve to its neighbours.
 *
 * Eviction order when a put needs room: first segments that fell out of their stream's live
 * window (nobody playing live can ask for them any more), oldest sequence first; then least
 * recently used. Eviction only happens under pressure: a segment just out of the window may
 * still serve a neighbour whose playlist refresh lags behind ours.
 *
 * The store keeps the very `bytes` it is given and hands out the same array: callers give
 * hls.js a copy (hls.js transfers and detaches the buffers it loads; architecture.md rig facts).
 *
 * @module core/segment-store
 */

import { sha256 } from './sha256.js';

/** Default cap: about 20 s of a 4 Mb/s rendition per stream, enough for a live window. */
export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/**
 * @typedef {object} SegmentMeta
 * @property {string} stream stream (or rendition) the segment belongs to
 * @property {number} [sequence] live media sequence number; absent for VOD
 * @property {number} [index] VOD segment index
 * @property {number} length byte length (set by the store from the bytes)
 * @property {Uint8Array} [sha256] 32-byte hash, sent in `response-start`: a neighbour's verified
 *   copy comes with the appliance's; a segment fetched over HTTP gets it when first served
 *   ({@link SegmentStore#sha256})
 */

/**
 * @typedef {{id: string, meta: SegmentMeta, reason: 'live-window'|'lru'|'deleted'|'replaced'}} EvictEvent
 */

export class SegmentStore {
  /**
   * @param {object} [options]
   * @param {number} [options.maxBytes] total byte cap of stored segments
   */
  constructor({ maxBytes = DEFAULT_MAX_BYTES } = {}) {
    if (!(Number.isFinite(maxBytes) && maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${maxBytes}`);
    this.maxBytes = maxBytes;
    /** Bytes currently held. */
    this.bytesUsed = 0;
    // Map iteration order is insertion order; re-inserting on access makes it LRU order.
    /** @type {Map<string, {bytes: Uint8Array, meta: SegmentMeta}>} */
    this.entries = new Map();
    /** @type {Map<string, number>} stream → lowest sequence of its current live window */
    this.windowLow = new Map();
    this.listeners = { add: new Set(), evict: new Set() };
  }

  /**
   * Subscribes to `add` ({id, meta}) or `evict` ({@link EvictEvent}); the engine announces both.
   * @param {'add'|'evict'} event
   * @param {(ev: object) => void} fn
   * @returns {() => void} unsubscribe
   */
  on(event, fn) {
    this.listeners[event].add(fn);
    return () => this.listeners[event].delete(fn);
  }

  emit(event, payload) {
    for (const fn of [...this.listeners[event]]) fn(payload);
  }

  /** @param {string} id @returns {boolean} */
  has(id) {
    return this.entries.has(id);
  }

  /**
   * The segment and its metadata, marking it recently used.
   * @param {string} id
   * @returns {{bytes: Uint8Array, meta: SegmentMeta} | undefined}
   */
  get(id) {
    const e = this.entries.get(id);
    if (!e) return undefined;
    this.entries.delete(id);
    this.entries.set(id, e);
    return e;
  }

  /**
   * Metadata without touching recency (for announcing and answering `response-start`).
   * @param {string} id
   * @returns {SegmentMeta | undefined}
   */
  meta(id) {
    return this.entries.get(id)?.meta;
  }

  /**
   * The segment's SHA-256 for `response-start`. A segment fetched over HTTP is hashed here, the
   * first time a neighbour asks for it, and the hash is kept: hashing every HTTP fetch as it
   * arrived cost each page's main thread a hash per segment on its start-up path, for segments
   * most pages never serve. (The receiver never trusts this hash: it checks the appliance's.)
   * @param {string} id
   * @returns {Promise<Uint8Array>|undefined} undefined when the segment is not held
   */
  sha256(id) {
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (e.meta.sha256) return Promise.resolve(e.meta.sha256);
    if (!e.hashing) {
      e.hashing = sha256(e.bytes).then((hash) => {
        e.meta.sha256 = hash;
        return hash;
      });
    }
    return e.hashing;
  }

  /** @returns {string[]} ids held, least recently used first */
  ids() {
    return [...this.entries.keys()];
  }

  /**
   * Stores a segment, evicting others if needed.
   * @param {string} id
   * @param {Uint8Array} bytes kept as is, not copied
   * @param {Omit<SegmentMeta, 'length'>} meta
   * @returns {boolean} false when the segment alone exceeds the cap (nothing is evicted then)
   */
  put(id, bytes, meta) {
    if (bytes.length > this.maxBytes) return false;
    if (this.entries.has(id)) this.remove(id, 'replaced');
    this.makeRoom(bytes.length);
    const stored = { bytes, meta: { ...meta, length: bytes.length } };
    this.entries.set(id, stored);
    this.bytesUsed += bytes.length;
    this.emit('add', { id, meta: stored.meta });
    return true;
  }

  /**
   * Removes a segment (the caller no longer wants to serve it, e.g. a stream it stopped playing).
   * @param {string} id
   * @returns {boolean} whether it was held
   */
  delete(id) {
    return this.remove(id, 'deleted');
  }

  /**
   * Tells the store the lowest media sequence of `stream`'s current live window. Segments below
   * it become first in line for eviction; nothing is evicted now.
   * @param {string} stream
   * @param {number} lowestSequence
   */
  setLiveWindow(stream, lowestSequence) {
    this.windowLow.set(stream, lowestSequence);
  }

  /** @returns {boolean} whether the segment is below its stream's live window */
  isStale(meta) {
    const low = this.windowLow.get(meta.stream);
    return low !== undefined && meta.sequence !== undefined && meta.sequence < low;
  }

  makeRoom(needed) {
    if (this.bytesUsed + needed <= this.maxBytes) return;
    const stale = [...this.entries].filter(([, e]) => this.isStale(e.meta))
      .sort(([, a], [, b]) => a.meta.sequence - b.meta.sequence);
    for (const [id] of stale) {
      if (this.bytesUsed + needed <= this.maxBytes) return;
      this.remove(id, 'live-window');
    }
    for (const id of this.entries.keys()) {
      if (this.bytesUsed + needed <= this.maxBytes) return;
      this.remove(id, 'lru');
    }
  }

  remove(id, reason) {
    const e = this.entries.get(id);
    if (!e) return false;
    this.entries.delete(id);
    this.bytesUsed -= e.bytes.length;
    this.emit('evict', { id, meta: e.meta, reason });
    return true;
  }

  /** Drops everything and all listeners. Evict events are not emitted. */
  destroy() {
    this.entries.clear();
    this.bytesUsed = 0;
    this.listeners.add.clear();
    this.listeners.evict.clear();
  }
}
