/**
 * One neighbour: an RTCPeerConnection with one ordered, reliable data channel named "swarmgate",
 * speaking data-channel protocol v1 (docs/protocol.md) over it.
 *
 * What it does for the engine:
 * - connects through the signaling client (`signal` messages; the side told `offer: true` creates
 *   the offer and the channel) and reports `failing` `connect` when the channel is not open within
 *   the connect timeout;
 * - announces what the store holds when the channel opens and whatever the engine tells it later;
 * - remembers what the neighbour announced ({@link Peer#holds}), passes on what it said it is
 *   fetching over HTTP (`onFetching`), and tells it the same of this viewer ({@link Peer#fetching});
 * - serves the neighbour's requests from the store, asking `uploadDecision()` first (upload
 *   policy, simultaneous uploads, rate cap) and sending with flow control (transfer.js);
 * - runs this side's requests ({@link Peer#request}), handing back only bytes that match the
 *   appliance's hash for the segment (the caller passes it in; transfer.js checks);
 * - drops remote candidates that could lead off the LAN (peer-connection.js, the WebRTC side).
 *
 * The channel logic is separate from WebRTC setup: {@link Peer#attachChannel} takes anything with
 * the RTCDataChannel shape, so unit tests connect two peers with an in-memory channel pair.
 *
 * @module core/peer
 */

import { decode, encode, MAX_ANNOUNCE_IDS } from './peer-protocol.js';
import { IncomingTransfer, sendSegment, TransferError } from './transfer.js';
import { drained } from './upload-meter.js';
import { PeerConnection } from './peer-connection.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** Resume sending below this many queued bytes (docs/protocol.md limits). */
export const LOW_WATER_BYTES = 256 * 1024;
/** Most segment ids remembered per neighbour; older ones are forgotten first. */
export const MAX_REMEMBERED_IDS = 2048;
/** Undecodable messages tolerated before the neighbour is reported `failing` `integrity`. */
export const MAX_BAD_MESSAGES = 5;

/**
 * @typedef {object} PeerHooks callbacks into the engine; all optional
 * @property {(peer: Peer) => void} [onOpen] the channel is open (announcements flow)
 * @property {(peer: Peer, reason: 'connect'|'gone'|'closed') => void} [onClose] the peer is finished
 * @property {(peer: Peer, ids: string[], full: boolean) => void} [onHave] the neighbour announced
 * @property {(peer: Peer, ids: string[]) => void} [onFetching] the neighbour started fetching these over HTTP
 * @property {(peer: Peer, reason: 'connect'|'integrity') => void} [onFailing] report to the coordinator
 *   (`integrity` here: the neighbour keeps sending undecodable messages)
 * @property {(peer: Peer) => void} [onUploadStart] a request was accepted; its upload starts now
 * @property {(peer: Peer, bytes: number) => void} [onUploaded] bytes of a segment handed to the channel
 * @property {(peer: Peer, bytes: number, timely: boolean) => void} [onUploadEnd] for the capacity
 *   measurement, an upload that started is over: `bytes` left through the channel (its send buffer
 *   drained; less what it still held when the neighbour closed first), 0 when it failed or was
 *   cancelled; `timely` false when the page's timers were
 *   throttled (a hidden tab) so the drain was not seen in time and the upload says nothing
 * @property {(activeUploads: number) => {allowed: boolean, code?: 'policy'|'busy'}} [uploadDecision]
 *   whether to serve one more request; absent means never
 */

/**
 * @typedef {object} PeerRequest
 * @property {Promise<Uint8Array>} done bytes that match the appliance's hash, or a TransferError
 * @property {() => number} received bytes received so far (progress, for idle detection)
 * @property {() => number} length the length announced in `response-start` (held to the
 *   appliance's), or -1 before it
 * @property {() => boolean} complete every byte is in; the request may still wait for the appliance's hash
 * @property {() => void} cancel gives up: sends `cancel` and rejects `done` with 'cancelled'
 */

