import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_SEGMENT_BYTES, IncomingTransfer, sendSegment, TransferError, MIN_CHUNK_BYTES } from '../../src/core/transfer.js';
import { sha256, sha256Sync } from '../../src/core/sha256.js';
import { decode } from '../../src/core/peer-protocol.js';

/**
 * Behaves like RTCDataChannel for the sender: send() queues bytes, drain() lets the network
 * take them and fires 'bufferedamountlow' when the amount crosses the threshold downwards.
 */
class FakeChannel {
  constructor({ withListeners = true } = {}) {
    this.readyState = 'open';
    this.bufferedAmount = 0;
    this.bufferedAmountLowThreshold = 0;
    this.onbufferedamountlow = null;
    this.frames = [];
    this.maxBuffered = 0;
    this.listeners = new Map();
    if (!withListeners) {
      this.addEventListener = undefined;
      this.removeEventListener = undefined;
    }
  }
  addEventListener(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
  }
  removeEventListener(type, fn) {
    this.listeners.get(type)?.delete(fn);
  }
  fire(type) {
    for (const fn of [...(this.listeners.get(type) ?? [])]) fn({ type });
    if (type === 'bufferedamountlow' && this.onbufferedamountlow) this.onbufferedamountlow({ type });
  }
  send(data) {
    if (this.readyState !== 'open') throw new Error('InvalidStateError');
    this.frames.push(decode(data));
    this.bufferedAmount += data.byteLength;
    this.maxBuffered = Math.max(this.maxBuffered, this.bufferedAmount);
  }
  drain(n = Infinity) {
    const before = this.bufferedAmount;
    this.bufferedAmount = Math.max(0, before - n);
    if (before > this.bufferedAmountLowThreshold && this.bufferedAmount <= this.bufferedAmountLowThreshold) {
      this.fire('bufferedamountlow');
    }
  }
  close() {
    this.readyState = 'closed';
    this.fire('close');
  }
  listenerCount() {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }
}

const tick = () => new Promise((r) => setImmediate(r));

function segment(n) {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
}

async function flowUntilDone(channel, transfer) {
  let settled = false;
  transfer.done.then(() => { settled = true; }, () => { settled = true; });
  for (let i = 0; i < 10000 && !settled; i++) {
    await tick();
    channel.drain(100 * 1024);
  }
  return transfer.done;
}

/** The appliance's answer to `hash` for `bytes`. */
async function anchorOf(bytes) {
  return { sha256: await sha256(bytes), length: bytes.length };
}

/** A promise the test resolves later, as a `hash` answer that arrives after the bytes. */
function later() {
  let resolve;
  const promise = new Promise((r) => { resolve = r; });
  return { promise, resolve };
}

test('the receiver resolves with the bytes once length and SHA-256 match the appliance\'s', async () => {
  const bytes = segment(150000);
  const rx = new IncomingTransfer({ expected: anchorOf(bytes) });
  rx.start({ length: bytes.length, sha256: await sha256(bytes) });
  for (let off = 0; off < bytes.length; off += 65536) rx.chunk({ offset: off, bytes: bytes.subarray(off, off + 65536) });
  assert.deepEqual(await rx.done, bytes);
  assert.equal(rx.received, bytes.length);
});

test('a zero-length response completes with empty bytes', async () => {
  const empty = new Uint8Array(0);
  const rx = new IncomingTransfer({ expected: anchorOf(empty) });
  rx.start({ length: 0, sha256: await sha256(empty) });
  assert.equal((await rx.done).length, 0);
});

test('altered bytes announced with their own matching hash fail with integrity: only the appliance\'s hash counts', async () => {
  const bytes = segment(1000);
  const bad = Uint8Array.from(bytes);
  bad[500] ^= 1;
  const rx = new IncomingTransfer({ expected: anchorOf(bytes) });
  rx.start({ length: bad.length, sha256: await sha256(bad) });
  rx.chunk({ offset: 0, bytes: bad });
  assert.equal(await rejection(rx), 'integrity');
  assert.equal(rx.buffer, null, 'the bytes are gone');
});

