import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CRAWL_FACTOR, crawled } from '../../src/core/peer-attempt.js';

const IDLE = 2000;

test('a transfer cut at its deadline crawled when its pace would not deliver the segment in the time it plays', () => {
  const t = { idleTimeoutMs: IDLE, length: 80_000, durationMs: 6000 };
  assert.equal(crawled({ ...t, elapsedMs: 3000, received: 30_000 }), true, '30 kB in 3 s: 8 s for a 6 s segment');
  assert.equal(crawled({ ...t, elapsedMs: 3000, received: 50_000 }), false, '50 kB in 3 s: 4.8 s, under the 6 s it plays');
  assert.equal(crawled({ ...t, elapsedMs: 3000, received: 40_000 }), false, 'exactly its duration is not a crawl');
  assert.equal(crawled({ ...t, elapsedMs: 4000, received: 1 }), true, 'a byte now and then: dripping');
  assert.equal(crawled({ ...t, elapsedMs: 4000, received: 0 }), true, 'nothing at all');
  assert.equal(crawled({ ...t, elapsedMs: 4000, received: 0, length: -1 }), true, 'not even the response start');
});

test('a deadline shorter than the idle timeout says nothing of the neighbour', () => {
  assert.equal(crawled({ idleTimeoutMs: IDLE, length: 80_000, elapsedMs: IDLE - 1, received: 0 }), false);
  assert.equal(crawled({ idleTimeoutMs: IDLE, length: -1, elapsedMs: 300, received: 0 }), false);
});

test('short or unlisted segments are held to CRAWL_FACTOR idle timeouts for the whole segment', () => {
  const wholeMs = CRAWL_FACTOR * IDLE;
  const t = { idleTimeoutMs: IDLE, length: 100_000, elapsedMs: 2000 };
  assert.equal(crawled({ ...t, received: 100_000 * (2000 / wholeMs) + 1 }), false, 'on pace for the whole in time');
  assert.equal(crawled({ ...t, received: 100_000 * (2000 / wholeMs) - 1 }), true);
  assert.equal(crawled({ ...t, durationMs: 1000, received: 40_000 }), true, 'a 1 s segment still gets the floor, not less');
});