export class Peer {
  /**
   * @param {object} options
   * @param {string} options.id the neighbour's peer id
   * @param {{get(id: string): ({bytes: Uint8Array, meta: {sha256?: Uint8Array}}|undefined), ids(): string[],
   *   sha256?(id: string): (Promise<Uint8Array>|undefined)}} options.store what this viewer serves
   *   (core/segment-store.js); a hash the entry lacks comes from `sha256(id)`, else is computed
   * @param {PeerHooks} [options.hooks]
   * @param {boolean} [options.offer] true: this side creates the offer (from the `neighbour` message)
   * @param {{send(signal: object): boolean}} [options.signaling] relays offer/answer/candidates
   * @param {new (config: object) => RTCPeerConnection} [options.RTCPeerConnection] omit for a channel-only peer
   * @param {object[]} [options.iceServers] from `welcome`: the appliance's STUN responder, or []
   *   (lan-candidates.js keeps only credential-free `stun:` URLs)
   * @param {number} [options.connectTimeoutMs]
   * @param {{setTimeout: Function, clearTimeout: Function}} [options.timers]
   * @param {() => number} [options.now] clock in ms, for the upload measurement
   */
  constructor({
    id, store, hooks = {}, offer = false, fetching = false, signaling = null, RTCPeerConnection = null, iceServers = [],
    connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS, timers = globalThis, now = () => globalThis.performance.now(),
  }) {
    this.now = now;
    this.id = id;
    this.store = store;
    this.hooks = hooks;
    this.offer = offer;
    /** Whether the neighbour understands `fetching` (its `neighbour` message said so). */
    this.tellsFetching = fetching;
    this.signaling = signaling;
    this.timers = timers;
    this.channel = null;
    /** @type {PeerConnection|null} the WebRTC side; null for a channel-only peer */
    this.connection = null;
    this.closed = false;
    /** When the data channel opened (now()), or undefined before. */
    this.openedAtMs = undefined;
    /** @type {Map<string, number>} ids the neighbour announced, oldest first, with when (now()) */
    this.have = new Map();
    /** Whether the neighbour's first full announcement arrived (until then it may hold anything). */
    this.announced = false;
    this.nextRequestId = 1;
    /** @type {Map<number, IncomingTransfer>} this side's open requests */
    this.incoming = new Map();
    /** @type {Map<number, {cancel(): void}>} the neighbour's requests being served */
    this.outgoing = new Map();
    this.badMessages = 0;
    this.connectTimer = timers.setTimeout(() => {
      this.connectTimer = null;
      if (!this.isOpen && !this.closed) {
        this.call('onFailing', 'connect');
        this.close('connect');
      }
    }, connectTimeoutMs);
    if (RTCPeerConnection) this.startConnection(RTCPeerConnection, iceServers);
  }

  /** Whether the data channel is open. */
  get isOpen() {
    return !this.closed && this.channel !== null && this.channel.readyState === 'open';
  }

  /** Uploads in progress to this neighbour. */
  get activeUploads() {
    return this.outgoing.size;
  }

  call(hook, ...args) {
    const fn = this.hooks[hook];
    if (typeof fn !== 'function') return undefined;
    try {
      return fn(this, ...args);
    } catch {
      return undefined; // an engine bug must not break the channel
    }
  }

  startConnection(RTCPeerConnectionImpl, iceServers) {
    this.connection = new PeerConnection(RTCPeerConnectionImpl, {
      offer: this.offer, iceServers,
      sendSignal: (fields) => this.sendSignal(fields),
      onChannel: (channel) => {
        if (!this.channel) this.attachChannel(channel);
      },
      onClose: (reason) => this.close(reason),
    });
  }

  /** The RTCPeerConnection, or null for a channel-only peer. */
  get pc() {
    return this.connection ? this.connection.pc : null;
  }

  sendSignal(fields) {
    if (this.closed || !this.signaling) return;
    this.signaling.send({ to: this.id, ...fields });
  }

