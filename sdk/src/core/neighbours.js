/**
 * The neighbours the appliance gives a viewer: the connections to them (created through the peer
 * gate, peer-gate.js), what each announced it holds, how each behaved, and whether this viewer
 * serves their requests.
 *
 * - Announcements: every segment the store gains is announced to every open neighbour at once;
 *   after evictions the whole list is announced again (one `have` with `full`, at most once a
 *   second), so neighbours stop asking for what is gone. Every HTTP fetch this viewer starts is
 *   told to the neighbours that understand `fetching`, again while it makes progress, and to a
 *   neighbour whose channel opens while it is still under way (a viewer that joins mid-fetch would
 *   otherwise add its own copy to the link; own-fetches.js); what they said they fetch is kept
 *   (fetch-claims.js) for the scheduler.
 * - Behaviour: a neighbour that answered `busy` is skipped for {@link BUSY_BACKOFF_MS}; one that
 *   stalled {@link TIMEOUTS_BEFORE_FAILING} transfers in a row (silent for the idle timeout, or
 *   crawling to their deadline: peer-attempt.js) is reported `failing` `timeout`. One
 *   that sent bytes not matching the appliance's hash, or that the appliance says is `barred`, is
 *   handed to the integrity verdict (integrity-verdict.js: the report, the ban list) and never
 *   asked again, nor connected again, while banned.
 * - Uploads: whether a request is served (upload-policy.js): the appliance's `policy.upload`, the
 *   page's `upload` option, Save-Data, the upload load.
 * - Lifetime: what is known of a neighbour goes when the appliance takes it away (`neighbour-gone`,
 *   or a rejoin), so a long event with churn does not grow it; only its received-bytes total
 *   outlives it here, bounded ({@link MAX_LEFT_TOTALS}), and its ban in integrity-verdict.js.
 *
 * The session facts (joined or not, the policy, this viewer's id, the leaders) are the engine's:
 * read here, never written.
 *
 * @module core/neighbours
 */

import { FetchClaims } from './fetch-claims.js';
import { OwnFetches } from './own-fetches.js';
import { UploadPolicy } from './upload-policy.js';

/** After a neighbour answers `busy`, it is skipped for this long. */
export const BUSY_BACKOFF_MS = 250;
/** Consecutive stalled transfers after which a neighbour is reported `failing` `timeout`. */
export const TIMEOUTS_BEFORE_FAILING = 2;
/** Evictions are announced (a full `have`) this long after the first of them, all at once. */
const FULL_ANNOUNCE_DELAY_MS = 1000;
/**
 * Neighbours that left whose received-bytes totals stay in `stats().p2pBytesByPeer`: the figures
 * are the visit's (the fleet matches them with the other pages' ids at the end), but a long event
 * with churn must not grow them without bound. The earliest to leave are dropped first.
 */
export const MAX_LEFT_TOTALS = 256;

export class Neighbours {
  /**
   * @param {object} options
   * @param {import('./engine.js').Engine} options.engine the session: `enabled`, `destroyed`,
   *   `signaling`, `policy`, `selfId`, `leaders` and `health` are read (and by the upload policy,
   *   `connection` and `uploadAllowedByPage`)
   * @param {import('./segment-store.js').SegmentStore} options.store what is served and announced
   * @param {import('./qoe.js').QoeReporter} options.qoe
   * @param {import('./peer-gate.js').PeerGate} options.gate holds new neighbours until the player started
   * @param {import('./upload-meter.js').UploadMeter} options.uploadMeter
   * @param {import('./integrity-verdict.js').IntegrityVerdict} options.verdict keeps the ban list
   * @param {(opts: object) => object} options.createPeer
   * @param {Function} options.RTCPeerConnection
   * @param {object} options.timers
   * @param {() => number} options.now
   * @param {(...args: any[]) => void} options.log
   * @param {() => void} options.onOpen a neighbour's channel opened
   * @param {(ids: string[], full: boolean) => void} options.onHave a neighbour announced segments
   * @param {(ids: string[]) => void} [options.onFetching] a neighbour started fetching segments over HTTP
   * @param {() => void} options.onUploadCapacity the measured upload capacity changed
   */
  constructor({
    engine, store, qoe, gate, uploadMeter, verdict, createPeer, RTCPeerConnection, timers, now, log, onOpen, onHave,
    onFetching = () => {}, onUploadCapacity,
  }) {
    this.engine = engine;
    this.store = store;
    this.qoe = qoe;
    this.gate = gate;
    this.verdict = verdict;
    this.createPeer = createPeer;
    this.RTCPeerConnection = RTCPeerConnection;
    this.timers = timers;
    this.now = now;
    this.log = log;
    this.onOpen = onOpen;
    this.onHave = onHave;
    this.onFetching = onFetching;
    /** @type {Map<string, object>} neighbour id → Peer */
    this.peers = new Map();
    // Every per-neighbour record below lives while the appliance lists the neighbour: `gone` and
    // `closeAll` drop it (forget), except, bounded, the received-bytes totals.
    /** @type {Map<string, string>} neighbour id → its site, as the appliance said */
    this.sites = new Map();
    /** @type {Record<string, number>} bytes received from peers, by the sender's site (the appliance's sites: few) */
    this.bytesBySite = {};
    /** @type {Map<string, number>} verified bytes received from each neighbour, by peer id */
    this.bytesByPeer = new Map();
    /** @type {Set<string>} neighbours gone with a total in `bytesByPeer`, the earliest first ({@link MAX_LEFT_TOTALS}) */
    this.leftTotals = new Set();
    /** @type {Map<string, number>} neighbour id → when its `busy` back-off ends */
    this.busyUntil = new Map();
    /** @type {Map<string, number>} neighbour id → stalled transfers in a row */
    this.peerTimeouts = new Map();
    /** What neighbours said they are fetching over HTTP, and whether they are believed. */
    this.claims = new FetchClaims({ now });
    /** Whether a neighbour's request is served, and the uploads counted for it. */
    this.uploads = new UploadPolicy({ engine, uploadMeter, qoe, now, onUploadCapacity });
    this.fullAnnounceTimer = null;
    /** This viewer's HTTP fetches under way, as its neighbours are told of them. */
    this.ownFetches = new OwnFetches({ timers, send: (ids) => this.peers.forEach((p) => p.isOpen && p.fetching(ids)) });
    /** Whether a neighbour's claims count: it may be asked for segments ({@link usable}). */
    this.askable = (peerId) => this.usable(peerId) !== undefined;
  }

