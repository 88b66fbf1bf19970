/**
 * The fragment loader (`fLoader`) hls.js gets from {@link module:hlsjs/adapter}: implements hls.js's
 * Loader interface (load / abort / destroy, `context`, `stats`) and sends media and init segments
 * through the engine. Everything else — and every segment when the engine is missing, disabled or
 * fails — goes to hls.js's own loader (`config.loader`), so the player's behaviour without the
 * SDK is always the fallback.
 *
 * Contracts with hls.js 1.7 (src/loader/fragment-loader.ts, src/controller/abr-controller.ts):
 * - fragment-loader sets `frag.stats = loader.stats` before `load()`, so `this.stats` is the one
 *   object hls.js watches; HTTP loads (ours or a delegate's) write into it directly.
 * - hls.js transfers the ArrayBuffer it receives to its worker (detaching it): hls.js always gets
 *   a copy, the engine keeps the original to serve neighbours.
 * - ABR: P2P deliveries carry stats modelled on the HTTP throughput (core/bandwidth.js);
 *   HTTP loads keep their real timings, measured from the HTTP request itself.
 * - The abandon rules (abr-controller `_abandonRulesCheck`) time a load from `stats.loading.start`.
 *   While the engine only waits for a neighbour's announcement, `loading.start` is kept at "now",
 *   so a legitimate wait (bounded by the scheduler's deadline) never looks like a slow download;
 *   once a transfer begins, the real start is kept and the rules apply as usual.
 *
 * @module hlsjs/loader
 */

/** How often `loading.start` is moved forward while the engine waits (abr-controller checks every 100 ms). */
export const WAIT_TICK_MS = 50;

/** A fresh hls.js-shaped LoaderStats. */
export function newLoaderStats() {
  return {
    aborted: false, loaded: 0, retry: 0, total: 0, chunkCount: 0, bwEstimate: 0,
    loading: { start: 0, first: 0, end: 0 },
    parsing: { start: 0, end: 0 },
    buffering: { start: 0, first: 0, end: 0 },
  };
}

function resetLoading(stats) {
  stats.aborted = false;
  stats.loaded = stats.total = stats.chunkCount = stats.bwEstimate = 0;
  stats.loading.start = stats.loading.first = stats.loading.end = 0;
}

/**
 * Whether a loader context may go through the mesh: media or init segments, whole or one byte
 * range (`EXT-X-BYTERANGE`: the range is part of the segment's identity) — not LL-HLS parts,
 * playlists, keys or licences.
 * @param {object} context hls.js LoaderContext
 * @returns {boolean}
 */
export function isShareable(context) {
  return !!context && context.type === 'media-fragment' && !!context.frag && !context.part &&
    (!context.rangeEnd || context.rangeEnd > (context.rangeStart || 0)) && (context.responseType === 'arraybuffer' || !context.responseType) &&
    typeof context.url === 'string' && /^https?:/i.test(context.url);
}

/**
 * @typedef {object} LoaderSession what the loader needs from its Hls instance
 * @property {() => (object|null)} engine the engine, or null (then hls.js's loader does the work)
 * @property {(context: object) => object} describe the engine request fields for a context
 *   (live, bufferS, durationS, sequence, track, bwEstimate, ttfbMs)
 * @property {(...args: any[]) => void} [log]
 */

/**
 * Creates the fLoader class for one Hls instance.
 * @param {new (config: object) => object} DefaultLoader hls.js's `config.loader` (Hls.DefaultConfig.loader)
 * @param {LoaderSession} session
 * @param {{now?: () => number, timers?: object}} [env]
 * @returns {new (config: object) => object}
 */
