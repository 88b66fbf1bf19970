// Pages whose player the SDK does not carry still play, over plain HTTP, with no error: the SDK
// stays silent and stats() says why it does not share (docs/integration.md, "Which mode a page
// is in"). Real Chromium on the host against the appliance's demo stream; the two test pages are
// served on the appliance's own origin by a Playwright route (the appliance has no such pages).
// Uses appliance/target/swarmgate.jar (mvn package).
// Needs: chromium
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startAppliance } from './appliance.mjs';
import { launchChromium } from './chromium.mjs';

/** Playback the page must make, in media seconds, once it has started. */
const ADVANCE_S = 8;

let appliance;
let browser;

before(async () => {
  appliance = await startAppliance({ demo: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await appliance?.stop();
});

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

/** Opens `html` at `path` on the appliance's origin; returns the page and what it logged. */
async function open(path, html) {
  const context = await browser.newContext();
  await context.route(`${appliance.httpUrl}${path}`, (route) => route.fulfill({ contentType: 'text/html', body: html }));
  const page = await context.newPage();
  const messages = [];
  const failedRequests = [];
  page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => messages.push(`pageerror: ${e}`));
  page.on('response', (r) => {
    // The browser asks for /favicon.ico on its own; the pages do not reference one.
    if (r.status() >= 400 && new URL(r.url()).pathname !== '/favicon.ico') failedRequests.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(`${appliance.httpUrl}${path}`);
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

function assertPlaysOverHttpQuietly(result, { messages, failedRequests }, reason) {
  const report = JSON.stringify({ ...result, messages, failedRequests }, null, 2);
  assert.equal(result.paused, false, report);
  assert.equal(result.error, null, `media error\n${report}`);
  assert.equal(result.stats.mode, 'http-only', report);
  assert.equal(result.stats.modeReason, reason, report);
  assert.equal(result.stats.players, 0, `the SDK carries no player\n${report}`);
  assert.equal(result.stats.connected, false, `the SDK never joined the mesh\n${report}`);
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
