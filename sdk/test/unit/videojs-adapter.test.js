// The Video.js adapter against Video.js itself (the npm package): requests go through VHS's own
// xhr function (its onRequest hooks, its callback wrapper that computes a segment's bandwidth).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../src/core/engine.js';
import { listedSegments, rangeOf, renditionKey, VideojsSession, wrapVideojs } from '../../src/videojs/adapter.js';
import { loadVideojs, RecordingXhr, vhsHandlerFor } from './players.js';

// VHS resolves playlist URIs against the page's location (a browser global it reads).
globalThis.location = new URL('http://page.test/');

const videojs = await loadVideojs();
const runtime = { config: {}, enabled: true, available: true, env: {}, log() {}, logOnce() {}, register() {}, unregister() {} };
wrapVideojs(videojs, runtime);

/**
 * A player stand-in (its own tech) with VHS's handler and the adapter's session, hooked on
 * `xhr-hooks-ready` as a player created by videojs() is: requests go through the player's own
 * `vhs.xhr`, after its hooks, to videojs.xhr.
 */
function playerWithVhs(src = '') {
  const player = new videojs.EventTarget();
  Object.assign(player, { duration: () => Infinity, tech: () => player, el: () => null, currentSrc: () => src, audioTracks: () => [] });
  const session = new VideojsSession(runtime, player, videojs);
  session.attach();
  const vhs = vhsHandlerFor(videojs, player);
  return { player, session, vhs };
}

/** A session whose engine is `impl` (a stand-in that records its calls). */
function setup(impl) {
  const { player, session, vhs } = playerWithVhs();
  const calls = [];
  session.engineRef = { enabled: true, calls, loadSegment: (r) => { calls.push(r); return impl(r); } };
  const request = (options) => new Promise((resolve) => {
    vhs.xhr({ responseType: 'arraybuffer', ...options }, (error, r) => resolve({ error, request: r }));
  });
  return { player, session, vhs, calls, request };
}

test('a P2P segment reaches VHS with the HTTP-modelled bandwidth, not the LAN\'s', async () => {
  const { calls, request } = setup(async () => ({ bytes: new Uint8Array([1, 2, 3]), source: 'p2p', stats: { bwEstimate: 750_000 } }));
  const { error, request: r } = await request({ uri: 'http://o.test/live/seg-5.ts?token=t', requestType: 'segment', headers: { Range: 'bytes=0-2' } });
  assert.equal(error, null);
  assert.deepEqual([...new Uint8Array(r.response)], [1, 2, 3]);
  assert.equal(r.bandwidth, 750_000, 'VHS keeps a preset bandwidth');
  assert.equal(r.requestType, 'segment');
  assert.deepEqual(calls[0].range, { first: 0, last: 2 });
  assert.equal(calls[0].live, true);
});

test('manifests and HTTP loads go to videojs.xhr, measured by VHS', async () => {
  RecordingXhr.sent.length = 0;
  const { calls, request } = setup(async (r) => ({ ...(await r.httpLoad()), source: 'http', stats: {} }));
  const manifest = request({ uri: 'http://o.test/live/manifest.mpd', requestType: 'vhs-manifest', responseType: '' });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(RecordingXhr.sent[0].url, 'http://o.test/live/manifest.mpd');
  assert.equal(calls.length, 0, 'a manifest never reaches the engine');
  RecordingXhr.sent[0].respond(200, new Uint8Array([60]));
  await manifest;
  const segment = request({ uri: 'http://o.test/live/chunk-9.m4s', requestType: 'segment' });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(RecordingXhr.sent[1].url, 'http://o.test/live/chunk-9.m4s', "the engine's HTTP load is videojs.xhr's");
  RecordingXhr.sent[1].respond(200, new Uint8Array(8));
  const { error, request: r } = await segment;
  assert.equal(error, null);
  assert.equal(r.response.byteLength, 8);
});

test("a neighbour's copy can end the engine's HTTP load under way: videojs.xhr's request is aborted and VHS gets the copy", async () => {
  RecordingXhr.sent.length = 0;
  const copy = new Uint8Array([7, 7, 7, 7]);
  let outcome = null;
  const { request } = setup(async (r) => {
    const fetching = r.httpLoad().then(() => 'completed', (e) => e.kind);
    for (let i = 0; i < 200 && RecordingXhr.sent.length === 0; i++) await new Promise((w) => setTimeout(w, 5));
    r.abortHttp();
    outcome = await fetching;
    return { bytes: copy, source: 'p2p', stats: {} };
  });
  const { error, request: r } = await request({ uri: 'http://o.test/live/chunk-11.m4s', requestType: 'segment' });
  assert.equal(outcome, 'abort');
  assert.equal(RecordingXhr.sent[0].aborted, true, 'the request no longer takes the link');
  assert.equal(error, null);
  assert.deepEqual([...new Uint8Array(r.response)], [...copy]);
});

