/**
 * The `hash` asks open with the appliance (docs/protocol.md "Segment integrity"): asks for the
 * same URL and range share one answer, no more than {@link MAX_HASH_ASKS} are open at once, an
 * ask that gets no answer in time is answered `origin_unavailable`, and one that cannot be sent or
 * whose socket goes is answered `disconnected` (the viewer's own connection, not the origin). The
 * appliance's answer is read strictly ({@link readHashReply}): what does not follow the protocol is
 * `malformed`, never trusted.
 *
 * Separate from signaling-client.js because the open asks are state of their own, with a timer
 * each, that the socket's life does not otherwise touch: the client writes the ask and hands over
 * the answer and the loss of its socket; this matches answers to asks.
 *
 * @module core/hash-asks
 */

import { rangeText } from './segment-id.js';

/** Most `hash` asks left unanswered at once; the appliance refuses more (docs/protocol.md). */
export const MAX_HASH_ASKS = 32;
/** A `hash` ask not answered within this long counts as `origin_unavailable`. */
export const DEFAULT_HASH_TIMEOUT_MS = 5000;
/** Errors the appliance may answer to `hash`; anything else is a malformed reply. */
const HASH_ERRORS = new Set(['not_allowed', 'not_found', 'too_large', 'origin_unavailable', 'busy']);

/**
 * @typedef {{sha256: Uint8Array, length: number}} SegmentHash the appliance's SHA-256 of a segment
 *   as the origin serves it, and its length in bytes
 * @typedef {{error: 'not_allowed'|'not_found'|'too_large'|'origin_unavailable'|'busy'|'malformed'|'disconnected'}} HashError
 *   the appliance's error, or one decided here: `busy` (too many asks open), `origin_unavailable`
 *   (no answer in time), `disconnected` (not connected, or the socket closed before the answer:
 *   nothing is known about the origin), `malformed` (an answer that does not follow the protocol;
 *   never trusted)
 */

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The 32 bytes of a base64 SHA-256 (44 characters with its `=`; the padding may be left out), or
 * null for anything else: other lengths, other alphabets, a non-string.
 * @param {unknown} text
 * @returns {Uint8Array|null}
 */
export function decodeSha256(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]{43}=?$/.test(text)) return null;
  const out = new Uint8Array(32);
  let bits = 0;
  let acc = 0;
  let n = 0;
  for (let i = 0; i < 43; i++) {
    acc = ((acc << 6) | BASE64.indexOf(text[i])) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  // 43 characters carry 258 bits: the last 2 must be zero in a canonical encoding.
  if ((acc & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

/** The key of an open `hash` ask: the URL, and the range when there is one. */
function hashKey(url, range) {
  return range ? `${url}#bytes=${range}` : url;
}

/**
 * Reads the appliance's answer to `hash`.
 * @param {object} msg
 * @returns {SegmentHash|HashError}
 */
export function readHashReply(msg) {
  if (msg.error !== undefined) {
    return HASH_ERRORS.has(msg.error) && msg.sha256 === undefined ? { error: msg.error } : { error: 'malformed' };
  }
  const sha256 = decodeSha256(msg.sha256);
  if (!sha256 || !Number.isSafeInteger(msg.length) || msg.length < 0) return { error: 'malformed' };
  return { sha256, length: msg.length };
}

/** The open asks, by segment URL and range, each with the callers waiting for its answer. */
export class HashAsks {
  /**
   * @param {object} options
   * @param {{setTimeout: Function, clearTimeout: Function}} options.timers
   * @param {number} [options.timeoutMs] how long an ask waits for its answer
   */
  constructor({ timers, timeoutMs = DEFAULT_HASH_TIMEOUT_MS }) {
    this.timers = timers;
    this.timeoutMs = timeoutMs;
    /** @type {Map<string, {resolvers: Function[], timer: any}>} segment URL → its open `hash` ask */
    this.open = new Map();
  }

  /**
   * Asks for a segment's hash, or joins the open ask for the same URL and range. Never rejects.
   * @param {string} segmentUrl
   * @param {{first: number, last: number}} [range]
   * @param {(msg: object) => boolean} send writes the `hash` message; false when it could not
   * @returns {Promise<SegmentHash|HashError>}
   */
  ask(segmentUrl, range, send) {
    const bytes = rangeText(range);
    const key = hashKey(segmentUrl, bytes);
    return new Promise((resolve) => {
      const pending = this.open.get(key);
      if (pending) {
        pending.resolvers.push(resolve);
        return;
      }
      if (this.open.size >= MAX_HASH_ASKS) {
        resolve({ error: 'busy' });
        return;
      }
      const msg = { type: 'hash', segment: segmentUrl };
      if (bytes) msg.range = bytes;
      if (!send(msg)) {
        resolve({ error: 'disconnected' });
        return;
      }
      const timer = this.timers.setTimeout(() => this.settle(key, { error: 'origin_unavailable' }), this.timeoutMs);
      this.open.set(key, { resolvers: [resolve], timer });
    });
  }

  /**
   * The appliance's `hash` message: settles the ask it echoes. Matched by the echoed URL and range
   * only: an answer for nothing asked is dropped.
   * @param {{segment?: unknown, range?: unknown}} msg
   */
  answered(msg) {
    if (typeof msg.segment === 'string') {
      this.settle(hashKey(msg.segment, typeof msg.range === 'string' ? msg.range : undefined), readHashReply(msg));
    }
  }

  /** The socket the asks went out on is gone: their answers can no longer arrive. */
  lost() {
    for (const key of [...this.open.keys()]) this.settle(key, { error: 'disconnected' });
  }

  /** Answers the ask under `key`, if it is still open, for everyone waiting on it. */
  settle(key, result) {
    const ask = this.open.get(key);
    if (!ask) return;
    this.open.delete(key);
    this.timers.clearTimeout(ask.timer);
    for (const resolve of ask.resolvers) resolve(result);
  }
}
