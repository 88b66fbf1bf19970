// A fleet run's figures (the JSON line) and its report (each page, the links' timelines), from
// the pages' last samples, the origin's access log and the counters read at the end (fleet.mjs).
// docs/benchmarks.md ("Fleet") explains every field.
import { cpus } from 'node:os';
import {
  httpBytesByReason, p2pBytesBetweenBrowsers, peerGateCounts, parseSegmentLog, parseSiteResponses, quantile, round, wanCopiesPerSegmentPerSite,
  siteTraffic, wanLinkCopiesPerSegmentPerSite,
} from './measure.mjs';
import { linkTotal, wanTimeline } from './wan-link.mjs';
import { meanShare } from './page-cpu.mjs';

/** Start-up marks of a page, in the order they normally happen (probe.mjs says what each is). */
export const STARTUP_MARKS = ['html', 'hls_js', 'sdk', 'welcome', 'manifest', 'frag_request', 'first_byte', 'frag_loaded', 'playing', 'peers_released', 'first_peer'];
/** Segments first fetched this close to the end are left out of the per-segment counts. */
const WINDOW_END_MARGIN_MS = 6000;

/**
 * The run's figures and report. `run`: runFleet's options, its topology, the load average seen
 * and the browsers' versions; the rest is what the run collected.
 */
