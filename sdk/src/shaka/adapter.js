/**
 * Shaka Player adapter: `wrapShaka(shaka, runtime)` returns the shaka namespace whose `Player`
 * instances load media and init segments through the mesh, through Shaka's networking engine.
 *
 * Contracts with Shaka Player 5 (lib/net/networking_engine.js):
 * - Scheme plugins are global: the adapter registers one for http and https at priority
 *   APPLICATION, which hands every request it does not take to Shaka's own HTTP plugin (fetch,
 *   else XHR). A request filter each wrapped player registers on its own networking engine marks
 *   its segment requests with the player's session and the request context (stream, segment), so
 *   players the SDK did not wrap, and everything but segments, never reach the engine.
 * - ABR: an HTTP load made for the engine runs Shaka's own plugin with Shaka's own progress
 *   callback, so it is measured as usual; a P2P delivery is returned with `fromCache: true` and no
 *   progress events, which Shaka's networking engine excludes from the bandwidth estimate.
 * - Byte ranges (`SegmentBase`, `SegmentList` `mediaRange`, HLS `EXT-X-BYTERANGE`): the request's
 *   `Range` header goes into the segment id and the appliance's `hash`.
 * - Playlist: the active variant's segment indexes (`player.getManifest()`) go to
 *   `engine.onPlaylist` on Shaka's variant, manifest-update and segment-appended events.
 *   `getManifest()` prints a console warning on every call (its structure is not covered by
 *   Shaka's semantic versioning), so it is read once per loaded content and kept: Shaka updates
 *   that object in place (live refreshes, new tracks) and replaces it only on `load()`/`unload()`,
 *   whose `loading`/`unloading` events drop the kept one.
 *
 * One engine per Player, created when the page calls `load(uri)` (the manifest URL is the stream).
 *
 * @module shaka/adapter
 */

import { bufferAhead } from '../core/playback.js';
import { PlayerSession } from '../core/player-session.js';
import { MAX_LIVE_SEGMENTS, MAX_VOD_SEGMENTS, PlaylistFeed } from '../core/playlist-feed.js';

const WRAPPED = typeof Symbol === 'function' ? Symbol.for('swarmgate.wrapped') : '__swarmgateWrapped';
const SESSION = typeof Symbol === 'function' ? Symbol('swarmgate.session') : '__swarmgateSession';
const CONTEXT = typeof Symbol === 'function' ? Symbol('swarmgate.context') : '__swarmgateContext';
/** shaka.net.NetworkingEngine.RequestType.SEGMENT */
const SEGMENT = 1;
/** Marks the engine's own prefetch requests: the scheme plugin passes them to Shaka's HTTP plugin. */
const PREFETCH = typeof Symbol === 'function' ? Symbol('swarmgate.prefetch') : '__swarmgatePrefetch';
/**
 * The request context of the engine's prefetches, as pages see it in Shaka's `downloadcompleted`
 * and `downloadfailed` events (docs/integration.md): bytes no player asked for yet.
 */
export const PREFETCH_CONTEXT = Object.freeze({ swarmgate: 'prefetch' });

