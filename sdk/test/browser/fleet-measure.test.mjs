// The fleet's SDK-independent measurements on a fixed access log (no browser, no root needed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserOf } from '../../fleet/browser.mjs';
import {
  LINK_PAYLOAD_SHARE, RESPONSE_HEADER_BYTES, counterAt, httpBytesByReason, p2pBytesBetweenBrowsers, peerGateCounts, parseSegmentLog,
  parseSiteResponses, quantile, siteTraffic, wanCopiesPerSegmentPerSite, wanLinkCopiesPerSegmentPerSite,
} from '../../fleet/measure.mjs';
import { linkTotal, wanTimeline } from '../../fleet/wan-link.mjs';

const t0 = Date.parse('2026-11-22T01:06:18.000Z');
const at = (s) => new Date(t0 + s * 1000).toISOString();
const line = (client, s, path, status, bytes) =>
  `${client} - - [${at(s)}] "GET ${path} HTTP/1.1" ${status} ${bytes} 3 "Mozilla/5.0 (X11; Linux x86_64)"`;

const log = [
  line('10.99.1.2', 0, '/demo/live/master.m3u8', 200, 146), // playlists never count
  line('10.99.1.2', 1, '/demo/live/seg-100.ts', 200, 1000),
  line('10.99.1.2', 1.2, '/demo/live/seg-100.ts', 200, 1000), // a second viewer of site 1
  line('10.99.2.2', 1.5, '/demo/live/seg-100.ts', 206, 500), // half of it, as a range
  line('10.99.1.2', 3, '/demo/live/seg-101.ts', 200, 1200),
  line('10.99.1.2', 3.1, '/demo/live/seg-102.ts', 404, 90), // errors never count
  line('127.0.0.1', 3.2, '/demo/live/seg-101.ts', 200, 1200), // not a viewer
  line('10.99.1.1', 3.3, '/demo/live/seg-101.ts', 200, 1200), // the router itself, not a viewer
  `10.99.1.2 - - [${at(4)}] "POST /demo/live/seg-103.ts HTTP/1.1" 200 10 1 "x"`,
  'garbage line',
].join('\n');

test('segment fetches are parsed from the access log with their site', () => {
  const fetches = parseSegmentLog(log);
  assert.deepEqual(fetches.map((f) => [f.client, f.site, f.seq, f.status, f.bytes]), [
    ['10.99.1.2', 1, 100, 200, 1000],
    ['10.99.1.2', 1, 100, 200, 1000],
    ['10.99.2.2', 2, 100, 206, 500],
    ['10.99.1.2', 1, 101, 200, 1200],
    ['127.0.0.1', null, 101, 200, 1200],
    ['10.99.1.1', null, 101, 200, 1200],
  ]);
  assert.equal(fetches[0].at, t0 + 1000);
  assert.equal(fetches[0].stream, 'live');
});

test('DASH segments count like HLS ones: live chunks by number, VOD by time, byte ranges of the file; init segments not', () => {
  const dash = [
    line('10.99.1.2', 1, '/demo/live/chunk-900.m4s', 200, 60000),
    line('10.99.1.2', 1, '/demo/live/init.mp4', 200, 772),
    line('10.99.1.2', 1, '/demo/vod/chunk-25600.m4s', 200, 68000),
    line('10.99.1.2', 1, '/demo/vod/video.mp4', 206, 50415),
  ].join('\n');
  assert.deepEqual(parseSegmentLog(dash).map((f) => [f.stream, f.seq, f.bytes]), [
    ['live', 900, 60000], ['vod', 25600, 68000], ['vod', -1, 50415],
  ]);
});

test('the live stream\'s lower rendition (low/seg-N.ts) is a segment of its own track', () => {
  const two = [
    line('10.99.1.2', 1, '/demo/live/seg-100.ts', 200, 1000),
    line('10.99.1.2', 1, '/demo/live/low/seg-100.ts', 200, 400),
    line('10.99.1.2', 1, '/demo/live/low/media.m3u8', 200, 300),
  ].join('\n');
  assert.deepEqual(parseSegmentLog(two).map((f) => [f.track, f.seq, f.bytes]), [['', 100, 1000], ['low', 100, 400]]);
});

