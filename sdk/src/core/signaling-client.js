/**
 * WebSocket client for signaling protocol v1 (docs/protocol.md): join with `hello`, keep the
 * socket alive with `ping`, reconnect with capped exponential backoff (reconnect-backoff.js) and
 * resume the same peer id within the appliance's 30 s grace, so neighbours survive a network blip.
 *
 * Everything that touches the outside world is injected (WebSocket constructor, timers, clock,
 * randomness) so tests drive it with a hand-written fake.
 *
 * @module core/signaling-client
 */

import { DEFAULT_HASH_TIMEOUT_MS, HashAsks } from './hash-asks.js';
import { MAX_BACKOFF_MS, MIN_BACKOFF_MS, ReconnectBackoff } from './reconnect-backoff.js';

export const SIGNALING_VERSION = 1;
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** The socket is considered dead after this many heartbeats without any frame from the appliance. */
export const DEAD_AFTER_HEARTBEATS = 3;

/**
 * How long a socket waits for the appliance's `ready` (sent as it opens) before asking
 * `helloAfter` without it: an appliance that sends none (an older one behind the same load
 * balancer during an upgrade) costs a join this much more.
 */
export const READY_WAIT_MS = 250;
/** Longest segment URL the appliance accepts in `hash` and `failing`. */
export const MAX_SEGMENT_URL_CHARS = 2048;

/** Close codes after which reconnecting cannot help (policy violation, unsupported version). */
const FATAL_CLOSE_CODES = new Set([1008, 4005]);

/** Server messages re-emitted as events of the same name. */
const SERVER_EVENTS = new Set(['welcome', 'neighbour', 'neighbour-gone', 'leaders', 'signal', 'policy', 'pong', 'error']);

const OPEN = 1;

/**
 * @typedef {object} SignalingOptions
 * @property {string} url e.g. wss://appliance:8443/ws
 * @property {new (url: string) => WebSocket} WebSocket constructor (globalThis.WebSocket in browsers)
 * @property {{stream: string, sdk: string, caps: {upload: boolean, network: string, uploadKbps: number, saveData?: boolean},
 *   token?: string}} hello fields of `hello` other than `v` and `resume`
 * @property {(ready: {stun?: boolean}|null) => (Promise<unknown>|null|undefined)} [helloAfter] asked
 *   on every socket once it is open, with that socket's `ready` message (null when none came
 *   within {@link READY_WAIT_MS}); `hello` waits for what it returns (the engine's mDNS probe, which
 *   may still change `hello.caps`, and which `ready.stun` makes unnecessary). Each socket asks for
 *   itself: a reconnect may reach an appliance (restarted, or another one of a cluster) that offers
 *   no STUN responder where the first did.
 * @property {number} [heartbeatMs] until `welcome` says otherwise
 * @property {number} [minBackoffMs]
 * @property {number} [maxBackoffMs]
 * @property {number} [returnWindowMs] how long after losing the connection `returnMaxBackoffMs` caps
 *   the backoff (then `maxBackoffMs` does)
 * @property {number} [returnMaxBackoffMs]
 * @property {() => number} [random]
 * @property {() => number} [now] ms, sent as the ping's `t`
 * @property {number} [hashTimeoutMs] how long a `hash` ask waits for its answer
 * @property {{setTimeout: Function, clearTimeout: Function, setInterval: Function, clearInterval: Function}} [timers]
 */

/**
 * @typedef {import('./hash-asks.js').SegmentHash} SegmentHash
 * @typedef {import('./hash-asks.js').HashError} HashError
 */

export class SignalingClient {
  /** @param {SignalingOptions} options */
  constructor({
    url, WebSocket, hello, helloAfter = null, heartbeatMs = DEFAULT_HEARTBEAT_MS, minBackoffMs, maxBackoffMs,
    returnWindowMs, returnMaxBackoffMs,
    random = Math.random, now = () => Date.now(), timers = globalThis, hashTimeoutMs = DEFAULT_HASH_TIMEOUT_MS,
  }) {
    if (typeof WebSocket !== 'function') throw new TypeError('WebSocket constructor required');
    if (!hello || typeof hello.stream !== 'string') throw new TypeError('hello.stream required');
    this.url = url;
    this.WebSocketImpl = WebSocket;
    this.helloFields = hello;
    /** Asked on every open socket, with its `ready` (or null), before its hello. */
    this.helloAfter = typeof helloAfter === 'function' ? helloAfter : null;
    this.readyTimer = null;
    this.heartbeatMs = heartbeatMs;
    this.random = random;
    this.now = now;
    this.timers = timers;
    /** The `hash` asks open with the appliance; the loss of a socket answers those sent on it. */
    this.hashes = new HashAsks({ timers, timeoutMs: hashTimeoutMs });
    this.listeners = new Map();
    this.ws = null;
    this.closed = false;
    this.reconnectTimer = null;
    /** The attempts since the connection was lost, and the delay before the next. */
    this.backoff = new ReconnectBackoff({ minBackoffMs, maxBackoffMs, returnWindowMs, returnMaxBackoffMs, random, now });
    this.heartbeatTimer = null;
    this.lastFrameAt = 0;
    /** @type {{peerId: string, secret: string} | null} kept for `resume` after a reconnect */
    this.session = null;
    /** The last `welcome`, or null before it. */
    this.welcome = null;
  }