test('bytes that arrive before the appliance\'s answer wait for it, then are released', async () => {
  const bytes = segment(70000);
  const answer = later();
  let receivedCalls = 0;
  const rx = new IncomingTransfer({ expected: answer.promise, onReceived: () => { receivedCalls++; } });
  let settled = false;
  rx.done.then(() => { settled = true; }, () => { settled = true; });
  rx.start({ length: bytes.length, sha256: new Uint8Array(32) });
  rx.chunk({ offset: 0, bytes });
  for (let i = 0; i < 5; i++) await tick();
  assert.equal(settled, false, 'held until the appliance answers');
  assert.equal(rx.complete, true);
  assert.equal(receivedCalls, 1);
  answer.resolve(await anchorOf(bytes));
  assert.deepEqual(await rx.done, bytes);
});

test('a length other than the appliance\'s fails at response-start, or as soon as the answer arrives', async () => {
  const bytes = segment(3000);
  const early = new IncomingTransfer({ expected: anchorOf(bytes) });
  await tick();
  early.start({ length: bytes.length + 1, sha256: new Uint8Array(32) });
  assert.equal(await rejection(early), 'integrity');
  assert.equal(early.buffer, null, 'nothing allocated');

  const answer = later();
  const late = new IncomingTransfer({ expected: answer.promise });
  late.start({ length: bytes.length - 1, sha256: new Uint8Array(32) });
  late.chunk({ offset: 0, bytes: bytes.subarray(0, 1000) });
  answer.resolve(await anchorOf(bytes));
  assert.equal(await rejection(late), 'integrity');
  assert.equal(late.received, 1000, 'given up mid-transfer');
});

test('without a hash from the appliance the bytes are never released: unverified, with its error', async () => {
  const bytes = segment(500);
  const rx = new IncomingTransfer({ expected: Promise.resolve({ error: 'origin_unavailable' }) });
  rx.start({ length: bytes.length, sha256: await sha256(bytes) });
  rx.chunk({ offset: 0, bytes });
  const e = await rx.done.catch((err) => err);
  assert.equal(e.code, 'unverified');
  assert.equal(e.anchorError, 'origin_unavailable');

  const none = new IncomingTransfer();
  none.start({ length: bytes.length, sha256: await sha256(bytes) });
  none.chunk({ offset: 0, bytes });
  assert.equal(await rejection(none), 'unverified', 'no expected hash at all');

  const odd = new IncomingTransfer({ expected: Promise.resolve({ sha256: new Uint8Array(31), length: 500 }) });
  assert.equal(await rejection(odd), 'unverified', 'a malformed answer is no answer');
});

async function rejection(rx) {
  try {
    await rx.done;
  } catch (e) {
    assert.ok(e instanceof TransferError);
    return e.code;
  }
  return assert.fail('resolved');
}

test('a hash mismatch rejects with integrity and never yields the bytes', async () => {
  const bytes = segment(1000);
  const rx = new IncomingTransfer({ expected: anchorOf(bytes) });
  rx.start({ length: 1000, sha256: await sha256(bytes) });
  const bad = Uint8Array.from(bytes);
  bad[500] ^= 1;
  rx.chunk({ offset: 0, bytes: bad });
  assert.equal(await rejection(rx), 'integrity');
});

test('gaps, overlaps and overflow are rejected', async () => {
  const bytes = segment(300);
  const hash = await sha256(bytes);
  const gap = new IncomingTransfer();
  gap.start({ length: 300, sha256: hash });
  gap.chunk({ offset: 0, bytes: bytes.subarray(0, 100) });
  gap.chunk({ offset: 150, bytes: bytes.subarray(150, 300) });
  assert.equal(await rejection(gap), 'sequence');

  const overlap = new IncomingTransfer();
  overlap.start({ length: 300, sha256: hash });
  overlap.chunk({ offset: 0, bytes: bytes.subarray(0, 100) });
  overlap.chunk({ offset: 50, bytes: bytes.subarray(50, 300) });
  assert.equal(await rejection(overlap), 'sequence');

  const overflow = new IncomingTransfer();
  overflow.start({ length: 300, sha256: hash });
  overflow.chunk({ offset: 0, bytes: bytes.subarray(0, 200) });
  overflow.chunk({ offset: 200, bytes: segment(101) });
  assert.equal(await rejection(overflow), 'overflow');
});

