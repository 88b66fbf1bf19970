import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  encode, decode, PeerProtocolError, MAX_CHUNK_BYTES, MAX_STRING_BYTES, MAX_MESSAGE_BYTES,
  MAX_SEGMENT_BYTES, MAX_ANNOUNCE_IDS,
} from '../../src/core/peer-protocol.js';

const sha = Uint8Array.from({ length: 32 }, (_, i) => i + 1);

const samples = [
  { type: 'announce', full: true, ids: ['seg-1.ts', 'init.mp4', 'é/ü-☃'] },
  { type: 'announce', full: false, ids: [] },
  { type: 'announce', full: false, track: 'v720', seqs: [100, 101, 103, 110] },
  { type: 'announce', full: true, track: '', seqs: [] },
  { type: 'announce', full: false, track: 'a', seqs: [0xffffffff] },
  { type: 'request', requestId: 7, segmentId: 'https://x/live/seg-42.ts' },
  { type: 'request', requestId: 0xffffffff, segmentId: 'x' },
  { type: 'response-start', requestId: 7, length: 123456, sha256: sha },
  { type: 'chunk', requestId: 7, offset: 65536, bytes: Uint8Array.of(1, 2, 3, 250) },
  { type: 'cancel', requestId: 9 },
  { type: 'error', requestId: 9, code: 'not_found' },
  { type: 'error', requestId: 9, code: 'busy' },
  { type: 'error', requestId: 9, code: 'policy' },
  { type: 'error', requestId: 9, code: 'internal' },
  { type: 'fetching', ids: ['https://x/live/seg-43.ts', 'https://x/v.mp4#bytes=0-999'] },
  { type: 'fetching', ids: [] },
];

function codeOf(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof PeerProtocolError, `expected PeerProtocolError, got ${e}`);
    return e.code;
  }
  return assert.fail('did not throw');
}

test('every message type survives a round trip', () => {
  for (const msg of samples) {
    const decoded = decode(encode(msg));
    assert.deepEqual(normalise(decoded), normalise(msg), msg.type);
  }
});

function normalise(m) {
  const copy = { ...m };
  for (const k of ['bytes', 'sha256']) if (copy[k]) copy[k] = Array.from(copy[k]);
  return copy;
}

test('decode accepts an ArrayBuffer, a Uint8Array view at an offset, and a DataView', () => {
  const enc = encode(samples[5]);
  const padded = new Uint8Array(enc.length + 5);
  padded.set(enc, 3);
  assert.equal(decode(enc.buffer).segmentId, samples[5].segmentId);
  assert.equal(decode(padded.subarray(3, 3 + enc.length)).segmentId, samples[5].segmentId);
  assert.equal(decode(new DataView(padded.buffer, 3, enc.length)).requestId, 7);
});

test('byte layout of a request matches the documented example', () => {
  const enc = encode({ type: 'request', requestId: 7, segmentId: 'seg-42.ts' });
  assert.equal(Buffer.from(enc).toString('hex'), '0102' + '00000007' + '0009' + Buffer.from('seg-42.ts').toString('hex'));
});

test('byte layout of a sequence announce is an MSB-first bitmap from the lowest sequence', () => {
  const enc = encode({ type: 'announce', full: false, track: 'v', seqs: [100, 101, 103, 110] });
  // flags 0x02, track "v", base 100, 2 bitmap bytes: 1101 0000 (100, 101, 103), 0010 0000 (110)
  assert.equal(Buffer.from(enc).toString('hex'), '0101' + '02' + '000176' + '00000064' + '0002' + 'd020');
});

test('byte layout of fetching is the id list of an announce without its flags', () => {
  const enc = encode({ type: 'fetching', ids: ['seg-43.ts'] });
  assert.equal(Buffer.from(enc).toString('hex'), '0107' + '0001' + '0009' + Buffer.from('seg-43.ts').toString('hex'));
});

