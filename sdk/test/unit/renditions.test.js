import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TRACKS, Renditions } from '../../src/core/renditions.js';

function renditions({ connected = true } = {}) {
  const told = [];
  const r = new Renditions({ send: (tracks) => connected && told.push(tracks) > 0 });
  return { r, told };
}

test('the appliance hears each live rendition the player loads, one per kind, and a switch replaces it', () => {
  const { r, told } = renditions();
  r.listed({ live: true, track: 'main:2' });
  r.listed({ live: true, track: 'main:2' });
  r.listed({ live: true, track: 'audio:0' });
  r.listed({ live: true, track: 'main:1' });
  assert.deepEqual(told, [['main:2'], ['audio:0', 'main:2'], ['audio:0', 'main:1']]);
  r.listed({ live: false, track: 'main:0' });
  assert.equal(told.length, 3, 'a VOD playlist has no leaders');
});

test('keys the appliance would refuse are not told, nor more kinds than it takes', () => {
  const { r, told } = renditions();
  for (const track of ['', 'main 1', 'x'.repeat(65), 'a\u0000b', undefined, 7]) r.listed({ live: true, track });
  assert.deepEqual(told, []);
  for (let i = 0; i <= MAX_TRACKS; i++) r.listed({ live: true, track: `kind${i}:0` });
  assert.equal(told.at(-1).length, MAX_TRACKS);
});

test('a new session tells the renditions again; one not connected tells them when it joins', () => {
  const state = { connected: false };
  const told = [];
  const r = new Renditions({ send: (tracks) => state.connected && told.push(tracks) > 0 });
  r.listed({ live: true, track: 'main:0' });
  assert.deepEqual(told, []);
  state.connected = true;
  r.joined();
  r.joined();
  assert.deepEqual(told, [['main:0'], ['main:0']]);
});

test('a rendition with leaders of its own follows them, any other the site\'s; malformed lists are dropped', () => {
  const { r } = renditions();
  assert.deepEqual(r.heard({ leaders: ['p-a', 7, 'p-b'], tracks: { 'main:0': ['p-c'], 'main:1': 'p-d', 'main:2': [] } }), ['p-a', 'p-b']);
  assert.deepEqual(r.leadersOf('main:0'), ['p-c']);
  assert.deepEqual(r.leadersOf('main:1'), ['p-a', 'p-b'], 'not a list: the site\'s leaders');
  assert.deepEqual(r.leadersOf('main:2'), ['p-a', 'p-b']);
  assert.deepEqual(r.leadersOf(undefined), ['p-a', 'p-b']);
  assert.ok(r.leads('p-c') && r.leads('p-a') && !r.leads('p-d'));
  r.heard({ leaders: 'nonsense', tracks: ['main:0'] });
  assert.deepEqual(r.leadersOf('main:0'), []);
  assert.equal(r.leads('p-c'), false, 'a new message replaces every list');
});