test('WAN copies per segment per site average over the window and count missing sites as 0', () => {
  const fetches = parseSegmentLog(log);
  // seg-100: site 1 two copies, site 2 half a copy; seg-101: site 1 one copy, site 2 none.
  const all = wanCopiesPerSegmentPerSite(fetches, { sites: [1, 2], windowStart: 0, windowEnd: Infinity });
  assert.deepEqual(all, { copies: (2 + 0.5 + 1 + 0) / 4, segments: 2 });
  const late = wanCopiesPerSegmentPerSite(fetches, { sites: [1, 2], windowStart: t0 + 2000, windowEnd: Infinity });
  assert.deepEqual(late, { copies: 0.5, segments: 1 });
  const none = wanCopiesPerSegmentPerSite(fetches, { sites: [1], windowStart: t0 + 10_000, windowEnd: Infinity });
  assert.deepEqual(none, { copies: null, segments: 0 });
});

test('every response to a site is parsed with its size, segments marked; other clients are not', () => {
  assert.deepEqual(parseSiteResponses(log).map((r) => [r.site, r.bytes, r.segment]), [
    [1, 146, false], [1, 1000, true], [1, 1000, true], [2, 500, true], [1, 1200, true], [1, 90, false], [1, 10, false],
  ]);
});

test('the report\'s site traffic lists every response to a site with its time from the first join; its WAN timeline is kbit/s per second', () => {
  assert.deepEqual(siteTraffic(log, t0 + 1000).slice(0, 3), [
    [-1, '10.99.1.2', '/demo/live/master.m3u8', 200, 146], [0, '10.99.1.2', '/demo/live/seg-100.ts', 200, 1000],
    [0.2, '10.99.1.2', '/demo/live/seg-100.ts', 200, 1000],
  ]);
  assert.equal(siteTraffic(log, t0).length, 7, 'the local and router clients are not a site\'s');
  const points = [[900, 0], [1250, 1000], [1750, 2000], [2250, 2500], [3500, 2500], [4250, 3750]];
  assert.deepEqual(wanTimeline(new Map([[1, points], [2, []]]), 1000), { 1: [16, 4, 0, 10], 2: [] });
});

test('a link counter is read between its samples, linearly, and not outside them', () => {
  const points = [[1000, 0], [2000, 100], [4000, 300]];
  assert.equal(counterAt(points, 1500), 50);
  assert.equal(counterAt(points, 3000), 200);
  assert.equal(counterAt(points, 4000), 300);
  assert.equal(counterAt(points, 999), null);
  assert.equal(counterAt(points, 4001), null);
  assert.equal(counterAt([], 1000), null);
  assert.equal(linkTotal(new Map([[1, points], [2, [[1000, 5], [4000, 15]]], [3, []]])), 310);
  assert.equal(linkTotal(new Map([[1, []]])), null);
});

test('WAN copies on a shaped link count what the link carried: a response abandoned mid-way counts the part that crossed', () => {
  // Segments of 10,000 bytes listed every 2 s; site 1 fetched each once, and seg-201 a second
  // time at 2.5 s, a fetch the player abandoned after 3,000 bytes had crossed (the log says 10,000).
  const text = [
    line('10.99.1.2', 0, '/demo/live/seg-200.ts', 200, 10000),
    line('10.99.1.2', 1, '/demo/live/media.m3u8', 200, 200),
    line('10.99.1.2', 2, '/demo/live/seg-201.ts', 200, 10000),
    line('10.99.1.2', 2.5, '/demo/live/seg-201.ts', 200, 10000),
    line('10.99.1.2', 3, '/demo/live/media.m3u8', 200, 200),
    line('10.99.1.2', 4, '/demo/live/seg-202.ts', 200, 10000),
    line('10.99.1.2', 5, '/demo/live/media.m3u8', 200, 200),
    line('10.99.1.2', 6, '/demo/live/seg-203.ts', 200, 10000),
  ].join('\n');
  const fetches = parseSegmentLog(text);
  const responses = parseSiteResponses(text);
  const window = { sites: [1], windowStart: t0, windowEnd: t0 + 4500 };
  // The span is 0-6 s (seg-203 closes it): 7 responses' headers and 600 bytes of playlists beside
  // 33,000 bytes of segments.
  const overhead = 7 * RESPONSE_HEADER_BYTES + 600;
  const wire = (payload) => (payload + overhead) / LINK_PAYLOAD_SHARE;
  const carried = new Map([[1, [[t0 - 500, 7000], [t0, 7000], [t0 + 6000, 7000 + wire(33000)], [t0 + 7000, 9e9]]]]);
  assert.equal(wanCopiesPerSegmentPerSite(fetches, window).copies, 4 / 3);
  const onLink = wanLinkCopiesPerSegmentPerSite(fetches, responses, carried, window);
  assert.equal(onLink.segments, 3);
  assert.ok(Math.abs(onLink.copies - 1.1) < 1e-9, `${onLink.copies}`);
  assert.equal(onLink.linkBytes, Math.round(wire(33000)));
  // Never more than the log: a link that carried more (other traffic) still counts 4 / 3.
  const busy = new Map([[1, [[t0, 0], [t0 + 6000, wire(90000)]]]]);
  assert.equal(wanLinkCopiesPerSegmentPerSite(fetches, responses, busy, window).copies, 4 / 3);
  // One copy each, and the link short of it (the span cut a fetch still crossing): still one copy.
  const once = fetches.filter((f, i) => i !== 2);
  const short = new Map([[1, [[t0, 0], [t0 + 6000, wire(20000)]]]]);
  assert.equal(wanLinkCopiesPerSegmentPerSite(once, responses, short, window).copies, 1);
  // No samples over the span, or no segment after the window to close it: no figure.
  assert.equal(wanLinkCopiesPerSegmentPerSite(fetches, responses, new Map([[1, [[t0 + 1000, 0], [t0 + 6000, 1]]]]), window).copies, null);
  assert.equal(wanLinkCopiesPerSegmentPerSite(fetches, responses, busy, { ...window, windowEnd: t0 + 7000 }).copies, null);
});