test('a chunk is header plus explicit length plus bytes', () => {
  const enc = encode({ type: 'chunk', requestId: 1, offset: 2, bytes: Uint8Array.of(0xaa) });
  assert.equal(Buffer.from(enc).toString('hex'), '0104' + '00000001' + '00000002' + '00000001' + 'aa');
});

test('a full-size chunk fits exactly in MAX_MESSAGE_BYTES', () => {
  const enc = encode({ type: 'chunk', requestId: 1, offset: 0, bytes: new Uint8Array(MAX_CHUNK_BYTES) });
  assert.equal(enc.length, MAX_MESSAGE_BYTES);
  assert.equal(decode(enc).bytes.length, MAX_CHUNK_BYTES);
});

test('every strict prefix of every message is rejected as truncated', () => {
  for (const msg of samples) {
    const enc = encode(msg);
    for (let k = 0; k < enc.length; k++) {
      assert.equal(codeOf(() => decode(enc.subarray(0, k))), 'truncated', `${msg.type} cut at ${k}`);
    }
  }
});

test('trailing bytes after a message are a bad field', () => {
  for (const msg of samples) {
    const enc = encode(msg);
    const longer = new Uint8Array(enc.length + 1);
    longer.set(enc);
    assert.equal(codeOf(() => decode(longer)), 'bad_field', msg.type);
  }
});

test('a wrong version is rejected before anything else', () => {
  for (const v of [0, 2, 255]) {
    const enc = encode(samples[9]);
    enc[0] = v;
    assert.equal(codeOf(() => decode(enc)), 'bad_version');
  }
  assert.equal(codeOf(() => decode(Uint8Array.of(2))), 'bad_version');
});

test('an unknown type is rejected', () => {
  for (const t of [0x00, 0x08, 0xff]) {
    assert.equal(codeOf(() => decode(Uint8Array.of(1, t, 0, 0, 0, 0))), 'unknown_type');
  }
  assert.equal(codeOf(() => encode({ type: 'hello' })), 'unknown_type');
  assert.equal(codeOf(() => encode(null)), 'unknown_type');
});

test('oversized strings are rejected on encode and decode', () => {
  const long = 'x'.repeat(MAX_STRING_BYTES + 1);
  assert.equal(codeOf(() => encode({ type: 'request', requestId: 1, segmentId: long })), 'too_large');
  // 1024 bytes exactly is fine, also when it is 512 two-byte characters
  assert.equal(decode(encode({ type: 'request', requestId: 1, segmentId: 'é'.repeat(512) })).segmentId.length, 512);
  assert.equal(codeOf(() => encode({ type: 'request', requestId: 1, segmentId: 'é'.repeat(513) })), 'too_large');
  const hand = new Uint8Array(2 + 4 + 2 + 1025);
  hand.set([1, 2, 0, 0, 0, 1, 0x04, 0x01]);
  assert.equal(codeOf(() => decode(hand)), 'too_large');
  // the claim alone is enough: no need to send the bytes
  assert.equal(codeOf(() => decode(Uint8Array.of(1, 2, 0, 0, 0, 1, 0xff, 0xff))), 'too_large');
});

