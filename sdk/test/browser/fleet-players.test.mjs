// Every player the SDK adapts, with real Chromium viewers through the fleet harness (sdk/fleet/):
// for each player, 4 viewers in one site on the live demo stream in the format it plays, over the
// appliance's HTTPS port with HTTP/2 as deployed (`--tls`: every page must come over h2). Uses
// appliance/target/swarmgate.jar; fails when a prerequisite is missing (scripts/run-tests.mjs).
// hls.js on HLS is fleet-p2p.test.mjs.
// Needs: root, chromium, certutil
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figures, runFleet } from '../../fleet/fleet.mjs';

const SECONDS = 45;
// Every combination must play on all pages without a player error and deliver P2P bytes to every
// non-leader, and except for Shaka never stall for want of data (a `waiting` with under 0.25 s of
// media buffered at the playhead, fleet/probe.mjs); those are hard assertions. Parts of the bar
// not met yet on the shared 2-core machine run as `todo` subtests of the same fleet (their
// failures are printed, not counted; drop `todo` when they pass):
// - Shaka starts 0.1-0.2 s before the end of the segments it fetched first, so a third fetch that
//   a busy machine holds up makes it wait (8 viewers: one page in 3 of 5 runs, 36-325 ms; none in
//   5 runs of 4 viewers since the start-point fix); its pages also see `waiting` events of 1-18 ms
//   with seconds of media buffered just after their first frame, HTTP-only pages too (2 of 12 in
//   three 4-viewer runs);
// - Video.js on DASH now and then sees one `waiting` of a few ms with seconds of media buffered
//   (the browser's decoding behind: seen with a busy core beside 4 pages);
// - Video.js on DASH offloaded 0.48-0.58 in 4-viewer runs.
// dash.js and Video.js on HLS met the whole bar at load 8-11. The runs last 45 s:
// since joiners take their first segments over HTTP while their player starts (peer-gate.js), a
// 30 s run put Video.js on HLS at 0.46 under load; 45 s gave 0.56-0.66 for every player at load 2.
const SHAKA_STARVED = 'Shaka starts with 0.1-0.2 s ahead; a slow third fetch makes it wait (CHANGELOG, Unreleased)';
const SHAKA_WAITS = 'short waiting events on Shaka pages (CHANGELOG, Unreleased)';
const VIDEOJS_DASH_WAITS = 'a rare waiting with media buffered on Video.js DASH pages (CHANGELOG, Unreleased)';
const VIDEOJS_DASH_OFFLOAD = 'Video.js on DASH offloads about 0.5 with 4 viewers (CHANGELOG, Unreleased)';
const COMBINATIONS = [
  { player: 'dashjs', format: 'dash' },
  { player: 'shaka', format: 'dash', starvedTodo: SHAKA_STARVED, stallsTodo: SHAKA_WAITS },
  { player: 'videojs', format: 'hls' },
  { player: 'videojs', format: 'dash', stallsTodo: VIDEOJS_DASH_WAITS, offloadTodo: VIDEOJS_DASH_OFFLOAD },
];

for (const { player, format, starvedTodo, stallsTodo, offloadTodo } of COMBINATIONS) {
  test(`${player} on live ${format}: 4 viewers play, every non-leader gets P2P bytes; no stall for want of data, no stalls, offload ≥ 0.5`,
    { timeout: (SECONDS + 180) * 1000 }, async (t) => {
      const result = await runFleet({ viewers: 4, sites: 1, duration: SECONDS, player, format, tls: true });
      const report = JSON.stringify(result, null, 2);
      console.log(`${JSON.stringify(figures(result))}`);
      assert.equal(result.viewers_played, 4, report);
      assert.deepEqual(result.page_protocols, { h2: 4 }, `every page over HTTP/2\n${report}`);
      for (const page of result.pages) {
        assert.equal(page.fatal_errors, 0, `page ${page.index}: player errors\n${report}`);
      }
      const nonLeaders = result.pages.filter((p) => p.sdk && !p.sdk.leader);
      assert.ok(nonLeaders.length > 0, `the coordinator made someone a non-leader\n${report}`);
      for (const page of nonLeaders) {
        assert.ok(page.sdk.p2pBytes > 0, `non-leader page ${page.index} received P2P bytes\n${report}`);
      }
      await t.test('no stall for want of data', { todo: starvedTodo }, () => {
        for (const page of result.pages) {
          assert.equal(page.stalls_starved, 0, `page ${page.index}: stalls for want of data (stall_log: [ms, s buffered ahead])\n${report}`);
        }
      });
      await t.test('zero stalls', { todo: stallsTodo }, () => {
        assert.equal(result.stalls, 0, `stalls\n${report}`);
      });
      await t.test('offload ≥ 0.5', { todo: offloadTodo }, () => {
        assert.ok(result.offload >= 0.5, `offload ${result.offload} (measured at the origin) ≥ 0.5\n${report}`);
      });
    });
}