test('nearest-rank quantiles', () => {
  assert.equal(quantile([5, 1, 3, 2, 4], 0.5), 3);
  assert.equal(quantile([5, 1, 3, 2, 4], 0.95), 5);
  assert.equal(quantile([], 0.5), null);
  assert.equal(quantile([null, 7], 0.5), 7);
});

test('--wan-rate takes kbit/mbit units (k and m for short) and refuses bare numbers and bytes', async () => {
  const { parseRate, parseArgs, UsageError } = await import('../../fleet/cli.mjs');
  for (const [text, kbit] of [['2.5mbit', 2500], ['2500kbit', 2500], ['2.5m', 2500], ['2500k', 2500], ['1gbit', 1_000_000], ['400K', 400]]) {
    assert.equal(parseRate(text), kbit, text);
  }
  for (const text of ['2.5', '2.5mbps', 'fast', '4k2', '1kbit']) {
    assert.throws(() => parseRate(text), UsageError, text);
  }
  assert.equal(parseArgs(['--viewers', '2', '--duration', '5', '--wan-rate', '2.5mbit']).wanRateKbit, 2500);
  assert.throws(() => parseArgs(['--viewers', '2', '--duration', '5', '--http-only', '--compare-http']), UsageError);
  assert.throws(() => parseArgs(['--viewers', '200', '--sites', '100', '--duration', '5', '--subnets-per-site', '3']), UsageError);
});

test('with several subnets per site, a site is one aligned block of /24s and addresses map back to it', async () => {
  const { siteAddress, siteCidr, siteOfAddress, routerAddress } = await import('../../fleet/topology.mjs');
  assert.equal(siteCidr(3), '10.99.3.0/24');
  assert.equal(siteAddress(3), '10.99.3.2');
  assert.equal(siteCidr(1, 3), '10.99.4.0/22');
  assert.deepEqual([1, 2, 3].map((j) => siteAddress(1, j, 3)), ['10.99.4.2', '10.99.5.2', '10.99.6.2']);
  assert.equal(siteCidr(2, 2), '10.99.4.0/23');
  assert.equal(siteOfAddress('10.99.6.2', 3), 1);
  assert.equal(siteOfAddress('10.99.9.7', 3), 2);
  assert.equal(siteOfAddress('10.99.6.1', 3), null, 'a gateway is not a viewer');
  assert.equal(siteOfAddress(routerAddress(1)), null, 'the WAN links are outside every site');
  assert.equal(siteOfAddress('10.99.1.2'), 1);
});

