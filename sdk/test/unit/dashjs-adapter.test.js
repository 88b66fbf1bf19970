// The dash.js adapter against dash.js itself (the npm package): its MediaPlayer, its class
// factory and its own XHRLoader, which the adapter extends the way HTTPLoader will use it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DashSession, isShareable, parseRange, wrapDashjs } from '../../src/dashjs/adapter.js';
import { loadDashjs, RecordingXhr } from './players.js';

const dashjs = await loadDashjs();

function runtime(extra = {}) {
  const registered = new Set();
  return {
    config: { upload: true }, signalingUrl: 'ws://appliance.test/ws', version: 'test', enabled: true, available: true,
    env: {}, log() {}, logOnce() {}, register: (s) => registered.add(s), unregister: (s) => registered.delete(s), registered, ...extra,
  };
}

/** A real dash.js player with the adapter attached, and dash.js's XHRLoader as that player's HTTPLoader would create it. */
function playerWithLoader(engine) {
  const player = dashjs.MediaPlayer().create();
  const extensions = [];
  const extend = player.extend;
  player.extend = (name, child, override) => { extensions.push({ name, child, override }); return extend(name, child, override); };
  const session = new DashSession(runtime(), player, dashjs.MediaPlayer.events);
  session.attach();
  session.engineRef = engine;
  const [ext] = extensions;
  const context = {};
  dashjs.FactoryMaker.extend(ext.name, ext.child, ext.override, context);
  const loader = dashjs.FactoryMaker.getClassFactoryByName('XHRLoader')(context).create();
  return { player, session, loader, ext };
}

/** A CommonMediaRequest as HTTPLoader builds it, with the callbacks it sets. */
function request(type, url, { range, mediaType = 'video' } = {}) {
  const log = [];
  const r = { type, url, mediaType, duration: 2, bandwidth: 240_000, index: 7, responseType: 'arraybuffer', representation: { id: 'v1' } };
  if (range) r.range = range;
  const req = {
    method: 'GET', url, responseType: type === 'MPD' ? 'text' : 'arraybuffer', headers: range ? { Range: `bytes=${range}` } : {},
    credentials: 'omit', timeout: 0,
    customData: {
      request: r,
      onloadend: () => log.push('loadend'), onprogress: () => log.push('progress'), onabort: () => log.push('abort'),
    },
  };
  return { req, resp: { request: req, resourceTiming: {}, status: 0 }, log };
}

function engine(impl) {
  const calls = [];
  return { enabled: true, calls, loadSegment: (r) => { calls.push(r); return impl(r); } };
}

const until = async (cond) => { for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5)); assert.ok(cond()); };

test('the wrapped namespace keeps dash.js whole and is wrapped once', () => {
  const rt = runtime();
  const wrapped = wrapDashjs(dashjs, rt);
  assert.notEqual(wrapped.MediaPlayer, dashjs.MediaPlayer);
  assert.equal(wrapped.MediaPlayer.events, dashjs.MediaPlayer.events);
  assert.equal(wrapped.FactoryMaker, dashjs.FactoryMaker);
  assert.equal(wrapDashjs(wrapped, rt), wrapped);
  const player = wrapped.MediaPlayer().create();
  assert.equal(typeof player.initialize, 'function');
  assert.equal(rt.registered.size, 1, 'one session per player');
  const off = runtime({ available: false });
  wrapDashjs(dashjs, off).MediaPlayer().create();
  assert.equal(off.registered.size, 0, 'without WebRTC the player is left alone');
});

test("the adapter extends dash.js's XHRLoader, which keeps its own load for manifests", () => {
  const { loader, ext } = playerWithLoader(engine(() => assert.fail('a manifest never reaches the engine')));
  assert.deepEqual([ext.name, ext.override], ['XHRLoader', true]);
  assert.equal(typeof loader.abort, 'function', "dash.js's own abort is kept");
  RecordingXhr.sent.length = 0;
  const { req, resp } = request('MPD', 'http://o.test/live/manifest.mpd');
  loader.load(req, resp);
  assert.equal(RecordingXhr.sent.length, 1);
  assert.equal(RecordingXhr.sent[0].url, 'http://o.test/live/manifest.mpd', "dash.js's XHRLoader sent it");
});

