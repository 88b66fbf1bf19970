// The real-browser fleet: N headless Chromium viewers in K sites (network namespaces, each
// site behind its own WAN link) play the appliance's demo stream; prints one JSON line of figures.
//
//   node sdk/fleet/cli.mjs --viewers 8 --sites 2 --duration 60 [--stream live|vod] [--http-only]
//     [--player hlsjs|dashjs|shaka|videojs] [--format hls|dash]
//     [--wan-rate 2.5mbit] [--subnets-per-site N] [--browser-default-mdns] [--no-stun] [--cached-hls-js] [--tls]
//     [--browser chromium|firefox|mixed] [--compare-http] [--report FILE] (--help lists every option)
//
// Programmatic: `const result = await runFleet({viewers, sites, duration, stream, httpOnly, ...})`;
// the command line is cli.mjs, the appliance and what runs beside it in the router namespace
// appliance-rig.mjs.
// Needs root (namespaces), iproute2, curl, /usr/lib/chromium/chromium (and /usr/bin/firefox-esr
// for --browser firefox|mixed), java and the jar.
// docs/benchmarks.md ("Fleet") explains every output field.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HTTPS_PORT, applianceCounters, forwardedPackets, jarPath, offLanPackets, sleep,
} from './appliance-rig.mjs';
import { browserUnavailableReason, launchViewerBrowsers } from './browser.mjs';
import { parseSegmentLog } from './measure.mjs';
import { sampleWanLinks } from './wan-link.mjs';
import { HLS_JS_BUILD, openViewer, sampleViewer } from './pages.mjs';
import { watchMachineCpu } from './machine-cpu.mjs';
import { startRunAppliances } from './run-appliances.mjs';
import { createTopology, destroyAllTopologies, ip, removeDir } from './topology.mjs';
import { summarize } from './summary.mjs';

/** Extra run time allowed beyond --duration before the run is aborted and torn down. */
const HARD_TIMEOUT_GRACE_S = 120;
/** A bad option: the command line prints the message and the usage, and exits with 2. */
export class UsageError extends Error {}

/** The players the demo page offers and the formats each plays (the first is its default). */
export const PLAYER_FORMATS = Object.freeze({ hlsjs: ['hls'], dashjs: ['dash'], shaka: ['dash', 'hls'], videojs: ['hls', 'dash'] });

/** The format a player plays when none is given; throws on a combination the page cannot play. */
export function playerFormat(player, format) {
  if (!Object.prototype.hasOwnProperty.call(PLAYER_FORMATS, player)) {
    throw new UsageError(`--player must be one of ${Object.keys(PLAYER_FORMATS).join(', ')}, got '${player}'`);
  }
  const formats = PLAYER_FORMATS[player];
  if (format !== undefined && format !== null && !formats.includes(format)) {
    throw new UsageError(`--format ${format} is not played by ${player} (it plays ${formats.join(', ')})`);
  }
  return format ?? formats[0];
}

// Namespaces, browsers and the appliance go whatever ends the process: a normal exit, an
// uncaught exception (node runs 'exit' handlers) or a signal (turned into an exit here).
process.on('exit', () => destroyAllTopologies());
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.once(signal, () => {
    process.stderr.write(`fleet: ${signal}, cleaning up\n`);
    destroyAllTopologies();
    process.exit(code);
  });
}

/** Why a fleet cannot run on this machine, or null (runFleet and the command line fail with it). */
export function fleetUnavailableReason(browser = 'chromium') {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'the fleet needs root (network namespaces)';
  }
  const browserReason = browserUnavailableReason(browser);
  if (browserReason) {
    return browserReason;
  }
  if (!existsSync(jarPath)) {
    return `${jarPath} is missing: build it with mvn -B -DskipTests package`;
  }
  try {
    ip(['-V']);
  } catch {
    return 'iproute2 (ip) is missing';
  }
  return null;
}

