/**
 * The player-agnostic engine, one per stream a player loads: joins the stream's mesh through the
 * signaling client, keeps the session's facts (this viewer's id and site, the stream policy, the
 * leaders) and wires the parts that do the work, each owning its own state:
 * - neighbours.js: the connections to neighbours, what they announced, how each behaved, uploads;
 * - segment-loader.js: "give me this segment's bytes" ({@link Engine#loadSegment}) from the store,
 *   a fetch under way, a neighbour or HTTP; segment-waits.js: loads waiting for a neighbour;
 * - live-prefetch.js: the playlists ({@link Engine#onPlaylist}) and the live leaders' prefetches;
 *   renditions.js: the renditions the player loads and each one's leaders;
 * - integrity-verdict.js: the appliance's segment hashes (anchor.js) and what follows when a
 *   neighbour's bytes do not match or no hash exists (reports, bans, P2P downloads paused or off);
 *   download-health.js: P2P downloads paused while this viewer's own transfers keep stalling;
 * - the segment store, the hybrid scheduler, the peer gate and the QoE reporter.
 * The parts read the session's facts from the engine and never write them.
 *
 * Contracts with the adapter:
 * - Segment identity ({@link segmentIdFor}, docs/protocol.md "Segment identity"): the absolute URL
 *   with every query parameter except the per-viewer ones the stream policy lists (tokens,
 *   signatures), plus the byte range for byte-range addressing; the same on every viewer of a
 *   stream, and the same string the appliance keeps the segment's hash under. Two renditions, or
 *   two ranges of one file, have different ids. A rendition key (`track`) too is the same on every
 *   viewer of the stream playing that player: each rendition's leaders are named by it.
 * - The adapter supplies an `httpLoad()` per request (the player's own loader: its headers,
 *   timeouts and credentials apply) and a `fetchHttp(url)` for prefetches. A rejection of
 *   `httpLoad()` is an HTTP failure, passed through untouched so the player's retry logic sees it
 *   (one of `fetchHttp` only ends the prefetch); any other failure falls back to HTTP silently.
 * - Times are on one clock, `now()` (performance.now in the browser, as hls.js uses).
 *
 * Integrity (docs/protocol.md "Segment integrity"): bytes from a neighbour count only when they
 * match the appliance's hash (segment-loader.js); what a mismatch or a missing hash means is
 * integrity-verdict.js's call ({@link Engine#p2pDownloadsAllowed}, {@link Engine#unverifiable}).
 *
 * @module core/engine
 */

import { Scheduler } from './scheduler.js';
import { UploadMeter } from './upload-meter.js';
import { SegmentStore } from './segment-store.js';
import { SignalingClient } from './signaling-client.js';
import { probeMdns } from './mdns-probe.js';
import { QoeReporter } from './qoe.js';
import { Peer } from './peer.js';
import { DEFAULT_VIEWER_PARAMS, segmentIdFor } from './segment-id.js';
import { PeerGate } from './peer-gate.js';
import { Neighbours } from './neighbours.js';
import { EarlyLinkReport, Hello, networkInfo, withThroughput } from './self-report.js';
import { SegmentLoader } from './segment-loader.js';
import { SegmentWaits } from './segment-waits.js';
import { LivePrefetch } from './live-prefetch.js';
import { IntegrityVerdict } from './integrity-verdict.js';
import { DownloadHealth } from './download-health.js';
import { Renditions } from './renditions.js';

export { DEFAULT_VIEWER_PARAMS, networkInfo, segmentIdFor };
/** @typedef {import('./segment-id.js').ByteRange} ByteRange */
/** @typedef {import('./segment-loader.js').LoadRequest} LoadRequest */
/** @typedef {import('./segment-loader.js').LoadResult} LoadResult */
/** @typedef {import('./segment-loader.js').HttpResult} HttpResult */