export function createFragmentLoader(DefaultLoader, session, { now = () => globalThis.performance.now(), timers = globalThis } = {}) {
  return class SwarmgateFragmentLoader {
    constructor(config) {
      this.hlsConfig = config;
      this.context = null;
      this.stats = newLoaderStats();
      this.callbacks = null;
      this.delegate = null;
      this.inner = null;
      this.done = false;
      this.controller = null;
      this.waitTimer = null;
      this.networkDetails = null;
      this.innerFail = null;
    }

    load(context, config, callbacks) {
      this.context = context;
      this.config = config;
      this.callbacks = callbacks;
      let engine = null;
      let request = null;
      try {
        if (isShareable(context)) engine = session.engine();
        if (engine) request = session.describe(context);
      } catch (e) {
        engine = null;
        session.log?.('loader: cannot describe request', e);
      }
      if (!engine || !request) {
        this.delegateLoad();
        return;
      }
      const stats = this.stats;
      stats.loading.start = now();
      this.waitTimer = timers.setInterval(() => { stats.loading.start = now(); }, WAIT_TICK_MS);
      const controller = typeof AbortController === 'function' ? new AbortController() : null;
      this.controller = controller;
      let promise;
      try {
        promise = engine.loadSegment({
          ...request,
          url: context.url,
          // hls.js's rangeEnd is exclusive; the engine's ranges are inclusive, as HTTP's.
          range: context.rangeEnd ? { first: context.rangeStart || 0, last: context.rangeEnd - 1 } : undefined,
          signal: controller ? controller.signal : undefined,
          httpLoad: () => this.httpLoad(),
          httpLoaded: () => this.stats.loaded,
          abortHttp: () => this.destroyInner(),
          onTransferStart: (source) => {
            this.stopWaitTimer();
            if (source === 'p2p') stats.loading.start = now();
          },
        });
      } catch (e) {
        promise = Promise.reject(e);
      }
      promise.then((result) => this.succeed(result), (err) => this.failed(err))
        .catch((e) => session.log?.('loader: callback failed', e));
    }

    stopWaitTimer() {
      if (this.waitTimer !== null) timers.clearInterval(this.waitTimer);
      this.waitTimer = null;
    }

    /** hls.js's own loader does the whole load, reporting into the same stats object. */
    delegateLoad() {
      this.stopWaitTimer();
      this.destroyInner();
      resetLoading(this.stats);
      const delegate = new DefaultLoader(this.hlsConfig);
      delegate.stats = this.stats;
      this.delegate = delegate;
      delegate.load(this.context, this.config, this.callbacks);
    }

    /** The engine's HTTP fetch: hls.js's loader with its config, timings written into our stats. */
    httpLoad() {
      return new Promise((resolve, reject) => {
        if (this.done) {
          reject(Object.assign(new Error('aborted'), { httpFailure: true, kind: 'abort' }));
          return;
        }
        this.stopWaitTimer();
        this.destroyInner();
        const stats = this.stats;
        resetLoading(stats);
        const inner = new DefaultLoader(this.hlsConfig);
        inner.stats = stats;
        this.inner = inner;
        const fail = (kind, extra) => {
          this.innerFail = null;
          reject(Object.assign(new Error(`http ${kind}`), { httpFailure: true, kind, ...extra }));
        };
        // Destroying the inner loader silences its callbacks: settle the engine's promise anyway.
        this.innerFail = () => fail('abort');
        inner.load(this.context, this.config, {
          onSuccess: (response, st, ctx, networkDetails) => {
            this.innerFail = null;
            this.networkDetails = networkDetails ?? null;
            const data = response.data;
            const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
            resolve({ bytes, requestedAt: st.loading.start, firstByteAt: st.loading.first || st.loading.start, deliveredAt: st.loading.end || now(), url: response.url, code: response.code });
          },
          onError: (error, ctx, networkDetails) => fail('error', { error, networkDetails }),
          onTimeout: (st, ctx, networkDetails) => fail('timeout', { networkDetails }),
          onAbort: (st, ctx, networkDetails) => fail('abort', { networkDetails }),
        });
      });
    }

    succeed(result) {
      if (this.done || !this.callbacks) return;
      this.stopWaitTimer();
      if (!result || !(result.bytes instanceof Uint8Array) || !result.stats || !result.stats.loading) {
        this.failed(new Error('engine returned no bytes'));
        return;
      }
      const { bytes, stats: timing } = result;
      // A copy: hls.js detaches what it gets, and the engine keeps the original for neighbours.
      const data = bytes.slice().buffer;
      const stats = this.stats;
      stats.aborted = false;
      stats.loaded = stats.total = bytes.length;
      stats.loading.start = timing.loading.start;
      stats.loading.first = timing.loading.first;
      stats.loading.end = timing.loading.end;
      stats.bwEstimate = timing.bwEstimate;
      this.done = true;
      const callbacks = this.callbacks;
      const response = { url: this.context.url, data, code: 200 };
      if (callbacks.onProgress) callbacks.onProgress(stats, this.context, data, this.networkDetails);
      callbacks.onSuccess(response, stats, this.context, this.networkDetails);
    }

    failed(err) {
      if (this.done || !this.callbacks) return;
      this.stopWaitTimer();
      if (err && err.httpFailure) {
        if (err.kind === 'abort') return; // only happens when we aborted it ourselves
        this.done = true;
        if (err.kind === 'timeout') {
          this.callbacks.onTimeout(this.stats, this.context, err.networkDetails ?? null);
        } else {
          const error = err.error || { code: 0, text: 'load failed' };
          this.callbacks.onError(error, this.context, err.networkDetails ?? null, this.stats);
        }
        return;
      }
      // Anything else is the SDK's failure: the player never sees it, hls.js's loader takes over.
      session.log?.('loader: engine failed, plain HTTP', err);
      this.delegateLoad();
    }

    destroyInner() {
      const inner = this.inner;
      this.inner = null;
      const fail = this.innerFail;
      this.innerFail = null;
      if (fail) fail();
      if (inner) {
        try { inner.destroy(); } catch { /* already gone */ }
      }
    }

    abort() {
      if (this.delegate) {
        this.delegate.abort();
        return;
      }
      if (this.done) return;
      this.done = true;
      this.stopWaitTimer();
      this.controller?.abort();
      this.destroyInner();
      this.stats.aborted = true;
      this.callbacks?.onAbort?.(this.stats, this.context, null);
    }

    destroy() {
      this.done = true;
      this.stopWaitTimer();
      this.controller?.abort();
      this.destroyInner();
      if (this.delegate) {
        try { this.delegate.destroy(); } catch { /* already gone */ }
      }
      this.delegate = null;
      this.callbacks = null;
      this.context = null;
    }

    getCacheAge() {
      const l = this.delegate || this.inner;
      return l && typeof l.getCacheAge === 'function' ? l.getCacheAge() : null;
    }

    getResponseHeader(name) {
      const l = this.delegate || this.inner;
      return l && typeof l.getResponseHeader === 'function' ? l.getResponseHeader(name) : null;
    }
  };
}