/**
 * Runs a fleet and returns the figures (the JSON line the CLI prints) plus details.
 *
 * @param {object} options
 * @param {number} options.viewers pages in all
 * @param {number} [options.sites=1]
 * @param {number} options.duration seconds to run after the last viewer joined
 * @param {'live'|'vod'} [options.stream='live']
 * @param {'hlsjs'|'dashjs'|'shaka'|'videojs'} [options.player='hlsjs'] the demo page's player
 * @param {'hls'|'dash'} [options.format] what it plays (default: the player's first format)
 * @param {boolean} [options.httpOnly=false] pages run with the SDK disabled (baseline)
 * @param {number|null} [options.wanRateKbit=null] shape each site's WAN link (both directions) to
 *   this many kbit/s; LAN traffic inside a site is never shaped
 * @param {number} [options.subnetsPerSite=1] routed subnets per site (one Chromium each), mapped
 *   to one site in the appliance's site map
 * @param {'chromium'|'firefox'|'mixed'} [options.browser='chromium'] the viewers' browser; `mixed`
 *   alternates Chromium and Firefox inside each site
 * @param {boolean} [options.stun=true] the appliance's STUN responder (stun.enabled), offered to viewers
 * @param {boolean} [options.browserDefaultMdns=false] leave the browsers' mDNS host candidates on
 * @param {1|2} [options.renditions=1] 2: the live HLS stream with two renditions (the demo's
 *   abr.m3u8), hls.js pages pinned to them two by two (pages 0–1 the lower, 2–3 the higher, ...):
 *   the site's first two viewers, its leaders, play the same rendition, as they may in an event
 * @param {boolean} [options.abr=false] with renditions 2: no page is pinned, each one's hls.js
 *   picks its rendition (ABR)
 * @param {boolean} [options.cachedHlsJs=false] the page's hls.min.js comes from the fleet (as from
 *   the browser's cache), not over the WAN link (Chromium viewers only)
 * @param {boolean} [options.originApart=false] the demo streams come from a second appliance (the
 *   origin) behind one address with the appliance (split-origin.mjs), so the appliance can
 *   restart while the stream goes on; origin_bytes and offload are null then: the origin sees
 *   every fetch coming from the split-origin address. With tls the split origin is a TLS ingress
 *   (HTTP/2 and HTTP/1.1) showing the appliance's certificate
 * @param {boolean} [options.cluster=false] instead of one appliance, two on one PostgreSQL behind
 *   HAProxy running config/haproxy.cfg.example (cluster.mjs), with the origin apart as with
 *   originApart: pages reach signaling only through HAProxy. The rig's `cluster` is then
 *   {port, haproxy: {events, linesSince(at), states(), output()}, appliances: [{server, httpPort, httpsPort,
 *   dataDir, alive, kill(signal) → {at, stopMs}}]} (null otherwise); `dataDir` and `cli` are the
 *   first appliance's (the database is shared), `httpsPort` is null and `restart` refuses
 * @param {number} [options.staggerMs=1000] time between two joins
 * @param {string|null} [options.profileDir=null] where to write each Chromium page's V8 CPU
 *   profile (page-<index>.cpuprofile, page-cpu.mjs); the CPU figures are taken anyway
 * @param {(viewer: object) => (void|Promise<void>)} [options.onPage] called when a viewer has
 *   navigated: {index, site, namespace, address, page, context, url, close()}
 * @param {(index: number) => object} [options.pageConfig] extra window.swarmgateConfig for a
 *   viewer (for example {debug: true})
 * @param {(context: object, index: number) => (void|Promise<void>)} [options.onContext] called
 *   with a viewer's fresh browser context before its page opens (extra init scripts, routes)
 * @param {(rig: object) => (void|Promise<void>)} [options.onAppliance] called once the appliance
 *   is up, before the first viewer joins: {router, dataDir, httpPort, httpsPort, exec(argv, {input?,
 *   timeoutMs?}) → Promise<Buffer> (a command in the router namespace, rejects on failure),
 *   cli(args, {input?}) → Promise<string> (`swarmgate ARGS --data-dir …` against the running appliance),
 *   restart({signal?: 'SIGTERM'|'SIGKILL'}) → Promise<{stopMs, startMs, downAt, upAt, log}> (stops the
 *   appliance and starts it again on the same data directory and ports; resolves once /readyz
 *   answers 200; downAt and upAt are Date.now() values; log is what the appliance's log file got
 *   from the stop to then), endRun(inMs = 0) (ends the measured run inMs from now if that comes before
 *   its duration: a test whose scenario is over need not wait for the rest)}
 * @param {(rig: object) => (void|Promise<void>)} [options.beforeStop] the same rig, called after
 *   the last sample while browsers and the appliance still run (API checks at the end of a run)
 * @param {(message: string) => void} [options.log] progress (stderr by default)
 * @returns {Promise<object>} {...figures, pages: [...], details: {...}}
 */