export class Engine {
  /**
   * @param {object} options
   * @param {string} options.signalingUrl ws(s)://appliance/ws
   * @param {string} options.stream the stream for `hello` (manifest URL or stream id)
   * @param {string} [options.token] viewer token
   * @param {string} [options.sdkVersion]
   * @param {Function} [options.WebSocket]
   * @param {Function} [options.RTCPeerConnection]
   * @param {(url: string, options?: {range?: ByteRange, progress?: {loaded?: () => number}}) => Promise<HttpResult>} [options.fetchHttp] HTTP for
   *   prefetches (with `range`: exactly those bytes, `Range: bytes=first-last`; it sets
   *   `progress.loaded` when it can say how many bytes are in)
   * @param {{type?: string, saveData?: boolean}} [options.connection] navigator.connection
   * @param {boolean} [options.upload] false: never upload (page option)
   * @param {number} [options.maxStoreBytes]
   * @param {() => number} [options.now]
   * @param {object} [options.timers] setTimeout/clearTimeout/setInterval/clearInterval
   * @param {(opts: object) => object} [options.createSignaling] test seam, default SignalingClient
   * @param {(opts: object) => object} [options.createPeer] test seam, default Peer
   * @param {object} [options.scheduler] Scheduler options (safetyMarginMs, …)
   * @param {number} [options.idleTimeoutMs]
   * @param {number} [options.maxAnchorEntries] segment hashes remembered (anchor.js)
   * @param {(o: object) => Promise<boolean>} [options.probeMdns] test seam, default mdns-probe.js
   * @param {boolean} [options.holdPeersUntilStarted] hold neighbour connections until {@link Engine#playerStarted}
   *   (peer-gate.js); the player adapters set it, the default connects at once
   * @param {(...args: any[]) => void} [options.log] debug log
   */
  constructor({
    signalingUrl, stream, token, sdkVersion = '0', WebSocket = globalThis.WebSocket,
    RTCPeerConnection = globalThis.RTCPeerConnection, fetchHttp = null, connection,
    upload = true, maxStoreBytes, now = () => globalThis.performance.now(), timers = globalThis,
    createSignaling = (o) => new SignalingClient(o), createPeer = (o) => new Peer(o),
    scheduler = {}, idleTimeoutMs, maxAnchorEntries, log = () => {},
    probeMdns: probe = probeMdns, holdPeersUntilStarted = false,
  }) {
    this.probeMdns = probe;
    /** Why the appliance closed signaling for good (origin, token, version), or null. */
    this.refused = null;
    this.signalingUrl = signalingUrl;
    this.stream = stream;
    this.token = token;
    this.sdkVersion = sdkVersion;
    this.WebSocket = WebSocket;
    this.RTCPeerConnection = RTCPeerConnection;
    this.connection = connection;
    this.uploadAllowedByPage = upload !== false;
    this.now = now;
    this.timers = timers;
    this.createSignaling = createSignaling;
    this.log = log;
    this.store = new SegmentStore(maxStoreBytes ? { maxBytes: maxStoreBytes } : {});
    this.scheduler = new Scheduler({ now, ...scheduler });
    this.qoe = new QoeReporter({
      send: (body) => !!this.signaling && this.signaling.report(withThroughput(body, this.scheduler, this.uploadMeter)), now, timers,
    });
    this.earlyReport = new EarlyLinkReport({ scheduler: this.scheduler, send: () => this.qoe.flush() !== null });
    this.enabled = true;
    this.destroyed = false;
    this.signaling = null;
    this.selfId = undefined;
    this.site = undefined;
    this.policy = undefined;
    /** per-viewer query parameters, left out of segment ids (the policy's list once welcomed) */
    this.viewerParams = DEFAULT_VIEWER_PARAMS;
    /** The leaders (`leaders`: the site's and each rendition's) and what the player loads (renditions.js). */
    this.renditions = new Renditions({ send: (tracks) => !!this.signaling && this.signaling.tracks(tracks) });
    /**
     * The player has played (its first `playing`; an engine created for a player already playing,
     * or without one to wait for, starts true): until then a VOD player is filling its start buffer.
     */
    this.playerPlaying = !holdPeersUntilStarted;
    // First-time marks on `now()` for start-up analysis (the fleet reads them); write-once, never read here.
    this.timings = { welcomeMs: null, firstPeerOpenMs: null };
    /** The site's HTTP throughput (kbit/s) the first `welcome` gave, for stats(); null when it gave none. */
    this.welcomeSiteHttpKbps = null;
    this.gate = new PeerGate({
      holding: holdPeersUntilStarted, timers, now,
      connect: (neighbour, signals) => this.neighbours.connect(neighbour, signals),
    });
    this.uploadMeter = new UploadMeter({ now });
    this.verdict = new IntegrityVerdict({ signaling: () => this.signaling, qoe: this.qoe, now, log, maxAnchorEntries });
    this.health = new DownloadHealth({ now, log });
    this.neighbours = new Neighbours({
      engine: this, store: this.store, qoe: this.qoe, gate: this.gate, uploadMeter: this.uploadMeter, verdict: this.verdict,
      createPeer, RTCPeerConnection, timers, now, log,
      onOpen: () => {
        if (this.timings.firstPeerOpenMs === null) this.timings.firstPeerOpenMs = Math.round(this.now());
        this.waits.wakeAll();
      },
      onHave: (ids, full) => this.onHave(ids, full),
      // A load waiting for the segment plans again: a colleague's fetch under way is worth waiting for.
      onFetching: (ids) => { for (const id of ids) this.waits.wake(id); },
      // The signaling client sends `hello` again on every reconnect: keep the figure current.
      onUploadCapacity: () => this.hello?.setUploadKbps(this.uploadMeter.capacityKbps()),
    });
    this.waits = new SegmentWaits({ timers, now });
    this.loader = new SegmentLoader({
      engine: this, store: this.store, scheduler: this.scheduler, qoe: this.qoe, gate: this.gate, anchor: this.verdict.anchor,
      neighbours: this.neighbours, waits: this.waits, listing: (id) => this.live.known.get(id), earlyReport: this.earlyReport,
      timers, now, log, idleTimeoutMs,
    });
    this.live = new LivePrefetch({
      engine: this, store: this.store, scheduler: this.scheduler, loader: this.loader, neighbours: this.neighbours,
      fetchHttp, timers, now, log,
    });
    this.store.on('add', ({ id }) => { this.neighbours.announce(id); this.waits.wake(id); });
    this.store.on('evict', () => this.neighbours.scheduleFullAnnounce());
  }