  /** My peer id, once welcomed. */
  get peerId() {
    return this.session ? this.session.peerId : undefined;
  }

  /** Whether the socket is open and `welcome` has arrived on it. */
  get joined() {
    return this.ws !== null && this.ws.readyState === OPEN && this.welcome !== null;
  }

  /**
   * Subscribes to an event: a server message type ('welcome', 'neighbour', 'neighbour-gone',
   * 'leaders', 'signal', 'policy', 'pong', 'error') with the message as argument, or 'open',
   * 'disconnected' ({code, reason, retryInMs}; retryInMs null means it gave up).
   * @param {string} type
   * @param {(payload: object) => void} fn
   * @returns {() => void} unsubscribe
   */
  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
    return () => this.listeners.get(type)?.delete(fn);
  }

  emit(type, payload) {
    for (const fn of [...(this.listeners.get(type) ?? [])]) {
      // One faulty listener must not stop the others or the socket's own handling.
      try {
        fn(payload);
      } catch (e) {
        if (globalThis.console) console.warn('swarmgate signaling - listener failed:', e);
      }
    }
  }

  /** Opens the socket (once; reconnects happen by themselves). */
  connect() {
    if (this.closed || this.ws) return;
    let ws;
    try {
      ws = new this.WebSocketImpl(this.url);
    } catch (e) {
      this.scheduleReconnect(0, String(e && e.message));
      return;
    }
    this.ws = ws;
    this.welcome = null;
    ws.onopen = () => this.onOpen();
    ws.onmessage = (ev) => this.onMessage(ev.data);
    ws.onclose = (ev) => this.onClose(ev.code, ev.reason);
    // 'error' is always followed by 'close', which does the work.
    ws.onerror = () => {};
  }

  onOpen() {
    this.lastFrameAt = this.now();
    const ws = this.ws;
    if (this.helloAfter) {
      this.readyTimer = this.timers.setTimeout(() => this.askHelloAfter(ws, null), READY_WAIT_MS);
    } else {
      this.sendHello();
    }
  }

  /** The socket heard its `ready`, or waited it out (`ready` null): hello once helloAfter's answer settles. */
  askHelloAfter(ws, ready) {
    this.timers.clearTimeout(this.readyTimer);
    this.readyTimer = null;
    let wait = null;
    try {
      wait = this.helloAfter(ready);
    } catch { /* a failed ask holds nothing back */ }
    const hello = () => this.helloOn(ws);
    if (wait && typeof wait.then === 'function') wait.then(hello, hello);
    else hello();
  }

  helloOn(ws) {
    if (this.ws === ws && !this.closed && ws.readyState === OPEN) this.sendHello();
  }

  sendHello() {
    const hello = { type: 'hello', v: SIGNALING_VERSION, ...this.helloFields };
    if (this.session) hello.resume = { ...this.session };
    this.write(hello);
    this.startHeartbeat();
    this.emit('open', {});
  }

  onMessage(data) {
    this.lastFrameAt = this.now();
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      msg = null;
    }
    if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') {
      this.emit('error', { type: 'error', code: 'bad_server_message', message: 'not a JSON object with a type', local: true });
      return;
    }
    if (msg.type === 'ready') {
      // Sent as the socket opens, before hello: only a socket whose hello waits for it needs it.
      if (this.readyTimer !== null) this.askHelloAfter(this.ws, { stun: msg.stun === true });
      return;
    }
    if (msg.type === 'welcome') {
      this.welcome = msg;
      this.session = { peerId: msg.peerId, secret: msg.secret };
      this.backoff.joined();
      if (msg.heartbeatMs > 0 && msg.heartbeatMs !== this.heartbeatMs) {
        this.heartbeatMs = msg.heartbeatMs;
        this.startHeartbeat();
      }
    } else if (msg.type === 'move') {
      // The appliance is draining for a stop: reconnect to the same URL (through the load balancer
      // to another appliance, or to this one when it is back) at a random moment within the window
      // it gives, so its viewers do not arrive elsewhere at once. The player keeps fetching over
      // HTTP meanwhile, and `resume` is tried on the new socket.
      const within = Number.isFinite(msg.withinMs) ? Math.min(Math.max(msg.withinMs, 0), MAX_BACKOFF_MS) : MIN_BACKOFF_MS;
      const ws = this.ws;
      this.detach();
      try { ws.close(1000, 'moving'); } catch { /* already closing */ }
      this.backoff.restart();
      this.reconnectAfter(Math.round(this.random() * within), 1001, 'appliance moving viewers: ' + String(msg.reason));
      this.emit('move', msg);
      return;
    } else if (msg.type === 'error' && msg.code === 'resume_failed') {
      this.session = null;
    } else if (msg.type === 'hash') {
      this.hashes.answered(msg);
      return;
    }
    // Unknown types are ignored: a newer appliance may add informational messages.
    if (SERVER_EVENTS.has(msg.type)) this.emit(msg.type, msg);
  }

  onClose(code, reason) {
    this.detach();
    if (this.closed) return;
    if (FATAL_CLOSE_CODES.has(code)) {
      this.closed = true;
      this.emit('disconnected', { code, reason, retryInMs: null });
      return;
    }
    this.scheduleReconnect(code, reason);
  }

  /** The next attempt, after the backoff's delay (an `overloaded` close, 1013, is retried the same way). */
  scheduleReconnect(code, reason) {
    this.reconnectAfter(this.backoff.nextDelayMs(), code, reason);
  }

  reconnectAfter(delay, code, reason) {
    this.backoff.lost();
    this.emit('disconnected', { code, reason, retryInMs: delay });
    this.reconnectTimer = this.timers.setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  startHeartbeat() {
    this.stopHeartbeat();
    this.heartbeatTimer = this.timers.setInterval(() => {
      // A half-open TCP connection never fires 'close'; the appliance answers every ping, so
      // silence for several heartbeats means the socket is dead.
      if (this.now() - this.lastFrameAt >= DEAD_AFTER_HEARTBEATS * this.heartbeatMs) {
        const ws = this.ws;
        this.detach();
        try { ws.close(); } catch { /* already closing */ }
        this.scheduleReconnect(4004, 'heartbeat timeout');
        return;
      }
      this.write({ type: 'ping', t: this.now() });
    }, this.heartbeatMs);
  }

  stopHeartbeat() {
    if (this.heartbeatTimer !== null) this.timers.clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  /** Forgets the current socket without reacting to its later events. */
  detach() {
    // A socket lost before its ready: the next one waits for its own.
    if (this.readyTimer !== null) {
      this.timers.clearTimeout(this.readyTimer);
      this.readyTimer = null;
    }
    // Answers to asks sent on this socket can no longer arrive.
    this.hashes.lost();
    this.stopHeartbeat();
    if (this.ws) {
      this.ws.onopen = this.ws.onmessage = this.ws.onclose = this.ws.onerror = null;
    }
    this.ws = null;
    this.welcome = null;
  }

  write(msg) {
    if (!this.ws || this.ws.readyState !== OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /**
   * Relays an offer, answer or candidate to a neighbour. Not queued: after a reconnect the
   * peer connections are re-created anyway.
   * @param {{to: string, kind: 'offer'|'answer'|'candidate', sdp?: string, candidate?: object}} signal
   * @returns {boolean} whether it was sent
   */
  send(signal) {
    if (!this.joined) return false;
    const msg = { type: 'signal', to: signal.to, kind: signal.kind };
    if (signal.sdp !== undefined) msg.sdp = signal.sdp;
    if (signal.candidate !== undefined) msg.candidate = signal.candidate;
    return this.write(msg);
  }

  /**
   * Tells the coordinator a neighbour is failing so it replaces it.
   * @param {string} peer
   * @param {'connect'|'timeout'|'integrity'|'gone'} reason
   * @param {string} [segment] for `integrity`: the URL of the segment whose bytes did not match
   * @returns {boolean}
   */
  failing(peer, reason, segment) {
    const msg = { type: 'failing', peer, reason };
    if (typeof segment === 'string' && segment.length > 0 && segment.length <= MAX_SEGMENT_URL_CHARS) msg.segment = segment;
    return this.joined && this.write(msg);
  }

  /**
   * Asks the appliance for a segment's SHA-256 as the origin serves it (`hash`). Never rejects.
   * Asks for the same URL and range while one is open share its answer; beyond MAX_HASH_ASKS
   * open asks the answer is `busy` at once, without sending (the appliance would refuse it;
   * hash-asks.js).
   * @param {string} segmentUrl the absolute http(s) URL the page would fetch the segment from
   * @param {{first: number, last: number}} [range] byte-range addressing: the bytes of the URL that are the segment
   * @returns {Promise<SegmentHash|HashError>}
   */
  hashFor(segmentUrl, range) {
    return this.hashes.ask(segmentUrl, range, (msg) => this.joined && this.write(msg));
  }

  /**
   * Sends a QoE `report` (the body from qoe.js, without `type`).
   * @param {object} qoe
   * @returns {boolean} false when not connected: the caller keeps the counters for the next one
   */
  report(qoe) {
    return this.joined && this.write({ ...qoe, type: 'report' });
  }

  /**
   * Tells the appliance the live renditions this viewer's player loads now (`tracks`), for the
   * leaders of each (renditions.js).
   * @param {string[]} tracks
   * @returns {boolean} false when not connected
   */
  tracks(tracks) {
    return this.joined && this.write({ type: 'tracks', tracks });
  }

  /** Leaves for good: `bye` (neighbours are told at once, no resume), close, no reconnect. */
  close() {
    if (this.closed && !this.ws) return;
    this.closed = true;
    if (this.reconnectTimer !== null) this.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const ws = this.ws;
    if (ws) {
      this.write({ type: 'bye' });
      this.detach();
      try { ws.close(1000, 'bye'); } catch { /* already closing */ }
    }
    this.listeners.clear();
  }

  /** Same as close(). */
  destroy() {
    this.close();
  }
}
