// A viewer whose own UDP slows to a crawl mid-event (an endpoint firewall that throttles UDP, a
// saturated Wi-Fi) while its data channels stay open: every transfer from its colleagues stalls.
// Real Chromium viewers through the fleet harness (sdk/fleet/), each on its own subnet of one site
// so that one of them can be throttled alone (topology.mjs throttleUdp: its UDP to 16 kbit/s, its
// TCP untouched). The SDK must notice that the fault is its own (transfers stalling with several
// colleagues) and take its segments over HTTP for a while (download-health.js, `p2pPauses`),
// while the colleagues, who see only one neighbour stall, keep sharing; and the appliance's QoE
// must show why (`whyNotP2p.paused` of GET /api/v1/qoe/live, the console's Why not P2P).
// Uses appliance/target/swarmgate.jar; fails when a prerequisite is missing (scripts/run-tests.mjs).
// Needs: root, chromium, certutil
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figures, runFleet } from '../../fleet/fleet.mjs';
import { throttleUdp } from '../../fleet/topology.mjs';
import { allStats, apiGet, pageStats, sleep, untilEvery } from './fleet-follow.mjs';

const VIEWERS = 4;
const UDP_KBIT = 16;
/** How long the throttled viewer may take to pause its downloads: a few segments' stalled transfers. */
const PAUSE_WITHIN_MS = 30_000;
/** How long the run goes on once the viewer paused: its colleagues must go on sharing meanwhile. */
const TAIL_MS = 25_000;
const AUDITOR = 'udp-auditor';
const AUDITOR_PASSWORD = 'why not p2p on this floor 2026';

test(`a viewer whose UDP is throttled to ${UDP_KBIT} kbit/s mid-event takes its segments over HTTP, without a stall; its colleagues keep sharing`,
  { timeout: 300_000 }, async () => {
    const viewers = [];
    let scenario = null;
    let live = null;
    let fleetRig = null;
    const result = await runFleet({
      viewers: VIEWERS,
      sites: 1,
      tls: true,
      subnetsPerSite: VIEWERS,
      duration: 60,
      async onAppliance(rig) {
        fleetRig = rig;
        await rig.cli(['admin', 'add', AUDITOR, '--role', 'auditor']);
        await rig.cli(['admin', 'passwd', AUDITOR, '--password-stdin'], { input: `${AUDITOR_PASSWORD}\n` });
      },
      async beforeStop(rig) {
        // The pages' last reports (every 10 s) reach the live figures at the aggregator's next flush.
        const deadline = Date.now() + 25_000;
        for (;;) {
          const r = await apiGet(rig, '/api/v1/qoe/live', { username: AUDITOR, password: AUDITOR_PASSWORD });
          live = r.status === 200 ? JSON.parse(r.body) : { status: r.status, body: r.body };
          if (live.whyNotP2p?.paused > 0 || Date.now() > deadline) {
            return;
          }
          await sleep(1000);
        }
      },
      onPage(viewer) {
        viewers.push(viewer);
        if (viewers.length < VIEWERS) {
          return;
        }
        scenario = (async () => {
          await untilEvery(viewers, (s) => s.connected && (s.leader || s.p2pBytes > 0), 'P2P at every non-leader', { waitMs: 60_000 });
          const before = await allStats(viewers);
          const victim = viewers[before.findIndex((s) => !s.leader)];
          throttleUdp(victim.namespace, UDP_KBIT);
          const throttledAt = Date.now();
          for (;;) {
            const s = await pageStats(victim);
            if (s && s.p2pPauses > 0) {
              return { victim: victim.index, pausedAfterMs: Date.now() - throttledAt, before };
            }
            if (Date.now() - throttledAt > PAUSE_WITHIN_MS) {
              return { victim: victim.index, pausedAfterMs: null, last: s };
            }
            await sleep(500);
          }
        })().then((r) => r, (error) => ({ error })).finally(() => fleetRig.endRun(TAIL_MS));
      },
    });
    const outcome = await scenario;
    const report = JSON.stringify({ outcome, live, result }, null, 2);
    console.log(`throttled ${JSON.stringify({ victim: outcome?.victim, pausedAfterMs: outcome?.pausedAfterMs })}`);
    console.log(JSON.stringify(figures(result)));
    assert.ok(outcome && !outcome.error, `the scenario ran: ${outcome?.error?.stack}\n${report}`);
    assert.equal(result.viewers_played, VIEWERS, report);
    assert.deepEqual(result.page_protocols, { h2: VIEWERS }, `every page over HTTP/2\n${report}`);
    assert.notEqual(outcome.pausedAfterMs, null, `the throttled viewer paused its downloads within ${PAUSE_WITHIN_MS} ms\n${report}`);
    for (const page of result.pages) {
      assert.equal(page.stalls, 0, `page ${page.index}: stalls\n${report}`);
      assert.equal(page.fatal_errors, 0, `page ${page.index}: player errors\n${report}`);
      if (page.index === outcome.victim) {
        assert.ok(page.sdk.httpBytesByReason.paused > 0, `the throttled viewer fetched over HTTP while paused\n${report}`);
      } else {
        assert.equal(page.sdk.p2pPauses, 0, `page ${page.index}, whose UDP was not throttled, never paused\n${report}`);
      }
    }
    assert.ok(live?.whyNotP2p?.paused > 0, `the appliance's live QoE shows the segments fetched while paused\n${JSON.stringify(live)}`);
    // The colleagues went on sharing: every one of them that is not a leader got segments from a
    // colleague other than the throttled viewer after the throttle.
    const victimPeer = result.pages.find((p) => p.index === outcome.victim).sdk.peerId;
    for (const page of result.pages) {
      if (page.index === outcome.victim || page.sdk.leader) {
        continue;
      }
      const before = outcome.before[page.index]?.p2pBytes ?? 0;
      const fromOthers = Object.entries(page.sdk.p2pBytesByPeer).filter(([peer]) => peer !== victimPeer).reduce((a, [, n]) => a + n, 0);
      assert.ok(page.sdk.p2pBytes > before && fromOthers > 0, `page ${page.index} kept receiving from colleagues\n${report}`);
    }
  });
