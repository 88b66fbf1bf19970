import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DownloadHealth, MAX_PAUSE_MS, PAUSE_MS, STALL_WINDOW_MS, STALLS_TO_PAUSE } from '../../src/core/download-health.js';

const OK = { result: { bytes: new Uint8Array(1), source: 'p2p' } };
const IDLE = { fail: 'idle' };
const TIMEOUT = { fail: 'timeout' };

function health() {
  let t = 0;
  const h = new DownloadHealth({ now: () => t });
  h.advance = (ms) => { t += ms; };
  return h;
}

test('stalls from several neighbours, none delivering, pause downloads for PAUSE_MS', () => {
  assert.equal(STALLS_TO_PAUSE, 3, 'the attempts below assume three');
  const h = health();
  h.record('p-a', IDLE);
  h.advance(1000);
  h.record('p-b', TIMEOUT);
  h.advance(1000);
  assert.equal(h.allowed(), true, 'two stalls are not enough');
  h.record('p-c', IDLE);
  assert.equal(h.allowed(), false);
  assert.equal(h.pauses, 1);
  h.advance(PAUSE_MS - 1);
  assert.equal(h.allowed(), false);
  h.advance(1);
  assert.equal(h.allowed(), true);
});

test('one neighbour stalling again and again is that neighbour\'s fault, not this viewer\'s', () => {
  const h = health();
  for (let i = 0; i < 6; i++) { h.record('p-a', IDLE); h.advance(500); }
  assert.equal(h.allowed(), true);
  h.record('p-b', IDLE);
  assert.equal(h.allowed(), false, 'a second neighbour stalling too pauses');
});

test('verified transfers in between keep downloads on; stalls older than the window are forgotten', () => {
  const h = health();
  for (const peer of ['p-a', 'p-b', 'p-c']) { h.record(peer, IDLE); h.record(peer, OK); h.record('p-d', OK); }
  assert.equal(h.allowed(), true, '3 stalls beside 6 deliveries');
  const g = health();
  g.record('p-a', IDLE);
  g.record('p-b', IDLE);
  g.advance(STALL_WINDOW_MS + 1);
  g.record('p-c', IDLE);
  g.record('p-d', IDLE);
  assert.equal(g.allowed(), true, 'two of the four stalls fell out of the window');
  g.record('p-e', IDLE);
  assert.equal(g.allowed(), false);
});

test('failures that say nothing about this viewer\'s transfers do not count', () => {
  const h = health();
  for (const fail of ['gone', 'busy', 'integrity', 'unverified', 'aborted', 'not_found', 'policy']) {
    for (const peer of ['p-a', 'p-b', 'p-c']) h.record(peer, { fail });
  }
  assert.equal(h.allowed(), true);
  assert.equal(h.attempts.length, 0);
});

test('a pause soon after the last one lasts twice as long, up to MAX_PAUSE_MS; a later one starts over', () => {
  const h = health();
  const stallThrice = () => { for (const peer of ['p-a', 'p-b', 'p-c']) h.record(peer, IDLE); };
  let now = 0;
  const durations = [];
  for (let i = 0; i < 6; i++) {
    stallThrice();
    durations.push(h.pausedUntil - now);
    // The next stalls come the moment this pause ends.
    h.advance(h.pausedUntil - now);
    now = h.pausedUntil;
  }
  assert.deepEqual(durations, [PAUSE_MS, 2 * PAUSE_MS, 4 * PAUSE_MS, 8 * PAUSE_MS, MAX_PAUSE_MS, MAX_PAUSE_MS]);
  h.advance(PAUSE_MS);
  stallThrice();
  assert.equal(h.lastPauseMs, PAUSE_MS, 'a pause long after the last one is the first length again');
  assert.equal(h.pauses, 7);
});

test('attempts during a pause do not extend it', () => {
  const h = health();
  for (const peer of ['p-a', 'p-b', 'p-c']) h.record(peer, IDLE);
  const until = h.pausedUntil;
  h.advance(1000);
  for (const peer of ['p-a', 'p-b', 'p-c']) h.record(peer, IDLE);
  assert.equal(h.pausedUntil, until);
  assert.equal(h.pauses, 1);
});

test('lastStalled: the last attempt with a neighbour within the window stalled', () => {
  const h = health();
  assert.equal(h.lastStalled('p-a'), false, 'never asked');
  h.record('p-a', IDLE);
  h.record('p-b', OK);
  assert.equal(h.lastStalled('p-a'), true);
  assert.equal(h.lastStalled('p-b'), false);
  h.record('p-a', OK);
  assert.equal(h.lastStalled('p-a'), false, 'it delivered since');
  h.record('p-b', TIMEOUT);
  h.advance(STALL_WINDOW_MS + 1);
  assert.equal(h.lastStalled('p-b'), false, 'a stall older than the window is forgotten');
});
