// A mixed swarm: Chromium and Firefox (Debian's firefox-esr over WebDriver BiDi) pages in one site,
// through the fleet harness (sdk/fleet/, --browser mixed), share the live stream in both
// directions, over the appliance's HTTPS port. Uses appliance/target/swarmgate.jar; fails when a prerequisite is missing
// (scripts/run-tests.mjs).
// Needs: root, chromium, firefox, certutil
//
// Bytes by direction come from each page's stats().p2pBytesByPeer (verified bytes received per
// neighbour) matched with the other pages' stats().peerId (fleet/measure.mjs). The site gateway
// counts every packet sent off the test range (off_lan_packets): Firefox's own services (updates,
// telemetry, remote settings, captive-portal checks, DNS for any of them) would show there.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figures, runFleet } from '../../fleet/fleet.mjs';

const DURATION_S = 45;

test('Chromium and Firefox pages in one site share segments both ways with no stall, and Firefox reaches no outside host',
  { timeout: (DURATION_S + 180) * 1000 }, async () => {
    // Over the appliance's HTTPS port, as deployed: both browsers negotiate HTTP/2 for the page and
    // must open the signaling socket on HTTP/1.1 beside it (ApplianceServer offers no RFC 8441).
    const result = await runFleet({ viewers: 4, sites: 1, duration: DURATION_S, browser: 'mixed', tls: true });
    const report = JSON.stringify(result, null, 2);
    console.log(`${JSON.stringify(figures(result))}`);
    assert.deepEqual(result.page_protocols, { h2: 4 }, `every page over HTTP/2\n${report}`);
    assert.deepEqual(result.pages.map((p) => p.browser).sort(), ['chromium', 'chromium', 'firefox', 'firefox'], report);
    assert.equal(result.viewers_played, 4, report);
    assert.equal(result.stalls, 0, `stalls\n${report}`);
    for (const page of result.pages) {
      assert.equal(page.fatal_errors, 0, `page ${page.index} (${page.browser}): fatal hls.js errors\n${report}`);
      assert.equal(page.hls_errors.fragParsingError ?? 0, 0, `page ${page.index} (${page.browser}): bad bytes reached hls.js\n${report}`);
      assert.equal(page.sdk?.mode, 'p2p', `page ${page.index} (${page.browser}) is in p2p mode\n${report}`);
    }
    const between = result.p2p_bytes_between_browsers;
    assert.ok(between, `every page reports stats().p2pBytesByPeer\n${report}`);
    assert.ok(between.chromium_to_firefox > 0, `Chromium → Firefox bytes\n${report}`);
    assert.ok(between.firefox_to_chromium > 0, `Firefox → Chromium bytes\n${report}`);
    assert.equal(result.off_lan_packets, 0, `packets sent off the test range\n${report}`);
  });
