import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FILL_AHEAD_S, FILL_RATE, FillPace } from '../../src/core/fill-pace.js';

const vod = (over = {}) => ({ live: false, bufferS: FILL_AHEAD_S + 0.5, durationS: 2, track: 'main:0', ...over });

test('a playing VOD player with the threshold ahead gets its segments a duration / rate apart', () => {
  const pace = new FillPace();
  const gap = (2 * 1000) / FILL_RATE;
  assert.equal(pace.turn(vod(), true, 1000), 1000, 'the first paced segment starts at once');
  assert.equal(pace.turn(vod(), true, 1100), 1000 + gap, 'the next waits for its turn');
  assert.equal(pace.turn(vod(), true, 1200), 1000 + 2 * gap, 'and the one after books the turn after');
  assert.equal(pace.turn(vod({ durationS: 4 }), true, 5000), 5000, 'a turn already past: at once');
  assert.equal(pace.turn(vod(), true, 5100), 5000 + 4000 / FILL_RATE, 'spaced by the duration of the segment before');
});

test('what is never paced: live, a starting player, a buffer under the threshold, a segment without a duration', () => {
  const pace = new FillPace();
  pace.turn(vod(), true, 0);
  assert.equal(pace.turn(vod({ live: true, bufferS: 60 }), true, 10), 10, 'live');
  assert.equal(pace.turn(vod({ bufferS: 60 }), false, 10), 10, 'the player has not played yet');
  assert.equal(pace.turn(vod({ bufferS: FILL_AHEAD_S }), true, 10), 10, 'no more ahead than the threshold (after a seek, say)');
  assert.equal(pace.turn(vod({ durationS: undefined }), true, 10), 10, 'an init segment');
  assert.equal(pace.turn(vod({ bufferS: undefined }), true, 10), 10, 'a player that does not say what it holds');
});

test('each rendition keeps its own turns', () => {
  const pace = new FillPace({ aheadS: 10, rate: 4 });
  assert.equal(pace.turn(vod({ track: 'main:0' }), true, 0), 0);
  assert.equal(pace.turn(vod({ track: 'audio:1' }), true, 0), 0, 'the audio rendition is not behind the video');
  assert.equal(pace.turn(vod({ track: 'main:0' }), true, 0), 500);
});