test("the page's global VHS onRequest hooks apply to a wrapped player's requests, as they would without the SDK", async () => {
  const { vhs, calls, request } = setup(async () => ({ bytes: new Uint8Array([1]), source: 'p2p', stats: {} }));
  // VHS runs the global hooks only for a player without hooks of its own; the adapter's must not count.
  const global = (options) => ({ ...options, uri: options.uri.replace('o.test', 'cdn.test'), headers: { ...options.headers, Authorization: 'Bearer page' } });
  videojs.Vhs.xhr.onRequest(global);
  try {
    RecordingXhr.sent.length = 0;
    request({ uri: 'http://o.test/live/manifest.m3u8', requestType: 'vhs-manifest', responseType: '' });
    assert.equal(RecordingXhr.sent[0].url, 'http://cdn.test/live/manifest.m3u8');
    assert.equal(RecordingXhr.sent[0].headers.Authorization, 'Bearer page');
    await request({ uri: 'http://o.test/live/seg-7.ts', requestType: 'segment' });
    assert.equal(calls.length, 1, 'a segment still goes through the mesh when a global hook returns new options');
    assert.equal(calls[0].url, 'http://cdn.test/live/seg-7.ts');

    // A hook the page adds to the player itself replaces the global ones, as VHS has it.
    vhs.xhr.onRequest((options) => ({ ...options, headers: { ...options.headers, 'X-Player': '1' } }));
    RecordingXhr.sent.length = 0;
    request({ uri: 'http://o.test/live/manifest.m3u8', requestType: 'vhs-manifest', responseType: '' });
    assert.equal(RecordingXhr.sent[0].url, 'http://o.test/live/manifest.m3u8');
    assert.deepEqual(RecordingXhr.sent[0].headers, { 'X-Player': '1' });
  } finally {
    videojs.Vhs.xhr.offRequest(global);
  }
});

test('Range headers name byte ranges', () => {
  assert.deepEqual(rangeOf({ Range: 'bytes=772-51186' }), { first: 772, last: 51186 });
  assert.equal(rangeOf({}), undefined);
});

// ---- what the adapter tells the engine from VHS's playlist loader ----

const flush = () => new Promise((r) => setTimeout(r, 5));

/** Answers VHS's pending request for `url` with `text`. */
async function answer(url, text) {
  await flush();
  const x = RecordingXhr.sent.find((s) => s.url === url && !s.status);
  assert.ok(x, `VHS asked for ${url}`);
  x.responseText = text;
  x.readyState = 4;
  x.respond(200, new TextEncoder().encode(text));
  await flush();
}

/** A session on a player whose VHS has a real PlaylistLoader for `src`; the engine is real (never started). */
function listing(src) {
  const { player, session, vhs } = playerWithVhs(src);
  vhs.playlists = new videojs.Vhs.PlaylistLoader(src, vhs, {});
  const engine = new Engine({ signalingUrl: 'ws://appliance.test/ws', stream: src.split('?')[0] });
  session.engineRef = engine;
  const listed = [];
  const onPlaylist = engine.onPlaylist.bind(engine);
  engine.onPlaylist = (p) => { listed.push(p); onPlaylist(p); };
  const loads = [];
  engine.loadSegment = async (r) => { loads.push(r); return { bytes: new Uint8Array(1), source: 'p2p', stats: {} }; };
  /** Requests `segment` through the player's VHS xhr as VHS's media-segment-request.js does. */
  const loadAsVhs = (segment) => {
    const headers = segment.byterange ? { Range: `bytes=${segment.byterange.offset}-${segment.byterange.offset + segment.byterange.length - 1}` } : {};
    return new Promise((resolve) => vhs.xhr({ uri: segment.resolvedUri, responseType: 'arraybuffer', requestType: 'segment', headers }, resolve));
  };
  return { player, vhs, loader: vhs.playlists, engine, listed, loads, loadAsVhs };
}

const live = (first, count) => ['#EXTM3U', '#EXT-X-TARGETDURATION:2', `#EXT-X-MEDIA-SEQUENCE:${first}`,
  ...Array.from({ length: count }, (_, i) => `#EXTINF:2.000,\nseg-${first + i}.ts?token=t`)].join('\n');