/**
 * HTTP GET of a segment with hls.js's own loader, outside any player request (the engine's
 * prefetches: a leader fetching a new live segment as soon as the playlist lists it).
 * @param {new (config: object) => object} DefaultLoader
 * @param {object} hlsConfig the Hls instance's config
 * @param {string} url
 * @param {() => number} [now]
 * @param {{first: number, last: number}} [range] only these bytes (inclusive)
 * @param {{loaded?: () => number}} [progress] gets `loaded`: the bytes received so far (the loader's stats)
 * @returns {Promise<{bytes: Uint8Array, requestedAt: number, firstByteAt: number, deliveredAt: number}>}
 */
export function fetchWithLoader(DefaultLoader, hlsConfig, url, now = () => globalThis.performance.now(), range = undefined, progress = undefined) {
  return new Promise((resolve, reject) => {
    const loader = new DefaultLoader(hlsConfig);
    if (progress) progress.loaded = () => (loader.stats ? loader.stats.loaded : 0);
    const policy = (hlsConfig.fragLoadPolicy && hlsConfig.fragLoadPolicy.default) || { maxTimeToFirstByteMs: 10000, maxLoadTimeMs: 20000 };
    const loadPolicy = { ...policy, errorRetry: null, timeoutRetry: null };
    const done = (fn) => (...args) => {
      try { loader.destroy(); } catch { /* already gone */ }
      fn(...args);
    };
    const context = { url, responseType: 'arraybuffer', type: 'media-fragment' };
    if (range) {
      context.rangeStart = range.first;
      context.rangeEnd = range.last + 1;
    }
    loader.load(context, {
      loadPolicy, timeout: loadPolicy.maxLoadTimeMs, maxRetry: 0, retryDelay: 0, maxRetryDelay: 0,
    }, {
      onSuccess: done((response, st) => resolve({
        bytes: new Uint8Array(response.data), requestedAt: st.loading.start,
        firstByteAt: st.loading.first || st.loading.start, deliveredAt: st.loading.end || now(),
      })),
      onError: done((error) => reject(Object.assign(new Error(`HTTP ${error && error.code}`), { httpFailure: true, kind: 'error' }))),
      onTimeout: done(() => reject(Object.assign(new Error('HTTP timeout'), { httpFailure: true, kind: 'timeout' }))),
      onAbort: done(() => reject(Object.assign(new Error('aborted'), { httpFailure: true, kind: 'abort' }))),
    });
  });
}