  // ---- lifecycle ----

  /** Joins the mesh (idempotent). Without WebSocket or RTCPeerConnection the engine stays HTTP-only. */
  start() {
    if (this.destroyed || !this.enabled || this.signaling) return;
    if (typeof this.WebSocket !== 'function' || typeof this.RTCPeerConnection !== 'function') {
      this.log('WebRTC or WebSocket missing: HTTP only');
      return;
    }
    const hello = new Hello({
      stream: this.stream, sdkVersion: this.sdkVersion, token: this.token, connection: this.connection,
      upload: this.uploadAllowedByPage, uploadKbps: this.uploadMeter.capacityKbps(),
      probeMdns: this.probeMdns, RTCPeerConnection: this.RTCPeerConnection, timers: this.timers,
    });
    /** This join's `hello` (self-report.js): the upload capacity it declares is kept current. */
    this.hello = hello;
    // The stream in the URL lets a load balancer keep a stream's viewers on one appliance of a
    // cluster; reconnects go to the same URL, so through the balancer to a surviving appliance.
    const url = `${this.signalingUrl}?stream=${encodeURIComponent(this.stream)}`;
    const s = this.createSignaling({
      url, WebSocket: this.WebSocket, hello: hello.fields, helloAfter: (ready) => hello.after(ready), timers: this.timers,
    });
    this.signaling = s;
    s.on('welcome', (m) => this.onWelcome(m));
    s.on('neighbour', (m) => this.neighbours.add(m));
    s.on('neighbour-gone', (m) => this.neighbours.gone(m));
    s.on('signal', (m) => {
      if (!this.gate.signal(m)) this.neighbours.signal(m);
    });
    s.on('leaders', (m) => { this.renditions.heard(m); this.waits.wakeAll(); });
    s.on('policy', (m) => this.onPolicy(m.policy));
    s.on('error', (m) => this.log('signaling error', m.code, m.message));
    s.on('disconnected', (m) => {
      this.log('signaling disconnected', m.code, m.reason, m.retryInMs);
      if (m.retryInMs === null) { // fatal (token, origin, version): HTTP only
        this.refused = m.reason || `close ${m.code}`;
        this.neighbours.closeAll();
      }
    });
    s.connect();
    this.qoe.start();
  }

