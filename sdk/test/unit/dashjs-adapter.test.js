// The dash.js adapter against dash.js itself (the npm package): its MediaPlayer, its class
// factory and its own XHRLoader, which the adapter extends the way HTTPLoader will use it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../src/core/engine.js';
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

// ---- what the adapter tells the engine from dash.js's segment index ----
// dash.js's own DashHandler, SegmentsController, TimelineConverter and parsed representations
// (DashParser, DashAdapter), wired as its StreamProcessor wires them; the base URL controller is a
// hand-written one that resolves against the manifest's directory (dash.js's needs a whole player).

const MPD_NS = 'xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" minBufferTime="PT2S"';
const liveMpd = (first, count) => `<?xml version="1.0"?><MPD ${MPD_NS} type="dynamic" availabilityStartTime="2020-01-01T00:00:00Z" minimumUpdatePeriod="PT2S">
<Period id="0" start="PT0S"><AdaptationSet mimeType="video/mp4" contentType="video"><SegmentTemplate timescale="1000" media="chunk-$RepresentationID$-$Time$.m4s?token=t" initialization="init-$RepresentationID$.mp4">
<SegmentTimeline><S t="${first * 2000}" d="2000" r="${count - 1}"/></SegmentTimeline></SegmentTemplate>
<Representation id="v1" bandwidth="240000" codecs="avc1.4d401f" width="640" height="360"/><Representation id="v2" bandwidth="800000" codecs="avc1.4d401f" width="1280" height="720"/></AdaptationSet></Period></MPD>`;
const vodMpd = `<?xml version="1.0"?><MPD ${MPD_NS} type="static" mediaPresentationDuration="PT6S">
<Period id="0" start="PT0S"><AdaptationSet mimeType="video/mp4" contentType="video"><Representation id="v1" bandwidth="240000" codecs="avc1.4d401f">
<SegmentList timescale="1000" duration="2000"><Initialization range="0-99"/><SegmentURL media="video.mp4" mediaRange="100-999"/><SegmentURL media="video.mp4" mediaRange="1000-1999"/><SegmentURL media="video.mp4" mediaRange="2000-2999"/></SegmentList>
</Representation></AdaptationSet></Period></MPD>`;

/** A session whose player's extensions live in `context`, and a dash.js DashHandler made through them. */
function dashPipeline(manifestUrl, sessionFactory = dashjs.FactoryMaker) {
  const player = dashjs.MediaPlayer().create();
  const extensions = [];
  const extend = player.extend;
  player.extend = (name, child, override) => { extensions.push({ name, child, override }); return extend(name, child, override); };
  const session = new DashSession(runtime(), player, dashjs.MediaPlayer.events, sessionFactory);
  session.attach();
  const F = dashjs.FactoryMaker;
  const context = {};
  for (const e of extensions) F.extend(e.name, e.child, e.override, context);
  const S = (name) => F.getSingletonFactoryByName(name)(context).getInstance();
  const engine = new Engine({ signalingUrl: 'ws://appliance.test/ws', stream: manifestUrl });
  const listed = [];
  const onPlaylist = engine.onPlaylist.bind(engine);
  engine.onPlaylist = (p) => { listed.push(p); onPlaylist(p); };
  const loads = [];
  engine.loadSegment = async (r) => { loads.push(r); return { bytes: new Uint8Array(1), source: 'p2p', stats: {} }; };
  session.engineRef = engine;
  const loader = F.getClassFactoryByName('XHRLoader')(context).create();
  const adapter = S('DashAdapter');
  adapter.setConfig({ constants: dashjs.Constants, errHandler: S('ErrorHandler'), dashManifestModel: S('DashManifestModel') });
  const parser = F.getClassFactoryByName('DashParser')(context).create({ debug: S('Debug') });
  /** dash.js's view of `mpdText`: the video MediaInfo and its representations, by id. */
  const parse = (mpdText) => {
    const mpd = parser.parse(mpdText);
    mpd.baseUri = manifestUrl;
    adapter.updatePeriods(mpd);
    const streamInfo = adapter.getStreamsInfo(undefined, 1)[0];
    const mediaInfo = adapter.getAllMediaInfoForType(streamInfo, 'video')[0];
    return { streamInfo, mediaInfo, reps: Object.fromEntries(adapter.getVoRepresentations(mediaInfo).map((r) => [r.id, r])) };
  };
  const dir = manifestUrl.slice(0, manifestUrl.lastIndexOf('/') + 1);
  const handlerFor = (streamInfo) => {
    const timelineConverter = S('TimelineConverter');
    const eventBus = S('EventBus');
    const dashConstants = { SEGMENT_TIMELINE: 'SegmentTimeline', SEGMENT_TEMPLATE: 'SegmentTemplate', SEGMENT_LIST: 'SegmentList', SEGMENT_BASE: 'SegmentBase' };
    const segmentsController = F.getClassFactoryByName('SegmentsController')(context).create({ events: {}, eventBus, streamInfo, timelineConverter, dashConstants, type: 'video' });
    const handler = F.getClassFactoryByName('DashHandler')(context).create({
      baseURLController: { resolve: () => ({ url: dir, queryParams: {} }) }, debug: S('Debug'), eventBus, segmentsController,
      streamInfo, timelineConverter, type: 'video', urlUtils: S('URLUtils'),
    });
    handler.initialize(streamInfo.manifestInfo.isDynamic);
    return handler;
  };
  /** What dash.js's XHRLoader gets for a FragmentRequest (HTTPLoader's CommonMediaRequest). */
  const loadThrough = async (fragment) => {
    const { req, resp, log } = request('MediaSegment', fragment.url, { range: fragment.range });
    req.customData.request = { ...fragment, responseType: 'arraybuffer' };
    loader.load(req, resp);
    await until(() => log.includes('loadend'));
  };
  return { session, engine, listed, loads, parse, handlerFor, loadThrough };
}

