/**
 * Live leaders' prefetches on dash.js pages: `DashPrefetch#load` sends one through dash.js's own
 * HTTPLoader, made on the player's context, so what dash.js does to its own segment requests — the
 * page's request interceptors above all (an `Authorization` header, a signed URL) — is done to it.
 * The dash.js session (dashjs/adapter.js) owns one, feeds it the player's context and the requests
 * dash.js built for the listed segments, and lets its prefetches through its XHRLoader
 * (`keepsOriginBytes`).
 *
 * Contracts with dash.js 5 (core/FactoryMaker.js, streaming/net/HTTPLoader.js, XHRLoader.js,
 * models/CustomParametersModel.js):
 * - FactoryMaker keeps a player's extensions and singletons (CustomParametersModel among them, which
 *   holds the request interceptors) on the player's context object, which it hands every instance
 *   it makes as `this.context`: the adapter's XHRLoader extension sees it when dash.js makes its
 *   first loader (for the manifest), before any segment is listed.
 * - `HTTPLoader(context).create(cfg).load({request, success, error, abort})`: adds the MPD's
 *   ExtUrlQueryInfo parameters (for a request with its `representation`), content steering's
 *   `queryParams`, a Common Access Token, `Range: bytes=<request.range>`, the `withCredentials` of
 *   the request's type (`setXHRWithCredentialsForType`) and the fragment request timeout; runs the
 *   request interceptors in their order (dash.js's CMCD one, then the page's
 *   `addRequestInterceptor`s), each getting a CommonMediaRequest whose `customData.request` is
 *   `request`; sends it with the context's XHRLoader (the adapter's); runs the response
 *   interceptors; then `success(data)` for a 2xx with a body, else `error`. A FragmentRequest with
 *   `availabilityTimeComplete === false` would go to the low-latency fetch loader instead.
 * - `cfg` (`QUIET`) is the prefetch's own: no retry, no player error event, no HTTP metric (ABR):
 *   the player did not ask for these bytes. A 404 may still start dash.js's background clock sync,
 *   as a 404 of its own would.
 *
 * @module dashjs/prefetch
 */

import { rangeText } from '../core/segment-id.js';
import { MAX_LIVE_SEGMENTS } from '../core/playlist-feed.js';

/**
 * `swarmgate` of a prefetch's FragmentRequest (`customData.request` to the page's interceptors):
 * tells it from the player's loads, and keeps it out of the mesh (a string: interceptors that copy
 * the request keep it).
 */
export const PREFETCH = 'prefetch';
/** dash.js's HTTPRequest.MEDIA_SEGMENT_TYPE. */
const MEDIA_SEGMENT = 'MediaSegment';
/** Listed requests remembered: the latest few listings of each track the player loads. */
const MAX_REMEMBERED = 4 * MAX_LIVE_SEGMENTS;
/** The bytes of a prefetch's response as the origin sent them, on its FragmentRequest. */
const ORIGIN_BYTES = typeof Symbol === 'function' ? Symbol('swarmgate.originBytes') : '__swarmgateOriginBytes';

/** What a prefetch's HTTPLoader reports to: nothing (see the module header). */
const QUIET = Object.freeze({
  errHandler: { error() {} },
  dashMetrics: { addHttpRequest() {}, addManifestUpdate() {} },
  mediaPlayerModel: { getRetryAttemptsForType: () => 0, getRetryIntervalsForType: () => 0 },
  errors: {},
});

const keyOf = (url, range) => `${url} ${rangeText(range) || ''}`;

/**
 * For the adapter's XHRLoader: whether `req` is a prefetch's, which dash.js's own loader must send
 * (never the mesh). If so, the body is kept as the origin sent it, before the response
 * interceptors see it: the bytes the appliance hashes and a neighbour would send.
 * @param {object} req CommonMediaRequest
 * @param {object} resp CommonMediaResponse (dash.js's XHRLoader sets `data` on load, before loadend)
 */
export function keepsOriginBytes(req, resp) {
  const data = req && req.customData;
  const request = data && data.request;
  if (!request || request.swarmgate !== PREFETCH) return false;
  const end = data.onloadend;
  data.onloadend = function (...args) {
    if (resp.data instanceof ArrayBuffer) request[ORIGIN_BYTES] = new Uint8Array(resp.data.slice(0));
    return end && end.apply(this, args);
  };
  return true;
}

/** One dash.js player's prefetches. */
export class DashPrefetch {
  /** @param {object|null} factory dashjs.FactoryMaker (without it, the engine's fetch() default) */
  constructor(factory) {
    this.factory = factory;
    /** The player's context, once dash.js made a loader on it. */
    this.context = null;
    /** @type {Map<string, object>} url and range → the FragmentRequest dash.js built for it */
    this.listed = new Map();
  }

  /**
   * Keeps what dash.js would request for a listed live segment (its representation above all).
   * @param {{url: string, range?: import('../core/segment-id.js').ByteRange}} segment as listed
   * @param {object} request the FragmentRequest dash.js built for it
   */
  remember(segment, request) {
    const key = keyOf(segment.url, segment.range);
    this.listed.delete(key);
    this.listed.set(key, request);
    if (this.listed.size > MAX_REMEMBERED) this.listed.delete(this.listed.keys().next().value);
  }

  /**
   * The prefetch of `url` (its byte `range`) through dash.js's HTTPLoader: as `fetchHttp` answers,
   * or rejects with `httpFailure`. Null before the player's context is known.
   * @param {string} url
   * @param {import('../core/segment-id.js').ByteRange} [range]
   * @returns {Promise<object>|null}
   */
  load(url, range) {
    const HTTPLoader = this.context && this.factory ? this.factory.getClassFactoryByName('HTTPLoader') : null;
    if (typeof HTTPLoader !== 'function') return null;
    const listed = this.listed.get(keyOf(url, range));
    // A copy (dash.js writes its timings into the request), with the FragmentRequest's methods.
    const request = Object.assign(listed ? Object.create(Object.getPrototypeOf(listed)) : {}, listed || { type: MEDIA_SEGMENT }, {
      url, range: rangeText(range) || null, responseType: 'arraybuffer', headers: {}, retryAttempts: 0,
      availabilityTimeComplete: true, swarmgate: PREFETCH,
    });
    const requestedAt = globalThis.performance.now();
    return new Promise((resolve, reject) => {
      const fail = (kind, error) => reject(Object.assign(new Error(`HTTP ${kind}`), { httpFailure: true, kind, error }));
      HTTPLoader(this.context).create(QUIET).load({
        request,
        success: (data) => {
          // Kept by the adapter's XHRLoader, unless an interceptor put a copy of the request in
          // its place: then what dash.js got, after the response interceptors.
          const bytes = request[ORIGIN_BYTES] || (data instanceof ArrayBuffer ? new Uint8Array(data) : null);
          if (!bytes) {
            fail('error');
            return;
          }
          const at = globalThis.performance.now();
          resolve({ bytes, requestedAt, firstByteAt: at, deliveredAt: at });
        },
        error: () => fail('error'),
        abort: () => fail('abort'),
      }).catch((e) => fail('error', e));
    });
  }
}