export async function runFleet({
  viewers, sites = 1, duration, stream = 'live', httpOnly = false, staggerMs = 1000, player = 'hlsjs', format,
  wanRateKbit = null, subnetsPerSite = 1, browser = 'chromium', browserDefaultMdns = false, cachedHlsJs = false, stun = true,
  renditions = 1, abr = false, originApart = false, cluster = false, tls = false, profileDir = null, onPage, pageConfig, onContext, onAppliance, beforeStop, log = (m) => process.stderr.write(`fleet: ${m}\n`),
} = {}) {
  format = playerFormat(player, format);
  checkRunOptions({ viewers, sites, duration, stream, player, format, renditions, abr, browser, cachedHlsJs });

  const topology = createTopology({ sites, subnetsPerSite, wanRateKbit, log });
  const load = { start: loadavg()[0], max: loadavg()[0], end: null };
  /** @type {Record<string, string|null>} browser kind → its version string */
  const browserVersions = {};
  // The joins come before the run's duration: slow ones (--stagger-ms) must not eat the grace.
  const hardTimeoutMs = (duration + HARD_TIMEOUT_GRACE_S) * 1000 + viewers * staggerMs;
  let timedOut = false;
  let hardTimer;
  const hardTimeout = new Promise((_, reject) => {
    hardTimer = setTimeout(() => {
      timedOut = true;
      log(`hard timeout (${duration} s + ${HARD_TIMEOUT_GRACE_S} s + the joins) reached: tearing down`);
      topology.destroy(); // kills browsers and the appliance, so pending awaits fail fast
      reject(new Error(`fleet run exceeded its hard timeout of ${hardTimeoutMs / 1000} s`));
    }, hardTimeoutMs);
  });
  hardTimeout.catch(() => {});
  try {
    return await Promise.race([run(), hardTimeout]);
  } finally {
    clearTimeout(hardTimer);
    topology.destroy();
  }

  async function run() {
    /** rig.endRun: when a caller's scenario is over, the run ends then rather than at its duration. */
    let endRequestedWall = Infinity;
    const workDir = mkdtempSync(join(tmpdir(), `sgf-${topology.runId}-`));
    topology.onDestroy(() => removeDir(workDir));
    const dataDir = join(workDir, 'data');
    // A shaped link's own counters say what crossed it (wan-link.mjs); an unshaped one is fast
    // enough that the access log does.
    const wanLinks = wanRateKbit !== null ? sampleWanLinks(topology) : null;
    topology.onDestroy(() => wanLinks?.stop());
    const appliances = await startRunAppliances(topology, {
      workDir, dataDir, sites, originApart, cluster, tls, stun, subnetsPerSite, log,
      endRun: (inMs) => {
        endRequestedWall = Math.min(endRequestedWall, Date.now() + inMs);
      },
    });
    const { rig, accessLog } = appliances;
    if (onAppliance) {
      await onAppliance(rig);
    }
    // With tls, every viewer's browser trusts the appliance's CA (its data directory keeps it
    // across a restart; a cluster's appliances share it).
    const trustCaFile = tls ? join(rig.dataDir, 'pki', 'ca.crt') : null;
    if (tls) {
      log(`pages over HTTPS on port ${HTTPS_PORT}; viewers' browsers trust the appliance's CA ${trustCaFile}`);
    }

    const { placement, browserFor, kinds, versions, closeAll: closeBrowsers } = await launchViewerBrowsers(topology, {
      viewers, sites, subnetsPerSite, browser, dir: workDir, hideLocalIps: browserDefaultMdns, trustCaFile,
    });
    Object.assign(browserVersions, versions);
    log(`browser processes up: ${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(', ')}` +
      `${browserDefaultMdns ? ' (default mDNS host candidates)' : ''}, ` +
      `joining ${viewers} viewer(s) ${staggerMs} ms apart${httpOnly ? ' (--http-only)' : ''}`);

    const pages = [];
    let lastJoinWall = null;
    // The machine's CPU by kind of process, from the first join to the end of the measurement.
    const machineCpu = watchMachineCpu();
    topology.onDestroy(() => machineCpu.stop());
    for (let index = 0; index < viewers; index += 1) {
      if (timedOut) {
        throw new Error('timed out');
      }
      if (index > 0) {
        await sleep(staggerMs);
      }
      const viewer = await openViewer(index, {
        topology, placement, browserFor, tls, stream, httpOnly, player, format, renditions, abr, cachedHlsJs, pageConfig, onContext, profileDir, log,
      });
      pages.push(viewer);
      lastJoinWall = Date.now();
      if (onPage) {
        await onPage(viewer);
      }
    }

    const runEndWall = lastJoinWall + duration * 1000;
    log(`all ${viewers} joined; running ${duration} s`);
    let nextProgress = Date.now() + 5000;
    while (Date.now() < Math.min(runEndWall, endRequestedWall)) {
      const tick = Date.now();
      await Promise.all(pages.map((v) => sampleViewer(v)));
      load.max = Math.max(load.max, loadavg()[0]);
      if (Date.now() >= nextProgress) {
        nextProgress += 5000;
        log(progressLine(pages, accessLog, Math.round((runEndWall - Date.now()) / 1000), topology.siteOf));
      }
      await sleep(Math.max(0, 1000 - (Date.now() - tick)));
    }
    // End of measurement at one instant, stopWall, for both sides: origin fetches that began
    // by then, and fragments whose request began by then (the last sample waits a moment so
    // those still in flight at stopWall have arrived and are counted).
    const stopWall = Date.now();
    if (stopWall < runEndWall) {
      log(`run ended ${Math.round((runEndWall - stopWall) / 1000)} s before its duration, as the caller asked (rig.endRun)`);
    }
    await sleep(1500);
    await Promise.all(pages.map((v) => sampleViewer(v, stopWall)));
    const sampledEndWall = stopWall;
    const links = await wanLinks?.stop() ?? null;
    const routerForwarded = await forwardedPackets(topology.router);
    // A cluster's /metrics on HTTP_PORT would be whichever appliance HAProxy picked: not reported.
    const { anchorBytes, connectFailures } = cluster ? {} : await applianceCounters(rig);
    const offLan = await offLanPackets(topology);
    load.end = loadavg()[0];
    const machineCpuCores = machineCpu.stop();
    for (const viewer of pages.filter((v) => !v.closed)) {
      viewer.cpuFigures = await viewer.cpu?.finish() ?? null;
    }
    if (beforeStop) {
      await beforeStop(rig);
    }

    log('stopping browsers and appliance');
    await closeBrowsers(15_000, log);
    // The browsers are gone: the appliance's drain (server.drain-ms, for a load balancer and the
    // viewers it would move) has nobody to tell, and each request's log line was written when it
    // ended. Its data directory goes with the run.
    await appliances.stop({ signal: 'SIGKILL' });
    const logText = existsSync(accessLog) ? readFileSync(accessLog, 'utf8') : '';
    return summarize({
      viewers, sites, duration, stream, player, format, httpOnly, wanRateKbit, subnetsPerSite, browser, browserDefaultMdns, stun,
      cachedHlsJs, tls, renditions, abr, originApart, cluster, topology, load, browserVersions,
    }, { pages, logText, sampledEndWall, links, routerForwarded, offLan, anchorBytes, connectFailures, machineCpuCores });
  }
}


