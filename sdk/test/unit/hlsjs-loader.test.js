import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFragmentLoader, isShareable, newLoaderStats, WAIT_TICK_MS } from '../../src/hlsjs/loader.js';
import { FakeTimers } from './fakes.js';

/** Stands in for hls.js's XhrLoader: same "used once" rule, real-looking timings, scripted outcome. */
function makeDefaultLoader(outcome = () => ({ ok: new Uint8Array([1, 2, 3, 4]).buffer })) {
  const instances = [];
  return class FakeDefaultLoader {
    static instances = instances;
    constructor(config) { this.config = config; this.stats = newLoaderStats(); instances.push(this); }
    load(context, config, callbacks) {
      if (this.stats.loading.start) throw new Error('Loader can only be used once.');
      this.stats.loading.start = performance.now();
      this.context = context;
      this.timer = setTimeout(() => {
        const o = outcome(context);
        const st = this.stats;
        st.loading.first = performance.now();
        if (o.ok) {
          st.loading.end = performance.now();
          st.loaded = st.total = o.ok.byteLength;
          callbacks.onSuccess({ url: context.url, data: o.ok, code: 200 }, st, context, null);
        } else if (o.timeout) {
          callbacks.onTimeout(st, context, null);
        } else {
          callbacks.onError({ code: o.code, text: 'err' }, context, null, st);
        }
      }, 5);
      this.callbacks = callbacks;
    }
    abort() { clearTimeout(this.timer); this.stats.aborted = true; this.callbacks?.onAbort?.(this.stats, this.context, null); }
    destroy() { clearTimeout(this.timer); this.callbacks = null; }
  };
}

const fragContext = (url = 'http://o.test/seg-1.ts') => ({ url, type: 'media-fragment', responseType: 'arraybuffer', frag: { sn: 1, level: 0, type: 'main', duration: 2 }, part: null });
const levelContext = { url: 'http://o.test/level.m3u8', type: 'level', responseType: 'text' };
const loadConfig = { loadPolicy: {}, timeout: 10000, maxRetry: 0, retryDelay: 0, maxRetryDelay: 0 };

function run(Loader, context) {
  const loader = new Loader({});
  const stats = loader.stats;
  return new Promise((resolve) => {
    loader.load(context, loadConfig, {
      onSuccess: (response, st, ctx) => resolve({ kind: 'success', response, st, ctx, loader, stats }),
      onError: (error, ctx, nd, st) => resolve({ kind: 'error', error, st, loader, stats }),
      onTimeout: (st) => resolve({ kind: 'timeout', st, loader, stats }),
      onAbort: (st) => resolve({ kind: 'abort', st, loader, stats }),
    });
  });
}

function fakeEngine(impl) {
  const calls = [];
  return { calls, loadSegment: (req) => { calls.push(req); return impl(req); } };
}

const session = (engine) => ({ engine: () => engine, describe: () => ({ live: true, bufferS: 6, durationS: 2, sequence: 1, track: 'main:0' }) });

test('only whole media and init segments are shareable', () => {
  assert.equal(isShareable(fragContext()), true);
  assert.equal(isShareable({ ...fragContext(), frag: { sn: 'initSegment' } }), true);
  assert.equal(isShareable(levelContext), false);
  assert.equal(isShareable({ ...fragContext(), type: 'key' }), false);
  assert.equal(isShareable({ ...fragContext(), part: {} }), false);
  assert.equal(isShareable({ ...fragContext(), rangeStart: 0, rangeEnd: 100 }), true, 'an EXT-X-BYTERANGE segment is a segment');
  assert.equal(isShareable({ ...fragContext(), rangeStart: 100, rangeEnd: 100 }), false, 'an empty range is not');
});

test('playlists and keys go to hls.js\'s own loader, with the stats object hls.js holds', async () => {
  const Default = makeDefaultLoader(() => ({ ok: new Uint8Array([9]).buffer }));
  const engine = fakeEngine(() => { throw new Error('must not be called'); });
  const Loader = createFragmentLoader(Default, session(engine));
  for (const ctx of [levelContext, { ...fragContext(), type: 'key' }]) {
    const r = await run(Loader, ctx);
    assert.equal(r.kind, 'success');
    assert.equal(r.st, r.stats, 'the same stats object hls.js assigned to frag.stats');
    assert.equal(r.stats.loaded, 1);
  }
  assert.equal(engine.calls.length, 0);
});

