import { test } from 'node:test';
import assert from 'node:assert/strict';
import { p2pLoaderStats, httpLoaderStats } from '../../src/core/bandwidth.js';

// What hls.js 1.7's abr-controller samples from the stats (onFragBuffered), with parsing done
// `parseMs` after loading and a TTFB estimate of `ttfbEstimate`.
function abrSampleBps(stats, { parseMs = 0, ttfbEstimate = Infinity } = {}) {
  const ms = stats.loading.end + parseMs - stats.loading.start
    - Math.min(stats.loading.first - stats.loading.start, ttfbEstimate);
  return (stats.loaded * 8 * 1000) / ms;
}

test('a near-instant P2P delivery reads as the last HTTP throughput', () => {
  const stats = p2pLoaderStats({ bytes: 500_000, deliveredAt: 10_000, httpBps: 4_000_000 });
  assert.deepEqual(stats, {
    loaded: 500_000, total: 500_000, loading: { start: 9000, first: 9000, end: 10_000 }, bwEstimate: 4_000_000,
  });
  assert.equal(abrSampleBps(stats), 4_000_000);
});

test('time spent waiting for a peer does not lower the estimate', () => {
  // Asked at t=0, waited 3 s for a leader's announcement, delivered at 3 s.
  const stats = p2pLoaderStats({ bytes: 250_000, deliveredAt: 3000, httpBps: 2_000_000 });
  assert.equal(stats.loading.end - stats.loading.start, 1000);
  assert.equal(abrSampleBps(stats), 2_000_000);
});

test('the modelled TTFB is reported as TTFB and excluded from the bandwidth sample', () => {
  const stats = p2pLoaderStats({ bytes: 100_000, deliveredAt: 5000, httpBps: 1_600_000, ttfbMs: 50 });
  assert.deepEqual(stats.loading, { start: 4450, first: 4500, end: 5000 });
  assert.equal(stats.loading.first - stats.loading.start, 50);
  assert.equal(abrSampleBps(stats, { ttfbEstimate: 80 }), 1_600_000);
});

test('HTTP stats keep real times and exclude any earlier wait for a peer', () => {
  const stats = httpLoaderStats({ bytes: 200_000, requestedAt: 2000, firstByteAt: 2100, deliveredAt: 2800 });
  assert.deepEqual(stats.loading, { start: 2000, first: 2100, end: 2800 });
  assert.equal(stats.bwEstimate, 2_000_000);
  assert.equal(httpLoaderStats({ bytes: 8, requestedAt: 5, firstByteAt: 5, deliveredAt: 5 }).bwEstimate, 64_000);
});

test('invalid inputs are refused rather than producing NaN stats', () => {
  assert.throws(() => p2pLoaderStats({ bytes: 1, deliveredAt: 1, httpBps: 0 }), RangeError);
  assert.throws(() => p2pLoaderStats({ bytes: 1, deliveredAt: 1, httpBps: Infinity }), RangeError);
  assert.throws(() => p2pLoaderStats({ bytes: -1, deliveredAt: 1, httpBps: 1 }), RangeError);
  assert.throws(() => p2pLoaderStats({ bytes: 1, deliveredAt: 1, httpBps: 1, ttfbMs: -5 }), RangeError);
});