test('oversized chunks, segments, id lists, bitmaps and messages are rejected', () => {
  assert.equal(codeOf(() => encode({ type: 'chunk', requestId: 1, offset: 0, bytes: new Uint8Array(MAX_CHUNK_BYTES + 1) })), 'too_large');
  assert.equal(codeOf(() => decode(Uint8Array.of(1, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1))), 'too_large');
  assert.equal(codeOf(() => encode({ type: 'response-start', requestId: 1, length: MAX_SEGMENT_BYTES + 1, sha256: sha })), 'too_large');
  const rs = encode({ type: 'response-start', requestId: 1, length: 5, sha256: sha });
  new DataView(rs.buffer).setUint32(6, MAX_SEGMENT_BYTES + 1);
  assert.equal(codeOf(() => decode(rs)), 'too_large');
  const ids = Array.from({ length: MAX_ANNOUNCE_IDS + 1 }, (_, i) => `s${i}`);
  assert.equal(codeOf(() => encode({ type: 'announce', full: true, ids })), 'too_large');
  assert.equal(codeOf(() => encode({ type: 'fetching', ids })), 'too_large');
  assert.equal(codeOf(() => decode(Uint8Array.of(1, 7, 0x02, 0x01))), 'too_large');
  assert.equal(codeOf(() => decode(Uint8Array.of(1, 1, 0, 0x02, 0x01))), 'too_large');
  const bigIds = Array.from({ length: 100 }, () => 'y'.repeat(1000));
  assert.equal(codeOf(() => encode({ type: 'announce', full: true, ids: bigIds })), 'too_large');
  assert.equal(codeOf(() => encode({ type: 'announce', full: true, track: 't', seqs: [0, 1024] })), 'too_large');
  assert.equal(encode({ type: 'announce', full: true, track: 't', seqs: [0, 1023] }).length > 0, true);
  assert.equal(codeOf(() => decode(Uint8Array.of(1, 1, 2, 0, 0, 0, 0, 0, 0, 0, 129))), 'too_large');
  assert.equal(codeOf(() => decode(new Uint8Array(MAX_MESSAGE_BYTES + 1).fill(1))), 'too_large');
});

test('malformed fields are rejected as bad_field', () => {
  // invalid UTF-8 in a segment id
  assert.equal(codeOf(() => decode(Uint8Array.of(1, 2, 0, 0, 0, 1, 0, 1, 0xff))), 'bad_field');
  // empty segment id
  assert.equal(codeOf(() => decode(Uint8Array.of(1, 2, 0, 0, 0, 1, 0, 0))), 'bad_field');
  assert.equal(codeOf(() => encode({ type: 'request', requestId: 1, segmentId: '' })), 'bad_field');
  // empty chunk
  assert.equal(codeOf(() => decode(Uint8Array.of(1, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0))), 'bad_field');
  assert.equal(codeOf(() => encode({ type: 'chunk', requestId: 1, offset: 0, bytes: new Uint8Array(0) })), 'bad_field');
  // unknown error code, unknown announce flags
  assert.equal(codeOf(() => decode(Uint8Array.of(1, 6, 0, 0, 0, 1, 9))), 'bad_field');
  assert.equal(codeOf(() => decode(Uint8Array.of(1, 1, 0x04, 0, 0))), 'bad_field');
  // a bitmap that reaches past 2^32-1
  assert.equal(codeOf(() => decode(Uint8Array.of(1, 1, 2, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 1, 0x40))), 'bad_field');
  // fields out of range on encode
  assert.equal(codeOf(() => encode({ type: 'cancel', requestId: -1 })), 'bad_field');
  assert.equal(codeOf(() => encode({ type: 'cancel', requestId: 2 ** 32 })), 'bad_field');
  assert.equal(codeOf(() => encode({ type: 'cancel', requestId: 1.5 })), 'bad_field');
  assert.equal(codeOf(() => encode({ type: 'error', requestId: 1, code: 'nope' })), 'bad_field');
  assert.equal(codeOf(() => encode({ type: 'response-start', requestId: 1, length: 1, sha256: new Uint8Array(31) })), 'bad_field');
  assert.equal(codeOf(() => encode({ type: 'announce', full: true })), 'bad_field');
  assert.equal(codeOf(() => encode({ type: 'fetching' })), 'bad_field');
  // an empty id in a fetching list
  assert.equal(codeOf(() => decode(Uint8Array.of(1, 7, 0, 1, 0, 0))), 'bad_field');
  assert.equal(codeOf(() => decode('not bytes')), 'bad_field');
});

test('a decoded chunk is a view into the received message, not a copy', () => {
  const enc = encode({ type: 'chunk', requestId: 1, offset: 0, bytes: Uint8Array.of(5, 6) });
  const msg = decode(enc);
  assert.equal(msg.bytes.buffer, enc.buffer);
});