test('an EXT-X-BYTERANGE fragment goes through the engine with its range, inclusive', async () => {
  const engine = fakeEngine(async () => ({ bytes: new Uint8Array(100), source: 'p2p', stats: { loading: { start: 1, first: 2, end: 3 }, bwEstimate: 1 } }));
  const Loader = createFragmentLoader(makeDefaultLoader(), session(engine));
  const r = await run(Loader, { ...fragContext('http://o.test/all.ts'), rangeStart: 1000, rangeEnd: 1100 });
  assert.equal(r.kind, 'success');
  assert.deepEqual(engine.calls[0].range, { first: 1000, last: 1099 });
  const whole = await run(Loader, fragContext('http://o.test/seg-2.ts'));
  assert.equal(whole.kind, 'success');
  assert.equal(engine.calls[1].range, undefined);
});

test('a media fragment goes through the engine; hls.js gets a copy of the bytes and the engine\'s stats', async () => {
  const bytes = new Uint8Array([5, 6, 7, 8, 9]);
  const timing = { loaded: 5, total: 5, loading: { start: 100, first: 140, end: 200 }, bwEstimate: 1_000_000 };
  const engine = fakeEngine(async (req) => { req.onTransferStart('p2p'); return { bytes, source: 'p2p', stats: timing }; });
  const Loader = createFragmentLoader(makeDefaultLoader(), session(engine));
  const r = await run(Loader, fragContext('http://o.test/seg-1.ts?token=x'));
  assert.equal(r.kind, 'success');
  assert.equal(engine.calls[0].url, 'http://o.test/seg-1.ts?token=x');
  assert.equal(engine.calls[0].bufferS, 6);
  const data = r.response.data;
  assert.ok(data instanceof ArrayBuffer);
  assert.notEqual(data, bytes.buffer, 'a copy, so hls.js may detach it');
  assert.deepEqual(new Uint8Array(data), bytes);
  structuredClone(data, { transfer: [data] }); // what hls.js does with it
  assert.deepEqual(bytes, new Uint8Array([5, 6, 7, 8, 9]), 'the engine\'s bytes survive the transfer');
  assert.equal(r.st, r.stats);
  assert.deepEqual({ ...r.st.loading }, timing.loading);
  assert.equal(r.st.loaded, 5);
  assert.equal(r.st.total, 5);
  assert.equal(r.st.bwEstimate, 1_000_000);
  assert.equal(r.st.aborted, false);
});

test('the engine\'s HTTP load runs hls.js\'s loader and writes into the same stats object', async () => {
  const Default = makeDefaultLoader(() => ({ ok: new Uint8Array([1, 1, 1]).buffer }));
  let seenDuringHttp = null;
  const engine = fakeEngine(async (req) => {
    const res = await req.httpLoad();
    seenDuringHttp = res;
    return { bytes: res.bytes, source: 'http', stats: { loaded: 3, total: 3, loading: { start: res.requestedAt, first: res.firstByteAt, end: res.deliveredAt }, bwEstimate: 1 } };
  });
  const Loader = createFragmentLoader(Default, session(engine));
  const r = await run(Loader, fragContext());
  assert.equal(r.kind, 'success');
  assert.equal(Default.instances.length, 1);
  assert.equal(Default.instances[0].stats, r.stats, 'inner loader reports into hls.js\'s stats');
  assert.equal(r.st.loading.start, seenDuringHttp.requestedAt);
});

test('an HTTP error or timeout reaches hls.js as such (its retry logic applies), not as a fallback', async () => {
  const failing = makeDefaultLoader(() => ({ code: 503 }));
  const engine = fakeEngine((req) => req.httpLoad());
  const r = await run(createFragmentLoader(failing, session(engine)), fragContext());
  assert.equal(r.kind, 'error');
  assert.equal(r.error.code, 503);
  assert.equal(failing.instances.length, 1, 'no second attempt behind hls.js\'s back');
  const slow = makeDefaultLoader(() => ({ timeout: true }));
  const t = await run(createFragmentLoader(slow, session(fakeEngine((req) => req.httpLoad()))), fragContext());
  assert.equal(t.kind, 'timeout');
});

