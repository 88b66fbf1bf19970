import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StartBuffer } from '../../src/core/start-buffer.js';

const seg = (n, extra = {}) => ({ segmentId: `s${n}`, track: 'video:1', sequence: n, durationS: 2, ...extra });

test('each ask counts the earlier segments of its rendition, all but the first', () => {
  const b = new StartBuffer();
  assert.equal(b.aheadS(seg(10)), 0);
  assert.equal(b.aheadS(seg(11)), 0, 'the player may start part-way into the first');
  assert.equal(b.aheadS(seg(12)), 2);
  assert.equal(b.aheadS(seg(13, { durationS: 1.5 })), 4);
  assert.equal(b.aheadS(seg(14)), 5.5);
});

test('an ask again for the same segment counts what was ahead of it the first time', () => {
  const b = new StartBuffer();
  for (const n of [10, 11, 12, 13]) b.aheadS(seg(n));
  assert.equal(b.aheadS(seg(12)), 2);
});

test('renditions count apart; init segments count nothing', () => {
  const b = new StartBuffer();
  assert.equal(b.aheadS({ segmentId: 'init', track: 'video:1' }), 0);
  b.aheadS(seg(10));
  b.aheadS(seg(11));
  assert.equal(b.aheadS(seg(10, { segmentId: 'a10', track: 'audio:2' })), 0);
  assert.equal(b.aheadS(seg(12)), 2);
});

test('going back starts a new run; clear forgets everything', () => {
  const b = new StartBuffer();
  for (const n of [10, 11, 12]) b.aheadS(seg(n));
  assert.equal(b.aheadS(seg(4)), 0, 'a seek back');
  assert.equal(b.aheadS(seg(5)), 0);
  assert.equal(b.aheadS(seg(6)), 2);
  b.clear();
  assert.equal(b.aheadS(seg(7)), 0);
});

test('since when the player holds every segment it asked for before one: the last delivery, -Infinity for a run\'s first', () => {
  const b = new StartBuffer();
  b.aheadS(seg(10));
  assert.equal(b.heldAllBeforeSince(seg(10)), -Infinity, 'nothing earlier is on its way');
  b.aheadS(seg(11));
  assert.equal(b.heldAllBeforeSince(seg(11)), null, 'the first is still on its way');
  b.delivered(seg(10), 100);
  assert.equal(b.heldAllBeforeSince(seg(11)), 100);
  b.aheadS(seg(12));
  assert.equal(b.heldAllBeforeSince(seg(12)), null, 'the second is on its way');
  b.delivered(seg(11), 250);
  b.delivered(seg(11), 900); // delivered again (a retry): the first delivery counts
  assert.equal(b.heldAllBeforeSince(seg(12)), 250);
  assert.equal(b.heldAllBeforeSince(seg(11, { track: 'audio:2' })), -Infinity, 'another rendition has nothing on its way');
  b.delivered(seg(99), 1); // never asked for: nothing to note
  b.clear();
  assert.equal(b.heldAllBeforeSince(seg(12)), -Infinity);
});
