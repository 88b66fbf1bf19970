// Hand-written test doubles shared by the peer and engine tests: an in-memory data-channel pair,
// a scripted remote viewer that answers requests the way a test needs (correctly, with altered
// bytes, busy, or by vanishing mid-transfer) and a signaling client whose `hash` answers come from
// a test's "origin".
import { decode, encode } from '../../src/core/peer-protocol.js';
import { sha256 } from '../../src/core/sha256.js';

/** Two connected RTCDataChannel look-alikes; messages arrive asynchronously, as in a browser. */
export function channelPair() {
  const make = () => ({
    readyState: 'open', bufferedAmount: 0, bufferedAmountLowThreshold: 0, binaryType: 'blob',
    onmessage: null, onclose: null, onopen: null, onerror: null, other: null,
    send(data) {
      if (this.readyState !== 'open') throw new Error('InvalidStateError');
      const copy = new Uint8Array(data).slice().buffer;
      const other = this.other;
      setImmediate(() => { if (other.readyState === 'open' && other.onmessage) other.onmessage({ data: copy }); });
    },
    close() {
      if (this.readyState === 'closed') return;
      this.readyState = 'closed';
      const other = this.other;
      setImmediate(() => {
        if (this.onclose) this.onclose();
        if (other.readyState !== 'closed') {
          other.readyState = 'closed';
          if (other.onclose) other.onclose();
        }
      });
    },
  });
  const a = make();
  const b = make();
  a.other = b;
  b.other = a;
  return [a, b];
}

/**
 * The far end of a channel, scripted: `segments` it holds (id → bytes), announced on start;
 * `behaviour(id)` says how to answer a request: 'serve', 'corrupt' (altered bytes announced with
 * their own, matching SHA-256: what a malicious peer sends), 'longer' (the segment plus one byte,
 * with a matching hash), 'busy', 'vanish' (close after the first chunk), 'silent' (stop after the
 * first chunk, channel stays open), 'drip' (`response-start`, then `dripBytes` more each time the
 * test calls `drip()`, until cancelled), 'not_found'.
 */
export class RemoteViewer {
  constructor(channel, { segments = new Map(), behaviour = () => 'serve', chunkBytes = 16 * 1024 } = {}) {
    this.channel = channel;
    this.segments = segments;
    this.behaviour = behaviour;
    this.chunkBytes = chunkBytes;
    this.announced = [];
    this.requests = [];
    this.cancels = [];
    /** Segments the engine said it is fetching over HTTP (data-channel `fetching`). */
    this.fetching = [];
    this.chunksSent = 0;
    /** @type {Map<number, {bytes: Uint8Array, at: number}>} requests answered a few bytes at a time */
    this.dripping = new Map();
    /** What the engine sent back to our own requests (`response-start`, `chunk`, `error`), in order. */
    this.received = [];
    channel.onmessage = (ev) => this.onMessage(decode(ev.data));
  }

  /** Asks the engine on the other side for a segment. */
  request(requestId, segmentId) {
    this.send({ type: 'request', requestId, segmentId });
  }

  send(msg) {
    if (this.channel.readyState === 'open') this.channel.send(encode(msg));
  }

  announce(ids, full = false) {
    this.send({ type: 'announce', full, ids });
  }

