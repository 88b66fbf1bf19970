/**
 * Data-channel protocol v1: the binary messages two viewers exchange over an RTCDataChannel.
 *
 * docs/protocol.md "Data-channel protocol v1" is the source of truth; this codec mirrors it.
 * Every message is `version (u8) | type (u8) | fields…`, integers big-endian, strings as
 * `u16 byte length | UTF-8`. Every field is length-prefixed, so a message cut short at any byte
 * is detected as 'truncated' rather than decoded as a shorter valid message.
 *
 * @module core/peer-protocol
 */

/** The only version this codec speaks. A peer sending another version is answered by nothing. */
export const PROTOCOL_VERSION = 1;

/** Largest UTF-8 byte length of a string field (segment id, track). */
export const MAX_STRING_BYTES = 1024;
/** Largest payload of one `chunk` message. */
export const MAX_CHUNK_BYTES = 64 * 1024;
/** Largest segment a `response-start` may announce; bigger segments are not shared. */
export const MAX_SEGMENT_BYTES = 64 * 1024 * 1024;
/** Most segment ids in one id-list `announce`; senders split longer lists. */
export const MAX_ANNOUNCE_IDS = 512;
/** Largest bitmap of a sequence `announce` (8 sequences per byte, so 1024 sequences). */
export const MAX_BITMAP_BYTES = 128;
/** Largest encoded message: a full chunk plus its 14-byte header. */
export const MAX_MESSAGE_BYTES = MAX_CHUNK_BYTES + 14;

/** Wire type bytes. */
export const MessageType = Object.freeze({
  announce: 0x01,
  request: 0x02,
  'response-start': 0x03,
  chunk: 0x04,
  cancel: 0x05,
  error: 0x06,
  fetching: 0x07,
});

const TYPE_NAMES = new Map(Object.entries(MessageType).map(([name, code]) => [code, name]));

/** Wire codes of the `error` message, in the order of docs/protocol.md. */
export const ErrorCode = Object.freeze({ not_found: 1, busy: 2, policy: 3, internal: 4 });
const ERROR_NAMES = new Map(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

const FLAG_FULL = 0x01;
const FLAG_SEQUENCES = 0x02;

/**
 * @typedef {'truncated'|'unknown_type'|'bad_version'|'too_large'|'bad_field'} PeerProtocolErrorCode
 */

/** A message that cannot be encoded or decoded. `code` says why; never thrown for valid input. */
export class PeerProtocolError extends Error {
  /**
   * @param {PeerProtocolErrorCode} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = 'PeerProtocolError';
    /** @type {PeerProtocolErrorCode} */
    this.code = code;
  }
}

/**
 * @typedef {{type: 'announce', full: boolean, ids: string[]}} AnnounceIds
 *   Holds these segment ids. `full`: this is everything I hold (replaces earlier announcements);
 *   otherwise these are added ("just got").
 * @typedef {{type: 'announce', full: boolean, track: string, seqs: number[]}} AnnounceSeqs
 *   Live form: holds media sequences `seqs` of `track`, sent as a bitmap from the lowest one.
 * @typedef {{type: 'request', requestId: number, segmentId: string}} RequestMessage
 * @typedef {{type: 'response-start', requestId: number, length: number, sha256: Uint8Array}} ResponseStartMessage
 * @typedef {{type: 'chunk', requestId: number, offset: number, bytes: Uint8Array}} ChunkMessage
 *   On decode `bytes` is a view into the received buffer, not a copy.
 * @typedef {{type: 'cancel', requestId: number}} CancelMessage
 * @typedef {{type: 'error', requestId: number, code: 'not_found'|'busy'|'policy'|'internal'}} ErrorMessage
 * @typedef {{type: 'fetching', ids: string[]}} FetchingMessage
 *   I started fetching these segments over HTTP (sent only to neighbours whose `neighbour` message
 *   said they understand it: an earlier SDK counts an unknown type as a bad message).
 * @typedef {AnnounceIds|AnnounceSeqs|RequestMessage|ResponseStartMessage|ChunkMessage|CancelMessage|ErrorMessage|FetchingMessage} PeerMessage
 */