  // ---- connections ----

  /** The appliance's `neighbour`: connect now, or when the gate lets it. */
  add(m) {
    const { peer: id, site } = m;
    const e = this.engine;
    if (!e.enabled || e.destroyed || typeof id !== 'string' || id === e.selfId) return;
    if (e.policy && e.policy.p2p === 'off') return;
    // A neighbour that sent altered bytes gets no connection: nothing from it would be used.
    if (this.verdict.isBanned(id)) return;
    this.peers.get(id)?.close('closed');
    this.leftTotals.delete(id);
    if (typeof site === 'string') this.sites.set(id, site);
    if (!this.gate.hold(m)) this.connect(m, []);
  }

  /** Creates the connection to a neighbour, handing it the signals the gate kept for it. */
  connect({ peer: id, offer, fetching }, signals) {
    const e = this.engine;
    if (!e.enabled || e.destroyed || !e.signaling || this.verdict.isBanned(id)) return;
    if (e.policy && e.policy.p2p === 'off') return;
    const peer = this.createPeer({
      id, offer: !!offer, fetching: fetching === true, store: this.store, signaling: e.signaling,
      RTCPeerConnection: this.RTCPeerConnection, iceServers: (e.policy && e.policy.iceServers) || [],
      timers: this.timers, now: this.now, hooks: this.peerHooks(),
    });
    this.peers.set(id, peer);
    for (const m of signals) peer.handleSignal(m);
  }

  /** A `signal` for a connection that exists (the gate keeps those of held neighbours). */
  signal(m) {
    this.peers.get(m.from)?.handleSignal(m);
  }

  /** The appliance's `neighbour-gone`. */
  gone({ peer: id, reason }) {
    if (reason === 'barred') {
      // About ourselves: the `policy` with p2p off that follows closes everything; close now anyway.
      if (id === this.engine.selfId) {
        this.closeAll();
        return;
      }
      if (typeof id === 'string') this.verdict.ban(id);
    }
    this.gate.drop(id);
    const peer = this.peers.get(id); // separated `failing` before it ever opened: it failed to connect
    peer?.close(reason === 'failing' && peer.openedAtMs === undefined ? 'connect' : 'closed');
    this.forget(id);
  }

  /** Closes every connection and forgets every neighbour (a rejoin: the appliance sends `neighbour` again for each). */
  closeAll() {
    this.gate.clear();
    for (const p of [...this.peers.values()]) p.close('closed');
    this.peers.clear();
    const known = [...this.sites.keys(), ...this.busyUntil.keys(), ...this.peerTimeouts.keys(), ...this.bytesByPeer.keys(), ...this.claims.open.keys()];
    for (const id of known) this.forget(id);
    this.qoe.setNeighbours(0);
  }