test('a live SegmentTimeline lists the representation dash.js loads, with the ids its loads compute', async () => {
  const { engine, listed, loads, parse, handlerFor, loadThrough } = dashPipeline('http://o.test/live/manifest.mpd?token=t');
  const first = parse(liveMpd(0, 3));
  const handler = handlerFor(first.streamInfo);
  const requests = [];
  for (let i = 0; i < 3; i++) requests.push(handler.getNextSegmentRequest(first.mediaInfo, first.reps.v1));
  assert.deepEqual(requests.map((r) => r.index), [0, 1, 2], "dash.js's own position is not moved by the listing");
  assert.equal(listed[0].track, 'video:v1');
  assert.equal(listed[0].live, true);
  assert.deepEqual(listed[0].segments.map((s) => s.sequence), [0, 2000, 4000], 'media time (ms) numbers the segments');
  assert.deepEqual(listed[0].segments.map((s) => s.durationS), [2, 2, 2]);
  assert.ok(listed.every((p) => p.track === 'video:v1'), 'the other representation of the ladder is not listed');
  for (const r of requests) await loadThrough(r);
  assert.deepEqual(loads.map((l) => engine.segmentId(l.url, l.range)), listed[0].segments.map((s) => engine.segmentId(s.url, s.range)));
  assert.deepEqual(loads.map((l) => [l.track, l.sequence]), [['video:v1', 0], ['video:v1', 2000], ['video:v1', 4000]]);
  assert.equal(listed[0].segments[2].url, 'http://o.test/live/chunk-v1-4000.m4s?token=t', '$Time$ filled in as dash.js does');

  const before = new Set(engine.known.keys());
  // The window slides: the refreshed MPD starts one segment later, so dash.js's indexes shift.
  const refreshed = parse(liveMpd(1, 5));
  const next = handler.getNextSegmentRequest(refreshed.mediaInfo, refreshed.reps.v1);
  assert.equal(next.url, 'http://o.test/live/chunk-v1-6000.m4s?token=t');
  assert.equal(next.index, 2, "dash.js's index of that segment shifted with the window");
  const last = listed[listed.length - 1];
  assert.deepEqual(last.segments.map((s) => s.sequence), [6000, 8000, 10000], 'sequences do not shift with it');
  const added = [...engine.known.keys()].filter((id) => !before.has(id));
  assert.deepEqual(added, [3, 4, 5].map((n) => `http://o.test/live/chunk-v1-${n * 2000}.m4s`), 'a refresh adds only the new segments');
  assert.ok([...engine.known.values()].every((k) => k.sequence >= 6000), 'segments below the listed window are forgotten');
  handler.reset();
  engine.destroy();
});

test('a VOD SegmentList with byte ranges is listed once', async () => {
  const { engine, listed, loads, parse, handlerFor, loadThrough } = dashPipeline('http://o.test/vod/manifest.mpd');
  const { streamInfo, mediaInfo, reps } = parse(vodMpd);
  const handler = handlerFor(streamInfo);
  const requests = [];
  for (let i = 0; i < 3; i++) requests.push(handler.getNextSegmentRequest(mediaInfo, reps.v1));
  assert.equal(listed.length, 1, 'VOD lists once');
  assert.equal(listed[0].live, false);
  assert.deepEqual(listed[0].segments.map((s) => s.range), [{ first: 100, last: 999 }, { first: 1000, last: 1999 }, { first: 2000, last: 2999 }]);
  for (const r of requests) await loadThrough(r);
  assert.deepEqual(loads.map((l) => engine.segmentId(l.url, l.range)), listed[0].segments.map((s) => engine.segmentId(s.url, s.range)));
  handler.reset();
  engine.destroy();
});

test("when the SDK cannot build its own DashHandler, dash.js's plays on unlisted", () => {
  const broken = { getClassFactoryByName: () => { throw new Error('not this dash.js'); } };
  const { engine, listed, parse, handlerFor } = dashPipeline('http://o.test/live/manifest.mpd', broken);
  const { streamInfo, mediaInfo, reps } = parse(liveMpd(0, 3));
  const handler = handlerFor(streamInfo);
  assert.deepEqual([0, 1, 2].map(() => handler.getNextSegmentRequest(mediaInfo, reps.v1).index), [0, 1, 2]);
  assert.equal(listed.length, 0);
  handler.reset();
  engine.destroy();
});

test("a neighbour's copy can end the engine's HTTP load under way: dash.js hears nothing from it and gets the copy", async () => {
  RecordingXhr.sent.length = 0;
  const copy = new Uint8Array([4, 4, 4]);
  let outcome = null;
  const eng = engine(async (r) => {
    const fetching = r.httpLoad().then(() => 'completed', (e) => e.kind);
    await until(() => RecordingXhr.sent.length === 1);
    r.abortHttp();
    outcome = await fetching;
    return { bytes: copy, source: 'p2p', stats: {} };
  });
  const { loader } = playerWithLoader(eng);
  const { req, resp, log } = request('MediaSegment', 'http://o.test/live/chunk-3.m4s');
  loader.load(req, resp);
  await until(() => log.includes('loadend'));
  assert.equal(outcome, 'abort');
  assert.equal(RecordingXhr.sent[0].aborted, true, 'the request no longer takes the link');
  assert.deepEqual(log, ['loadend'], 'no progress or abort from the ended request reaches dash.js');
  assert.equal(resp.status, 200);
  assert.deepEqual([...new Uint8Array(resp.data)], [...copy]);
});
