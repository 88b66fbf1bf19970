import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SegmentStore } from '../../src/core/segment-store.js';

const hash = new Uint8Array(32);
const bytes = (n) => new Uint8Array(n);
const live = (stream, sequence) => ({ stream, sequence, sha256: hash });

test('put, has, get, meta and ids', () => {
  const s = new SegmentStore({ maxBytes: 1000 });
  assert.equal(s.put('a', bytes(100), live('v', 1)), true);
  assert.equal(s.has('a'), true);
  assert.equal(s.has('b'), false);
  assert.equal(s.get('a').bytes.length, 100);
  assert.deepEqual(s.meta('a'), { stream: 'v', sequence: 1, sha256: hash, length: 100 });
  assert.equal(s.get('b'), undefined);
  assert.deepEqual(s.ids(), ['a']);
  assert.equal(s.bytesUsed, 100);
});

test('the byte cap is never exceeded', () => {
  const s = new SegmentStore({ maxBytes: 1000 });
  for (let i = 0; i < 50; i++) {
    s.put(`s${i}`, bytes(90 + (i % 7) * 10), live('v', i));
    assert.ok(s.bytesUsed <= 1000);
  }
  assert.equal(s.bytesUsed, s.ids().reduce((n, id) => n + s.meta(id).length, 0));
});

test('a segment larger than the cap is refused without evicting anything', () => {
  const s = new SegmentStore({ maxBytes: 1000 });
  s.put('a', bytes(500), live('v', 1));
  assert.equal(s.put('huge', bytes(1001), live('v', 2)), false);
  assert.deepEqual(s.ids(), ['a']);
});

test('least recently used goes first when nothing is outside the live window', () => {
  const s = new SegmentStore({ maxBytes: 300 });
  const evicted = [];
  s.on('evict', (e) => evicted.push([e.id, e.reason]));
  s.put('a', bytes(100), live('v', 1));
  s.put('b', bytes(100), live('v', 2));
  s.put('c', bytes(100), live('v', 3));
  s.get('a'); // a is now the most recent
  s.put('d', bytes(100), live('v', 4));
  assert.deepEqual(evicted, [['b', 'lru']]);
  assert.deepEqual(s.ids(), ['c', 'a', 'd']);
});

test('segments below the live window are evicted before recently used ones, oldest first', () => {
  const s = new SegmentStore({ maxBytes: 400 });
  const evicted = [];
  s.on('evict', (e) => evicted.push([e.id, e.reason]));
  s.put('vod', bytes(100), { stream: 'other', index: 3, sha256: hash });
  s.put('s11', bytes(100), live('v', 11));
  s.put('s10', bytes(100), live('v', 10));
  s.put('s12', bytes(100), live('v', 12));
  s.get('s10'); s.get('s11'); // recently used, but out of the window soon
  s.setLiveWindow('v', 12);
  assert.equal(s.ids().length, 4, 'nothing is evicted until room is needed');
  s.put('s13', bytes(100), live('v', 13));
  assert.deepEqual(evicted, [['s10', 'live-window']]);
  s.put('s14', bytes(150), live('v', 14));
  assert.deepEqual(evicted, [['s10', 'live-window'], ['s11', 'live-window'], ['vod', 'lru']]);
  assert.deepEqual(s.ids().sort(), ['s12', 's13', 's14']);
});

test('the live window is per stream', () => {
  const s = new SegmentStore({ maxBytes: 200 });
  const evicted = [];
  s.on('evict', (e) => evicted.push(e.id));
  s.put('a5', bytes(100), live('a', 5));
  s.put('b5', bytes(100), live('b', 5));
  s.setLiveWindow('b', 6);
  s.put('a6', bytes(100), live('a', 6));
  assert.deepEqual(evicted, ['b5']);
});

test('add and evict events carry id and metadata; unsubscribe works', () => {
  const s = new SegmentStore({ maxBytes: 100 });
  const seen = [];
  const off = s.on('add', (e) => seen.push(['add', e.id, e.meta.length]));
  s.on('evict', (e) => seen.push(['evict', e.id, e.reason]));
  s.put('a', bytes(60), live('v', 1));
  s.put('a', bytes(50), live('v', 1));
  s.put('b', bytes(60), live('v', 2));
  off();
  s.put('c', bytes(10), live('v', 3));
  s.delete('c');
  assert.deepEqual(seen, [
    ['add', 'a', 60], ['evict', 'a', 'replaced'], ['add', 'a', 50],
    ['evict', 'a', 'lru'], ['add', 'b', 60], ['evict', 'c', 'deleted'],
  ]);
  assert.equal(s.delete('nope'), false);
});

test('destroy empties the store silently', () => {
  const s = new SegmentStore({ maxBytes: 100 });
  let evictions = 0;
  s.on('evict', () => evictions++);
  s.put('a', bytes(10), live('v', 1));
  s.destroy();
  assert.equal(s.has('a'), false);
  assert.equal(s.bytesUsed, 0);
  assert.equal(evictions, 0);
  assert.throws(() => new SegmentStore({ maxBytes: 0 }), RangeError);
});

test('sha256(id) hashes a segment kept without one on first use, keeps it, and shares one computation', async () => {
  const store = new SegmentStore();
  const bytes = new Uint8Array(5000).map((_, i) => i * 13);
  store.put('a', bytes, { stream: 's' });
  const one = store.sha256('a');
  const two = store.sha256('a');
  assert.equal(one, two, 'concurrent callers share one computation');
  const expected = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
  assert.deepEqual(await one, expected);
  assert.deepEqual(store.meta('a').sha256, expected);
  const known = new Uint8Array(32).fill(7);
  store.put('b', bytes, { stream: 's', sha256: known });
  assert.equal(await store.sha256('b'), known, 'a hash the segment came with is used as it is');
  assert.equal(store.sha256('missing'), undefined);
});