  /**
   * Drops what is known of a neighbour the appliance no longer lists (its connection is closed):
   * its site, back-off and stall count. Its ban stays, and its received-bytes total stays among
   * the last {@link MAX_LEFT_TOTALS} that left. Should the appliance hand it back, its `neighbour`
   * message says its site again.
   */
  forget(id) {
    this.sites.delete(id);
    this.busyUntil.delete(id);
    this.peerTimeouts.delete(id);
    this.claims.forget(id);
    if (!this.bytesByPeer.has(id) || this.leftTotals.has(id)) return;
    this.leftTotals.add(id);
    if (this.leftTotals.size > MAX_LEFT_TOTALS) {
      const earliest = this.leftTotals.values().next().value;
      this.leftTotals.delete(earliest);
      this.bytesByPeer.delete(earliest);
    }
  }

  peerHooks() {
    return {
      onOpen: (peer) => {
        this.log('neighbour open', peer.id);
        if (this.ownFetches.size > 0) peer.fetching(this.ownFetches.ids());
        this.qoe.setNeighbours(this.openCount());
        this.onOpen();
      },
      onClose: (peer, reason) => {
        if (this.peers.get(peer.id) === peer) this.peers.delete(peer.id);
        this.qoe.setNeighbours(this.openCount(), reason === 'connect');
        this.log('neighbour closed', peer.id, reason);
      },
      onHave: (peer, ids, full) => {
        this.claims.announced(peer.id, ids);
        this.onHave(ids, full);
      },
      onFetching: (peer, ids) => {
        // What it announced already is no fetch to wait for (the claim overtook nothing). The first
        // claim on a segment, and a claim told again (its fetch made progress), change a waiting
        // load's plan: wake it for those alone.
        const pending = ids.filter((id) => !peer.holds(id));
        const first = pending.filter((id) => this.claims.since(id) === undefined);
        const { fresh, progress } = this.claims.claimed(peer.id, pending);
        const wake = [...first.filter((id) => fresh.includes(id)), ...progress];
        if (wake.length) this.onFetching(wake);
      },
      onFailing: (peer, reason) => this.engine.signaling?.failing(peer.id, reason),
      onUploadStart: () => this.uploads.started(),
      onUploaded: (peer, bytes) => this.uploads.uploaded(bytes),
      onUploadEnd: (peer, bytes, timely) => this.uploads.ended(bytes, timely),
      uploadDecision: () => this.uploadDecision(),
    };
  }

  /** Neighbours given by the appliance that have not announced what they hold yet, held ones included. */
  connectingCount() {
    let n = this.gate.heldCount;
    for (const p of this.peers.values()) if (!p.announced) n++;
    return n;
  }

  openCount() {
    let n = 0;
    for (const p of this.peers.values()) if (p.isOpen) n++;
    return n;
  }

  /** Neighbours given by the appliance: connections and held ones. */
  count() {
    return this.peers.size + this.gate.heldCount;
  }

  // ---- who holds what ----

  /**
   * The open neighbours that announced `id` and may be asked for it now, best first.
   * @param {string} id
   * @returns {string[]} neighbour ids
   */
  holdersOf(id) {
    const t = this.now();
    const renditions = this.engine.renditions;
    const holders = [];
    for (const p of this.peers.values()) {
      if (!p.isOpen || !p.holds(id) || (this.busyUntil.get(p.id) ?? 0) > t || this.verdict.isBanned(p.id)) continue;
      holders.push(p);
    }
    // Spread requests: neighbours with fewer uploads first, leaders last (they fetch from HTTP
    // and serve first copies; the others then serve each other); after all of them one whose
    // last transfer to this viewer stalled, so that another is tried (download-health.js).
    const stalled = (p) => (this.engine.health.lastStalled(p.id) ? 64 : 0);
    const rank = (p) => (p.activeUploads || 0) * 4 + (renditions.leads(p.id) ? 2 : 0) + stalled(p) + Math.random();
    return holders.map((p) => [rank(p), p.id]).sort((a, b) => a[0] - b[0]).map(([, id]) => id);
  }

  /**
   * When an open neighbour last announced `id` before `beforeMs` (the latest such time), or
   * undefined: a neighbour that got the segment before this viewer did plays ahead of it.
   * @param {string} id
   * @param {number} beforeMs
   * @returns {number|undefined}
   */
  announcedBefore(id, beforeMs) {
    let latest;
    for (const p of this.peers.values()) {
      if (!p.isOpen || this.verdict.isBanned(p.id)) continue;
      const at = p.announcedAt(id);
      if (at !== undefined && at < beforeMs && (latest === undefined || at > latest)) latest = at;
    }
    return latest;
  }

  /** When the earliest HTTP fetch of `id` that a believed neighbour claimed and has not announced yet began (fetch-claims.js), or undefined. */
  fetchingSince(id) { return this.claims.since(id, this.askable); }