  /**
   * Handles a relayed `signal` message from this neighbour (offer, answer or candidate).
   * @param {{kind: string, sdp?: string, candidate?: object}} msg
   * @returns {Promise<void>}
   */
  handleSignal(msg) {
    if (!this.connection || this.closed) return Promise.resolve();
    return this.connection.handleSignal(msg);
  }

  /**
   * Uses `channel` for protocol v1 (an RTCDataChannel, or a test double of the same shape).
   * @param {object} channel
   */
  attachChannel(channel) {
    this.channel = channel;
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = LOW_WATER_BYTES;
    channel.onopen = () => this.onChannelOpen();
    channel.onclose = () => this.close('gone');
    channel.onerror = () => {};
    channel.onmessage = (ev) => this.onMessage(ev.data);
    if (channel.readyState === 'open') this.onChannelOpen();
  }

  onChannelOpen() {
    if (this.closed) return;
    if (this.connectTimer !== null) this.timers.clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.openedAtMs = this.now();
    this.announce(this.store.ids(), true);
    this.call('onOpen');
  }

  write(msg) {
    if (!this.isOpen) return false;
    try {
      this.channel.send(encode(msg));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Announces segments. `full`: this is everything held (replaces earlier announcements); sent in
   * several messages when longer than the per-message limit (the first carries `full`).
   * @param {string[]} ids
   * @param {boolean} [full]
   */
  announce(ids, full = false) {
    if (!this.isOpen) return;
    if (ids.length === 0) {
      if (full) this.write({ type: 'announce', full: true, ids: [] });
      return;
    }
    for (let i = 0; i < ids.length; i += MAX_ANNOUNCE_IDS) {
      this.write({ type: 'announce', full: full && i === 0, ids: ids.slice(i, i + MAX_ANNOUNCE_IDS) });
    }
  }

  /**
   * Tells the neighbour this viewer is fetching `ids` over HTTP, if it understands that.
   * @param {string[]} ids
   */
  fetching(ids) {
    if (this.tellsFetching) this.write({ type: 'fetching', ids });
  }

  /** @param {string} segmentId @returns {boolean} whether the neighbour announced it */
  holds(segmentId) {
    return this.have.has(segmentId);
  }

  /** @param {string} segmentId @returns {number|undefined} when the neighbour last announced it */
  announcedAt(segmentId) {
    return this.have.get(segmentId);
  }

  onMessage(data) {
    if (this.closed) return;
    let msg;
    try {
      msg = decode(data);
    } catch {
      if (++this.badMessages === MAX_BAD_MESSAGES) this.call('onFailing', 'integrity');
      return;
    }
    switch (msg.type) {
      case 'announce': this.onAnnounce(msg); break;
      case 'request': this.serve(msg); break;
      case 'cancel': this.outgoing.get(msg.requestId)?.cancel(); break;
      case 'response-start': this.incoming.get(msg.requestId)?.start(msg); break;
      case 'chunk': this.incoming.get(msg.requestId)?.chunk(msg); break;
      case 'error': this.incoming.get(msg.requestId)?.remoteError(msg); break;
      case 'fetching': this.call('onFetching', msg.ids); break;
    }
  }

  onAnnounce(msg) {
    // The sequence form needs a (track, sequence) → id map from our playlist; this SDK announces
    // ids only, so a sequence announcement from another implementation is ignored.
    if (!Array.isArray(msg.ids)) return;
    if (msg.full) {
      this.have.clear();
      this.announced = true;
    }
    const t = this.now();
    for (const id of msg.ids) {
      this.have.delete(id);
      this.have.set(id, t);
    }
    while (this.have.size > MAX_REMEMBERED_IDS) this.have.delete(this.have.keys().next().value);
    this.call('onHave', msg.ids, msg.full);
  }

  serve({ requestId, segmentId }) {
    if (this.outgoing.has(requestId)) return; // a duplicate id would confuse the requester
    const decision = this.call('uploadDecision', this.outgoing.size) || { allowed: false, code: 'policy' };
    if (!decision.allowed) {
      this.write({ type: 'error', requestId, code: decision.code === 'busy' ? 'busy' : 'policy' });
      return;
    }
    const entry = this.store.get(segmentId);
    if (!entry) {
      this.write({ type: 'error', requestId, code: 'not_found' });
      return;
    }
    let transfer;
    try {
      transfer = sendSegment(this.channel, {
        requestId, bytes: entry.bytes, sha256: entry.meta.sha256 || this.store.sha256?.(segmentId),
        lowWaterBytes: LOW_WATER_BYTES,
      });
    } catch {
      this.write({ type: 'error', requestId, code: 'internal' });
      return;
    }
    this.outgoing.set(requestId, transfer);
    this.call('onUploadStart');
    // The slot frees once the bytes are handed over (flow control holds a large segment there);
    // the measurement waits on for the buffer to drain, which nothing else depends on.
    transfer.done.then(
      () => {
        this.outgoing.delete(requestId);
        this.call('onUploaded', entry.bytes.length);
        return drained(this.channel, { timers: this.timers, now: this.now, gone: () => this.closed })
          .then(({ timely, unsent }) => this.call('onUploadEnd', Math.max(0, entry.bytes.length - unsent), timely));
      },
      () => {
        this.outgoing.delete(requestId);
        this.call('onUploadEnd', 0, true);
      },
    );
  }


  /**
   * Asks the neighbour for a segment.
   * @param {string} segmentId
   * @param {object} [options]
   * @param {Promise<{sha256: Uint8Array, length: number}|{error: string}>} [options.expected] the
   *   appliance's hash of the segment (anchor.js); without it the bytes are never released
   * @param {number} [options.maxBytes]
   * @param {() => void} [options.onReceived] the last byte is in (before hashing)
   * @returns {PeerRequest}
   */
  request(segmentId, { expected, maxBytes, onReceived } = {}) {
    const options = { onReceived };
    if (expected) options.expected = expected;
    if (maxBytes) options.maxBytes = maxBytes;
    const transfer = new IncomingTransfer(options);
    const requestId = this.nextRequestId;
    this.nextRequestId = this.nextRequestId >= 0xffffffff ? 1 : this.nextRequestId + 1;
    if (!this.write({ type: 'request', requestId, segmentId })) {
      transfer.abort('gone', 'channel not open');
    } else {
      this.incoming.set(requestId, transfer);
      transfer.done.catch((e) => {
        // Failed on this side (wrong length, no hash, bad chunk): stop the sender's remaining chunks.
        if (e && !['remote', 'gone', 'cancelled'].includes(e.code)) this.write({ type: 'cancel', requestId });
      }).finally(() => this.incoming.delete(requestId));
    }
    return {
      done: transfer.done,
      received: () => transfer.received,
      length: () => transfer.length,
      complete: () => transfer.complete,
      cancel: () => {
        if (transfer.settled) return;
        transfer.abort('cancelled');
        this.write({ type: 'cancel', requestId });
      },
    };
  }

  /**
   * Closes the connection; open requests fail with 'gone', uploads stop. Idempotent.
   * @param {'connect'|'gone'|'closed'} [reason]
   */
  close(reason = 'closed') {
    if (this.closed) return;
    this.closed = true;
    if (this.connectTimer !== null) this.timers.clearTimeout(this.connectTimer);
    this.connectTimer = null;
    for (const t of this.incoming.values()) t.abort('gone', 'neighbour gone');
    for (const t of this.outgoing.values()) t.cancel();
    this.incoming.clear();
    this.outgoing.clear();
    const channel = this.channel;
    if (channel) {
      channel.onopen = channel.onclose = channel.onmessage = channel.onerror = null;
      try { channel.close(); } catch { /* already closed */ }
    }
    this.connection?.close();
    this.call('onClose', reason);
  }

  /** Same as close(). */
  destroy() {
    this.close('closed');
  }
}

export { TransferError };