test('chunks before start, a second start, oversize and remote errors are rejected', async () => {
  const early = new IncomingTransfer();
  early.chunk({ offset: 0, bytes: segment(10) });
  assert.equal(await rejection(early), 'unexpected');

  const twice = new IncomingTransfer();
  twice.start({ length: 10, sha256: new Uint8Array(32) });
  twice.start({ length: 10, sha256: new Uint8Array(32) });
  assert.equal(await rejection(twice), 'unexpected');

  const big = new IncomingTransfer({ maxBytes: 1000 });
  big.start({ length: 1001, sha256: new Uint8Array(32) });
  assert.equal(await rejection(big), 'too_large');

  const remote = new IncomingTransfer();
  remote.remoteError({ code: 'busy' });
  await assert.rejects(remote.done, (e) => e.code === 'remote' && e.remoteCode === 'busy');
});

test('abort while hashing wins; messages after settling are ignored', async () => {
  const bytes = segment(100);
  const rx = new IncomingTransfer({ expected: anchorOf(bytes) });
  rx.start({ length: 100, sha256: await sha256(bytes) });
  rx.chunk({ offset: 0, bytes });
  rx.abort('cancelled');
  rx.chunk({ offset: 100, bytes });
  assert.equal(await rejection(rx), 'cancelled');
});

test('sender output reassembles into the segment through the receiver', async () => {
  const bytes = segment(200 * 1024 + 123);
  const ch = new FakeChannel();
  const tx = sendSegment(ch, { requestId: 42, bytes });
  await flowUntilDone(ch, tx);
  assert.equal(ch.frames[0].type, 'response-start');
  assert.equal(ch.frames[0].length, bytes.length);
  const chunks = ch.frames.slice(1);
  assert.equal(chunks.length, 4);
  assert.ok(chunks.every((c) => c.type === 'chunk' && c.requestId === 42 && c.bytes.length <= 65536));
  const rx = new IncomingTransfer({ expected: anchorOf(bytes) });
  rx.start(ch.frames[0]);
  for (const c of chunks) rx.chunk(c);
  assert.deepEqual(await rx.done, bytes);
  assert.equal(tx.sent, bytes.length);
});

test('the sender never lets more than the high-water mark sit in the buffer', async () => {
  const bytes = segment(3 * 1024 * 1024);
  const ch = new FakeChannel();
  const tx = sendSegment(ch, { requestId: 1, bytes, chunkBytes: 16 * 1024, highWaterBytes: 256 * 1024 });
  while (ch.frames.length === 0) await tick();
  for (let i = 0; i < 5; i++) await tick();
  assert.equal(ch.frames.length, 1 + 15, 'stops at the high-water mark until the channel drains');
  assert.ok(ch.frames.length < 20, 'stops at the high-water mark until the channel drains');
  assert.equal(ch.bufferedAmountLowThreshold, 64 * 1024);
  await flowUntilDone(ch, tx);
  assert.ok(ch.maxBuffered <= 256 * 1024, `max buffered ${ch.maxBuffered}`);
  assert.equal(ch.frames.length, 1 + 3 * 1024 / 16);
  assert.equal(ch.listenerCount(), 0, 'no listener left behind');
});

test('default high-water mark is 1 MiB', async () => {
  const ch = new FakeChannel();
  const tx = sendSegment(ch, { requestId: 1, bytes: segment(4 * 1024 * 1024) });
  await flowUntilDone(ch, tx);
  assert.ok(ch.maxBuffered <= 1024 * 1024);
  assert.ok(ch.maxBuffered > 900 * 1024);
});