  async onMessage(msg) {
    if (msg.type === 'announce') { this.announced.push(...msg.ids); return; }
    if (msg.type === 'cancel') { this.cancels.push(msg.requestId); this.dripping.delete(msg.requestId); return; }
    if (msg.type === 'fetching') { this.fetching.push(...msg.ids); return; }
    if (msg.type === 'response-start' || msg.type === 'chunk' || msg.type === 'error') { this.received.push(msg); return; }
    if (msg.type !== 'request') return;
    const { requestId, segmentId } = msg;
    this.requests.push(segmentId);
    const how = this.behaviour(segmentId);
    let bytes = this.segments.get(segmentId);
    if (how === 'busy' || how === 'not_found' || !bytes) {
      this.send({ type: 'error', requestId, code: how === 'busy' ? 'busy' : 'not_found' });
      return;
    }
    if (how === 'corrupt') bytes = altered(bytes);
    if (how === 'longer') {
      const longer = new Uint8Array(bytes.length + 1);
      longer.set(bytes);
      bytes = longer;
    }
    const hash = await sha256(bytes);
    this.send({ type: 'response-start', requestId, length: bytes.length, sha256: hash });
    if (how === 'drip') { this.dripping.set(requestId, { bytes, at: 0 }); return; }
    for (let at = 0; at < bytes.length; at += this.chunkBytes) {
      this.send({ type: 'chunk', requestId, offset: at, bytes: bytes.subarray(at, Math.min(at + this.chunkBytes, bytes.length)) });
      this.chunksSent++;
      if (how === 'vanish') { this.channel.close(); return; }
      if (how === 'silent') return;
    }
  }

  /** Sends the next `dripBytes` of every request answered with 'drip'. */
  drip(dripBytes = 64) {
    for (const [requestId, d] of this.dripping) {
      const end = Math.min(d.at + dripBytes, d.bytes.length);
      this.send({ type: 'chunk', requestId, offset: d.at, bytes: d.bytes.subarray(d.at, end) });
      this.chunksSent++;
      d.at = end;
      if (end === d.bytes.length) this.dripping.delete(requestId);
    }
  }
}

/** A copy with one byte in every 4 KiB flipped. */
export function altered(bytes) {
  const copy = new Uint8Array(bytes);
  for (let i = 0; i < copy.length; i += 4096) copy[i] ^= 0xff;
  return copy;
}

/** What the appliance answers to `hash` for bytes the origin serves. */
export async function hashAnswer(bytes) {
  return { sha256: await sha256(bytes), length: bytes.length };
}

/**
 * Signaling client double: records what the engine sends; tests emit server messages.
 * `hashFor(url, range)` answers from `origin` (a Map or function: url, or `url#bytes=first-last` for a
 * range → the origin's bytes, or an `{error}` answer):
 * at once, or, with `holdHashes`, when the test calls `answerHash(url)`. A URL the origin does
 * not know is `not_found`.
 */
export class FakeSignaling {
  constructor(options, { origin = new Map(), holdHashes = false } = {}) {
    this.options = options;
    this.joined = false;
    this.closed = false;
    this.sent = [];
    this.failings = [];
    this.reports = [];
    this.handlers = new Map();
    this.origin = origin;
    this.holdHashes = holdHashes;
    /** @type {string[]} every URL asked, in order */
    this.hashAsks = [];
    /** @type {string[][]} */
    this.tracksSent = [];
    /** @type {Map<string, Function>} held asks, answered by answerHash() */
    this.heldHashes = new Map();
  }
  hashFor(url, range) {
    // A byte range is asked as the appliance keys it: `url#bytes=first-last`.
    const key = range ? `${url}#bytes=${range.first}-${range.last}` : url;
    this.hashAsks.push(key);
    if (this.holdHashes) return new Promise((resolve) => this.heldHashes.set(key, resolve));
    return this.answerFor(key);
  }
  async answerFor(url) {
    const o = typeof this.origin === 'function' ? this.origin(url) : this.origin.get(url);
    if (o === undefined) return { error: 'not_found' };
    return o instanceof Uint8Array ? hashAnswer(o) : o;
  }
  /** Answers a held ask (from `origin`, or with `answer`). */
  async answerHash(url, answer) {
    const resolve = this.heldHashes.get(url);
    if (!resolve) throw new Error(`no held hash ask for ${url}`);
    this.heldHashes.delete(url);
    resolve(answer ?? await this.answerFor(url));
  }
  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(fn);
    return () => this.handlers.get(type).delete(fn);
  }
  emit(type, msg) {
    for (const fn of this.handlers.get(type) ?? []) fn(msg);
  }
  connect() {}
  send(signal) { this.sent.push(signal); return true; }
  failing(peer, reason, segment) { this.failings.push(segment === undefined ? { peer, reason } : { peer, reason, segment }); return true; }
  report(body) { this.reports.push(body); return true; }
  /** `tracks` sent while joined, in order. */
  tracks(list) { if (!this.joined) return false; this.tracksSent.push(list); return true; }
  close() { this.closed = true; this.joined = false; }
  /** Plays `welcome` (+ `leaders`, with `tracks`: each rendition's) from the appliance. */
  welcome(peerId, { leaders = [], tracks, policy = POLICY_ON, siteHttpKbps } = {}) {
    this.joined = true;
    const m = { type: 'welcome', v: 1, peerId, secret: 's', resumed: false, site: 'hq', streamId: 'x', heartbeatMs: 15000, policy };
    if (siteHttpKbps !== undefined) m.siteHttpKbps = siteHttpKbps;
    this.emit('welcome', m);
    this.emit('leaders', tracks ? { type: 'leaders', leaders, tracks } : { type: 'leaders', leaders });
  }
}