  /** Turns P2P off for this page: neighbours and signaling close, every load is plain HTTP. */
  disable() {
    if (!this.enabled) return;
    this.enabled = false;
    this.stopMesh();
  }

  /** Turns P2P back on after disable(). */
  enable() {
    if (this.enabled || this.destroyed) return;
    this.enabled = true;
    this.start();
  }

  stopMesh() {
    this.neighbours.closeAll();
    this.live.cancelBackups();
    this.waits.wakeAll();
    if (this.signaling) {
      try { this.qoe.flush(); } catch { /* best effort */ }
      this.signaling.close();
    }
    this.signaling = null;
    this.selfId = undefined;
    this.renditions.heard({});
  }

  /** Leaves the mesh for good and frees everything. */
  destroy() {
    if (this.destroyed) return;
    this.stopMesh();
    this.destroyed = true;
    this.gate.destroy();
    this.qoe.destroy();
    this.live.destroy();
    this.neighbours.destroy();
    this.store.destroy();
  }

  // ---- signaling events ----

  onWelcome(m) {
    if (this.timings.welcomeMs === null) {
      this.timings.welcomeMs = Math.round(this.now());
      this.welcomeSiteHttpKbps = Number.isFinite(m.siteHttpKbps) && m.siteHttpKbps > 0 ? m.siteHttpKbps : null;
    }
    // The site's link as its other viewers measured it: known before this viewer fetched anything.
    this.scheduler.setSiteHttpBps(m.siteHttpKbps * 1000);
    // On a congested WAN a neighbour on the LAN is the fastest source of the first fragments too.
    if (this.scheduler.congested()) this.gate.open('congested');
    // A (re)join: the appliance sends `neighbour` again for every neighbour, so start afresh.
    this.neighbours.closeAll();
    this.verdict.rejoined();
    this.selfId = m.peerId;
    this.site = m.site;
    this.onPolicy(m.policy);
    this.log('joined as', m.peerId, 'site', m.site);
    this.earlyReport.check();
    this.live.warmStart();
    this.renditions.joined();
  }

  onPolicy(policy) {
    this.policy = policy && typeof policy === 'object' ? policy : undefined;
    if (this.policy && Array.isArray(this.policy.viewerParams)) this.viewerParams = this.policy.viewerParams.filter((n) => typeof n === 'string');
    if (!this.policy || this.policy.p2p === 'off') this.neighbours.closeAll();
  }

  /**
   * The player is playing (its first `playing` event): held neighbour connections may start now
   * without competing with the first fragments (peer-gate.js). Idempotent.
   */
  playerStarted() {
    this.playerPlaying = true;
    this.gate.open('started');
  }

  // ---- announcements ----

  onHave(ids, full) {
    // A neighbour's first word on what it holds: loads waiting for connecting neighbours re-plan.
    if (full) this.waits.wakeAll();
    for (const id of ids) {
      this.waits.wake(id);
      this.live.onHave(id);
    }
  }

  // ---- state ----