const utf8Encoder = new TextEncoder();
// fatal: a malformed string is a bad field, not a string with replacement characters.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function fail(code, message) {
  throw new PeerProtocolError(code, message);
}

function checkU32(value, field) {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    fail('bad_field', `${field} must be an integer in 0..2^32-1`);
  }
}

function encodeString(value, field, allowEmpty) {
  if (typeof value !== 'string') fail('bad_field', `${field} must be a string`);
  const bytes = utf8Encoder.encode(value);
  if (bytes.length > MAX_STRING_BYTES) fail('too_large', `${field} is ${bytes.length} bytes, at most ${MAX_STRING_BYTES}`);
  if (!allowEmpty && bytes.length === 0) fail('bad_field', `${field} must not be empty`);
  return bytes;
}

/** Appends fields to a growing list of parts, then joins them once. */
class Writer {
  constructor(type) {
    this.parts = [Uint8Array.of(PROTOCOL_VERSION, MessageType[type])];
    this.length = 2;
  }
  u8(v) { this.bytes(Uint8Array.of(v)); }
  u16(v) { const b = new Uint8Array(2); new DataView(b.buffer).setUint16(0, v); this.bytes(b); }
  u32(v) { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v); this.bytes(b); }
  str(encoded) { this.u16(encoded.length); this.bytes(encoded); }
  bytes(b) { this.parts.push(b); this.length += b.length; }
  finish() {
    if (this.length > MAX_MESSAGE_BYTES) fail('too_large', `message is ${this.length} bytes, at most ${MAX_MESSAGE_BYTES}`);
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) { out.set(p, at); at += p.length; }
    return out;
  }
}

/**
 * Encodes a message for `RTCDataChannel.send`.
 * @param {PeerMessage} msg
 * @returns {Uint8Array} a fresh array whose `.buffer` holds exactly the message
 * @throws {PeerProtocolError} 'unknown_type', 'bad_field' or 'too_large' for a message v1 cannot carry
 */
export function encode(msg) {
  if (!msg || !Object.prototype.hasOwnProperty.call(MessageType, msg.type)) {
    fail('unknown_type', `unknown message type ${msg && msg.type}`);
  }
  const w = new Writer(msg.type);
  switch (msg.type) {
    case 'announce': encodeAnnounce(w, msg); break;
    case 'request':
      checkU32(msg.requestId, 'requestId');
      w.u32(msg.requestId);
      w.str(encodeString(msg.segmentId, 'segmentId', false));
      break;
    case 'response-start':
      checkU32(msg.requestId, 'requestId');
      checkU32(msg.length, 'length');
      if (msg.length > MAX_SEGMENT_BYTES) fail('too_large', `length ${msg.length} exceeds ${MAX_SEGMENT_BYTES}`);
      if (!(msg.sha256 instanceof Uint8Array) || msg.sha256.length !== 32) fail('bad_field', 'sha256 must be 32 bytes');
      w.u32(msg.requestId); w.u32(msg.length); w.bytes(msg.sha256);
      break;
    case 'chunk':
      checkU32(msg.requestId, 'requestId');
      checkU32(msg.offset, 'offset');
      if (!(msg.bytes instanceof Uint8Array) || msg.bytes.length === 0) fail('bad_field', 'bytes must be a non-empty Uint8Array');
      if (msg.bytes.length > MAX_CHUNK_BYTES) fail('too_large', `chunk of ${msg.bytes.length} bytes exceeds ${MAX_CHUNK_BYTES}`);
      w.u32(msg.requestId); w.u32(msg.offset); w.u32(msg.bytes.length); w.bytes(msg.bytes);
      break;
    case 'cancel':
      checkU32(msg.requestId, 'requestId');
      w.u32(msg.requestId);
      break;
    case 'error':
      checkU32(msg.requestId, 'requestId');
      if (!ERROR_NAMES.has(ErrorCode[msg.code])) fail('bad_field', `unknown error code ${msg.code}`);
      w.u32(msg.requestId); w.u8(ErrorCode[msg.code]);
      break;
    case 'fetching':
      if (!Array.isArray(msg.ids)) fail('bad_field', 'fetching needs ids');
      encodeIds(w, msg.ids);
      break;
  }
  return w.finish();
}