test('--browser mixed alternates Chromium and Firefox inside every site', () => {
  const kinds = (viewers, sites) => Array.from({ length: viewers }, (_, i) => `${(i % sites) + 1}:${browserOf('mixed', i, sites)}`);
  assert.deepEqual(kinds(4, 1), ['1:chromium', '1:firefox', '1:chromium', '1:firefox']);
  assert.deepEqual(kinds(4, 2).sort(), ['1:chromium', '1:firefox', '2:chromium', '2:firefox']);
  assert.equal(browserOf('firefox', 3, 2), 'firefox');
  assert.equal(browserOf('chromium', 1, 1), 'chromium');
});

test('P2P bytes between browsers: each receiver\'s bytes per sender, the sender known by its peer id', () => {
  const page = (browser, peerId, p2pBytesByPeer) => ({ browser, sdk: { peerId, p2pBytesByPeer } });
  const pages = [
    page('chromium', 'p-c1', { 'p-f1': 300, 'p-c2': 50 }),
    page('chromium', 'p-c2', {}),
    page('firefox', 'p-f1', { 'p-c1': 200, 'p-gone': 7 }),
  ];
  assert.deepEqual(p2pBytesBetweenBrowsers(pages), { firefox_to_chromium: 300, chromium_to_chromium: 50, chromium_to_firefox: 200, unknown_to_firefox: 7 });
  assert.equal(p2pBytesBetweenBrowsers([...pages, { browser: 'firefox', sdk: null }]), null, 'a page without the SDK\'s figures');
  assert.equal(p2pBytesBetweenBrowsers([]), null);
});

test('a page\'s CPU figures are CPU time over its time in the run; the run\'s are the pages\' mean', async () => {
  const { meanShare, shares } = await import('../../fleet/page-cpu.mjs');
  assert.deepEqual(shares({ taskMs: 15_000.4, scriptMs: 6_000, processMs: 30_000, measuredMs: 60_000 }), {
    main_thread_cpu: 0.25, script_cpu: 0.1, renderer_cpu: 0.5, main_thread_ms: 15_000, script_ms: 6_000, renderer_ms: 30_000, measured_ms: 60_000,
  });
  assert.equal(shares({ taskMs: 1, scriptMs: 1, processMs: 1, measuredMs: 0 }).main_thread_cpu, null);
  assert.equal(meanShare([{ renderer_cpu: 0.2 }, null, { renderer_cpu: 0.3 }, { renderer_cpu: null }], 'renderer_cpu'), 0.25, 'unmeasured pages (Firefox, closed) are left out');
  assert.equal(meanShare([null], 'renderer_cpu'), null);
});

test('--profile DIR is taken; it needs a value', async () => {
  const { parseArgs, UsageError } = await import('../../fleet/cli.mjs');
  assert.equal(parseArgs(['--viewers', '2', '--duration', '5', '--profile', '/tmp/p']).profileDir, '/tmp/p');
  assert.equal(parseArgs(['--viewers', '2', '--duration', '5']).profileDir, null);
  assert.throws(() => parseArgs(['--viewers', '2', '--duration', '5', '--profile']), UsageError);
});

test('HTTP bytes by reason are summed over the pages that report them, largest first', () => {
  const pages = [
    { sdk: { httpBytesByReason: { leader: 500, alone: 100 } } },
    { sdk: { httpBytesByReason: { alone: 250, urgent: 20 } } },
    { sdk: null },
    { sdk: { httpBytes: 7 } },
  ];
  const totals = httpBytesByReason(pages);
  assert.deepEqual(totals, { leader: 500, alone: 350, urgent: 20 });
  assert.deepEqual(Object.keys(totals), ['leader', 'alone', 'urgent']);
  assert.equal(httpBytesByReason([{ sdk: null }]), null, 'no page reports the split');
});

test('pages are counted by why their neighbour connections started; pages without the SDK are not', () => {
  const pages = [
    { sdk: { peerGate: 'started' } }, { sdk: { peerGate: 'congested' } }, { sdk: { peerGate: 'started' } },
    { sdk: { peerGate: null } }, { sdk: null },
  ];
  assert.deepEqual(peerGateCounts(pages), { started: 2, congested: 1, none: 1 });
  assert.equal(peerGateCounts([{ sdk: null }]), null);
});

