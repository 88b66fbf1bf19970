// A desktop whose endpoint firewall blocks WebRTC joins first, so the appliance makes it a site
// leader: no data channel to or from it ever opens (topology.mjs blockUdp: its UDP blocked from
// before its page starts, its TCP untouched). It plays over HTTP, and it must stop leading once its
// pairings fail to connect and its own report says it has none open (signaling/ConnectReports),
// or every segment it is primary for waits for the backup while colleagues fetch it urgently.
// Real Chromium viewers through the fleet harness (sdk/fleet/), each on its own subnet of one site.
// Uses appliance/target/swarmgate.jar; fails when a prerequisite is missing (scripts/run-tests.mjs).
// Needs: root, chromium, certutil
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { figures, runFleet } from '../../fleet/fleet.mjs';
import { blockUdp } from '../../fleet/topology.mjs';

const VIEWERS = 4;

test('a viewer whose firewall blocks WebRTC joins first and leads; it stops leading, plays over HTTP, and its colleagues share without a stall',
  { timeout: 300_000 }, async () => {
    let logged = '';
    const result = await runFleet({
      viewers: VIEWERS,
      sites: 1,
      tls: true,
      subnetsPerSite: VIEWERS,
      duration: 30,
      onPage(viewer) {
        // Before its SDK has a neighbour: the first viewer has none until the second joins.
        if (viewer.index === 0) {
          blockUdp(viewer.namespace);
        }
      },
      beforeStop(rig) {
        const file = join(rig.dataDir, 'log', 'swarmgate.log');
        logged = existsSync(file) ? readFileSync(file, 'utf8') : '';
      },
    });
    const pages = result.pages.map((p) => ({
      index: p.index, leader: p.sdk?.leader, peerId: p.sdk?.peerId, stalls: p.stalls, p2pBytes: p.sdk?.p2pBytes,
      http: p.sdk?.httpBytesByReason, failures: p.sdk?.failures,
    }));
    const report = JSON.stringify({ pages, figures: figures(result) }, null, 2);
    console.log(JSON.stringify({ pages, wan_copies_per_segment_per_site: result.wan_copies_per_segment_per_site }));
    assert.equal(result.viewers_played, VIEWERS, report);
    assert.deepEqual(result.page_protocols, { h2: VIEWERS }, `every page over HTTP/2\n${report}`);
    for (const page of result.pages) {
      assert.equal(page.stalls, 0, `page ${page.index}: stalls\n${report}`);
      assert.equal(page.fatal_errors, 0, `page ${page.index}: player errors\n${report}`);
    }
    const [walled, ...others] = result.pages;
    assert.equal(walled.sdk.p2pBytes, 0, `the blocked viewer took nothing from colleagues: its UDP was blocked\n${report}`);
    assert.equal(walled.sdk.leader, false, `the blocked viewer no longer leads\n${report}`);
    assert.match(logged, new RegExp(`${walled.sdk.peerId} - no longer leads .* while it reaches no neighbour`),
      `the appliance logged why it stopped leading\n${report}`);
    assert.equal(others.filter((p) => p.sdk.leader).length, 2, `two colleagues lead in its place\n${report}`);
    for (const page of others) {
      if (!page.sdk.leader) {
        assert.ok(page.sdk.p2pBytes > 0, `page ${page.index}, not a leader, received from colleagues\n${report}`);
      }
    }
  });
