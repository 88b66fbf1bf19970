// A malicious viewer that answers its colleagues' requests truthfully but a few bytes at a time,
// in a real Chromium fleet (sdk/fleet/): one page loads the red-team SDK in its 'drip' mode
// (test/redteam/entry.js: every new segment fetched at once and announced, the largest upload
// capacity claimed, and each request answered with the segment's true length and hash, then 64
// bytes every 1.5 s, never the last). It is never silent for a receiver's 2 s idle timeout and
// never sends a byte that fails the hash check: what it costs is each request's wait until its
// deadline. Three honest viewers play the same live stream in the same site, each on its own
// subnet so that the appliance hears their reports from three addresses.
// Uses appliance/target/swarmgate.jar; fails when a prerequisite is missing (scripts/run-tests.mjs).
// Needs: root, chromium, certutil
//
// What is checked:
// - no stall on an honest page, and the honest pages still receive verified P2P bytes;
// - the attack happened: honest pages' transfers from the attacker timed out;
// - honest pages report the attacker to the appliance (`failing` `timeout`, read from the
//   WebSocket frames they send, not from the SDK's counters), so the coordinator separates them,
//   and, reported from two addresses, the attacker (the first to join, so a site leader) no
//   longer leads: its segments would otherwise wait for the backup leader all event long;
// - no honest page reports an honest colleague: the rule that catches the drip does not misfire.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figures, runFleet } from '../../fleet/fleet.mjs';
import { buildRedteamSdk } from '../redteam/build.mjs';

const ATTACKER = 0; // joins first, so it holds segments before anyone else
const HONEST = 3;
const DURATION_S = 50;

test('a viewer that drips its segments to hold its colleagues\' requests is reported and separated from them; nobody stalls',
  { timeout: (DURATION_S + 240) * 1000 }, async () => {
    const bundle = await buildRedteamSdk();
    /** @type {Map<number, object[]>} honest page index → the `failing` messages it sent */
    const failings = new Map();
    const result = await runFleet({
      viewers: 1 + HONEST,
      sites: 1,
      // Over the appliance's HTTPS port with HTTP/2, as deployed.
      tls: true,
      subnetsPerSite: 1 + HONEST,
      duration: DURATION_S,
      async onContext(context, index) {
        if (index === ATTACKER) {
          await context.addInitScript({ content: 'window.swarmgateRedteam = { mode: "drip" };' });
          await context.route(/\/sdk\/swarmgate\.js(\?.*)?$/, (route) => route.fulfill({ path: bundle, contentType: 'text/javascript' }));
          return;
        }
        failings.set(index, []);
        context.on('page', (page) => page.on('websocket', (ws) => ws.on('framesent', ({ payload }) => {
          try {
            const m = JSON.parse(String(payload));
            if (m.type === 'failing') failings.get(index).push(m);
          } catch {
            // not JSON: not ours
          }
        })));
      },
    });

    const honestPages = result.pages.filter((p) => p.index !== ATTACKER);
    const attacker = result.pages.find((p) => p.index === ATTACKER);
    const attackerId = attacker?.sdk?.peerId;
    const perPage = result.pages.map((p) => ({
      index: p.index, peerId: p.sdk?.peerId ?? null, stalls: p.stalls, p2pBytes: p.sdk?.p2pBytes ?? null,
      failures: p.sdk?.failures ?? null, peers: p.sdk?.peers ?? null, leader: p.sdk?.leader ?? null,
      httpBytesByReason: p.sdk?.httpBytesByReason ?? null, failingSent: failings.get(p.index) ?? null,
    }));
    const report = JSON.stringify({ figures: figures(result), perPage }, null, 2);
    console.log(JSON.stringify({ figures: figures(result), perPage }));

    assert.equal(result.viewers_played, 1 + HONEST, `every viewer played\n${report}`);
    assert.deepEqual(result.page_protocols, { h2: 1 + HONEST }, `every page over HTTP/2\n${report}`);
    assert.ok(attackerId, `the attacker's peer id\n${report}`);
    for (const page of honestPages) {
      assert.equal(page.stalls, 0, `page ${page.index}: stalls\n${report}`);
      assert.equal(page.fatal_errors, 0, `page ${page.index}: fatal hls.js errors\n${report}`);
    }
    const timedOut = honestPages.reduce((n, p) => n + (Number(p.sdk?.failures?.timeout) || 0), 0);
    assert.ok(timedOut > 0, `the attacker held honest pages' requests to their deadlines\n${report}`);
    assert.ok(honestPages.some((p) => (Number(p.sdk?.p2pBytes) || 0) > 0), `honest viewers still shared verified bytes\n${report}`);
    const sent = [...failings.values()].flat();
    const reporters = [...failings.entries()].filter(([, list]) => list.some((m) => m.peer === attackerId && m.reason === 'timeout'));
    assert.ok(reporters.length >= 2, `honest pages at two addresses reported the attacker failing\n${report}`);
    assert.equal(attacker.sdk?.leader, false, `the attacker no longer leads its site\n${report}`);
    assert.deepEqual(sent.filter((m) => m.peer !== attackerId), [], `honest colleagues reported by nobody\n${report}`);
  });