test('--repeat pools pairs of runs: it needs --compare-http and a count from 1 to 20', async () => {
  const { parseArgs, UsageError } = await import('../../fleet/cli.mjs');
  assert.equal(parseArgs(['--viewers', '2', '--duration', '5']).repeat, 1);
  assert.equal(parseArgs(['--viewers', '2', '--duration', '5', '--compare-http', '--repeat', '3']).repeat, 3);
  assert.throws(() => parseArgs(['--viewers', '2', '--duration', '5', '--repeat', '3']), /needs --compare-http/);
  assert.throws(() => parseArgs(['--viewers', '2', '--duration', '5', '--compare-http', '--repeat', '0']), UsageError);
  assert.throws(() => parseArgs(['--viewers', '2', '--duration', '5', '--compare-http', '--repeat', '21']), UsageError);
  assert.throws(() => parseArgs(['--viewers', '2', '--duration', '5', '--compare-http', '--repeat', 'two']), UsageError);
});

test('pooled runs: start-up quantiles over every page of every run, stalls summed, run figures averaged', async () => {
  const { pairOrder, poolRuns } = await import('../../fleet/pool.mjs');
  assert.deepEqual([0, 1, 2, 3].map(pairOrder), [[false, true], [true, false], [false, true], [true, false]]);
  const page = (startup, sdk = null) => ({ played: startup !== null, startup_ms: startup, watch_ms: 10_000, stall_ms: 0, sdk });
  const run = (startups, extra) => ({
    viewers: startups.length, sites: 1, stream: 'live', offload: 0.8, wan_copies_per_segment_per_site: 1, live_latency_p50_s: 6,
    stalls: 0, steady_offload: 0.9, load_avg_1m: { start: 1, max: 3, end: 2 }, startup_p95_ms: Math.max(...startups.filter(Number.isFinite)),
    pages: startups.map((s) => page(s)), ...extra,
  });
  const pooled = poolRuns([
    run([100, 200, 300, 400], { pages: [page(100, { httpBytesByReason: { alone: 10, primary: 5 } }), page(200), page(300), page(400)] }),
    run([150, 250, 350, 5000], { offload: 0.9, wan_copies_per_segment_per_site: 1.2, live_latency_p50_s: 7, stalls: 2, stalls_starved: 1,
      load_avg_1m: { start: 2, max: 9, end: 4 },
      pages: [page(150, { httpBytesByReason: { primary: 20 } }), page(250), page(350), page(5000)] }),
  ]);
  assert.equal(pooled.runs, 2);
  assert.equal(pooled.startup_samples, 8);
  assert.equal(pooled.startup_p50_ms, 250); // nearest rank 4 of 8
  assert.equal(pooled.startup_p95_ms, 5000);
  assert.deepEqual(pooled.startup_p95_ms_by_run, [400, 5000]);
  assert.equal(pooled.stalls, 2);
  assert.equal(pooled.stalls_starved, 1);
  assert.equal(pooled.offload, 0.85);
  assert.equal(pooled.offload_min, 0.8);
  assert.equal(pooled.wan_copies_per_segment_per_site, 1.1);
  assert.equal(pooled.wan_copies_per_segment_per_site_max, 1.2);
  assert.equal(pooled.live_latency_p50_s, 6.5);
  assert.deepEqual(pooled.load_avg_1m, { start: 1, max: 9, end: 4 });
  assert.deepEqual(pooled.http_bytes_by_reason, { primary: 25, alone: 10 });
  assert.deepEqual(pooled.peer_gate, { none: 2 }, 'the two pages with SDK stats, which name no reason');
  const unplayed = poolRuns([run([100, null])]);
  assert.equal(unplayed.viewers_played, 1);
  assert.equal(unplayed.http_bytes_by_reason, null);
  assert.throws(() => poolRuns([]), RangeError);
});

