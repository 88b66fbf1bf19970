// Several runs of one fleet configuration read as one sample (`scripts/fleet --compare-http
// --repeat N`). On a shared two-core machine one run's start-up p95 is its slowest page or two,
// and which pages those are depends on what else the cores did at that moment: the same build
// moved by 1–3 s from one pair of runs to the next. Pooling the pages of several runs, with the
// order of SDK and HTTP-only runs alternated so that a machine growing busier charges both
// sides alike, gives the quantiles enough pages to mean something.
import { httpBytesByReason, peerGateCounts, quantile, round } from './measure.mjs';

const mean = (values) => {
  const finite = values.filter((v) => Number.isFinite(v));
  return finite.length ? finite.reduce((sum, v) => sum + v, 0) / finite.length : null;
};

/** Per key, the mean over the runs that report it (a kind absent from a run counts 0 there); null when none does. */
function meanByKey(objects) {
  const present = objects.filter((o) => o && typeof o === 'object');
  if (present.length === 0) return null;
  const keys = [...new Set(present.flatMap(Object.keys))];
  return Object.fromEntries(keys.map((k) => [k, round(present.reduce((sum, o) => sum + (o[k] ?? 0), 0) / present.length, 2)]));
}

/**
 * Which side runs first in pair `index` (0-based): SDK first in even pairs, HTTP-only first in
 * odd ones (SDK, HTTP, HTTP, SDK, SDK, HTTP, …).
 * @returns {boolean[]} the httpOnly flag of the pair's first and second run
 */
export function pairOrder(index) {
  return index % 2 === 0 ? [false, true] : [true, false];
}

/**
 * The figures of several runs of one configuration (one side of `--compare-http`), from each
 * run's result with its pages:
 * - start-up quantiles over every page of every run (`startup_samples` of them);
 * - stalls summed; rebuffer ratio as all stall time over all watch time; HTTP bytes by reason
 *   summed over every page;
 * - offload, steady offload, WAN copies per segment per site and live latency: the mean of the
 *   runs' figures, with the lowest offload and the highest copies beside them;
 * - the machine's CPU by kind of process: each kind's mean over the runs;
 * - the machine's 1-minute load: the first run's start, the highest, the last run's end.
 * @param {object[]} results runFleet results (with `pages`), in the order they ran
 */
export function poolRuns(results) {
  if (results.length === 0) throw new RangeError('poolRuns needs at least one run');
  const pages = results.flatMap((r) => r.pages ?? []);
  const startups = pages.filter((p) => p.played).map((p) => p.startup_ms);
  const watchMs = pages.reduce((sum, p) => sum + (p.watch_ms ?? 0), 0);
  const stallMs = pages.reduce((sum, p) => sum + (p.stall_ms ?? 0), 0);
  const offloads = results.map((r) => r.offload).filter((v) => Number.isFinite(v));
  const copies = results.map((r) => r.wan_copies_per_segment_per_site).filter((v) => Number.isFinite(v));
  const first = results[0];
  return {
    runs: results.length,
    viewers: first.viewers,
    sites: first.sites,
    duration_s: first.duration_s,
    stream: first.stream,
    player: first.player,
    format: first.format,
    http_only: first.http_only,
    wan_rate_kbps: first.wan_rate_kbps,
    offload: round(mean(offloads), 4),
    offload_min: offloads.length ? Math.min(...offloads) : null,
    steady_offload: round(mean(results.map((r) => r.steady_offload)), 4),
    stalls: results.reduce((sum, r) => sum + (r.stalls ?? 0), 0),
    stalls_starved: results.reduce((sum, r) => sum + (r.stalls_starved ?? 0), 0),
    rebuffer_ratio: watchMs > 0 ? round(stallMs / watchMs, 5) : null,
    startup_p50_ms: quantile(startups, 0.5),
    startup_p95_ms: quantile(startups, 0.95),
    startup_samples: startups.length,
    startup_p95_ms_by_run: results.map((r) => r.startup_p95_ms),
    live_latency_p50_s: round(mean(results.map((r) => r.live_latency_p50_s)), 3),
    wan_copies_per_segment_per_site: round(mean(copies), 3),
    wan_copies_per_segment_per_site_max: copies.length ? Math.max(...copies) : null,
    origin_responses_per_segment_per_site: round(mean(results.map((r) => r.origin_responses_per_segment_per_site)), 3),
    cross_site_p2p_bytes: results.every((r) => r.cross_site_p2p_bytes === null || r.cross_site_p2p_bytes === undefined)
      ? null : results.reduce((sum, r) => sum + (r.cross_site_p2p_bytes ?? 0), 0),
    http_bytes_by_reason: httpBytesByReason(pages),
    peer_gate: first.http_only ? null : peerGateCounts(pages),
    p2p_pauses: first.http_only ? null : results.reduce((sum, r) => sum + (r.p2p_pauses ?? 0), 0),
    viewers_played: startups.length,
    machine_cpu_cores: meanByKey(results.map((r) => r.machine_cpu_cores)),
    load_avg_1m: {
      start: first.load_avg_1m?.start ?? null,
      max: Math.max(...results.map((r) => r.load_avg_1m?.max ?? -Infinity)),
      end: results[results.length - 1].load_avg_1m?.end ?? null,
    },
  };
}