test('flow control works with the onbufferedamountlow property alone', async () => {
  const ch = new FakeChannel({ withListeners: false });
  const bytes = segment(600 * 1024);
  const tx = sendSegment(ch, { requestId: 1, bytes, highWaterBytes: 128 * 1024 });
  await flowUntilDone(ch, tx);
  assert.ok(ch.maxBuffered <= 128 * 1024);
  assert.equal(ch.frames.length, 1 + 10);
});

test('cancel stops the sender, also while it waits for the buffer to drain', async () => {
  const ch = new FakeChannel();
  const tx = sendSegment(ch, { requestId: 1, bytes: segment(4 * 1024 * 1024) });
  while (ch.frames.length === 0) await tick();
  await tick();
  assert.equal(ch.listenerCount(), 2, 'waiting for bufferedamountlow and close');
  const before = ch.frames.length;
  tx.cancel();
  await assert.rejects(tx.done, (e) => e.code === 'cancelled');
  ch.drain();
  await tick();
  assert.equal(ch.frames.length, before);
  assert.equal(ch.listenerCount(), 0);
});

test('a channel closing mid-transfer rejects with gone', async () => {
  const ch = new FakeChannel();
  const tx = sendSegment(ch, { requestId: 1, bytes: segment(4 * 1024 * 1024) });
  while (ch.frames.length === 0) await tick();
  ch.close();
  await assert.rejects(tx.done, (e) => e.code === 'gone');
});

test('a known hash is sent as is', async () => {
  const ch = new FakeChannel();
  const known = new Uint8Array(32).fill(9);
  const tx = sendSegment(ch, { requestId: 1, bytes: segment(10), sha256: known });
  await flowUntilDone(ch, tx);
  assert.deepEqual(Array.from(ch.frames[0].sha256), Array.from(known));
});

test('chunk size and water marks are validated', () => {
  const ch = new FakeChannel();
  assert.throws(() => sendSegment(ch, { requestId: 1, bytes: segment(1), chunkBytes: MIN_CHUNK_BYTES - 1 }), RangeError);
  assert.throws(() => sendSegment(ch, { requestId: 1, bytes: segment(1), chunkBytes: 64 * 1024 + 1 }), RangeError);
  assert.throws(() => sendSegment(ch, { requestId: 1, bytes: segment(1), highWaterBytes: 1000 }), RangeError);
  assert.throws(() => sendSegment(ch, { requestId: 1, bytes: segment(1), lowWaterBytes: 2 * 1024 * 1024 }), RangeError);
});

test('the plain-JavaScript SHA-256 (pages without crypto.subtle) matches WebCrypto at block boundaries', async () => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 188_000]) {
    const bytes = new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff);
    const expected = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
    assert.deepEqual(sha256Sync(bytes), expected, `length ${n}`);
    // A view into a larger buffer (a data channel message, a byte range) hashes only its bytes.
    const framed = new Uint8Array(n + 7).fill(0xa5);
    framed.set(bytes, 3);
    assert.deepEqual(sha256Sync(framed.subarray(3, 3 + n)), expected, `view of length ${n}`);
  }
});

test('an announced length above 32 MiB fails with too_large before anything is allocated', async () => {
  assert.equal(DEFAULT_MAX_SEGMENT_BYTES, 32 * 1024 * 1024);
  const rx = new IncomingTransfer();
  rx.start({ length: DEFAULT_MAX_SEGMENT_BYTES + 1, sha256: new Uint8Array(32) });
  const e = await rx.done.catch((err) => err);
  assert.equal(e.code, 'too_large');
  assert.match(e.message, /33554433 exceeds the limit of 33554432 bytes/);
  assert.equal(rx.buffer, null, 'no receive buffer');

  // A caller cannot raise the limit beyond the protocol's 64 MiB either.
  const wide = new IncomingTransfer({ maxBytes: Number.MAX_SAFE_INTEGER });
  assert.equal(wide.maxBytes, 64 * 1024 * 1024);
  assert.throws(() => new IncomingTransfer({ maxBytes: -1 }), RangeError);
});