test('machine CPU: processes by kind from their command line, ticks from /proc/PID/stat', async () => {
  const { processKind, statTicks } = await import('../../fleet/machine-cpu.mjs');
  const cmd = (...args) => `${args.join('\0')}\0`;
  assert.equal(processKind(cmd('/usr/lib/chromium/chromium', '--headless')), 'chromium_browser');
  assert.equal(processKind(cmd('/usr/lib/chromium/chromium', '--type=renderer', '--lang=en')), 'chromium_renderer');
  assert.equal(processKind(cmd('/usr/lib/chromium/chromium', '--type=gpu-process')), 'chromium_gpu');
  assert.equal(processKind(cmd('/usr/lib/chromium/chromium', '--type=utility', '--utility-sub-type=network.mojom.NetworkService')), 'chromium_network');
  assert.equal(processKind(cmd('/usr/lib/chromium/chromium', '--type=zygote')), 'chromium_other');
  assert.equal(processKind('/usr/lib/chromium/chromium --type=renderer --lang=en\0'), 'chromium_renderer'); // a rewritten title
  assert.equal(processKind(cmd('/usr/lib/firefox-esr/firefox-esr', '-contentproc')), 'firefox');
  assert.equal(processKind(cmd('/usr/bin/java', '-jar', 'swarmgate.jar')), 'appliance');
  assert.equal(processKind(cmd('/usr/bin/node', 'fleet.mjs')), 'fleet');
  assert.equal(processKind(cmd('/usr/sbin/haproxy', '-db')), 'other');
  assert.equal(processKind(''), 'other'); // kernel threads have no command line
  assert.equal(statTicks('42 (Web Content (x)) S 1 42 42 0 -1 4194560 10 0 0 0 250 50 0 0 20 0 1 0 100 0 0'), 300);
});

test('machine CPU: cores per kind over the window; processes started in it count whole, earlier ones from the start', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { watchMachineCpu } = await import('../../fleet/machine-cpu.mjs');
  const proc = mkdtempSync(join(tmpdir(), 'fleet-proc-'));
  const put = (pid, cmdline, ticks) => {
    mkdirSync(join(proc, String(pid)), { recursive: true });
    writeFileSync(join(proc, String(pid), 'cmdline'), cmdline);
    writeFileSync(join(proc, String(pid), 'stat'), `${pid} (x) S 1 1 1 0 -1 0 0 0 0 0 ${ticks} 0 0 0 20 0 1 0 1 0 0`);
  };
  try {
    let clock = 0;
    put(10, '/usr/bin/java\0-jar\0', 5000); // ran before the window: only what it uses from now counts
    const watch = watchMachineCpu({ proc, now: () => clock, intervalMs: 3_600_000 });
    put(10, '/usr/bin/java\0-jar\0', 5100);
    put(11, '/usr/lib/chromium/chromium\0--type=renderer\0', 150); // started during the window
    put(12, '/usr/lib/chromium/chromium\0--type=renderer\0', 50);
    clock = 1000;
    watch.sample();
    rmSync(join(proc, '12'), { recursive: true }); // exited: keeps what it was last seen with
    clock = 2000;
    assert.deepEqual(watch.stop(), { chromium_renderer: 1, appliance: 0.5, total: 1.5 });
    assert.equal(watch.stop(), watch.stop(), 'a second stop returns the same figures');
  } finally {
    rmSync(proc, { recursive: true, force: true });
  }
});

test('the page probe classes each stall by the media buffered at the playhead: under 0.25 s the data was late', async () => {
  const { installProbe } = await import('../../fleet/probe.mjs');
  const listeners = {};
  class HTMLMediaElement {
    constructor(ranges) { this.ranges = ranges; this.currentTime = 0; }
    get buffered() { return { length: this.ranges.length, start: (i) => this.ranges[i][0], end: (i) => this.ranges[i][1] }; }
  }
  const saved = { window: globalThis.window, document: globalThis.document, HTMLMediaElement: globalThis.HTMLMediaElement };
  Object.assign(globalThis, {
    window: {}, HTMLMediaElement, document: { addEventListener: (type, fn) => { listeners[type] = fn; } },
  });
  try {
    installProbe({});
    const probe = globalThis.window.__fleetProbe;
    const video = new HTMLMediaElement([[6, 8], [8.1, 12]]);
    const at = (t, type) => { video.currentTime = t; listeners[type]({ target: video }); };
    at(6, 'waiting'); // before the first frame: start-up, not a stall
    at(6, 'playing');
    at(6.3, 'waiting'); // 1.7 s buffered ahead: the decoder fell behind
    at(6.31, 'playing');
    at(7.6, 'waiting'); // 0.4 s ahead: the browser fell behind
    at(7.61, 'playing');
    at(7.9, 'waiting'); // 0.1 s ahead: the next data was late
    at(8, 'playing');
    at(8.02, 'waiting'); // in the gap between two ranges: nothing to play
    at(8.1, 'playing');
    assert.equal(probe.waiting, 4);
    assert.equal(probe.starved, 2);
    assert.deepEqual(probe.stallLog.map(([, ahead]) => ahead), [1.7, 0.4, 0.1, 0]);
  } finally {
    Object.assign(globalThis, saved);
  }
});