  /** Whether P2P can be tried now. */
  p2pUsable() {
    return this.enabled && !this.destroyed && !!this.signaling && this.signaling.joined &&
      this.selfId !== undefined && !!this.policy && this.policy.p2p !== 'off';
  }

  /** Whether neighbours may be asked for segments now (uploads and leader prefetches never ask). */
  p2pDownloadsAllowed() {
    return this.p2pUsable() && this.downloadsWithheld() === null;
  }

  /**
   * Why downloads from neighbours are withheld, else null: `unanchored`, the appliance cannot vouch
   * for their bytes (integrity-verdict.js); `paused`, this viewer's transfers keep stalling on a link
   * the appliance's figure for the site calls open (download-health.js: its own fetches do not count).
   */
  downloadsWithheld() {
    if (!this.verdict.downloadsAllowed()) return 'unanchored';
    return this.health.allowed() || this.scheduler.congested() ? null : 'paused';
  }

  /** Whether the appliance already said it has no hash for this segment (so no neighbour is asked). */
  unverifiable(id) {
    return this.verdict.unverifiable(id);
  }

  /** Totals for `swarmgate.stats()`. @returns {object} */
  stats() {
    return {
      ...this.qoe.stats(),
      peers: this.neighbours.openCount(),
      uploadCapacityKbps: this.uploadMeter.capacityKbps(),
      uploadAllowed: !!(this.policy && this.policy.p2p === 'on' && this.policy.upload && this.policy.upload.allowed === true),
      site: this.site ?? null,
      peerId: this.selfId ?? null,
      leader: this.selfId !== undefined && this.renditions.leads(this.selfId),
      peersBySite: { ...this.neighbours.bytesBySite },
      p2pBytesByPeer: Object.fromEntries(this.neighbours.bytesByPeer),
      enabled: this.enabled, connected: !!this.signaling && this.signaling.joined,
      integrity: this.verdict.integrity, refused: this.refused,
      p2pPolicy: this.policy ? this.policy.p2p ?? null : null,
      timings: { ...this.timings, peersReleasedMs: this.gate.openedAtMs },
      peerGate: this.gate.openedBy,
      siteHttpKbps: this.welcomeSiteHttpKbps ?? null,
      httpRescued: this.loader.rescued,
      httpBytesByReason: { ...this.loader.httpBytesByReason }, httpFetches: this.loader.httpFetches.slice(),
      claimWaits: { ...this.loader.claimWaits },
      p2pPauses: this.health.pauses,
    };
  }

  /**
   * The segment id of `url` (and `range`) under the stream's policy; adapters that compute ids
   * themselves (to key their own maps) use this so they agree with the engine.
   * @param {string} url absolute
   * @param {ByteRange} [range]
   */
  segmentId(url, range) {
    return segmentIdFor(url, undefined, { viewerParams: this.viewerParams, range });
  }

  // ---- playlist awareness ----

  /**
   * The adapter's view of the playlist the player is loading (on every refresh).
   * @param {object} playlist
   * @param {boolean} playlist.live
   * @param {string} playlist.track rendition key (e.g. the level index or its URL)
   * @param {{url: string, range?: ByteRange, segmentId?: string, sequence?: number, durationS?: number}[]} playlist.segments
   */
  onPlaylist(playlist) {
    this.live.onPlaylist(playlist);
    this.renditions.listed(playlist);
  }

  /**
   * What the playlists said of each segment the engine knows of, by segment id (live-prefetch.js
   * keeps it).
   * @returns {Map<string, import('./live-prefetch.js').KnownSegment>}
   */
  get known() {
    return this.live.known;
  }

  // ---- loading ----

  /**
   * Loads one media or init segment for the player: P2P where the rules allow, HTTP otherwise,
   * never later than the deadline. Rejects only with the HTTP load's own error (or when the
   * player aborted).
   * @param {LoadRequest} req
   * @returns {Promise<LoadResult>}
   */
  loadSegment(req) {
    return this.loader.load(req);
  }
}