  /**
   * When such a claim on `id` was last told again (its fetch makes progress: own-fetches.js) and
   * whether following it may still cost a stall (FetchClaims#progressMayStall), or undefined.
   * @returns {{atMs: number, mayStall: boolean}|undefined}
   */
  fetchProgress(id) {
    const atMs = this.claims.progressAt(id, this.askable);
    return atMs === undefined ? undefined : { atMs, mayStall: this.claims.progressMayStall(id, this.askable) };
  }

  /** This viewer waits for `id` past the end of its buffer on its claimants' progress. */
  stalledOnProgress(id) { this.claims.stalledFor(id, this.askable); }

  /** The open connection to `peerId` when it may be asked for segments, else undefined. */
  usable(peerId) {
    const peer = this.peers.get(peerId);
    return peer && peer.isOpen && !this.verdict.isBanned(peerId) ? peer : undefined;
  }

  /** When the `busy` back-offs still running at `t` end. */
  busyEnds(t) { return [...this.busyUntil.values()].filter((u) => u > t); }

  // ---- how they behaved ----

  /** A verified transfer of `bytes` from `peerId` completed. */
  received(peerId, bytes) {
    this.peerTimeouts.delete(peerId);
    this.claims.delivered(peerId);
    const site = this.sites.get(peerId) ?? 'unknown';
    this.bytesBySite[site] = (this.bytesBySite[site] || 0) + bytes;
    this.bytesByPeer.set(peerId, (this.bytesByPeer.get(peerId) ?? 0) + bytes);
  }

  /**
   * A failed attempt at `peerId` (segment-loader.js `tryPeer`): counted for QoE, and what it
   * says about the neighbour remembered.
   * @param {string} peerId
   * @param {{fail?: string, crawled?: boolean, segment?: string}} r
   */
  countFailure(peerId, r) {
    switch (r.fail) {
      case 'integrity': this.verdict.mismatch(peerId, r.segment); break;
      case 'unverified': this.qoe.addFailure('unverified'); break;
      case 'timeout':
      case 'idle': {
        this.qoe.addFailure('timeout');
        // A deadline passed with the bytes coming at a fair pace is the deadline's doing, not the neighbour's.
        if (r.fail === 'timeout' && !r.crawled) break;
        const n = (this.peerTimeouts.get(peerId) ?? 0) + 1;
        this.peerTimeouts.set(peerId, n);
        if (n >= TIMEOUTS_BEFORE_FAILING) {
          this.peerTimeouts.delete(peerId);
          this.engine.signaling?.failing(peerId, 'timeout');
        }
        break;
      }
      case 'gone': this.qoe.addFailure('gone'); break;
      case 'policy': this.qoe.addFailure('policy'); break;
      case 'busy': this.busyUntil.set(peerId, this.now() + BUSY_BACKOFF_MS); break;
      case 'not_found': this.qoe.addFailure('noHolder'); break;
      default: break;
    }
  }

  // ---- announcements ----

  /** The store gained `id`: tell every open neighbour. */
  announce(id) {
    for (const p of this.peers.values()) if (p.isOpen) p.announce([id]);
  }

  /** This viewer starts fetching `id` over HTTP; `loaded()`: the bytes in so far, when its loader can say (own-fetches.js). */
  tellFetching(id, loaded) { this.ownFetches.started(id, loaded); }

  /** This viewer's HTTP fetch of `id` ended (with the bytes, an error or abandoned). */
  fetchEnded(id) { this.ownFetches.ended(id); }

  /** Whether this viewer has an HTTP fetch of `id` under way. */
  fetchingOwn(id) { return this.ownFetches.has(id); }

  /** The store lost segments: announce the whole list again, once for a burst of evictions. */
  scheduleFullAnnounce() {
    if (this.fullAnnounceTimer !== null || this.engine.destroyed) return;
    this.fullAnnounceTimer = this.timers.setTimeout(() => {
      this.fullAnnounceTimer = null;
      const ids = this.store.ids();
      for (const p of this.peers.values()) if (p.isOpen) p.announce(ids, true);
    }, FULL_ANNOUNCE_DELAY_MS);
  }

  // ---- upload policy ----

  /** The uploads of the last seconds, for the upload rate (upload-policy.js keeps them). */
  get uploadLog() { return this.uploads.log; }

  /**
   * Whether a neighbour's request is served now (peer.js asks before every upload).
   * @returns {{allowed: boolean, code?: 'policy'|'busy'}}
   */
  uploadDecision() {
    let active = 0;
    for (const p of this.peers.values()) active += p.activeUploads || 0;
    return this.uploads.decision(active);
  }

  destroy() {
    this.ownFetches.stop();
    if (this.fullAnnounceTimer !== null) this.timers.clearTimeout(this.fullAnnounceTimer);
  }
}