export function summarize(run, { pages, logText, sampledEndWall, links, routerForwarded, offLan, anchorBytes, connectFailures, machineCpuCores }) {
  const {
    viewers, sites, duration, stream, player, format, httpOnly, wanRateKbit, subnetsPerSite, browser, browserDefaultMdns, stun,
    cachedHlsJs, tls, renditions, abr, originApart, cluster, topology, load, browserVersions,
  } = run;
  const fetches = parseSegmentLog(logText, topology.siteOf).filter((f) => f.stream === stream);
  const allViewerFetches = fetches.filter((f) => f.site !== null && f.at <= sampledEndWall);
  // WAN copies are counted per rendition: the first (or only) one here, the lower one of
  // --renditions 2 apart (wan_copies_per_segment_per_site_low).
  const viewerFetches = allViewerFetches.filter((f) => f.track === '');
  // originApart: the origin sees every fetch from the split-origin address, none from a site.
  const originBytes = originApart || cluster ? null : allViewerFetches.reduce((sum, f) => sum + f.bytes, 0);

  const firstJoin = Math.min(...pages.map((v) => v.joinedAt));
  const perPage = pages.map((viewer) => {
    const s = viewer.last ?? {};
    const played = s.playingAt !== null && s.playingAt !== undefined;
    // Cut at the end instant when the last sample has it (closed pages keep their total).
    const fragBytes = Number.isFinite(s.fragBytesBeforeCut) ? s.fragBytesBeforeCut : (s.fragBytes ?? 0);
    const marks = s.marks ?? {};
    return {
      index: viewer.index,
      browser: viewer.browser,
      joined_s: round((viewer.joinedAt - firstJoin) / 1000, 2), // navigation start, from the first page's
      site: viewer.site,
      subnet: viewer.subnet,
      address: viewer.address,
      played,
      startup_ms: played ? Math.round(s.playingAt) : null,
      // ms since the page's navigation start; null for what did not happen (yet)
      protocol: s.protocol ?? null, // the page's HTTP version ('h2' with --tls, 'http/1.1' without)
      startup_phases_ms: Object.fromEntries(STARTUP_MARKS.map((k) => [k, Number.isFinite(marks[k]) ? Math.round(marks[k]) : null])),
      stalls: s.waiting ?? 0,
      // of those, stalls with under 0.25 s of media at the playhead (probe.mjs): the data was late
      stalls_starved: s.starved ?? 0,
      stall_log: s.stallLog ?? [], // [ms since navigation start, s buffered ahead], the first 10
      stall_ms: Math.round(s.stallMs ?? 0),
      watch_ms: played ? Math.max(0, Math.round(s.now - s.playingAt)) : 0,
      hls_bytes: fragBytes,
      probe_frag_bytes: s.fragBytes ?? 0,
      page_frag_bytes: s.pageFragBytes ?? null, // demoPlayer.stats.fragBytes, when the page keeps it
      frags: s.frags ?? 0,
      latency_p50_s: round(quantile(viewer.latencies, 0.5), 3),
      closed: viewer.closed,
      has_sdk: !!s.hasSdk,
      sdk: s.sdk ?? null,
      fatal_errors: s.fatalErrors ?? 0,
      hls_errors: s.hlsErrors ?? {},
      page_errors: viewer.consoleErrors.slice(0, 5),
      sample_error: viewer.sampleError ?? null,
      // Chromium pages: the CPU used from navigation to the end (page-cpu.mjs)
      cpu: viewer.cpuFigures ?? null,
    };
  });

  if (httpOnly && perPage.some((p) => Number(p.sdk?.p2pBytes) > 0)) {
    log('warning: --http-only pages received P2P bytes: the SDK ignored swarmgateConfig.enabled = false');
  }
  const hlsBytes = perPage.reduce((sum, p) => sum + p.hls_bytes, 0);
  const watchMs = perPage.reduce((sum, p) => sum + p.watch_ms, 0);
  const stallMs = perPage.reduce((sum, p) => sum + p.stall_ms, 0);
  const startups = perPage.filter((p) => p.played).map((p) => p.startup_ms);
  const latencies = pages.flatMap((v) => v.latencies);
  const phaseQuantile = (q) => Object.fromEntries(STARTUP_MARKS.map((k) => [k, quantile(perPage.map((p) => p.startup_phases_ms[k]), q)]));
  // How long each page's first fragment took from hls.js asking to hls.js having it.
  const firstFragWaits = perPage.map((p) => p.startup_phases_ms)
    .filter((m) => m.frag_request !== null && m.frag_loaded !== null).map((m) => m.frag_loaded - m.frag_request);

  // The SDK's own view, where every page has it.
  const sdkStats = perPage.map((p) => p.sdk).filter(Boolean);
  const haveSdk = sdkStats.length === perPage.length && sdkStats.length > 0;
  let offloadSdk = null;
  if (haveSdk) {
    const http = sdkStats.reduce((sum, s) => sum + (Number(s.httpBytes) || 0), 0);
    const p2p = sdkStats.reduce((sum, s) => sum + (Number(s.p2pBytes) || 0), 0);
    offloadSdk = http + p2p > 0 ? p2p / (http + p2p) : null;
  }
  // Bytes received from peers of another site, from the SDK's per-site breakdown
  // (stats().peersBySite: {siteId: bytesReceived}, stats().site: own site id).
  let crossSite = null;
  if (haveSdk && sdkStats.every((s) => s.peersBySite && typeof s.peersBySite === 'object' && s.site !== undefined)) {
    crossSite = 0;
    for (const s of sdkStats) {
      for (const [site, bytes] of Object.entries(s.peersBySite)) {
        if (String(site) !== String(s.site)) {
          crossSite += Number(typeof bytes === 'object' && bytes !== null ? bytes.bytes ?? bytes.received : bytes) || 0;
        }
      }
    }
  }

  // Steady state: from the moment the last viewer was playing to a margin before the end.
  const playingWalls = pages.map((v) => v.playingWall).filter((w) => w !== null);
  const steadyStart = playingWalls.length ? Math.max(...playingWalls) : Infinity;
  const usedSites = [...new Set(pages.map((v) => v.site))];
  // VOD players buffer ahead and each starts at the beginning: count every segment.
  const copiesWindow = stream === 'live'
    ? { sites: usedSites, windowStart: steadyStart, windowEnd: sampledEndWall - WINDOW_END_MARGIN_MS }
    : { sites: usedSites, windowStart: -Infinity, windowEnd: Infinity };
  const logged = wanCopiesPerSegmentPerSite(viewerFetches, copiesWindow);
  // On a shaped link, what the link carried: the log also counts responses abandoned mid-way.
  const onLink = links ? wanLinkCopiesPerSegmentPerSite(viewerFetches, parseSiteResponses(logText, topology.siteOf), links, copiesWindow) : null;
  const wan = onLink?.copies !== null && onLink?.copies !== undefined ? onLink : logged;
  const lowCopies = renditions === 2 ? wanCopiesPerSegmentPerSite(allViewerFetches.filter((f) => f.track === 'low'), copiesWindow).copies : null;

  const result = {
    viewers,
    sites,
    duration_s: duration,
    stream,
    player,
    format,
    http_only: httpOnly,
    wan_rate_kbps: wanRateKbit,
    subnets_per_site: subnetsPerSite,
    browser,
    browser_default_mdns: browserDefaultMdns,
    stun,
    cached_hls_js: cachedHlsJs,
    tls,
    // pages by the HTTP version they reached the appliance with, e.g. {"h2": 12}
    page_protocols: perPage.reduce((n, p) => ({ ...n, [p.protocol ?? 'unknown']: (n[p.protocol ?? 'unknown'] ?? 0) + 1 }), {}),
    renditions,
    abr,
    offload: hlsBytes > 0 && originBytes !== null ? round(1 - originBytes / hlsBytes, 4) : null,
    offload_sdk: round(offloadSdk, 4),
    stalls: perPage.reduce((sum, p) => sum + p.stalls, 0),
    stalls_starved: perPage.reduce((sum, p) => sum + p.stalls_starved, 0),
    rebuffer_ratio: watchMs > 0 ? round(stallMs / watchMs, 5) : null,
    startup_p50_ms: quantile(startups, 0.5),
    startup_p95_ms: quantile(startups, 0.95),
    startup_phases_p50_ms: phaseQuantile(0.5),
    startup_phases_p95_ms: phaseQuantile(0.95),
    first_frag_wait_p50_ms: quantile(firstFragWaits, 0.5),
    first_frag_wait_p95_ms: quantile(firstFragWaits, 0.95),
    live_latency_p50_s: stream === 'live' ? round(quantile(latencies, 0.5), 3) : null,
    origin_bytes: originBytes,
    anchor_origin_bytes: anchorBytes,
    pairings_failed_connect: connectFailures ?? null,
    hls_bytes: hlsBytes,
    wan_copies_per_segment_per_site: round(wan.copies, 3),
    ...(renditions === 2 ? { wan_copies_per_segment_per_site_low: round(lowCopies, 3) } : {}),
    wan_copies_source: wan.copies === null ? null : wan === onLink ? 'link' : 'log',
    wan_window_segments: wan.segments,
    origin_responses_per_segment_per_site: round(logged.copies, 3),
    wan_link_bytes: links ? linkTotal(links) : null,
    wan_carried_share: round(onLink?.carriedShare, 3),
    // What a long event gets once everyone plays (live): each viewer plays each segment once and
    // its site fetched `copies` of it, so the origin carries copies × sites of viewers' plays.
    steady_offload: stream === 'live' && wan.copies !== null && wan.segments > 0 && !httpOnly
      ? round(1 - (wan.copies * usedSites.length) / Math.max(1, perPage.filter((p) => p.played && !p.closed).length), 4) : null,
    cross_site_p2p_bytes: crossSite,
    p2p_bytes_between_browsers: haveSdk ? p2pBytesBetweenBrowsers(perPage) : null,
    http_bytes_by_reason: haveSdk ? httpBytesByReason(perPage) : null,
    peer_gate: haveSdk && !httpOnly ? peerGateCounts(perPage) : null,
    p2p_pauses: haveSdk && !httpOnly ? perPage.reduce((sum, p) => sum + (p.sdk?.p2pPauses ?? 0), 0) : null,
    cross_site_forwarded_packets: routerForwarded,
    off_lan_packets: offLan,
    viewers_played: startups.length,
    // Mean share of one core each Chromium page used (page-cpu.mjs): its renderer process, the
    // main thread of it, and the script on the main thread
    page_renderer_cpu: meanShare(perPage.map((p) => p.cpu), 'renderer_cpu'),
    page_main_thread_cpu: meanShare(perPage.map((p) => p.cpu), 'main_thread_cpu'),
    page_script_cpu: meanShare(perPage.map((p) => p.cpu), 'script_cpu'),
    // Mean share of each SDK page's timer ticks that ran over 100 ms late (stats().loopLag,
    // core/loop-lag.js): its main thread starved; null without SDK pages
    page_loop_late_share: meanLateShare(perPage),
    load_avg_1m: { start: round(load.start, 2), max: round(load.max, 2), end: round(load.end, 2) },
    // Mean cores each kind of process used from the first join to the end (machine-cpu.mjs)
    machine_cpu_cores: machineCpuCores,
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? null, browsers: browserVersions },
  };
  // What each shaped link carried, second by second from the first page's join (the report only)
  return {
    ...result, pages: perPage, wan_timeline: links ? wanTimeline(links, firstJoin) : null, site_traffic: siteTraffic(logText, firstJoin, topology.siteOf),
  };
}

function meanLateShare(pages) {
  const shares = pages.map((p) => p.sdk?.loopLag?.lateShare).filter(Number.isFinite);
  return shares.length ? round(shares.reduce((a, b) => a + b, 0) / shares.length, 3) : null;
}