function encodeAnnounce(w, msg) {
  const full = msg.full === true;
  if (Array.isArray(msg.ids)) {
    w.u8(full ? FLAG_FULL : 0);
    encodeIds(w, msg.ids);
    return;
  }
  if (!Array.isArray(msg.seqs)) fail('bad_field', 'announce needs ids or seqs');
  const track = encodeString(msg.track ?? '', 'track', true);
  let base = 0;
  let bitmap = new Uint8Array(0);
  if (msg.seqs.length > 0) {
    for (const s of msg.seqs) checkU32(s, 'seqs[]');
    base = Math.min(...msg.seqs);
    const span = Math.max(...msg.seqs) - base + 1;
    const size = Math.ceil(span / 8);
    if (size > MAX_BITMAP_BYTES) fail('too_large', `sequences span ${span}, at most ${MAX_BITMAP_BYTES * 8}`);
    bitmap = new Uint8Array(size);
    // Bit 7 of byte 0 is `base`: MSB-first, so a hex dump reads left to right in sequence order.
    for (const s of msg.seqs) bitmap[(s - base) >> 3] |= 0x80 >> ((s - base) & 7);
  }
  w.u8((full ? FLAG_FULL : 0) | FLAG_SEQUENCES);
  w.str(track);
  w.u32(base);
  w.u16(bitmap.length);
  w.bytes(bitmap);
}

function encodeIds(w, ids) {
  if (ids.length > MAX_ANNOUNCE_IDS) fail('too_large', `${ids.length} ids, at most ${MAX_ANNOUNCE_IDS}`);
  w.u16(ids.length);
  for (const id of ids) w.str(encodeString(id, 'ids[]', false));
}

/** Reads fields in order; any read past the end is 'truncated'. */
class Reader {
  constructor(bytes) {
    this.b = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.at = 2;
  }
  need(n, field) {
    if (this.at + n > this.b.length) fail('truncated', `message ends inside ${field}`);
  }
  u8(field) { this.need(1, field); return this.b[this.at++]; }
  u16(field) { this.need(2, field); const v = this.view.getUint16(this.at); this.at += 2; return v; }
  u32(field) { this.need(4, field); const v = this.view.getUint32(this.at); this.at += 4; return v; }
  bytes(n, field) { this.need(n, field); const v = this.b.subarray(this.at, this.at + n); this.at += n; return v; }
  str(field, allowEmpty) {
    const n = this.u16(`${field} length`);
    // Checked before reading the bytes so an oversized claim is reported as such, not as truncation.
    if (n > MAX_STRING_BYTES) fail('too_large', `${field} is ${n} bytes, at most ${MAX_STRING_BYTES}`);
    const raw = this.bytes(n, field);
    if (!allowEmpty && n === 0) fail('bad_field', `${field} must not be empty`);
    try {
      return utf8Decoder.decode(raw);
    } catch {
      return fail('bad_field', `${field} is not valid UTF-8`);
    }
  }
  end() {
    if (this.at !== this.b.length) fail('bad_field', `${this.b.length - this.at} unexpected bytes after the message`);
  }
}

function toBytes(buf) {
  if (buf instanceof Uint8Array) return buf;
  if (buf instanceof ArrayBuffer) return new Uint8Array(buf);
  if (ArrayBuffer.isView(buf)) return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  return fail('bad_field', 'expected an ArrayBuffer or a typed array');
}

