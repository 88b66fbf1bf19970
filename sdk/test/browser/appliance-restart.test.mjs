// An appliance restarted mid-event under real Chromium viewers (issue 14, "Failures nobody sees"):
// its viewers keep playing over HTTP while it is away, reconnect to it when it is back and share
// segments again. Through the fleet harness (sdk/fleet/), whose rig restarts the appliance on the
// same data directory and ports; namespaces, browsers and the JVMs go with the fleet's topology
// whatever happens. The live demo stream comes from a second appliance behind the same address
// (the fleet's originApart), as a customer's origin or CDN would: the demo stream of the
// restarted appliance itself stops with it (docs/scaling.md). That address is a TLS ingress, as
// deployed: pages over HTTPS with HTTP/2, showing the appliance's certificate, which the viewers'
// Chromium checks against the appliance's CA. Uses appliance/target/swarmgate.jar; fails when a
// prerequisite is missing (scripts/run-tests.mjs).
// Needs: root, chromium, certutil
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figures, runFleet } from '../../fleet/fleet.mjs';
import { allStats, sleep, untilEvery } from './fleet-follow.mjs';

const VIEWERS = 4;
/** What the issue asks: P2P back at every non-leader within this long of /readyz answering 200. */
const P2P_BACK_WITHIN_MS = 10_000;
/** How long the test waits for the first P2P bytes, and for a page to reconnect, before it gives up. */
const WAIT_MS = 60_000;
const POLL_MS = 250;
/** How long the pages go on playing after the last restart's follow-up, for a late stall to show. */
const TAIL_MS = 15_000;

/**
 * One restart: stops the appliance with `signal`, starts it again, and follows every page until it
 * is connected again and (as a non-leader) has received new P2P bytes. Times are ms after /readyz
 * answered 200 on the restarted appliance.
 */
async function restartAndFollow(rig, viewers, signal, log) {
  const signalledAt = new Date().toISOString();
  const { stopMs, startMs, downAt, upAt, log: logged } = await rig.restart({ signal });
  // Where the time went: the appliance logs each step of its stop and start with a timestamp.
  const steps = logged.split('\n').filter((l) => /^\d{4}-\d\d-\d\dT/.test(l) && !l.includes('Leaked')).map((l) => l.slice(11, 180));
  log(`${signal} at ${signalledAt.slice(11)}, /readyz 200 at ${new Date(upAt).toISOString().slice(11)}; the appliance's log meanwhile:\n  ${steps.join('\n  ')}`);
  const pages = viewers.map((v) => ({ index: v.index, connectedMs: null, p2pMs: null, leader: null, p2pFrom: 0 }));
  // P2P "again" means bytes received after /readyz answered 200: the baseline is taken now. (While
  // the appliance is away no peer's segment can be checked against its hash, so none is used.)
  const atUp = await allStats(viewers);
  atUp.forEach((s, i) => {
    pages[i].p2pFrom = Number(s?.p2pBytes) || 0;
  });
  const deadline = upAt + WAIT_MS;
  while (Date.now() < deadline && pages.some((p) => p.connectedMs === null || (p.p2pMs === null && p.leader !== true))) {
    const all = await allStats(viewers);
    const at = Date.now() - upAt;
    all.forEach((s, i) => {
      const page = pages[i];
      if (!s) {
        return;
      }
      if (page.connectedMs === null && s.connected) {
        page.connectedMs = at;
      }
      if (s.connected) {
        page.leader = !!s.leader;
      }
      if (page.p2pMs === null && page.connectedMs !== null && (Number(s.p2pBytes) || 0) > page.p2pFrom) {
        page.p2pMs = at;
      }
    });
    await sleep(POLL_MS);
  }
  const measured = { signal, stop_ms: stopMs, start_ms: startMs, outage_ms: upAt - downAt + stopMs, pages };
  log(`restart ${JSON.stringify(measured)}`);
  return measured;
}

test('the appliance restarted (SIGTERM, then SIGKILL) under 4 viewers: no stall, everyone reconnects, P2P back within 10 s', { timeout: 420_000 }, async () => {
  const viewers = [];
  let rig = null;
  let scenario = null;
  const restarts = [];
  const log = (m) => process.stderr.write(`appliance-restart: ${m}\n`);
  const result = await runFleet({
    viewers: VIEWERS,
    sites: 1,
    duration: 150,
    originApart: true,
    tls: true,
    onAppliance(r) {
      rig = r;
    },
    onPage(viewer) {
      viewers.push(viewer);
      if (viewers.length < VIEWERS) {
        return;
      }
      scenario = (async () => {
        for (const signal of ['SIGTERM', 'SIGKILL']) {
          // Sharing first: every non-leader has P2P bytes.
          await untilEvery(viewers, (s) => s.connected && (s.leader || s.p2pBytes > 0), `P2P at every non-leader before ${signal}`,
            { waitMs: WAIT_MS, pollMs: POLL_MS });
          restarts.push(await restartAndFollow(rig, viewers, signal, log));
        }
      })().then(() => null, (error) => error).finally(() => rig.endRun(TAIL_MS));
    },
  });
  const failure = await scenario;
  const report = JSON.stringify({ restarts, result }, null, 2);
  console.log(`restarts ${JSON.stringify(restarts)}`);
  console.log(JSON.stringify(figures(result)));
  assert.equal(failure, null, `the restarts ran: ${failure?.stack}\n${report}`);
  assert.equal(restarts.length, 2, report);
  assert.equal(result.viewers_played, VIEWERS, report);
  assert.deepEqual(result.page_protocols, { h2: VIEWERS }, `every page over HTTP/2\n${report}`);
  for (const page of result.pages) {
    assert.equal(page.stalls, 0, `page ${page.index}: stalls during or after the restarts\n${report}`);
    assert.equal(page.fatal_errors, 0, `page ${page.index}: fatal player errors\n${report}`);
    assert.equal(page.sdk?.connected, true, `page ${page.index} connected at the end\n${report}`);
    // The origin stays reachable throughout: an appliance going away must not pause P2P downloads.
    assert.equal(page.sdk?.httpBytesByReason?.unanchored ?? 0, 0, `page ${page.index}: HTTP as unanchored after the restarts\n${report}`);
  }
  for (const restart of restarts) {
    for (const page of restart.pages) {
      assert.notEqual(page.connectedMs, null, `${restart.signal}: page ${page.index} reconnected\n${report}`);
      if (page.leader) {
        continue; // a leader fetches over HTTP by design
      }
      assert.ok(page.p2pMs !== null && page.p2pMs <= P2P_BACK_WITHIN_MS,
        `${restart.signal}: non-leader page ${page.index} received P2P bytes within ${P2P_BACK_WITHIN_MS} ms of /readyz (${page.p2pMs})\n${report}`);
    }
  }
});