test('any other engine failure falls back to hls.js\'s loader without an error', async () => {
  const Default = makeDefaultLoader(() => ({ ok: new Uint8Array([4, 2]).buffer }));
  for (const impl of [async () => { throw new TypeError('bug'); }, () => { throw new Error('sync bug'); }]) {
    const r = await run(createFragmentLoader(Default, session(fakeEngine(impl))), fragContext());
    assert.equal(r.kind, 'success');
    assert.deepEqual(new Uint8Array(r.response.data), new Uint8Array([4, 2]));
    assert.equal(r.st, r.stats);
  }
  const noEngine = await run(createFragmentLoader(Default, session(null)), fragContext());
  assert.equal(noEngine.kind, 'success');
  const badDescribe = { engine: () => fakeEngine(() => { throw new Error('x'); }), describe: () => { throw new Error('no level'); } };
  assert.equal((await run(createFragmentLoader(Default, badDescribe), fragContext())).kind, 'success');
});

test('while the engine waits for a neighbour, loading.start follows the clock; a transfer pins it', async () => {
  const timers = new FakeTimers();
  timers.advance(1000);
  let transferStarts;
  let deliver;
  const bytes = new Uint8Array([3]);
  const engine = fakeEngine((req) => new Promise((resolve) => {
    transferStarts = () => req.onTransferStart('p2p');
    deliver = () => resolve({ bytes, source: 'p2p', stats: { loading: { start: 1, first: 1, end: 2 }, bwEstimate: 1 } });
  }));
  const Loader = createFragmentLoader(makeDefaultLoader(), session(engine), { now: timers.now, timers });
  const loader = new Loader({});
  const done = new Promise((resolve) => loader.load(fragContext(), loadConfig, { onSuccess: resolve, onError: resolve, onTimeout: resolve }));
  assert.equal(loader.stats.loading.start, 1000);
  // Waiting: hls.js's abandon rules (checked every 100 ms) must never see more than a tick of "loading".
  for (const step of [WAIT_TICK_MS, 30, 170, 1]) {
    timers.advance(step);
    const lag = timers.t - loader.stats.loading.start;
    assert.ok(lag >= 0 && lag < WAIT_TICK_MS, `start ${lag} ms behind now at ${timers.t} during the wait`);
  }
  timers.advance(7);
  transferStarts();
  const pinned = loader.stats.loading.start;
  assert.equal(pinned, timers.t, 'a P2P transfer starts its clock now');
  timers.advance(10 * WAIT_TICK_MS);
  assert.equal(loader.stats.loading.start, pinned, 'the transfer start stays put');
  assert.equal(timers.pending(), 0, 'no timer left running');
  deliver();
  await done;
  assert.equal(loader.stats.loading.start, 1, 'then the engine\'s ABR timing replaces it');
  loader.destroy();
});

test('abort() stops the engine request and reports onAbort once', async () => {
  let signal;
  const engine = fakeEngine((req) => { signal = req.signal; return new Promise(() => {}); });
  const Loader = createFragmentLoader(makeDefaultLoader(), session(engine));
  const loader = new Loader({});
  let aborts = 0;
  loader.load(fragContext(), loadConfig, { onSuccess() { assert.fail(); }, onError() { assert.fail(); }, onTimeout() { assert.fail(); }, onAbort: () => { aborts++; } });
  loader.abort();
  loader.abort();
  assert.equal(aborts, 1);
  assert.equal(signal.aborted, true);
  assert.equal(loader.stats.aborted, true);
  loader.destroy();
});

test('the engine can end the HTTP fetch under way and hand hls.js a neighbour\'s copy instead', async () => {
  const Default = makeDefaultLoader(() => ({ ok: new Uint8Array([7, 7, 7]).buffer }));
  const p2p = new Uint8Array([5, 6]);
  let httpOutcome = null;
  const engine = fakeEngine(async (req) => {
    const fetching = req.httpLoad().then(() => 'completed', (e) => e.kind);
    req.abortHttp();
    httpOutcome = await fetching;
    const t = performance.now();
    return { bytes: p2p, source: 'p2p', stats: { loaded: 2, total: 2, loading: { start: t, first: t, end: t }, bwEstimate: 1e6 } };
  });
  const Loader = createFragmentLoader(Default, session(engine));
  const r = await run(Loader, fragContext());
  assert.equal(httpOutcome, 'abort', 'the fetch ended at once, its promise settled');
  assert.equal(Default.instances.length, 1);
  assert.equal(Default.instances[0].callbacks, null, 'the fetch\'s own loader destroyed: it reports nothing more');
  assert.equal(r.kind, 'success');
  assert.deepEqual(new Uint8Array(r.response.data), p2p);
});
