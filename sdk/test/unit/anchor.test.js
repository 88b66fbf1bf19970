import assert from 'node:assert/strict';
import { test } from 'node:test';
import { askableUrl, HashAnchor } from '../../src/core/anchor.js';

const answer = (n) => ({ sha256: new Uint8Array(32).fill(n), length: n });

/** A lookup that records every URL asked and answers when the test says (or at once with `auto`). */
function lookup({ auto = null } = {}) {
  const asked = [];
  const pending = new Map();
  const fn = (url) => {
    asked.push(url);
    if (auto) return Promise.resolve(auto(url));
    return new Promise((resolve) => pending.set(url, resolve));
  };
  return { fn, asked, answer: (url, a) => pending.get(url)(a) };
}

test('concurrent asks for one segment share one lookup and its answer', async () => {
  const l = lookup();
  const anchor = new HashAnchor({ lookup: l.fn });
  const a = anchor.get('http://o/s.ts', 'http://o/s.ts?tok=1');
  const b = anchor.get('http://o/s.ts', 'http://o/s.ts?tok=2');
  assert.equal(anchor.peek('http://o/s.ts'), undefined, 'nothing known while the ask is open');
  await Promise.resolve();
  assert.deepEqual(l.asked, ['http://o/s.ts?tok=1']);
  l.answer('http://o/s.ts?tok=1', answer(3));
  assert.equal(await a, await b);
  assert.deepEqual(anchor.peek('http://o/s.ts'), answer(3));
  assert.deepEqual(await anchor.get('http://o/s.ts', 'http://o/s.ts'), answer(3));
  assert.equal(l.asked.length, 1, 'answered from the cache');
});

test('the cache is bounded, least recently used first', async () => {
  const l = lookup({ auto: (url) => answer(Number(url.match(/(\d+)\.ts/)[1])) });
  const anchor = new HashAnchor({ lookup: l.fn, maxEntries: 3 });
  for (const n of [1, 2, 3]) await anchor.get(`s${n}`, `http://o/${n}.ts`);
  await anchor.get('s1', 'http://o/1.ts'); // s1 used again: s2 is now the oldest
  await anchor.get('s4', 'http://o/4.ts');
  assert.equal(anchor.size, 3);
  assert.equal(anchor.peek('s2'), undefined);
  assert.deepEqual(anchor.peek('s1'), answer(1));
  await anchor.get('s2', 'http://o/2.ts');
  assert.equal(l.asked.filter((u) => u === 'http://o/2.ts').length, 2, 'asked again after eviction');
  assert.throws(() => new HashAnchor({ lookup: l.fn, maxEntries: 0 }), RangeError);
});

test('lasting errors are kept, momentary ones are asked again', async () => {
  const answers = { 'http://o/gone.ts': { error: 'not_found' }, 'http://o/down.ts': { error: 'origin_unavailable' } };
  const l = lookup({ auto: (url) => answers[url] });
  const anchor = new HashAnchor({ lookup: l.fn });
  assert.deepEqual(await anchor.get('gone', 'http://o/gone.ts'), { error: 'not_found' });
  assert.deepEqual(anchor.peek('gone'), { error: 'not_found' });
  assert.deepEqual(await anchor.get('down', 'http://o/down.ts'), { error: 'origin_unavailable' });
  assert.equal(anchor.peek('down'), undefined);
  await anchor.get('gone', 'http://o/gone.ts');
  await anchor.get('down', 'http://o/down.ts');
  assert.deepEqual(l.asked, ['http://o/gone.ts', 'http://o/down.ts', 'http://o/down.ts']);
});

test('a lookup that throws counts as origin_unavailable; an unaskable URL is never sent', async () => {
  const asked = [];
  const anchor = new HashAnchor({ lookup: (url) => { asked.push(url); throw new Error('socket gone'); } });
  assert.deepEqual(await anchor.get('a', 'http://o/a.ts'), { error: 'origin_unavailable' });
  assert.deepEqual(await anchor.get('b', 'blob:http://o/123'), { error: 'unsupported' });
  assert.deepEqual(anchor.peek('b'), { error: 'unsupported' }, 'known at once');
  assert.deepEqual(await anchor.get('c', `http://o/${'x'.repeat(2048)}`), { error: 'unsupported' });
  assert.deepEqual(asked, ['http://o/a.ts']);
  assert.equal(askableUrl('https://o.corp/s.ts'), true);
  assert.equal(askableUrl('/relative/s.ts'), false);
  assert.equal(askableUrl('http:///s.ts'), false);
});
