import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bufferAhead } from '../../src/core/playback.js';

const ranges = (list) => ({ length: list.length, start: (i) => list[i][0], end: (i) => list[i][1] });
const media = (currentTime, buffered, played = []) => ({ currentTime, buffered: ranges(buffered), played: ranges(played) });

test('counts the buffer from the playhead to the end of the range holding it', () => {
  assert.equal(bufferAhead(media(10, [[8, 16]], [[8, 10]])), 6);
  assert.equal(bufferAhead(media(7.95, [[8, 16]], [[0, 7.95]])), 16 - 7.95);
});

test('a playing page whose playhead sits in a gap has nothing to play', () => {
  assert.equal(bufferAhead(media(5, [[0, 4], [8, 16]], [[0, 5]])), 0);
});

test('before the first frame, the nearest range ahead of an unmoved playhead counts', () => {
  // Shaka on a live stream: currentTime stays 0 until its first segments are in.
  assert.equal(bufferAhead(media(0, [[1200, 1204]])), 4);
  assert.equal(bufferAhead(media(0, [[1208, 1210], [1200, 1204]])), 4);
});

test('before the first frame, a range behind the playhead does not count', () => {
  assert.equal(bufferAhead(media(1210, [[1200, 1204]])), 0);
});

test('no media element or no buffered ranges is no buffer', () => {
  assert.equal(bufferAhead(null), 0);
  assert.equal(bufferAhead(media(0, [])), 0);
  assert.equal(bufferAhead({ currentTime: 0 }), 0);
});