test('a byte-range media segment comes from the engine, filled in as dash.js expects, with no ABR sample', async () => {
  const bytes = new Uint8Array([5, 6, 7, 8, 9]);
  const eng = engine(async () => ({ bytes, source: 'p2p', stats: {} }));
  const { loader } = playerWithLoader(eng);
  const { req, resp, log } = request('MediaSegment', 'http://o.test/vod/video.mp4', { range: '772-776' });
  loader.load(req, resp);
  await until(() => log.includes('loadend'));
  const [call] = eng.calls;
  assert.equal(call.url, 'http://o.test/vod/video.mp4');
  assert.deepEqual(call.range, { first: 772, last: 776 });
  assert.equal(call.track, 'video:v1');
  assert.equal(call.sizeBytes, 60_000);
  assert.equal(resp.status, 200);
  assert.deepEqual([...new Uint8Array(resp.data)], [...bytes]);
  assert.notEqual(resp.data, bytes.buffer, 'dash.js gets a copy; the engine keeps its bytes for neighbours');
  assert.deepEqual(log, ['loadend'], 'no progress event: P2P adds no throughput sample to dash.js ABR');
});

test("the engine's HTTP load is a real request whose progress dash.js measures", async () => {
  RecordingXhr.sent.length = 0;
  const eng = engine(async (r) => {
    const result = await r.httpLoad();
    return { bytes: result.bytes, source: 'http', stats: {} };
  });
  const { loader } = playerWithLoader(eng);
  const { req, resp, log } = request('InitializationSegment', 'http://o.test/live/init.mp4?token=a');
  loader.load(req, resp);
  await until(() => RecordingXhr.sent.length === 1);
  RecordingXhr.sent[0].respond(200, new Uint8Array([1, 2, 3]));
  await until(() => log.includes('loadend'));
  assert.deepEqual(log, ['progress', 'loadend']);
  assert.equal(resp.data.byteLength, 3);
});

test('an HTTP failure reaches dash.js as its own would; an engine failure falls back to plain HTTP', async () => {
  RecordingXhr.sent.length = 0;
  const failing = playerWithLoader(engine(async (r) => r.httpLoad()));
  const a = request('MediaSegment', 'http://o.test/live/chunk-9.m4s');
  failing.loader.load(a.req, a.resp);
  await until(() => RecordingXhr.sent.length === 1);
  RecordingXhr.sent[0].respond(404, null);
  await until(() => a.log.includes('loadend'));
  assert.equal(a.resp.status, 404, 'dash.js sees the 404 and retries or reports it');

  RecordingXhr.sent.length = 0;
  const broken = playerWithLoader(engine(async () => { throw new Error('engine bug'); }));
  const b = request('MediaSegment', 'http://o.test/vod/video.mp4', { range: '0-9' });
  broken.loader.load(b.req, b.resp);
  await until(() => RecordingXhr.sent.length === 1);
  assert.equal(RecordingXhr.sent[0].headers.Range, 'bytes=0-9');
  RecordingXhr.sent[0].respond(206, new Uint8Array(10));
  await until(() => b.log.includes('loadend'));
  assert.equal(b.resp.data.byteLength, 10);
});

test('abort from dash.js ends the load without a late loadend', async () => {
  let release;
  const { loader } = playerWithLoader(engine(() => new Promise((r) => { release = r; })));
  const { req, resp, log } = request('MediaSegment', 'http://o.test/live/chunk-3.m4s');
  loader.load(req, resp);
  req.customData.abort();
  release({ bytes: new Uint8Array(1), source: 'p2p', stats: {} });
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(log, ['abort']);
});

test('only whole GETs of media and init segments, or one byte range of them, are shareable', () => {
  assert.equal(isShareable(request('MediaSegment', 'http://o.test/a.m4s').req), true);
  assert.equal(isShareable(request('MPD', 'http://o.test/a.mpd').req), false);
  assert.equal(isShareable(request('MediaSegment', 'blob:x').req), false);
  assert.equal(isShareable(request('MediaSegment', 'http://o.test/a.mp4', { range: '9-1' }).req), false);
  assert.deepEqual(parseRange('0-771'), { first: 0, last: 771 });
  assert.equal(parseRange('100-'), undefined);
});
