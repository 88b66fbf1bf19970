/**
 * ABR accounting: the loader stats reported to hls.js for a segment that came from a peer.
 *
 * hls.js's ABR (abr-controller, 1.7) samples bandwidth as
 * `loaded / (parsing.end − loading.start − min(loading.first − loading.start, ttfbEstimate))`
 * and TTFB as `loading.first − loading.start`. Reporting a P2P delivery with its real times
 * misleads it both ways:
 * - a LAN transfer of a 2 s segment takes milliseconds, so ABR would see hundreds of Mb/s and
 *   climb to renditions the origin path (which leaders and fallbacks use) cannot sustain;
 * - a delivery that waited seconds for a leader's announcement looks like a very slow link, so
 *   ABR would drop quality although nothing was slow.
 *
 * So P2P deliveries are reported *as if they had been loaded over HTTP at the throughput last
 * measured over HTTP*: `loading.end` is the real delivery time (parsing follows it), and
 * `loading.start` is moved back from it by `ttfb + bytes·8 / httpBps`. Waiting time is excluded
 * and the LAN speed never enters the estimate; HTTP fetches alone move it. Before any HTTP
 * sample, pass hls.js's own `hls.bandwidthEstimate` (its configured default estimate), which
 * then stays where it was.
 *
 * @module core/bandwidth
 */

/**
 * @typedef {object} LoaderStatsTimes
 * @property {number} loaded
 * @property {number} total
 * @property {{start: number, first: number, end: number}} loading
 * @property {number} bwEstimate bits per second the stats imply
 */

/**
 * Stats to copy into hls.js's `LoaderStats` (`context` / `stats` of the loader callbacks) for a
 * P2P delivery. Times are on the caller's clock (hls.js uses `performance.now()`). The modelled
 * start may precede the player's request: the bytes were in the mesh already, and only the
 * differences between the times matter to ABR.
 * @param {object} args
 * @param {number} args.bytes segment length
 * @param {number} args.deliveredAt when the verified bytes were ready
 * @param {number} args.httpBps last measured HTTP throughput in bits/s (or hls.bandwidthEstimate)
 * @param {number} [args.ttfbMs] HTTP time to first byte to model (hls.ttfbEstimate), default 0
 * @returns {LoaderStatsTimes}
 */
export function p2pLoaderStats({ bytes, deliveredAt, httpBps, ttfbMs = 0 }) {
  if (!(bytes >= 0)) throw new RangeError(`bytes must be >= 0, got ${bytes}`);
  if (!(httpBps > 0 && Number.isFinite(httpBps))) throw new RangeError(`httpBps must be positive, got ${httpBps}`);
  if (!(ttfbMs >= 0)) throw new RangeError(`ttfbMs must be >= 0, got ${ttfbMs}`);
  const transferMs = (bytes * 8 * 1000) / httpBps;
  const start = deliveredAt - ttfbMs - transferMs;
  return {
    loaded: bytes,
    total: bytes,
    loading: { start, first: start + ttfbMs, end: deliveredAt },
    bwEstimate: httpBps,
  };
}

/**
 * Stats for an HTTP delivery, unchanged: real times, so HTTP alone drives the estimate. The
 * waiting time before a fallback is not part of them: `requestedAt` is when the HTTP request
 * was sent, not when the player asked the loader.
 * @param {{bytes: number, requestedAt: number, firstByteAt: number, deliveredAt: number}} args
 * @returns {LoaderStatsTimes}
 */
export function httpLoaderStats({ bytes, requestedAt, firstByteAt, deliveredAt }) {
  const ms = Math.max(deliveredAt - requestedAt, 1);
  return {
    loaded: bytes,
    total: bytes,
    loading: { start: requestedAt, first: firstByteAt, end: deliveredAt },
    bwEstimate: (bytes * 8 * 1000) / ms,
  };
}
