// Peer-to-peer delivery with real Chromium viewers, through the fleet harness (sdk/fleet/), with
// the SDK the demo page loads. Uses appliance/target/swarmgate.jar; fails when a prerequisite is
// missing (scripts/run-tests.mjs).
// Needs: root, chromium, certutil
//
// Names the SDK must provide (docs/benchmarks.md, "Fleet"):
//   swarmgate.stats() → {httpBytes, p2pBytes, uploadedBytes, peers, stalls, startupMs, leader,
//                        site, peerId, peersBySite: {siteId: bytesReceived}, uploadAllowed, uploadCapacityKbps,
//                        failures: {integrity, timeout, gone, noHolder, policy, unverified}}
//   window.swarmgateConfig.enabled = false         → SDK off (the fleet's --http-only)
// A viewer serving altered bytes: fleet-redteam.test.mjs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figures, runFleet } from '../../fleet/fleet.mjs';

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function stats(page) {
  return page.evaluate(async () => JSON.parse(JSON.stringify(await window.swarmgate.stats())));
}

function noMediaErrors(result, report) {
  for (const page of result.pages) {
    assert.equal(page.fatal_errors, 0, `page ${page.index}: fatal hls.js errors\n${report}`);
    assert.equal(page.hls_errors.fragParsingError ?? 0, 0, `page ${page.index}: bad bytes reached hls.js\n${report}`);
  }
}

const opts = (seconds) => ({ timeout: (seconds + 180) * 1000 });

test('4 viewers in one site share the live stream: no stalls, every non-leader gets P2P bytes, offload ≥ 0.5', opts(45), async () => {
  const result = await runFleet({ viewers: 4, sites: 1, duration: 45, tls: true });
  const report = JSON.stringify(result, null, 2);
  console.log(`${JSON.stringify(figures(result))}`);
  assert.equal(result.viewers_played, 4, report);
  assert.deepEqual(result.page_protocols, { h2: 4 }, `every page over HTTP/2\n${report}`);
  assert.equal(result.stalls, 0, `stalls\n${report}`);
  noMediaErrors(result, report);
  const nonLeaders = result.pages.filter((p) => p.sdk && !p.sdk.leader);
  assert.ok(nonLeaders.length > 0, `the coordinator made someone a non-leader\n${report}`);
  for (const page of nonLeaders) {
    assert.ok(page.sdk.p2pBytes > 0, `non-leader page ${page.index} received P2P bytes\n${report}`);
  }
  assert.ok(result.offload >= 0.5, `offload ${result.offload} (measured at the origin) ≥ 0.5\n${report}`);
  // Upload capacity is measured from the transfers, never guessed: a viewer that uploaded has a
  // figure, and the appliance told every wired viewer (the default policy) that it may upload.
  const uploaders = result.pages.filter((p) => p.sdk && p.sdk.uploadedBytes > 0);
  assert.ok(uploaders.length > 0, `someone uploaded\n${report}`);
  console.log(`upload capacity kbit/s: ${JSON.stringify(uploaders.map((p) => p.sdk.uploadCapacityKbps))}`);
  for (const page of result.pages.filter((p) => p.sdk)) {
    assert.equal(page.sdk.uploadAllowed, true, `page ${page.index} allowed to upload\n${report}`);
    assert.equal(page.sdk.uploadCapacityKbps > 0, page.sdk.uploadedBytes > 0,
      `page ${page.index}: a capacity exactly when it uploaded\n${report}`);
  }
});

test('2 sites × 2 viewers: no P2P bytes cross sites', opts(30), async () => {
  const result = await runFleet({ viewers: 4, sites: 2, duration: 30, tls: true });
  const report = JSON.stringify(result, null, 2);
  console.log(`${JSON.stringify(figures(result))}`);
  assert.equal(result.viewers_played, 4, report);
  assert.deepEqual(result.page_protocols, { h2: 4 }, `every page over HTTP/2\n${report}`);
  assert.equal(result.stalls, 0, `stalls\n${report}`);
  // Independent of the SDK: the router forwarded nothing between the site bridges.
  assert.equal(result.cross_site_forwarded_packets, 0, `packets routed between sites\n${report}`);
  assert.notEqual(result.cross_site_p2p_bytes, null, `stats().peersBySite and stats().site are needed\n${report}`);
  assert.equal(result.cross_site_p2p_bytes, 0, `cross-site P2P bytes\n${report}`);
  assert.ok(result.offload > 0, `peers still shared within each site\n${report}`);
});

test('a viewer closed while it uploads causes no stall', opts(40), async () => {
  const viewers = [];
  let closed = null;
  let closer = null;
  const result = await runFleet({
    viewers: 4,
    sites: 1,
    duration: 40,
    tls: true,
    onPage(viewer) {
      viewers.push(viewer);
      if (viewers.length < 4) {
        return;
      }
      // 15 s after the last join, close the first viewer seen in the middle of an upload.
      closer = (async () => {
        await sleep(15_000);
        const last = new Map();
        const deadline = Date.now() + 15_000;
        while (Date.now() < deadline && !closed) {
          for (const v of viewers) {
            const uploaded = (await stats(v.page).catch(() => ({}))).uploadedBytes ?? 0;
            if (last.has(v.index) && uploaded > last.get(v.index)) {
              closed = { index: v.index, uploaded };
              await v.close();
              break;
            }
            last.set(v.index, uploaded);
          }
          await sleep(50);
        }
      })();
    },
  });
  await closer;
  const report = JSON.stringify({ closed, result }, null, 2);
  console.log(`closed ${JSON.stringify(closed)} ${JSON.stringify(figures(result))}`);
  assert.ok(closed, `found a viewer uploading to close\n${report}`);
  assert.equal(result.stalls, 0, `stalls on the remaining viewers\n${report}`);
  noMediaErrors(result, report);
});