/** A Shaka response's data (an ArrayBuffer or a view of one) as bytes, without copying. */
function bytesOf(data) {
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The inclusive byte range of a `Range: bytes=first-last` header, or undefined. */
export function rangeOf(headers) {
  const value = headers && (headers.Range || headers.range);
  const m = typeof value === 'string' ? /^bytes=(\d+)-(\d+)$/.exec(value) : null;
  if (!m) return undefined;
  const range = { first: Number(m[1]), last: Number(m[2]) };
  return range.last >= range.first ? range : undefined;
}

/**
 * The segments a Shaka segment index lists (the newest ones for live, the first ones for VOD), as
 * Shaka requests them: the first URI, `Range: bytes=start-end` only when the end byte is known
 * (Shaka's `Networking.createSegmentRequest`), and the index's position as the sequence (positions
 * survive eviction, so they only grow).
 * @param {object} index shaka.media.SegmentIndex
 * @param {boolean} live
 */
export function listedSegments(index, live) {
  const first = index.getNumEvicted();
  const end = first + index.getNumReferences();
  const from = live ? Math.max(first, end - MAX_LIVE_SEGMENTS) : first;
  const to = live ? end : Math.min(end, first + MAX_VOD_SEGMENTS);
  const out = [];
  for (let position = from; position < to; position++) {
    const ref = index.get(position);
    const url = ref && ref.getUris()[0];
    if (!url) continue;
    const endByte = ref.getEndByte();
    const range = endByte ? { first: ref.getStartByte(), last: endByte } : undefined;
    out.push({ url, range, sequence: position, durationS: ref.getEndTime() - ref.getStartTime() });
  }
  return out;
}

/**
 * Before its first frame a live Shaka player holds its playhead at 0 and then starts at its seek
 * range's end (the live edge less the presentation delay), which falls late in the segments it
 * fetched first, not at their start: traces showed it start with 0.1-0.5 s of media ahead. What it
 * will hold ahead of a segment it asks for meanwhile is the media from that point to the segment's
 * start; the caller asks only until the first `playing` (the element's `played` ranges are not
 * empty after Shaka's seek, before its first frame). Undefined when the point or the segment's
 * time is not known.
 * @param {{seekRange: () => {start: number, end: number}}} player
 * @param {object|undefined} segment Shaka's SegmentReference (presentation time)
 * @returns {number|undefined} seconds
 */
export function aheadOfStart(player, segment) {
  const times = segmentTimes(segment);
  if (!times || !Number.isFinite(times.start)) return undefined;
  let end;
  try { end = player.seekRange().end; } catch { return undefined; }
  if (!(Number.isFinite(end) && end > 0)) return undefined;
  return Math.max(0, times.start - end);
}

/**
 * A SegmentReference's start and end (presentation time). Shaka's compiled build renames the
 * fields; the getters are its API.
 * @returns {{start: number, end: number}|undefined}
 */
function segmentTimes(segment) {
  if (!segment) return undefined;
  try {
    if (typeof segment.getStartTime === 'function') return { start: segment.getStartTime(), end: segment.getEndTime() };
  } catch {
    return undefined;
  }
  return { start: segment.startTime, end: segment.endTime };
}

/** Everything the SDK attaches to one Shaka Player. */
export class ShakaSession extends PlayerSession {
  constructor(runtime, player) {
    super(runtime);
    this.player = player;
    this.filtered = null;
    this.feed = new PlaylistFeed();
    /** The loaded content's manifest (Shaka's own object, updated in place), read once per load. */
    this.manifest = null;
  }

  /**
   * Tells the engine what the active variant's video and audio streams list: the streams this
   * player loads now (another rendition's index is read when ABR or the page switches to it; the
   * rest of the ladder is nobody's next load here, so its leaders would fetch it for nothing).
   * Called on Shaka's events: the variant changes, a live manifest update, each appended segment
   * (a live SegmentTemplate index grows on a timer, without a manifest update).
   */
  listPlaylists() {
    const engine = this.engine();
    const player = this.player;
    if (!engine) return;
    if (!this.manifest && player.getManifest) this.manifest = player.getManifest();
    const manifest = this.manifest;
    if (!manifest || !Array.isArray(manifest.variants)) return;
    const active = player.getVariantTracks().find((t) => t.active);
    const variant = active && manifest.variants.find((v) => v.id === active.id);
    if (!variant) return;
    const live = !!player.isLive();
    for (const stream of [variant.video, variant.audio]) {
      if (!stream || !stream.segmentIndex || stream.isAudioMuxedInVideo) continue;
      const track = `${stream.type}:${stream.id}`;
      // Every appended segment calls this: a VOD track listed once is not walked again.
      if (!this.feed.wants(engine, live, track)) continue;
      this.feed.feed(engine, { live, track, segments: listedSegments(stream.segmentIndex, live) });
    }
  }

  /** Lists playlists on the player's events; a failure never reaches Shaka. */
  watchPlaylists() {
    const list = () => {
      try { this.listPlaylists(); } catch (e) { this.runtime.log('shaka: cannot list the playlist', e); }
    };
    for (const type of ['loaded', 'trackschanged', 'variantchanged', 'adaptation', 'manifestupdated', 'segmentappended']) {
      this.player.addEventListener(type, list);
    }
    for (const type of ['loading', 'unloading']) {
      this.player.addEventListener(type, () => { this.manifest = null; });
    }
  }

  /**
   * The engine's prefetch of a listed segment, through this player's networking engine so the
   * page's request filters apply (an `Authorization` header, a signed URL), as they do to the
   * player's own requests. The bytes kept are what Shaka's HTTP plugin received, before any
   * response filter of the page: the same bytes the appliance hashes and the player would get from
   * a neighbour. Without a networking engine, fetch() (PlayerSession#fetchHttp). Shaka does not say
   * how far such a request is, so `progress` is left unset here.
   * @param {string} url
   * @param {{range?: import('../core/segment-id.js').ByteRange, progress?: object}} [options]
   */
  async fetchHttp(url, { range, progress } = {}) {
    const net = this.player.getNetworkingEngine && this.player.getNetworkingEngine();
    const NE = net && net.constructor;
    if (!net || typeof net.request !== 'function' || typeof NE.makeRequest !== 'function') return super.fetchHttp(url, { range, progress });
    const request = NE.makeRequest([url], { ...NE.defaultRetryParameters(), maxAttempts: 1 });
    if (range) request.headers.Range = `bytes=${range.first}-${range.last}`;
    const raw = {};
    request[PREFETCH] = raw;
    const requestedAt = globalThis.performance.now();
    try {
      await net.request(SEGMENT, request, PREFETCH_CONTEXT).promise;
    } catch (error) {
      throw Object.assign(new Error('HTTP failed'), { httpFailure: true, kind: 'error', error });
    }
    if (!raw.bytes) throw Object.assign(new Error('HTTP answered without a body'), { httpFailure: true, kind: 'error' });
    return { bytes: raw.bytes, requestedAt, firstByteAt: raw.at, deliveredAt: raw.at };
  }

  /** Marks this player's segment requests (once per networking engine: Shaka may replace it). */
  filterRequests() {
    const net = this.player.getNetworkingEngine && this.player.getNetworkingEngine();
    if (!net || net === this.filtered) return;
    this.filtered = net;
    net.registerRequestFilter((type, request, context) => {
      if (type !== SEGMENT) return;
      request[SESSION] = this;
      request[CONTEXT] = context;
    });
  }

  /** QoE bitrate and level: the active variant whenever Shaka adapts or the page switches. */
  watchLevels() {
    const update = () => {
      try {
        const tracks = this.player.getVariantTracks();
        const i = tracks.findIndex((t) => t.active);
        if (i >= 0) this.engineRef?.qoe.setLevel(i, (tracks[i].bandwidth || 0) / 1000);
      } catch { /* QoE must never disturb playback */ }
    };
    for (const type of ['adaptation', 'variantchanged', 'trackschanged']) this.player.addEventListener(type, update);
  }

  /** What the engine needs to know about a segment request. */
  describe(uri, request) {
    const context = request[CONTEXT] || {};
    const segment = context.segment;
    const stream = context.stream;
    const player = this.player;
    const num = (v) => (Number.isFinite(v) && v > 0 ? v : undefined);
    const times = segmentTimes(segment);
    const durationS = times ? num(times.end - times.start) : undefined;
    let live = false;
    try { live = !!player.isLive(); } catch { live = false; }
    let bw;
    try { bw = num(player.getStats().estimatedBandwidth); } catch { bw = undefined; }
    const fromStart = live && !this.playing ? aheadOfStart(player, segment) : undefined;
    return {
      url: uri,
      range: rangeOf(request.headers),
      live,
      bufferS: fromStart ?? bufferAhead(this.media),
      ...(fromStart !== undefined ? { fromStartPoint: true } : {}),
      durationS,
      sizeBytes: num(stream && stream.bandwidth && durationS ? Math.round((stream.bandwidth * durationS) / 8) : undefined),
      track: `${stream ? stream.type : 'media'}:${stream ? stream.id : ''}`,
      bwEstimate: bw,
    };
  }

}

/**
 * The scheme plugin: segments of wrapped players through their engine, everything else through
 * `original` (Shaka's own HTTP plugin).
 * @param {object} shaka the namespace (for AbortableOperation)
 * @param {Function} original Shaka's HTTP scheme plugin
 */
export function meshPlugin(shaka, original) {
  return (uri, request, type, progressUpdated, headersReceived, config) => {
    const prefetch = request && request[PREFETCH];
    if (prefetch) {
      // The engine's own prefetch: Shaka's HTTP plugin, keeping a copy of what arrived before the
      // page's response filters see it.
      const op = original(uri, request, type, progressUpdated, headersReceived, config);
      return op.chain((response) => {
        prefetch.bytes = bytesOf(response.data).slice();
        prefetch.at = globalThis.performance.now();
        return response;
      });
    }
    const session = request && request[SESSION];
    const engine = type === SEGMENT && session ? session.engine() : null;
    if (!engine || (request.method && request.method !== 'GET') || !/^https?:/i.test(uri)) {
      return original(uri, request, type, progressUpdated, headersReceived, config);
    }
    const controller = typeof AbortController === 'function' ? new AbortController() : null;
    let httpOp = null;
    let httpResponse = null;
    const httpLoad = async () => {
      const requestedAt = globalThis.performance.now();
      httpOp = original(uri, request, type, progressUpdated, headersReceived, config);
      try {
        httpResponse = await httpOp.promise;
      } catch (error) {
        throw Object.assign(new Error('HTTP failed'), { httpFailure: true, error });
      }
      const deliveredAt = globalThis.performance.now();
      const bytes = bytesOf(httpResponse.data);
      return { bytes, requestedAt, firstByteAt: deliveredAt, deliveredAt };
    };
    const startedAt = Date.now();
    // A neighbour's copy replaced the fetch (core/http-rescue.js): Shaka's own operation is ended,
    // and its rejection ends httpLoad.
    const abortHttp = () => { if (httpOp) httpOp.abort(); };
    const promise = engine.loadSegment({ ...session.describe(uri, request), signal: controller ? controller.signal : undefined, httpLoad, abortHttp })
      .then((result) => {
        if (result.source === 'http' && httpResponse) return httpResponse;
        // fromCache: Shaka keeps this delivery out of its bandwidth estimate.
        return {
          uri, originalUri: uri, data: result.bytes.slice().buffer, headers: {}, originalRequest: request,
          status: 200, fromCache: true, timeMs: Date.now() - startedAt,
        };
      }, (err) => {
        if (err && err.httpFailure) throw err.error;
        session.runtime.log('shaka: engine failed, plain HTTP', err);
        return original(uri, request, type, progressUpdated, headersReceived, config).promise;
      });
    return new shaka.util.AbortableOperation(promise, () => {
      controller?.abort();
      return httpOp ? httpOp.abort() : Promise.resolve();
    });
  };
}

/**
 * Returns the shaka namespace whose `Player` loads through the mesh, and registers the scheme
 * plugin (once per namespace). Idempotent.
 * @param {object} shaka the namespace (`window.shaka` or the bundled module)
 * @param {import('../hlsjs/adapter.js').Runtime} runtime
 * @returns {object}
 */
export function wrapShaka(shaka, runtime) {
  if (!shaka || typeof shaka.Player !== 'function' || shaka.Player[WRAPPED] || !runtime.available) return shaka;
  const net = shaka.net;
  const fetchPlugin = net.HttpFetchPlugin;
  const original = fetchPlugin && fetchPlugin.isSupported && fetchPlugin.isSupported() ? fetchPlugin.parse : net.HttpXHRPlugin.parse;
  const plugin = meshPlugin(shaka, original);
  for (const scheme of ['http', 'https']) {
    net.NetworkingEngine.registerScheme(scheme, plugin, net.NetworkingEngine.PluginPriority.APPLICATION, true);
  }
  const Player = shaka.Player;
  class SwarmgatePlayer extends Player {
    constructor(...args) {
      super(...args);
      try {
        const session = new ShakaSession(runtime, this);
        this[SESSION] = session;
        session.filterRequests();
        session.watchLevels();
        session.watchPlaylists();
        if (args[0]) session.attachMedia(args[0]);
        runtime.register(session);
      } catch (e) {
        runtime.log('shaka: attach failed', e);
      }
    }

    attach(media, ...rest) {
      try { this[SESSION]?.attachMedia(media); } catch { /* never disturb the player */ }
      return super.attach(media, ...rest);
    }

    load(uri, ...rest) {
      const session = this[SESSION];
      try {
        if (session && typeof uri === 'string') {
          session.filterRequests();
          session.startEngine(uri);
          const media = this.getMediaElement && this.getMediaElement();
          if (media) session.attachMedia(media);
        }
      } catch (e) {
        runtime.log('shaka: load hook failed', e);
      }
      return super.load(uri, ...rest);
    }

    destroy(...args) {
      try { this[SESSION]?.destroy(); } catch { /* already gone */ }
      return super.destroy(...args);
    }
  }
  try {
    Object.defineProperty(SwarmgatePlayer, WRAPPED, { value: true });
    Object.defineProperty(SwarmgatePlayer, 'name', { value: 'Player' });
  } catch { /* cosmetic */ }
  return Object.assign({}, shaka, { Player: SwarmgatePlayer });
}
