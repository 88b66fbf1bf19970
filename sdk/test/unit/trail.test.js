// The VOD player's last segment per rendition (core/trail.js), which the segment loader asks the
// neighbours about: who got it before this viewer plays ahead of it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Trail } from '../../src/core/trail.js';

const seg = (n, extra) => ({ segmentId: `v/${n}.ts`, live: false, track: 'main:0', sequence: n, ...extra });

test('the previous segment is the one got just before, on the same rendition, with when', () => {
  const t = new Trail();
  assert.equal(t.previous(seg(1)), undefined, 'nothing got yet');
  t.got(seg(1), 1000);
  assert.deepEqual(t.previous(seg(2)), { id: 'v/1.ts', sequence: 1, atMs: 1000 });
  t.got(seg(2), 1400);
  assert.deepEqual(t.previous(seg(3)), { id: 'v/2.ts', sequence: 2, atMs: 1400 });
  assert.equal(t.previous(seg(3, { track: 'main:1' })), undefined, 'another rendition has its own line');
});

test('a seek, a repeated ask, a live stream or a request without a rendition has no previous segment', () => {
  const t = new Trail();
  t.got(seg(10), 1000);
  assert.equal(t.previous(seg(40)), undefined, 'a seek forward');
  assert.equal(t.previous(seg(9)), undefined, 'a seek back');
  assert.equal(t.previous(seg(10)), undefined, 'the same segment again');
  assert.equal(t.previous(seg(11, { live: true })), undefined);
  assert.equal(t.previous(seg(11, { track: undefined })), undefined);
  // without sequence numbers the order of asks is all there is
  t.got({ segmentId: 'a.m4s', live: false, track: 'video' }, 2000);
  assert.deepEqual(t.previous({ segmentId: 'b.m4s', live: false, track: 'video' }), { id: 'a.m4s', sequence: undefined, atMs: 2000 });
  // live loads are not recorded
  t.got(seg(11, { live: true }), 3000);
  assert.deepEqual(t.previous(seg(11)), { id: 'v/10.ts', sequence: 10, atMs: 1000 });
});
