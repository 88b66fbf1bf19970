// Pages the SDK cannot share for still play, over plain HTTP, with no error: the SDK stays silent
// and stats() says why it does not share (docs/integration.md, "Which mode a page is in"): a
// player it does not carry, and a page on an origin the appliance refuses. Real Chromium on the
// host against the appliance's demo stream. The test pages on the appliance's origin are served
// by a Playwright route; the refused one by a small HTTP server on another port of 127.0.0.1 (a
// routed document has no address, and Chromium would then refuse it the loopback appliance).
// Uses appliance/target/swarmgate.jar (mvn package).
// Needs: chromium, certutil
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { demoApplianceAndChromium } from './chromium.mjs';

/** Playback the page must make, in media seconds, once it has started. */
const ADVANCE_S = 8;

const rig = demoApplianceAndChromium();

// A plain <video> given the playlist itself: the browser plays HLS natively (Chromium does, as
// Safari and iOS do), so no request passes through the page's JavaScript.
const NATIVE_HLS = `<!doctype html><meta charset="utf-8"><title>native HLS</title>
<video id="video" muted autoplay playsinline src="/demo/live/master.m3u8"></video>
<script src="/sdk/swarmgate.js"></script>`;

// A bundled player: hls.js kept under the page's own name and removed from window before the SDK
// loads, as a bundle that never calls swarmgate.hlsjs.wrap would; it plays through MSE.
const BUNDLED_PLAYER = `<!doctype html><meta charset="utf-8"><title>bundled player</title>
<video id="video" muted autoplay playsinline></video>
<script src="/demo/hls.min.js"></script>
<script>window.PagePlayer = window.Hls; delete window.Hls;</script>
<script src="/sdk/swarmgate.js"></script>
<script>
  const player = new window.PagePlayer();
  player.loadSource('/demo/live/master.m3u8');
  player.attachMedia(document.getElementById('video'));
</script>`;

// The demo page's player on another origin (another port of the same address), which no stream
// policy and no `security.intranet-origins` admits; the demo's media carry CORS headers.
const OTHER_ORIGIN_PAGE = (appliance) => `<!doctype html><meta charset="utf-8"><title>other origin</title>
<video id="video" muted autoplay playsinline></video>
<script src="${appliance}/demo/hls.min.js"></script>
<script src="${appliance}/sdk/swarmgate.js"></script>
<script>
  const hls = new window.Hls();
  hls.loadSource('${appliance}/demo/live/master.m3u8');
  hls.attachMedia(document.getElementById('video'));
</script>`;

/** Serves `html` on 127.0.0.1 (its own port); returns {origin, close()}. */
async function servePage(html) {
  const server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) };
}

/**
 * Opens `path` on `origin`: with `html`, the page is that text (a route on the appliance's origin);
 * without, whatever the origin serves. Returns the page and what it logged.
 */
async function open(path, html, origin = rig.appliance.httpUrl) {
  const context = await rig.browser.newContext();
  if (html !== null) {
    await context.route(`${origin}${path}`, (route) => route.fulfill({ contentType: 'text/html', body: html }));
  }
  const page = await context.newPage();
  const messages = [];
  const failedRequests = [];
  page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => messages.push(`pageerror: ${e}`));
  page.on('response', (r) => {
    // The browser asks for /favicon.ico on its own; the pages do not reference one.
    if (r.status() >= 400 && new URL(r.url()).pathname !== '/favicon.ico') failedRequests.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(`${origin}${path}`);
  return { context, page, messages, failedRequests };
}

/** Waits until the video has played ADVANCE_S seconds past where it first played; returns what the page says. */
async function watch(page) {
  await page.waitForFunction(() => {
    const v = document.getElementById('video');
    return v.currentTime > 0 && !v.paused;
  }, null, { timeout: 30_000 });
  const start = await page.evaluate(() => document.getElementById('video').currentTime);
  await page.waitForFunction((target) => document.getElementById('video').currentTime >= target, start + ADVANCE_S, { timeout: 60_000 });
  return page.evaluate(() => {
    const v = document.getElementById('video');
    return { currentSrc: v.currentSrc, paused: v.paused, error: v.error && v.error.code, stats: JSON.parse(JSON.stringify(window.swarmgate.stats())) };
  });
}

function assertPlaysOverHttpQuietly(result, { messages, failedRequests }, reason, { players = 0 } = {}) {
  const report = JSON.stringify({ ...result, messages, failedRequests }, null, 2);
  assert.equal(result.paused, false, report);
  assert.equal(result.error, null, `media error\n${report}`);
  assert.equal(result.stats.mode, 'http-only', report);
  assert.equal(result.stats.modeReason, reason, report);
  assert.equal(result.stats.players, players, `players the SDK carries\n${report}`);
  assert.equal(result.stats.connected, false, `the SDK is not in the mesh\n${report}`);
  assert.equal(result.stats.p2pBytes, 0, report);
  assert.deepEqual(messages.filter((m) => /^(error|warning|pageerror):/.test(m) || /swarmgate/i.test(m)), [],
    `console errors or SDK messages\n${report}`);
  assert.deepEqual(failedRequests, [], `failed requests\n${report}`);
}

test('a <video> playing the playlist natively plays over HTTP; stats() says http-only, native-hls', { timeout: 120_000 }, async () => {
  const opened = await open('/test/native-hls.html', NATIVE_HLS);
  try {
    const result = await watch(opened.page);
    assert.match(result.currentSrc, /\/demo\/live\/master\.m3u8$/);
    assertPlaysOverHttpQuietly(result, opened, 'native-hls');
  } finally {
    await opened.context.close();
  }
});

test('a bundled player the SDK was not given plays over HTTP; stats() says http-only, unknown-player', { timeout: 120_000 }, async () => {
  const opened = await open('/test/bundled-player.html', BUNDLED_PLAYER);
  try {
    const result = await watch(opened.page);
    assert.match(result.currentSrc, /^blob:/, 'the page plays through MediaSource');
    assert.equal(await opened.page.evaluate(() => typeof window.Hls), 'undefined', 'the SDK saw no Hls global');
    assertPlaysOverHttpQuietly(result, opened, 'unknown-player');
  } finally {
    await opened.context.close();
  }
});

test('a page on an origin the appliance refuses plays over HTTP through the SDK; stats() says http-only, refused', { timeout: 120_000 }, async () => {
  const intranet = await servePage(OTHER_ORIGIN_PAGE(rig.appliance.httpUrl));
  const opened = await open('/townhall.html', null, intranet.origin);
  try {
    // The refusal (close 1008, origin_not_allowed) comes right after the SDK's hello.
    await opened.page.waitForFunction(() => window.swarmgate.stats().modeReason === 'refused', null, { timeout: 30_000 });
    const result = await watch(opened.page);
    assertPlaysOverHttpQuietly(result, opened, 'refused', { players: 1 });
    assert.ok(result.stats.httpBytes > 0, `the SDK's loader fetched the segments over HTTP\n${JSON.stringify(result.stats)}`);
  } finally {
    await opened.context.close();
    await intranet.close();
  }
});