function progressLine(pages, accessLog, remaining, siteOf) {
  const samples = pages.map((v) => v.last).filter(Boolean);
  const playing = samples.filter((s) => s.playingAt !== null).length;
  const stalls = samples.reduce((sum, s) => sum + s.waiting, 0);
  const hls = samples.reduce((sum, s) => sum + s.fragBytes, 0);
  let origin = 0;
  try {
    origin = parseSegmentLog(readFileSync(accessLog, 'utf8'), siteOf).filter((f) => f.site !== null).reduce((sum, f) => sum + f.bytes, 0);
  } catch {
    // not written yet
  }
  const sdk = samples.filter((s) => s.sdk);
  const p2p = sdk.reduce((sum, s) => sum + (Number(s.sdk.p2pBytes) || 0), 0);
  return `${remaining} s left: playing ${playing}/${pages.length}, stalls ${stalls}, hls.js ${(hls / 1e6).toFixed(2)} MB, ` +
    `origin ${(origin / 1e6).toFixed(2)} MB${sdk.length ? `, sdk p2p ${(p2p / 1e6).toFixed(2)} MB on ${sdk.length} page(s)` : ''}`;
}

/** Throws, naming the option, when runFleet's options do not make a run (the format already checked). */
function checkRunOptions({ viewers, sites, duration, stream, player, format, renditions, abr, browser, cachedHlsJs }) {
  if (!Number.isInteger(viewers) || viewers < 1) {
    throw new Error(`viewers must be a positive integer, got ${viewers}`);
  }
  if (!Number.isInteger(sites) || sites < 1 || sites > viewers) {
    throw new Error(`sites must be an integer in 1..viewers, got ${sites}`);
  }
  if (!Number.isFinite(duration) || duration <= 0) {
    throw new Error(`duration must be a positive number of seconds, got ${duration}`);
  }
  if (stream !== 'live' && stream !== 'vod') {
    throw new Error(`stream must be live or vod, got ${stream}`);
  }
  if (renditions !== 1 && !(renditions === 2 && stream === 'live' && player === 'hlsjs' && format === 'hls')) {
    throw new Error(`renditions must be 1, or 2 with the live stream on hls.js and HLS, got ${renditions}`);
  }
  if (abr && renditions !== 2) {
    throw new Error('abr lets hls.js choose between the two renditions: it needs renditions 2');
  }
  const reason = fleetUnavailableReason(browser);
  if (reason) {
    throw new Error(reason);
  }
  if (cachedHlsJs && browser !== 'chromium') {
    throw new Error('cachedHlsJs needs request routing, which only Chromium viewers have');
  }
  if (cachedHlsJs && !existsSync(HLS_JS_BUILD)) {
    throw new Error(`${HLS_JS_BUILD} is missing: build it with mvn -B -DskipTests package (or npm run build in sdk/)`);
  }
}

/** The JSON line's fields, without the per-page details. */
export function figures(result) {
  const { pages, wan_timeline: timeline, site_traffic: traffic, ...rest } = result;
  return rest;
}

