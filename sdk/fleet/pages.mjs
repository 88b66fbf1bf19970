// One viewer of the fleet: its browser context and page on the demo page, and the samples the
// run takes of it every second (probe.mjs's samplePage). runFleet (fleet.mjs) joins them one after
// another and reads their samples; summary.mjs turns them into the report.
import { join } from 'node:path';
import { HTTP_PORT, HTTPS_PORT, repoRoot, withTimeout } from './appliance-rig.mjs';
import { installProbe, samplePage } from './probe.mjs';
import { watchPageCpu } from './page-cpu.mjs';

/** The demo page's hls.js as built into the jar (what --cached-hls-js serves from "the cache"). */
export const HLS_JS_BUILD = join(repoRoot, 'sdk', 'dist', 'demo', 'hls.min.js');
const DASH_JS_BUILD = join(repoRoot, 'sdk', 'dist', 'demo', 'dash.all.min.js');

/**
 * Opens viewer `index` where `placement(index)` puts it: a browser context of its own (no HTTP
 * cache shared between viewers of one browser process) with the probe installed, the demo page
 * loaded (until the navigation commits) and, on Chromium, its CPU watched. Its `close()` takes a
 * last sample and closes the context.
 * @returns {Promise<object>} the viewer the run samples and the callers' onPage receive
 */
export async function openViewer(index, {
  topology, placement, browserFor, tls, stream, httpOnly, player, format, renditions, abr, cachedHlsJs, pageConfig, onContext, profileDir, log,
}) {
  const { site, subnet, kind } = placement(index);
  const swarmgateConfig = { ...(httpOnly ? { enabled: false } : {}), ...(pageConfig ? pageConfig(index) : {}) };
  // A context per viewer: no HTTP cache shared between viewers of one browser process.
  const context = await browserFor({ site, subnet, kind }).newContext({ viewport: { width: 480, height: 360 } });
  await context.addInitScript(installProbe, { swarmgateConfig: Object.keys(swarmgateConfig).length ? swarmgateConfig : null });
  if (cachedHlsJs) {
    // As if the browser had hls.js cached from an earlier visit: served from the build, not the WAN.
    await context.route(/\/demo\/hls\.min\.js(\?.*)?$/, (route) => route.fulfill({
      path: HLS_JS_BUILD, headers: { 'content-type': 'text/javascript', 'cache-control': 'max-age=86400' },
    }));
    await context.route(/\/demo\/dash\.all\.min\.js(\?.*)?$/, (route) => route.fulfill({
      path: DASH_JS_BUILD, headers: { 'content-type': 'text/javascript', 'cache-control': 'max-age=86400' },
    }));
  }
  if (onContext) {
    await onContext(context, index);
  }
  const page = await context.newPage();
  const origin = tls ? `https://${topology.routerAddress(site)}:${HTTPS_PORT}` : `http://${topology.routerAddress(site)}:${HTTP_PORT}`;
  const url = demoPageUrl(origin, { index, stream, httpOnly, player, format, renditions, abr });
  const viewer = {
    index, site, subnet, browser: kind, namespace: topology.viewerNamespace(site, subnet), address: topology.siteAddress(site, subnet),
    page, context, url, joinedAt: Date.now(), closed: false, samples: 0, last: null, latencies: [],
    playingWall: null, consoleErrors: [],
    async close() {
      if (!viewer.closed) {
        await sampleViewer(viewer);
        viewer.cpuFigures = await viewer.cpu?.finish() ?? null;
        viewer.closed = true;
        await context.close().catch(() => {});
      }
    },
  };
  page.on('pageerror', (error) => viewer.consoleErrors.push(String(error)));
  // Joins keep their cadence however slowly a page loads: on a thin --wan-rate link the page's
  // scripts can take tens of seconds, and that is part of what start-up phases measure.
  await page.goto(url, { waitUntil: 'commit', timeout: 30_000 });
  if (kind === 'chromium') {
    viewer.cpu = await watchPageCpu(viewer, { profileDir }).catch((e) => log(`page ${index}: no CPU figures (${e.message})`));
  }
  return viewer;
}

/**
 * Takes one sample of the viewer's page (none once it is closed); `cutWall`, at the end of the
 * measurement, leaves out fragments requested after it. A page that does not answer within 5 s
 * keeps its last sample and notes the error.
 */
export async function sampleViewer(viewer, cutWall = null) {
  if (viewer.closed) {
    return;
  }
  try {
    const sample = await withTimeout(viewer.page.evaluate(samplePage, cutWall), 5000, 'sample');
    viewer.last = sample;
    viewer.samples += 1;
    if (sample.playingAt !== null && viewer.playingWall === null) {
      viewer.playingWall = Date.now() - (sample.now - sample.playingAt);
    }
    if (sample.playingAt !== null && sample.latency !== null) {
      viewer.latencies.push(sample.latency);
    }
  } catch (error) {
    viewer.sampleError = String(error.message || error);
  }
}

/**
 * The demo page a viewer opens at `origin`: the stream, the SDK off for the baseline, the player
 * and format when not hls.js on HLS, and with two renditions the level a page is pinned to (pages
 * two by two, unless ABR picks).
 */
export function demoPageUrl(origin, { index, stream, httpOnly, player, format, renditions, abr }) {
  const query = new URLSearchParams();
  if (stream === 'vod') {
    query.set('stream', 'vod');
  }
  if (httpOnly) {
    query.set('sdk', 'off');
  }
  if (player !== 'hlsjs' || format !== 'hls') {
    query.set('player', player);
    query.set('format', format);
  }
  if (renditions === 2) {
    query.set('renditions', '2');
    if (!abr) query.set('level', String(Math.floor(index / 2) % 2));
  }
  return `${origin}/demo/${String(query) ? `?${query}` : ''}`;
}
