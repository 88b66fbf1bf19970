import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fnv1a, leaderWeight, rankLeaders } from '../../src/core/leaders.js';

test('fnv1a matches the published test vectors shared with the appliance', () => {
  assert.equal(fnv1a(''), 0x811c9dc5);
  assert.equal(fnv1a('a'), 0xe40c292c);
  assert.equal(fnv1a('foobar'), 0xbf9cf968);
});

test('weights of seg-42.ts match the vectors', () => {
  assert.equal(leaderWeight('seg-42.ts', 'peer-a'), 0x307c0234);
  assert.equal(leaderWeight('seg-42.ts', 'peer-b'), 0x337c06ed);
  assert.equal(leaderWeight('seg-42.ts', 'peer-c'), 0x327c055a);
});

test('leaders rank by weight, highest first, whatever the input order', () => {
  assert.deepEqual(rankLeaders('seg-42.ts', ['peer-a', 'peer-b', 'peer-c']), ['peer-b', 'peer-c', 'peer-a']);
  assert.deepEqual(rankLeaders('seg-42.ts', ['peer-c', 'peer-a', 'peer-b']), ['peer-b', 'peer-c', 'peer-a']);
  assert.deepEqual(rankLeaders('seg-42.ts', new Set(['peer-a'])), ['peer-a']);
  assert.deepEqual(rankLeaders('seg-42.ts', []), []);
});

test('the weight hashes UTF-8, not UTF-16 code units', () => {
  // "é" is 0xC3 0xA9 in UTF-8
  let h = 0x811c9dc5;
  for (const b of [...Buffer.from('seg-7|p'), 0xc3, 0xa9]) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  assert.equal(leaderWeight('seg-7', 'pé'), h);
});

test('equal weights rank by the smaller peer id', () => {
  // A real FNV-1a collision for this segment, found by search.
  assert.equal(leaderWeight('seg-1.ts', 'p1032789'), 0x7522ba0b);
  assert.equal(leaderWeight('seg-1.ts', 'p1629192'), 0x7522ba0b);
  assert.deepEqual(rankLeaders('seg-1.ts', ['p1629192', 'p1032789']), ['p1032789', 'p1629192']);
  assert.deepEqual(rankLeaders('seg-1.ts', ['p1032789', 'p1629192']), ['p1032789', 'p1629192']);
});

test('a leader leaving only moves the segments it was primary for', () => {
  const all = ['p1', 'p2', 'p3', 'p4'];
  for (let i = 0; i < 200; i++) {
    const seg = `seg-${i}.ts`;
    const before = rankLeaders(seg, all)[0];
    const after = rankLeaders(seg, all.filter((p) => p !== 'p3'))[0];
    if (before !== 'p3') assert.equal(after, before);
  }
});
