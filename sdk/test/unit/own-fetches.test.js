// This viewer's HTTP fetches as its neighbours hear of them (core/own-fetches.js): told when they
// start, told again while they make progress, silent once stuck.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_OWN_FETCHES, OwnFetches, PROGRESS_EVERY_MS } from '../../src/core/own-fetches.js';
import { FakeTimers } from './fakes.js';

function own() {
  const timers = new FakeTimers();
  const sent = [];
  const o = new OwnFetches({ timers, send: (ids) => sent.push([timers.now(), ...ids]) });
  return { o, timers, sent };
}

test('a fetch is told when it starts, again every PROGRESS_EVERY_MS while its bytes grow, and no more once stuck or ended', () => {
  const { o, timers, sent } = own();
  let loaded = 0;
  o.started('s1', () => loaded);
  assert.deepEqual(sent, [[0, 's1']]);
  loaded = 10_000;
  timers.advance(PROGRESS_EVERY_MS);
  loaded = 30_000;
  timers.advance(PROGRESS_EVERY_MS);
  assert.deepEqual(sent, [[0, 's1'], [500, 's1'], [1000, 's1']]);
  // stuck: nothing new comes in, nothing is told
  timers.advance(3 * PROGRESS_EVERY_MS);
  assert.equal(sent.length, 3);
  loaded = 40_000;
  timers.advance(PROGRESS_EVERY_MS);
  assert.deepEqual(sent.at(-1), [3000, 's1']);
  o.ended('s1');
  assert.equal(timers.pending(), 0, 'no timer left once nothing is under way');
  assert.deepEqual(o.ids(), []);
});

test('a fetch whose loader cannot say how far it is is told once, and keeps no timer', () => {
  const { o, timers, sent } = own();
  o.started('s1');
  assert.equal(timers.pending(), 0);
  assert.deepEqual(o.ids(), ['s1']);
  assert.deepEqual(sent, [[0, 's1']]);
  // a meter that throws or answers nonsense tells nothing
  o.started('s2', () => { throw new Error('gone'); });
  o.started('s3', () => 'many');
  timers.advance(2 * PROGRESS_EVERY_MS);
  assert.deepEqual(sent, [[0, 's1'], [0, 's2'], [0, 's3']]);
});

test('two fetches of one segment end when both did; at most MAX_OWN_FETCHES are kept, the latest', () => {
  const { o } = own();
  o.started('s1');
  o.started('s1');
  o.ended('s1');
  assert.deepEqual(o.ids(), ['s1'], 'the second is still under way');
  o.ended('s1');
  assert.deepEqual(o.ids(), []);
  o.ended('s1');
  for (let i = 0; i < MAX_OWN_FETCHES + 4; i++) o.started(`f${i}`);
  assert.equal(o.size, MAX_OWN_FETCHES);
  assert.equal(o.ids()[0], 'f4');
});
