/**
 * Live leaders' prefetches on Video.js pages: `prefetchThroughVhs` sends one as a `segment` request
 * of the player's own VHS xhr, so the `onRequest` hooks VHS runs for the player's requests (an
 * `Authorization` header, a signed or rewritten URI) run for it. The Video.js session
 * (videojs/adapter.js) calls it for the engine's `fetchHttp`, and its own hook leaves requests
 * marked `swarmgate: PREFETCH` unmarked, so they reach the original `videojs.xhr`, never the engine.
 *
 * Contracts with Video.js 8 (VHS 3, xhr.js `xhrFactory`, playlist-controller.js):
 * - `vhs.xhr(options, callback)` merges `{timeout: 45e3}` into `options` (VHS's merge keeps string
 *   keys only: the mark is a string), runs the player's onRequest hooks (else the global ones),
 *   sends with `videojs.xhr`, runs the onResponse hooks, and calls back `(error, request)`, with an
 *   error for a status other than 200 or 206; it returns `request` at once.
 * - `request.response` is the XHR's own body, which onResponse hooks cannot replace: the bytes the
 *   origin sent, which the appliance hashes and a neighbour would send.
 * - VHS's segment loaders get `withCredentials` from the handler's options (`vhs.options_`).
 *
 * @module videojs/prefetch
 */

/**
 * `swarmgate` of the engine's prefetches: on their request options (what onRequest hooks see) and
 * on their request object (what onResponse hooks see), so pages tell them from the player's loads.
 */
export const PREFETCH = 'prefetch';

/**
 * The prefetch of `url` (its byte `range`) through `vhs.xhr`: as `fetchHttp` answers, or rejects
 * with `httpFailure`.
 * @param {object} vhs the player's VHS handler (`player.tech().vhs`)
 * @param {string} url
 * @param {import('../core/segment-id.js').ByteRange} [range]
 * @returns {Promise<object>}
 */
export function prefetchThroughVhs(vhs, url, range) {
  const requestedAt = globalThis.performance.now();
  return new Promise((resolve, reject) => {
    const request = vhs.xhr({
      uri: url, requestType: 'segment', responseType: 'arraybuffer', swarmgate: PREFETCH,
      headers: range ? { Range: `bytes=${range.first}-${range.last}` } : {},
      withCredentials: !!(vhs.options_ && vhs.options_.withCredentials),
    }, (error, answered) => {
      const body = answered && answered.response;
      if (error || !(body instanceof ArrayBuffer)) {
        reject(Object.assign(new Error('HTTP failed'), { httpFailure: true, kind: 'error', error }));
        return;
      }
      const at = globalThis.performance.now();
      resolve({ bytes: new Uint8Array(body), requestedAt, firstByteAt: at, deliveredAt: at });
    });
    request.swarmgate = PREFETCH;
  });
}