test('a live media playlist is listed on every refresh, with the ids its segment loads compute', async () => {
  const src = 'http://o.test/live/media.m3u8?token=t';
  const { loader, engine, listed, loads, loadAsVhs } = listing(src);
  loader.load();
  await answer(src, live(10, 3));
  assert.equal(listed.length, 1);
  assert.equal(listed[0].live, true);
  assert.deepEqual(listed[0].segments.map((s) => s.sequence), [10, 11, 12]);
  assert.deepEqual(listed[0].segments.map((s) => s.durationS), [2, 2, 2]);
  for (const segment of loader.media().segments) await loadAsVhs(segment);
  assert.deepEqual(loads.map((l) => engine.segmentId(l.url, l.range)), listed[0].segments.map((s) => engine.segmentId(s.url, s.range)));
  assert.equal(loads[0].track, undefined, 'the engine files the segment under the listed track');
  assert.equal(engine.known.get('http://o.test/live/seg-10.ts').track, listed[0].track);

  const before = new Set(engine.known.keys());
  loader.trigger('mediaupdatetimeout');
  await answer(src, live(12, 3));
  assert.equal(listed.length, 2);
  assert.deepEqual(listed[1].segments.map((s) => s.sequence), [12, 13, 14]);
  const added = [...engine.known.keys()].filter((id) => !before.has(id));
  assert.deepEqual(added, ['http://o.test/live/seg-13.ts', 'http://o.test/live/seg-14.ts'], 'a refresh adds only the new segments');
  assert.deepEqual([...engine.known.keys()], ['http://o.test/live/seg-12.ts', ...added], 'segments that left the playlist are forgotten');
  loader.dispose();
  engine.destroy();
});

test('a rendition is told by its place in the multivariant playlist, not by VHS\'s id with its URL', async () => {
  const src = 'http://o.test/live/a-long-path-as-portals-have-it/event-2026-12-07-town-hall/master.m3u8?token=t';
  const { loader, engine, listed } = listing(src);
  loader.load();
  // Absolute URIs with a viewer's token, as portals write them.
  const uri = (name) => `http://o.test/live/a-long-path-as-portals-have-it/event-2026-12-07-town-hall/${name}/media.m3u8?token=t`;
  await answer(src, ['#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=400000', uri('low'), '#EXT-X-STREAM-INF:BANDWIDTH=900000', uri('high')].join('\n'));
  const high = loader.main.playlists[1];
  assert.ok(high.id.length > 64, 'VHS\'s id carries the playlist\'s URI');
  loader.media(high);
  await answer(high.resolvedUri, live(10, 3));
  assert.equal(listed.at(-1).track, 'main:1');
  assert.equal(engine.renditions.playing.get('main'), 'main:1', 'the key is short enough to be told');
  loader.dispose();
  engine.destroy();
});

test('audio renditions are told by their place among the manifest\'s audio playlists', () => {
  const a = { id: '0-placeholder-uri-AUDIO-audio-en' };
  const b = { id: '0-placeholder-uri-AUDIO-audio-fr' };
  const main = { mediaGroups: { AUDIO: { audio: { en: { playlists: [a] }, fr: { playlists: [b] } } } } };
  const all = Object.values(main.mediaGroups.AUDIO.audio).flatMap((r) => r.playlists);
  assert.equal(renditionKey('audio', all, b), 'audio:1');
  assert.equal(renditionKey('main', [], a), `main:${a.id}`, 'a playlist the list lacks keeps VHS\'s id');
});

test('a VOD playlist with byte ranges is listed once, ranges as VHS requests them', async () => {
  const src = 'http://o.test/vod/media.m3u8';
  const { player, loader, engine, listed, loads, loadAsVhs } = listing(src);
  loader.load();
  await answer(src, ['#EXTM3U', '#EXT-X-TARGETDURATION:4', '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXTINF:4.0,', '#EXT-X-BYTERANGE:1000@0', 'video.ts', '#EXTINF:4.0,', '#EXT-X-BYTERANGE:1500@1000', 'video.ts', '#EXT-X-ENDLIST'].join('\n'));
  player.trigger('mediachange');
  loader.trigger('loadedplaylist');
  assert.equal(listed.length, 1, 'VOD lists once');
  assert.equal(listed[0].live, false);
  assert.deepEqual(listed[0].segments.map((s) => s.range), [{ first: 0, last: 999 }, { first: 1000, last: 2499 }]);
  for (const segment of loader.media().segments) await loadAsVhs(segment);
  assert.deepEqual(loads.map((l) => engine.segmentId(l.url, l.range)), listed[0].segments.map((s) => engine.segmentId(s.url, s.range)));
  loader.dispose();
  engine.destroy();
});

test('a segment without a resolved URI is not listed', () => {
  assert.deepEqual(listedSegments({ mediaSequence: 3, segments: [{ duration: 2 }, { resolvedUri: 'http://o.test/a.ts', duration: 2 }] }),
    [{ url: 'http://o.test/a.ts', range: undefined, sequence: 4, durationS: 2 }]);
});
