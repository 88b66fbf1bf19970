// Real Chromium plays the appliance's demo page for 20 s over HTTPS, as deployed: the live stream
// must start, keep up with the wall clock and never stall; the page comes over HTTP/2 and its SDK
// joins the mesh (its signaling socket on HTTP/1.1). Uses appliance/target/swarmgate.jar (mvn package).
// Needs: chromium, certutil
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './appliance.mjs';
import { demoApplianceAndChromium } from './chromium.mjs';

const WATCH_MS = 20_000;
const screenshot = join(repoRoot, 'sdk', 'test-output', 'demo-playback.png');

const rig = demoApplianceAndChromium();

test('live demo stream plays in Chromium for 20 s over HTTPS without stalling, its SDK joined', { timeout: 90_000 }, async () => {
  const page = await rig.browser.newPage({ viewport: { width: 1024, height: 800 } });
  const consoleErrors = [];
  const failedRequests = [];
  page.on('console', (message) => {
    // Failed loads are reported with their URL below; the console line does not name it.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      consoleErrors.push(message.text());
    }
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  page.on('response', (response) => {
    // The browser asks for /favicon.ico on its own; the page does not reference one.
    if (response.status() >= 400 && new URL(response.url()).pathname !== '/favicon.ico') {
      failedRequests.push(`${response.status()} ${response.url()}`);
    }
  });

  await page.goto(`${rig.appliance.httpsUrl}/demo/`);
  await page.waitForFunction(() => window.demoPlayer?.stats.started === true, null, { timeout: 20_000 });
  const startTime = await page.evaluate(() => window.demoPlayer.video.currentTime);

  await page.waitForTimeout(WATCH_MS);

  const result = await page.evaluate(() => {
    const { video, stats, hls } = window.demoPlayer;
    return {
      currentTime: video.currentTime,
      paused: video.paused,
      stats: JSON.parse(JSON.stringify(stats)),
      hlsVersion: window.Hls?.version,
      usesHlsJs: hls !== null,
      status: document.getElementById('status').textContent,
      protocol: performance.getEntriesByType('navigation')[0].nextHopProtocol,
      sdkProtocol: performance.getEntriesByType('resource').find((e) => e.name.includes('/sdk/swarmgate.js'))?.nextHopProtocol,
      sdk: window.swarmgate ? { connected: window.swarmgate.stats().connected, peerId: window.swarmgate.stats().peerId } : null,
    };
  });
  await mkdir(join(repoRoot, 'sdk', 'test-output'), { recursive: true });
  await page.screenshot({ path: screenshot });
  const report = JSON.stringify({ startTime, ...result, consoleErrors, failedRequests }, null, 2);

  assert.ok(result.usesHlsJs, 'the page plays through hls.js (MSE), not natively');
  assert.equal(result.protocol, 'h2', `the page came over HTTP/2\n${report}`);
  assert.equal(result.sdkProtocol, 'h2', `the SDK came over HTTP/2\n${report}`);
  // The socket is opened on an HTTP/1.1 connection that ALPN must grant (ApplianceServer).
  assert.equal(result.sdk?.connected, true, `the SDK's signaling socket is open\n${report}`);
  assert.ok(result.sdk.peerId, `the appliance welcomed the viewer\n${report}`);
  assert.equal(result.paused, false, report);
  assert.ok(result.currentTime - startTime >= 17, `advanced ${result.currentTime - startTime} s in ${WATCH_MS / 1000} s\n${report}`);
  assert.equal(result.stats.waiting, 0, `waiting events after start\n${report}`);
  assert.equal(result.stats.errors.filter((e) => e.fatal).length, 0, `fatal hls.js errors\n${report}`);
  assert.deepEqual(consoleErrors, [], `console errors (CSP violations show up here)\n${report}`);
  assert.deepEqual(failedRequests, [], `failed requests\n${report}`);
  assert.deepEqual(result.stats.level, { width: 320, height: 180, bitrate: result.stats.level.bitrate });
  console.log(`# startup ${result.stats.startupMs} ms, advanced ${(result.currentTime - startTime).toFixed(2)} s, ` +
    `waiting ${result.stats.waiting}, non-fatal errors ${result.stats.errors.length}, screenshot ${screenshot}`);
});

test('the live stream with two renditions lists both, and a page pinned to the lower one plays it without stalling', { timeout: 60_000 }, async () => {
  const page = await rig.browser.newPage({ viewport: { width: 640, height: 480 } });
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await page.goto(`${rig.appliance.httpUrl}/demo/?renditions=2&level=0`);
  await page.waitForFunction(() => window.demoPlayer?.stats.started === true, null, { timeout: 20_000 });
  const startTime = await page.evaluate(() => window.demoPlayer.video.currentTime);
  await page.waitForTimeout(8_000);
  const result = await page.evaluate(() => {
    const { video, stats, hls } = window.demoPlayer;
    return {
      advanced: video.currentTime,
      levels: hls.levels.map((l) => `${l.width}x${l.height}`),
      auto: hls.autoLevelEnabled,
      stats: JSON.parse(JSON.stringify(stats)),
    };
  });
  const report = JSON.stringify({ startTime, ...result, pageErrors }, null, 2);
  assert.deepEqual(result.levels, ['192x108', '320x180'], report);
  assert.equal(result.auto, false, `the page pinned its level: hls.js's ABR is off\n${report}`);
  assert.deepEqual(result.stats.level, { width: 192, height: 108, bitrate: result.stats.level?.bitrate }, report);
  assert.ok(result.advanced - startTime >= 6, `advanced ${result.advanced - startTime} s in 8 s\n${report}`);
  assert.equal(result.stats.waiting, 0, `waiting events after start\n${report}`);
  assert.equal(result.stats.fatalErrors, 0, report);
  assert.deepEqual(pageErrors, [], report);
  await page.close();
});