/** What the appliance sends by default (docs/protocol.md "Upload rules"): P2P on, this viewer uploads, default caps. */
export const POLICY_ON = Object.freeze({
  p2p: 'on', maxNeighbours: 6, uploadOnCellular: false, uploadOnWifi: true,
  upload: Object.freeze({ allowed: true, maxUploads: 4, maxKbps: 20000 }), iceServers: [],
});

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until `predicate()` is true (checked every 5 ms) and fails naming `what` after `timeoutMs`:
 * the tests' replacement for fixed sleeps. The timeout bounds a hung test; it is not a speed limit.
 */
export async function until(predicate, timeoutMs = 5000, what = String(predicate)) {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** Lets every callback already queued (promise jobs, setImmediate deliveries of the fake channels) run. */
export async function settle(rounds = 5) {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/**
 * setTimeout/setInterval look-alikes on a clock that moves only in advance(); `t` is the time in
 * ms, for a `now()` option. Due callbacks run in time order, each seeing `t` at its due time.
 */
export class FakeTimers {
  constructor() { this.t = 0; this.nextId = 1; this.jobs = new Map(); }
  setTimeout(fn, ms) { const id = this.nextId++; this.jobs.set(id, { fn, at: this.t + ms }); return id; }
  setInterval(fn, ms) { const id = this.nextId++; this.jobs.set(id, { fn, at: this.t + ms, every: ms }); return id; }
  clearTimeout(id) { this.jobs.delete(id); }
  clearInterval(id) { this.jobs.delete(id); }
  pending() { return this.jobs.size; }
  now = () => this.t;
  advance(ms) {
    const end = this.t + ms;
    for (;;) {
      let next = null;
      for (const [id, j] of this.jobs) if (j.at <= end && (!next || j.at < next[1].at)) next = [id, j];
      if (!next) break;
      const [id, job] = next;
      this.t = job.at;
      if (job.every) job.at += job.every; else this.jobs.delete(id);
      job.fn();
    }
    this.t = end;
  }
}

/**
 * Moves `timers` forward `stepMs` at a time, letting the code under test react after each step,
 * until `done()`; fails once the fake clock passes `maxMs`. Returns the fake time reached.
 */
export async function runClockUntil(timers, done, { stepMs = 1, maxMs = 60_000, what = String(done) } = {}) {
  await settle();
  while (!done()) {
    if (timers.t >= maxMs) throw new Error(`${what} did not happen within ${maxMs} ms of fake time`);
    timers.advance(stepMs);
    await settle();
  }
  return timers.t;
}

/** Bytes 0..n-1 mod 251, distinct per `seed`. */
export function segmentBytes(n, seed = 0) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i + seed) % 251;
  return b;
}
