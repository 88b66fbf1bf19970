// The fleet harness itself, without the SDK: 2 sites × 1 real Chromium viewer in network
// namespaces play the live demo stream over plain HTTP for 20 s. Everything hls.js loaded came
// from the origin (offload ≈ 0), nothing stalled, and both pages played. Uses
// appliance/target/swarmgate.jar; fails when a prerequisite is missing (scripts/run-tests.mjs).
// Needs: root, chromium
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figures, runFleet } from '../../fleet/fleet.mjs';

const DURATION_S = 20;

test('fleet --http-only: 2 sites × 1 viewer play 20 s from the origin without stalls',
  { timeout: (DURATION_S + 150) * 1000 }, async () => {
    const result = await runFleet({ viewers: 2, sites: 2, duration: DURATION_S, httpOnly: true });
    const report = JSON.stringify(result, null, 2);
    console.log(`${JSON.stringify(figures(result))}`);

    assert.equal(result.viewers_played, 2, `every page played\n${report}`);
    for (const page of result.pages) {
      assert.ok(page.played && page.watch_ms >= (DURATION_S - 3) * 1000, `page ${page.index} watched the run\n${report}`);
      assert.ok(page.hls_bytes > 0, `page ${page.index} loaded segments\n${report}`);
      assert.equal(page.fatal_errors, 0, `page ${page.index} fatal hls.js errors\n${report}`);
    }
    assert.equal(result.stalls, 0, `stalls\n${report}`);
    assert.equal(result.rebuffer_ratio, 0, `rebuffer ratio\n${report}`);
    assert.ok(result.origin_bytes > 0, `origin served segments\n${report}`);
    assert.ok(Math.abs(result.offload) <= 0.05, `offload ≈ 0 without the SDK, got ${result.offload}\n${report}`);
    // Plain HTTP: each site's one viewer fetched each steady-state segment once.
    assert.ok(result.wan_window_segments > 0, `segments in the steady-state window\n${report}`);
    assert.ok(Math.abs(result.wan_copies_per_segment_per_site - 1) <= 0.05,
      `one origin copy per segment per site, got ${result.wan_copies_per_segment_per_site}\n${report}`);
    assert.equal(result.cross_site_forwarded_packets, 0, `nothing crossed between sites\n${report}`);
    assert.ok(result.startup_p95_ms > 0 && result.startup_p95_ms < 15_000, `startup\n${report}`);
    assert.ok(result.live_latency_p50_s > 0 && result.live_latency_p50_s < 20, `live latency\n${report}`);
  });
