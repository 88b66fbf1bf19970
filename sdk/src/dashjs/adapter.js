/**
 * dash.js adapter: `wrapDashjs(dashjs, runtime)` returns the dash.js namespace whose
 * `MediaPlayer().create()` players load media and init segments through the mesh.
 *
 * Contracts with dash.js 5 (streaming/net/HTTPLoader.js, XHRLoader.js, ThroughputController.js):
 * - dash.js creates its XHR loader through its class factory, which `player.extend('XHRLoader',
 *   child, true)` overrides per player: our `load(commonMediaRequest, commonMediaResponse)` fills
 *   the response and calls `customData.onloadend`, exactly as dash.js's own loader does, and
 *   hands everything that is not a whole GET of a media or init segment to the original `load`.
 *   Low-latency chunked loads (dash.js's fetch loader) are left to dash.js.
 * - ABR: dash.js adds a throughput sample only for a request whose progress events produced
 *   traces. HTTP loads made for the engine forward the real XHR's progress events to dash.js's
 *   handler, so they are measured as usual; P2P deliveries send no progress event, so they add no
 *   sample and dash.js's estimate stays the HTTP throughput (docs/integration.md).
 * - Byte ranges (`SegmentBase`, `SegmentList` `mediaRange`, ranged init) are segments of their own:
 *   the request's `range` goes into the segment id and into the appliance's `hash`.
 * - Playlist: `player.extend('DashHandler', child, true)` as well; each time dash.js asks its
 *   handler for the next segment, the representation's segments from there on go to
 *   `engine.onPlaylist` (`dashHandlerExtension`, `listFrom`).
 *
 * One engine per player, created when the page gives it a source (`initialize(view, url)` or
 * `attachSource(url)`; the manifest URL is the stream) and destroyed with `reset()`/`destroy()`.
 *
 * @module dashjs/adapter
 */

import { bufferAhead } from '../core/playback.js';
import { PlayerSession } from '../core/player-session.js';
import { MAX_LIVE_SEGMENTS, MAX_VOD_SEGMENTS, PlaylistFeed } from '../core/playlist-feed.js';

const WRAPPED = typeof Symbol === 'function' ? Symbol.for('swarmgate.wrapped') : '__swarmgateWrapped';
/** dash.js's request types (HTTPRequest.INIT_SEGMENT_TYPE, MEDIA_SEGMENT_TYPE) that go through the mesh. */
export const SHAREABLE_TYPES = Object.freeze(['InitializationSegment', 'MediaSegment']);

/** `first-last` from dash.js's `request.range`, or undefined. */
export function parseRange(text) {
  const m = typeof text === 'string' ? /^(\d+)-(\d+)$/.exec(text) : null;
  if (!m) return undefined;
  const range = { first: Number(m[1]), last: Number(m[2]) };
  return range.last >= range.first ? range : undefined;
}

/**
 * Whether a dash.js CommonMediaRequest may go through the mesh: a GET of a whole media or init
 * segment (or one byte range of it) for an http(s) URL, as an ArrayBuffer.
 * @param {object} req CommonMediaRequest
 */
export function isShareable(req) {
  const r = req && req.customData && req.customData.request;
  return !!r && SHAREABLE_TYPES.includes(r.type) && (req.method || 'GET') === 'GET' && !r.isPartialSegmentRequest &&
    (req.responseType === 'arraybuffer' || r.responseType === 'arraybuffer') && typeof req.url === 'string' &&
    /^https?:/i.test(req.url) && (r.range === undefined || r.range === null || r.range === '' || !!parseRange(r.range));
}

/**
 * A media segment's sequence number: its media start time in milliseconds. dash.js's `index`
 * counts a SegmentTimeline from the first `S` of the current MPD, so it shifts when a live window
 * slides; the media time names the same segment in every MPD update and only grows.
 * @param {object} r dash.js FragmentRequest
 */
export function sequenceOf(r) {
  if (Number.isFinite(r.mediaStartTime)) return Math.round(r.mediaStartTime * 1000);
  return Number.isInteger(r.index) ? r.index : undefined;
}

