/**
 * One segment transfer over a data channel, both ends.
 *
 * Receiver: {@link IncomingTransfer} assembles `response-start` + in-order `chunk`s and resolves
 * only once length and SHA-256 match the hash the appliance gave for the segment (anchor.js), so
 * unverified bytes can never reach the player. The hash in `response-start` is the sender's word:
 * it is decoded (the protocol carries it) and never used to decide anything.
 * Sender: {@link sendSegment} cuts a segment into chunks and respects the channel's buffer, so one
 * upload never queues megabytes inside the browser (which would delay every other message on
 * that channel, announcements and cancels included).
 *
 * @module core/transfer
 */

import { encode, MAX_CHUNK_BYTES, MAX_SEGMENT_BYTES } from './peer-protocol.js';
import { sha256 } from './sha256.js';

/** Default and bounds of the sender's chunk size (docs/protocol.md: 16–64 KiB messages). */
export const DEFAULT_CHUNK_BYTES = 64 * 1024;
export const MIN_CHUNK_BYTES = 16 * 1024;
/**
 * Largest segment a receiver accepts by default, whatever length a neighbour announces in
 * `response-start`: the receive buffer is allocated at that length, so a hostile neighbour could
 * otherwise make every request cost the protocol's 64 MiB. 32 MiB is many times a 10 s segment
 * at 20 Mb/s; a larger announcement fails the transfer with `too_large` and the segment comes
 * over HTTP.
 */
export const DEFAULT_MAX_SEGMENT_BYTES = 32 * 1024 * 1024;
/** Default ceiling of the channel's `bufferedAmount` while sending. */
export const DEFAULT_HIGH_WATER_BYTES = 1024 * 1024;

/**
 * @typedef {'integrity'|'unverified'|'sequence'|'overflow'|'unexpected'|'too_large'|'cancelled'|'remote'|'gone'|'internal'} TransferErrorCode
 *   integrity: length or SHA-256 differs from the appliance's; unverified: the appliance gave no
 *   hash (see `anchorError`), so the bytes cannot be checked; sequence: a gap or overlap between chunks; overflow: a
 *   chunk past the announced length; unexpected: a chunk before `response-start` or a second
 *   start; too_large: the announced length exceeds the receiver's limit; cancelled: this side
 *   gave up; remote: the peer answered `error` (see `remoteCode`); gone: the channel closed;
 *   internal: a send failed for another reason.
 */

/** Why a transfer did not complete. */
export class TransferError extends Error {
  /**
   * @param {TransferErrorCode} code
   * @param {string} message
   * @param {string} [remoteCode] the data-channel error code, for code 'remote'
   * @param {string} [anchorError] the appliance's `hash` error, for code 'unverified'
   */
  constructor(code, message, remoteCode, anchorError) {
    super(message);
    this.name = 'TransferError';
    /** @type {TransferErrorCode} */
    this.code = code;
    if (remoteCode !== undefined) this.remoteCode = remoteCode;
    if (anchorError !== undefined) this.anchorError = anchorError;
  }
}

function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/**
 * Receiver side of one request. Feed it the decoded messages carrying its request id; await
 * `done`. It never times out by itself: the deadline belongs to the scheduler, which calls
 * `abort('cancelled')` (and sends `cancel`) when it gives up.
 *
 * `expected` is the appliance's answer for the segment, asked in parallel with the request: the
 * transfer may complete before or after it arrives. Once both the answer and `response-start`
 * are in, a different length fails the transfer at once (no point receiving the rest); an error
 * answer fails it with `unverified` at once; the bytes are released only when their SHA-256
 * equals the answer's.
 */