/**
 * Decodes one data-channel message.
 * @param {ArrayBuffer|ArrayBufferView} buf
 * @returns {PeerMessage}
 * @throws {PeerProtocolError} for anything that is not exactly one valid v1 message
 */
export function decode(buf) {
  const b = toBytes(buf);
  if (b.length < 1) fail('truncated', 'empty message');
  if (b[0] !== PROTOCOL_VERSION) fail('bad_version', `version ${b[0]}, expected ${PROTOCOL_VERSION}`);
  if (b.length > MAX_MESSAGE_BYTES) fail('too_large', `message is ${b.length} bytes, at most ${MAX_MESSAGE_BYTES}`);
  if (b.length < 2) fail('truncated', 'message ends before its type');
  const type = TYPE_NAMES.get(b[1]);
  if (!type) fail('unknown_type', `unknown type 0x${b[1].toString(16).padStart(2, '0')}`);
  const r = new Reader(b);
  let msg;
  switch (type) {
    case 'announce': msg = decodeAnnounce(r); break;
    case 'request': msg = { type, requestId: r.u32('requestId'), segmentId: r.str('segmentId', false) }; break;
    case 'response-start': {
      const requestId = r.u32('requestId');
      const length = r.u32('length');
      const sha256 = r.bytes(32, 'sha256');
      if (length > MAX_SEGMENT_BYTES) fail('too_large', `length ${length} exceeds ${MAX_SEGMENT_BYTES}`);
      msg = { type, requestId, length, sha256 };
      break;
    }
    case 'chunk': {
      const requestId = r.u32('requestId');
      const offset = r.u32('offset');
      const n = r.u32('chunk length');
      if (n > MAX_CHUNK_BYTES) fail('too_large', `chunk of ${n} bytes exceeds ${MAX_CHUNK_BYTES}`);
      if (n === 0) fail('bad_field', 'empty chunk');
      msg = { type, requestId, offset, bytes: r.bytes(n, 'chunk bytes') };
      break;
    }
    case 'cancel': msg = { type, requestId: r.u32('requestId') }; break;
    case 'error': {
      const requestId = r.u32('requestId');
      const code = ERROR_NAMES.get(r.u8('code'));
      if (!code) fail('bad_field', 'unknown error code');
      msg = { type, requestId, code };
      break;
    }
    case 'fetching': msg = { type, ids: decodeIds(r) }; break;
  }
  r.end();
  return msg;
}

function decodeAnnounce(r) {
  const flags = r.u8('flags');
  if (flags & ~(FLAG_FULL | FLAG_SEQUENCES)) fail('bad_field', 'unknown announce flags');
  const full = (flags & FLAG_FULL) !== 0;
  if ((flags & FLAG_SEQUENCES) === 0) return { type: 'announce', full, ids: decodeIds(r) };
  const track = r.str('track', true);
  const base = r.u32('baseSeq');
  const size = r.u16('bitmap length');
  if (size > MAX_BITMAP_BYTES) fail('too_large', `bitmap of ${size} bytes, at most ${MAX_BITMAP_BYTES}`);
  const bitmap = r.bytes(size, 'bitmap');
  const seqs = [];
  for (let i = 0; i < size * 8; i++) {
    if (bitmap[i >> 3] & (0x80 >> (i & 7))) {
      if (base + i > 0xffffffff) fail('bad_field', 'sequence beyond 2^32-1');
      seqs.push(base + i);
    }
  }
  return { type: 'announce', full, track, seqs };
}

function decodeIds(r) {
  const count = r.u16('id count');
  if (count > MAX_ANNOUNCE_IDS) fail('too_large', `${count} ids, at most ${MAX_ANNOUNCE_IDS}`);
  const ids = [];
  for (let i = 0; i < count; i++) ids.push(r.str('ids[]', false));
  return ids;
}