/** Response headers of an XHR as dash.js's Utils.parseHttpHeaders returns them. */
function headersOf(xhr) {
  const out = {};
  for (const line of (xhr.getAllResponseHeaders() || '').trim().split(/[\r\n]+/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

/** Everything the SDK attaches to one dash.js player. */
export class DashSession extends PlayerSession {
  /**
   * @param {import('../hlsjs/adapter.js').Runtime} runtime
   * @param {object} player a dash.js MediaPlayer instance
   * @param {object} events dashjs.MediaPlayer.events
   * @param {object} [factory] dashjs.FactoryMaker (without it, nothing is listed to the engine)
   */
  constructor(runtime, player, events, factory) {
    super(runtime);
    this.player = player;
    this.events = events || {};
    this.factory = factory && typeof factory.getClassFactoryByName === 'function' ? factory : null;
    this.XMLHttpRequest = globalThis.XMLHttpRequest;
    this.feed = new PlaylistFeed();
  }

  /**
   * The `DashHandler` extension (one per media type and period, as dash.js creates them): each
   * time dash.js asks its handler for the next segment of a representation, the segments from
   * the one it last requested onwards are listed to the engine (`listFrom`). They come from a
   * second, private handler built from the same configuration (so the same segments controller,
   * base URL controller and templates: the URLs, byte ranges and indexes dash.js will request),
   * because building requests moves a handler's position and dash.js's own must not move.
   * @param {object} factory dashjs.FactoryMaker
   */
  dashHandlerExtension(factory) {
    const session = this;
    let building = false;
    return function swarmgateDashHandler(config) {
      if (building) return {};
      const parent = this.parent;
      building = true;
      let shadow = null;
      try {
        shadow = factory.getClassFactoryByName('DashHandler')(this.context).create(config);
      } catch (e) {
        // dash.js's own handler stays as it is; this period is only not listed.
        session.runtime.log('dashjs: cannot follow the playlist', e);
        return {};
      } finally {
        building = false;
      }
      const next = parent.getNextSegmentRequest;
      const reset = parent.reset;
      return {
        getNextSegmentRequest(mediaInfo, representation) {
          const request = next.call(parent, mediaInfo, representation);
          try {
            session.listFrom(shadow, parent.getLastSegment(), mediaInfo, representation);
          } catch (e) {
            session.runtime.log('dashjs: cannot list the playlist', e);
          }
          return request;
        },
        reset() {
          shadow.reset();
          return reset.call(parent);
        },
      };
    };
  }

  /**
   * Lists `representation`'s segments from `last` (the one dash.js last requested) onwards: for
   * live, up to the newest one available now; for VOD, once per representation. The
   * representation dash.js loads is the only one listed: the rest of the ladder is nobody's next
   * load here (it is listed when ABR switches to it).
   */
  listFrom(shadow, last, mediaInfo, representation) {
    const engine = this.engine();
    if (!engine || !last || !representation || representation.id === undefined) return;
    // dash.js's own answer for this period (what its StreamProcessor initialised the handler with).
    const manifestInfo = mediaInfo && mediaInfo.streamInfo && mediaInfo.streamInfo.manifestInfo;
    const live = !!(manifestInfo && manifestInfo.isDynamic);
    const max = live ? MAX_LIVE_SEGMENTS : MAX_VOD_SEGMENTS;
    let request = shadow.getSegmentRequestForTime(mediaInfo, representation, last.presentationStartTime + (last.duration || 0) / 2);
    if (!request) return;
    const track = `${request.mediaType}:${representation.id}`;
    if (!this.feed.wants(engine, live, track)) return;
    const segments = [];
    while (request && segments.length < max) {
      if (typeof request.url === 'string' && !request.isPartialSegmentRequest) {
        segments.push({ url: request.url, range: parseRange(request.range), sequence: sequenceOf(request), durationS: request.duration });
      }
      request = shadow.getNextSegmentRequest(mediaInfo, representation);
    }
    this.feed.feed(engine, { live, track, segments });
  }

  /** Hooks into a created player, before the page initialises it. */
  attach() {
    const player = this.player;
    const session = this;
    player.extend('XHRLoader', function swarmgateXhrLoader() {
      // `this.parent` is dash.js's own loader; its `load` is replaced on it right after this
      // returns, so the original is kept here.
      const parent = this.parent;
      const original = parent.load;
      return {
        load(req, resp) {
          try {
            if (session.load(req, resp, () => original.call(parent, req, resp))) return true;
          } catch (e) {
            session.runtime.log('dashjs: cannot load through the mesh', e);
          }
          return original.call(parent, req, resp);
        },
      };
    }, true);
    if (this.factory) player.extend('DashHandler', this.dashHandlerExtension(this.factory), true);
    const wrap = (name, before) => {
      const fn = player[name];
      if (typeof fn !== 'function') return;
      player[name] = function (...args) {
        try { before(...args); } catch (e) { session.runtime.log('dashjs: hook failed', name, e); }
        return fn.apply(this, args);
      };
    };
    wrap('initialize', (view, url) => { if (view) this.attachMedia(view); if (typeof url === 'string') this.startEngine(url); });
    wrap('attachView', (view) => this.attachMedia(view));
    wrap('attachSource', (url) => { if (typeof url === 'string') this.startEngine(url); });
    wrap('reset', () => this.stop());
    wrap('destroy', () => this.destroy());
    if (this.events.QUALITY_CHANGE_RENDERED && typeof player.on === 'function') {
      player.on(this.events.QUALITY_CHANGE_RENDERED, (e) => {
        try {
          const rep = e && e.newRepresentation;
          if (e.mediaType === 'video' && rep) this.engineRef?.qoe.setLevel(rep.absoluteIndex ?? rep.index ?? 0, (rep.bandwidth || 0) / 1000);
        } catch { /* QoE must never disturb playback */ }
      });
    }
    this.runtime.register(this);
  }

  /** What the engine needs to know about a dash.js request. */
  describe(req) {
    const r = req.customData.request;
    const player = this.player;
    const num = (v) => (Number.isFinite(v) && v > 0 ? v : undefined);
    let bw;
    try { bw = num(player.getAverageThroughput(r.mediaType) * 1000); } catch { bw = undefined; }
    let live = false;
    try { live = !!player.isDynamic(); } catch { live = false; }
    const rep = r.representation;
    return {
      live,
      range: parseRange(r.range),
      bufferS: bufferAhead(this.media),
      durationS: num(r.duration),
      sizeBytes: num(r.bandwidth && r.duration ? Math.round((r.bandwidth * r.duration) / 8) : undefined),
      sequence: r.type === 'MediaSegment' ? sequenceOf(r) : undefined,
      track: `${r.mediaType}:${rep && rep.id !== undefined ? rep.id : r.bandwidth}`,
      bwEstimate: bw,
    };
  }

  /**
   * Loads `req` through the engine; false when it is not for the mesh (dash.js's loader does it).
   * @param {object} req CommonMediaRequest
   * @param {object} resp CommonMediaResponse
   */
  load(req, resp) {
    const engine = isShareable(req) ? this.engine() : null;
    if (!engine) return false;
    const data = req.customData;
    const controller = typeof AbortController === 'function' ? new AbortController() : null;
    let inner = null;
    let endHttp = null;
    let done = false;
    data.abort = () => {
      if (done) return;
      done = true;
      controller?.abort();
      inner?.abort();
      data.onabort?.();
    };
    const finish = () => {
      if (done) return;
      done = true;
      data.onloadend?.();
    };
    engine.loadSegment({
      ...this.describe(req),
      url: req.url,
      signal: controller ? controller.signal : undefined,
      httpLoad: () => new Promise((resolve, reject) => {
        const xhr = new this.XMLHttpRequest();
        inner = xhr;
        // A neighbour's copy replaced this fetch (core/http-rescue.js): dash.js hears nothing more
        // from it, neither progress nor its end.
        endHttp = () => {
          inner = null;
          xhr.onprogress = null;
          xhr.onloadend = null;
          xhr.abort();
          reject(Object.assign(new Error('HTTP aborted'), { httpFailure: true, kind: 'abort' }));
        };
        xhr.open(req.method || 'GET', req.url, true);
        xhr.responseType = 'arraybuffer';
        for (const [name, value] of Object.entries(req.headers || {})) if (value) xhr.setRequestHeader(name, value);
        xhr.withCredentials = req.credentials === 'include';
        if (req.timeout) xhr.timeout = req.timeout;
        const requestedAt = globalThis.performance.now();
        let firstByteAt = 0;
        // dash.js's own progress handler: its throughput traces are those of this real request.
        xhr.onprogress = (e) => {
          if (!firstByteAt) firstByteAt = globalThis.performance.now();
          if (!done) data.onprogress?.(e);
        };
        xhr.onloadend = () => {
          inner = null;
          endHttp = null;
          resp.url = xhr.responseURL || req.url;
          resp.status = xhr.status;
          resp.statusText = xhr.statusText;
          resp.headers = headersOf(xhr);
          if (xhr.status >= 200 && xhr.status <= 299 && xhr.response) {
            const deliveredAt = globalThis.performance.now();
            resolve({ bytes: new Uint8Array(xhr.response), requestedAt, firstByteAt: firstByteAt || deliveredAt, deliveredAt });
          } else {
            reject(Object.assign(new Error(`HTTP ${xhr.status}`), { httpFailure: true }));
          }
        };
        xhr.send();
      }),
      abortHttp: () => endHttp?.(),
    }).then((result) => {
      if (!result || !(result.bytes instanceof Uint8Array)) throw new Error('engine returned no bytes');
      resp.url = resp.url || req.url;
      resp.status = 200;
      resp.statusText = resp.statusText || 'OK';
      resp.headers = resp.headers || {};
      // A copy: MSE may keep what it gets, and the engine keeps the original for neighbours.
      resp.data = result.bytes.slice().buffer;
      finish();
    }).catch((err) => {
      if (done) return;
      if (err && err.httpFailure) {
        // resp already holds the failed response: dash.js retries or reports it as usual.
        finish();
        return;
      }
      this.runtime.log('dashjs: engine failed, plain HTTP', err);
      const x = new this.XMLHttpRequest();
      inner = x;
      x.open(req.method || 'GET', req.url, true);
      x.responseType = 'arraybuffer';
      for (const [name, value] of Object.entries(req.headers || {})) if (value) x.setRequestHeader(name, value);
      x.onprogress = (e) => { if (!done) data.onprogress?.(e); };
      x.onloadend = () => {
        resp.url = x.responseURL || req.url;
        resp.status = x.status;
        resp.statusText = x.statusText;
        resp.headers = headersOf(x);
        resp.data = x.response;
        finish();
      };
      x.send();
    });
    return true;
  }

  /** `reset()`: the source goes, the player stays. */
  stop() {
    this.stopEngine();
  }
}

/**
 * Returns the dash.js namespace with a `MediaPlayer` whose players load through the mesh (the
 * namespace itself is left unchanged: bundled dash.js may be a frozen module namespace).
 * Idempotent. A page that extends `XHRLoader` itself keeps its own loader: dash.js uses the
 * first extension registered, and the page's comes first when it registers before `create()`.
 * @param {object} dashjs the dash.js namespace (`window.dashjs` or `import * as dashjs`)
 * @param {import('../hlsjs/adapter.js').Runtime} runtime
 * @returns {object}
 */
export function wrapDashjs(dashjs, runtime) {
  if (!dashjs || typeof dashjs.MediaPlayer !== 'function' || dashjs.MediaPlayer[WRAPPED]) return dashjs;
  const Original = dashjs.MediaPlayer;
  const events = Original.events;
  function MediaPlayer(...factoryArgs) {
    const factory = Original.apply(this, factoryArgs);
    return Object.assign({}, factory, {
      create(...args) {
        const player = factory.create(...args);
        if (runtime.available) {
          try {
            new DashSession(runtime, player, events, dashjs.FactoryMaker).attach();
          } catch (e) {
            runtime.log('dashjs: attach failed', e);
          }
        }
        return player;
      },
    });
  }
  for (const key of Object.keys(Original)) MediaPlayer[key] = Original[key];
  try {
    Object.defineProperty(MediaPlayer, WRAPPED, { value: true });
  } catch { /* cosmetic */ }
  return Object.assign({}, dashjs, { MediaPlayer });
}