export class IncomingTransfer {
  /**
   * @param {object} [options]
   * @param {number} [options.maxBytes] largest length accepted from `response-start`, default
   *   {@link DEFAULT_MAX_SEGMENT_BYTES}; never above the protocol's limit
   * @param {Promise<{sha256: Uint8Array, length: number}|{error: string}>} [options.expected] the
   *   appliance's hash of the segment (anchor.js); without it nothing can be verified and the
   *   transfer fails `unverified` when complete
   * @param {() => void} [options.onReceived] called once, when the last byte is in (before hashing)
   */
  constructor({ maxBytes = DEFAULT_MAX_SEGMENT_BYTES, expected = null, onReceived } = {}) {
    if (!(Number.isInteger(maxBytes) && maxBytes >= 0)) throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`);
    this.maxBytes = Math.min(maxBytes, MAX_SEGMENT_BYTES);
    this.onReceived = onReceived;
    /** Announced length, or -1 before `response-start`. */
    this.length = -1;
    /** Bytes received so far (for progress-based decisions). */
    this.received = 0;
    this.settled = false;
    this.buffer = null;
    /** The sender's hash from `response-start`: kept for diagnosis, never trusted. */
    this.announcedHash = null;
    /** @type {{sha256: Uint8Array, length: number}|null} the appliance's answer, once in */
    this.anchor = null;
    /** @type {Uint8Array|null} SHA-256 of the received bytes, once computed */
    this.actualHash = null;
    /** @type {Promise<Uint8Array>} the verified segment, or a TransferError */
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A caller that only aborts must not see an unhandled rejection.
    this.done.catch(() => {});
    this.unanchored = !expected;
    if (expected) Promise.resolve(expected).then((a) => this.onAnchor(a), () => this.onAnchor({ error: 'origin_unavailable' }));
  }

  /** Whether every announced byte is in (the transfer may still wait for the appliance's hash). */
  get complete() {
    return this.length >= 0 && this.received === this.length;
  }

  onAnchor(answer) {
    if (this.settled) return;
    const valid = answer && answer.sha256 instanceof Uint8Array && answer.sha256.length === 32 &&
      Number.isInteger(answer.length) && answer.length >= 0;
    if (!valid) {
      const code = answer && typeof answer.error === 'string' ? answer.error : 'malformed';
      return this.abort('unverified', `the appliance has no hash for this segment (${code})`, undefined, code);
    }
    this.anchor = answer;
    if (this.length >= 0 && this.length !== answer.length) {
      return this.abort('integrity', `announced length ${this.length}, the appliance says ${answer.length}`);
    }
    this.verify();
  }

  /**
   * Handles `response-start`.
   * @param {{length: number, sha256: Uint8Array}} msg
   */
  start(msg) {
    if (this.settled) return;
    if (this.buffer) return this.abort('unexpected', 'second response-start');
    // Checked before anything is allocated: the announced length is the neighbour's word only.
    if (!(Number.isInteger(msg.length) && msg.length >= 0) || msg.length > this.maxBytes) {
      return this.abort('too_large', `announced segment length ${msg.length} exceeds the limit of ${this.maxBytes} bytes`);
    }
    if (this.anchor && msg.length !== this.anchor.length) {
      return this.abort('integrity', `announced length ${msg.length}, the appliance says ${this.anchor.length}`);
    }
    this.length = msg.length;
    this.announcedHash = msg.sha256;
    this.buffer = new Uint8Array(msg.length);
    if (msg.length === 0) this.finish();
  }

  /**
   * Handles one `chunk`. Chunks must arrive in order: a data channel is reliable and ordered,
   * so anything else is a faulty or hostile peer, not reordering.
   * @param {{offset: number, bytes: Uint8Array}} msg
   */
  chunk(msg) {
    if (this.settled) return;
    if (!this.buffer) return this.abort('unexpected', 'chunk before response-start');
    if (msg.offset !== this.received) {
      return this.abort('sequence', `chunk at ${msg.offset}, expected ${this.received}`);
    }
    if (msg.offset + msg.bytes.length > this.length) {
      return this.abort('overflow', `chunk ends at ${msg.offset + msg.bytes.length}, length ${this.length}`);
    }
    // Copy: the chunk is a view into the channel's message buffer.
    this.buffer.set(msg.bytes, msg.offset);
    this.received += msg.bytes.length;
    if (this.received === this.length) this.finish();
  }

  /**
   * Handles the peer's `error` answer.
   * @param {{code: string}} msg
   */
  remoteError(msg) {
    this.abort('remote', `peer answered ${msg.code}`, msg.code);
  }

  /**
   * Fails the transfer (no-op once settled).
   * @param {TransferErrorCode} code
   * @param {string} [message]
   * @param {string} [remoteCode]
   * @param {string} [anchorError]
   */
  abort(code, message = code, remoteCode, anchorError) {
    if (this.settled) return;
    this.settled = true;
    this.buffer = null;
    this.reject(new TransferError(code, message, remoteCode, anchorError));
  }

  async finish() {
    if (typeof this.onReceived === 'function') {
      try { this.onReceived(); } catch { /* a progress hook must not break the transfer */ }
    }
    const bytes = this.buffer;
    let actual;
    try {
      actual = await sha256(bytes);
    } catch (e) {
      return this.abort('internal', `digest failed: ${e && e.message}`);
    }
    if (this.settled) return; // aborted while hashing
    this.actualHash = actual;
    this.verify();
  }

  /** Releases the bytes once both their hash and the appliance's are known and equal. */
  verify() {
    if (this.settled || !this.actualHash) return;
    if (this.unanchored) return this.abort('unverified', 'no hash from the appliance to check against', undefined, 'none');
    if (!this.anchor) return;
    if (this.buffer.length !== this.anchor.length || !equalBytes(this.actualHash, this.anchor.sha256)) {
      return this.abort('integrity', 'SHA-256 differs from the appliance\'s');
    }
    const bytes = this.buffer;
    this.settled = true;
    this.buffer = null;
    this.resolve(bytes);
  }
}

/**
 * Waits until `channel.bufferedAmount` drops to its low threshold, the channel closes, or `wake`
 * is called (cancel). Supports both `addEventListener` and the `onbufferedamountlow` property, as
 * RTCDataChannel does; a property-only channel cannot report `close`, so only the other two apply.
 */
function waitForLow(channel, onWake) {
  return new Promise((resolve) => {
    let handler = null;
    const done = () => {
      if (channel.removeEventListener) {
        channel.removeEventListener('bufferedamountlow', done);
        channel.removeEventListener('close', done);
      } else if (channel.onbufferedamountlow === handler) {
        channel.onbufferedamountlow = previous;
      }
      onWake(null);
      resolve();
    };
    let previous = null;
    if (channel.addEventListener) {
      channel.addEventListener('bufferedamountlow', done);
      channel.addEventListener('close', done);
    } else {
      // One property, possibly several waiting sends: chain to whoever held it before.
      previous = channel.onbufferedamountlow;
      handler = (ev) => {
        done();
        if (typeof previous === 'function') previous(ev);
      };
      channel.onbufferedamountlow = handler;
    }
    onWake(done);
  });
}

/**
 * @typedef {object} OutgoingTransfer
 * @property {Promise<void>} done resolves when the last chunk is handed to the channel; rejects
 *   with a TransferError ('cancelled', 'gone', 'internal')
 * @property {() => void} cancel stops before the next chunk (the peer sent `cancel`)
 * @property {number} sent bytes of the segment handed to the channel so far
 */

/**
 * Sends one segment as `response-start` + chunks with flow control.
 *
 * Sets the channel's `bufferedAmountLowThreshold` to `lowWaterBytes` (several concurrent sends
 * on one channel use the same value, so they agree).
 *
 * @param {{send(data: Uint8Array): void, bufferedAmount: number, bufferedAmountLowThreshold: number,
 *   readyState?: string}} channel an RTCDataChannel or anything with that shape
 * @param {object} args
 * @param {number} args.requestId
 * @param {Uint8Array} args.bytes the whole segment
 * @param {Uint8Array|Promise<Uint8Array>} [args.sha256] its hash if known (the store keeps it);
 *   computed otherwise
 * @param {number} [args.chunkBytes] 16 KiB–64 KiB, default 64 KiB
 * @param {number} [args.highWaterBytes] most bytes left queued in the channel, default 1 MiB
 * @param {number} [args.lowWaterBytes] resume below this, default a quarter of the high-water mark
 * @returns {OutgoingTransfer}
 */
export function sendSegment(channel, {
  requestId, bytes, sha256: knownHash, chunkBytes = DEFAULT_CHUNK_BYTES,
  highWaterBytes = DEFAULT_HIGH_WATER_BYTES, lowWaterBytes = Math.floor(highWaterBytes / 4),
}) {
  if (!Number.isInteger(chunkBytes) || chunkBytes < MIN_CHUNK_BYTES || chunkBytes > MAX_CHUNK_BYTES) {
    throw new RangeError(`chunkBytes must be ${MIN_CHUNK_BYTES}..${MAX_CHUNK_BYTES}, got ${chunkBytes}`);
  }
  if (!(highWaterBytes >= chunkBytes)) {
    throw new RangeError(`highWaterBytes (${highWaterBytes}) must be at least chunkBytes (${chunkBytes})`);
  }
  if (!(lowWaterBytes >= 0 && lowWaterBytes < highWaterBytes)) {
    throw new RangeError(`lowWaterBytes must be 0..highWaterBytes-1, got ${lowWaterBytes}`);
  }
  let cancelled = false;
  let wake = null;
  const transfer = {
    sent: 0,
    cancel() {
      cancelled = true;
      if (wake) wake();
    },
    done: null,
  };
  const isOpen = () => channel.readyState === undefined || channel.readyState === 'open';
  const check = () => {
    if (cancelled) throw new TransferError('cancelled', 'cancelled');
    if (!isOpen()) throw new TransferError('gone', 'channel closed');
  };
  const push = (frame) => {
    check();
    try {
      channel.send(frame);
    } catch (e) {
      throw isOpen() ? new TransferError('internal', `send failed: ${e && e.message}`) : new TransferError('gone', 'channel closed');
    }
  };
  channel.bufferedAmountLowThreshold = lowWaterBytes;
  transfer.done = (async () => {
    const hash = knownHash instanceof Uint8Array ? knownHash : (await knownHash) || await sha256(bytes);
    push(encode({ type: 'response-start', requestId, length: bytes.length, sha256: hash }));
    for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
      const slice = bytes.subarray(offset, Math.min(offset + chunkBytes, bytes.length));
      // Invariant: after this send bufferedAmount ≤ highWaterBytes (the +14 is the chunk
      // header), except that a chunk is always sent into an empty buffer so it cannot stall.
      while (channel.bufferedAmount > 0 && channel.bufferedAmount + slice.length + 14 > highWaterBytes) {
        check();
        await waitForLow(channel, (fn) => { wake = fn; });
      }
      push(encode({ type: 'chunk', requestId, offset, bytes: slice }));
      transfer.sent = offset + slice.length;
    }
  })();
  transfer.done.catch(() => {});
  return transfer;
}
