// One of two clustered appliances killed under real Chromium viewers (issue 14, "Tests"): a real
// PostgreSQL (Debian's, on a private port and data directory) and a real HAProxy (Debian's,
// running the shipped config/haproxy.cfg.example with its TLS on both sides, only addresses, ports
// and file names replaced) in front of two appliances, all in the fleet's router namespace
// (runFleet({cluster: true, tls: true}), sdk/fleet/cluster.mjs). Pages, the SDK and signaling
// come from HAProxy over HTTP/2 (each signaling socket an HTTP/2 stream); the live demo stream
// comes from an origin apart from both appliances, routed by HAProxy, so the kill does not take
// the video with it. Four
// viewers of one site share the stream on the appliance HAProxy hashes it to; that appliance is
// killed with SIGKILL, and every viewer must go on playing without a stall, reconnect through
// HAProxy to the survivor and receive peer bytes again within 10 s of the kill, and the survivor's
// /api/v1/cluster must list them. Namespaces, PostgreSQL, HAProxy, the JVMs and the browsers go
// with the fleet's topology whatever happens. Uses appliance/target/swarmgate.jar; fails when a
// prerequisite is missing (scripts/run-tests.mjs).
// Needs: root, chromium, postgresql, haproxy, certutil
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figures, runFleet } from '../../fleet/fleet.mjs';
import { allStats, apiGet, sleep, untilEvery } from './fleet-follow.mjs';

const VIEWERS = 4;
/**
 * What the issue asks: P2P back at every non-leader within this long. The clock starts at the kill
 * itself, the strictest start there is: HAProxy's health check (`inter 1s fall 2` in the example)
 * marks the appliance DOWN 1-2 s later, and the survivor welcomes the viewers later still, so a
 * figure from either of those would leave that time out. Times after HAProxy's DOWN are printed too.
 */
const P2P_BACK_WITHIN_MS = 10_000;
/** How long the test waits for the first P2P bytes before the kill. */
const WAIT_MS = 45_000;
/** How long after the kill the pages are followed before the test gives up on them. */
const FOLLOW_MS = 30_000;
const POLL_MS = 250;
/** How long the pages go on playing after the failover was followed, for a late stall to show. */
const TAIL_MS = 15_000;
const AUDITOR = 'failover-auditor';
const AUDITOR_PASSWORD = 'failover reads the cluster 2026';

/** The answering appliance's own row of GET /api/v1/cluster on `appliance`. */
async function selfRow(rig, appliance) {
  const { status, body } = await apiGet(rig, '/api/v1/cluster', { username: AUDITOR, password: AUDITOR_PASSWORD, httpsPort: appliance.httpsPort });
  if (status !== 200) {
    throw new Error(`GET /api/v1/cluster on ${appliance.server}: ${status} ${body}`);
  }
  const cluster = JSON.parse(body);
  return { row: cluster.appliances.find((a) => a.self) ?? null, cluster };
}

/** Polls `appliance`'s own row until it shows `viewers` viewers (it publishes every second), or 15 s. */
async function awaitSelfViewers(rig, appliance, viewers) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const seen = await selfRow(rig, appliance);
    if ((seen.row?.viewers ?? 0) === viewers || Date.now() > deadline) {
      return seen;
    }
    await sleep(500);
  }
}

/**
 * Kills the appliance that holds the stream and follows every page until it is connected again
 * under a new peer id (the survivor's) and, as a non-leader, has received peer bytes after that.
 */
async function killAndFollow(rig, viewers, log) {
  const { appliances, haproxy } = rig.cluster;
  // Each appliance publishes its figures every second: ask both until one lists every viewer.
  let rows = [];
  for (const deadline = Date.now() + 15_000; ;) {
    rows = [];
    for (const appliance of appliances) {
      rows.push((await selfRow(rig, appliance)).row);
    }
    if (rows.some((r) => r?.viewers === VIEWERS) || Date.now() > deadline) {
      break;
    }
    await sleep(500);
  }
  const holderIndex = rows.findIndex((r) => r?.viewers === VIEWERS);
  if (holderIndex < 0 || rows.some((r, i) => i !== holderIndex && r?.viewers !== 0)) {
    throw new Error(`the stream's ${VIEWERS} viewers are not all on one appliance: ${JSON.stringify(rows)}`);
  }
  const holder = appliances[holderIndex];
  const survivor = appliances[1 - holderIndex];
  const before = await allStats(viewers);
  const kill = await holder.kill('SIGKILL');
  log(`SIGKILL to ${holder.server} (holding the stream's ${VIEWERS} viewers) at ${new Date(kill.at).toISOString().slice(11)}; ${survivor.server} survives`);
  const pages = viewers.map((v, i) => ({
    index: v.index, oldPeer: before[i]?.peerId ?? null, peer: null, reconnectedMs: null, p2pFrom: 0, p2pMs: null, leader: null,
  }));
  const deadline = kill.at + FOLLOW_MS;
  while (Date.now() < deadline && pages.some((p) => p.reconnectedMs === null || (p.p2pMs === null && p.leader !== true))) {
    const all = await allStats(viewers);
    const at = Date.now() - kill.at;
    all.forEach((s, i) => {
      const page = pages[i];
      if (!s || !s.connected || !s.peerId || s.peerId === page.oldPeer) {
        return;
      }
      if (page.reconnectedMs === null) {
        // P2P "again" means bytes received once welcomed by the survivor: the baseline is taken now.
        page.reconnectedMs = at;
        page.peer = s.peerId;
        page.p2pFrom = Number(s.p2pBytes) || 0;
        return;
      }
      page.leader = !!s.leader;
      if (page.p2pMs === null && (Number(s.p2pBytes) || 0) > page.p2pFrom) {
        page.p2pMs = at;
      }
    });
    await sleep(POLL_MS);
  }
  // HAProxy's health check may mark the killed appliance DOWN after the viewers are back: its
  // retries send a refused connection to the survivor at once (CI saw them back in 0.9-1.2 s and
  // the DOWN at 2.0 s). Waited for, 10 s at most.
  const isDown = (e) => e.server === holder.server && e.state === 'DOWN' && e.at >= kill.at;
  for (const until = Date.now() + 10_000; !haproxy.events.some(isDown) && Date.now() < until;) await sleep(POLL_MS);
  const down = haproxy.events.find(isDown);
  const downMs = down ? down.at - kill.at : null;
  const survivorView = await awaitSelfViewers(rig, survivor, VIEWERS);
  const measured = {
    killed: holder.server,
    survivor: survivor.server,
    exit_ms: kill.stopMs,
    haproxy_down_ms: downMs,
    // ms after the kill, and after HAProxy logged the killed appliance DOWN
    pages: pages.map(({ index, reconnectedMs, p2pMs, leader, peer }) => ({
      index,
      peer,
      leader,
      reconnected_ms: reconnectedMs,
      p2p_ms: p2pMs,
      reconnected_after_down_ms: reconnectedMs !== null && downMs !== null ? reconnectedMs - downMs : null,
      p2p_after_down_ms: p2pMs !== null && downMs !== null ? p2pMs - downMs : null,
    })),
    // The killed appliance's signaling sockets by the HTTP version HAProxy logged them with when
    // they closed: over TLS, Chromium opens them as HTTP/2 streams (RFC 8441).
    signaling_protocols: haproxy.linesSince(kill.at).reduce((n, { line }) => {
      const m = /"GET \S*\/ws\?stream=\S* (HTTP\/[\d.]+)"/.exec(line);
      return m ? { ...n, [m[1]]: (n[m[1]] ?? 0) + 1 } : n;
    }, {}),
    // What HAProxy logged since the kill (health checks; requests, a WebSocket when it closes), ms after the kill.
    haproxy_log: haproxy.linesSince(kill.at).slice(0, 40)
      .map((l) => `+${l.at - kill.at} ms ${l.line.replace(/\?stream=\S+/, '?stream=…')}`),
    survivor_row: survivorView.row,
    cluster_viewers: survivorView.cluster.viewers,
  };
  log(`failover ${JSON.stringify(measured)}`);
  return measured;
}

test('one of two clustered appliances killed under 4 viewers over TLS: no stall, everyone reconnects through HAProxy to the other, P2P back within 10 s of the kill',
  { timeout: 300_000 }, async () => {
    const viewers = [];
    let rig = null;
    let scenario = null;
    const log = (m) => process.stderr.write(`cluster-failover: ${m}\n`);
    const result = await runFleet({
      viewers: VIEWERS,
      sites: 1,
      duration: 60,
      cluster: true,
      // As deployed: HTTPS with HTTP/2 from HAProxy, HTTPS from HAProxy to the appliances.
      tls: true,
      async onAppliance(r) {
        rig = r;
        // In the shared database: the account signs in on either appliance.
        await r.cli(['admin', 'add', AUDITOR, '--role', 'auditor']);
        await r.cli(['admin', 'passwd', AUDITOR, '--password-stdin'], { input: `${AUDITOR_PASSWORD}\n` });
      },
      onPage(viewer) {
        viewers.push(viewer);
        if (viewers.length < VIEWERS) {
          return;
        }
        scenario = (async () => {
          await untilEvery(viewers, (s) => s.connected && (s.leader || s.p2pBytes > 0), 'P2P at every non-leader before the kill',
            { waitMs: WAIT_MS, pollMs: POLL_MS });
          return killAndFollow(rig, viewers, log);
        })().then((measured) => ({ measured }), (error) => ({ error })).finally(() => rig.endRun(TAIL_MS));
      },
    });
    const { measured, error } = (await scenario) ?? { error: new Error('the viewers never all joined') };
    const report = JSON.stringify({ failover: measured, result }, null, 2);
    console.log(`failover ${JSON.stringify(measured)}`);
    console.log(JSON.stringify(figures(result)));
    assert.equal(error, undefined, `the kill ran: ${error?.stack}\n${report}`);
    assert.equal(result.viewers_played, VIEWERS, report);
    assert.deepEqual(result.page_protocols, { h2: VIEWERS }, `every page came over HTTP/2 from HAProxy\n${report}`);
    assert.deepEqual(measured.signaling_protocols, { 'HTTP/2.0': VIEWERS },
      `every signaling socket to the killed appliance was an HTTP/2 stream through HAProxy\n${report}`);
    for (const page of result.pages) {
      assert.equal(page.stalls, 0, `page ${page.index}: stalls during or after the kill\n${report}`);
      assert.equal(page.fatal_errors, 0, `page ${page.index}: fatal player errors\n${report}`);
      assert.equal(page.sdk?.connected, true, `page ${page.index} connected at the end\n${report}`);
      // The origin stays reachable throughout: an appliance going away must not pause P2P downloads.
      assert.equal(page.sdk?.httpBytesByReason?.unanchored ?? 0, 0, `page ${page.index}: HTTP as unanchored after the kill\n${report}`);
    }
    assert.notEqual(measured.haproxy_down_ms, null, `HAProxy logged ${measured.killed} DOWN\n${report}`);
    for (const page of measured.pages) {
      assert.notEqual(page.reconnected_ms, null, `page ${page.index} reconnected to ${measured.survivor} under a new peer id\n${report}`);
      if (page.leader) {
        continue; // a leader fetches over HTTP by design
      }
      assert.ok(page.p2p_ms !== null && page.p2p_ms <= P2P_BACK_WITHIN_MS,
        `non-leader page ${page.index} received P2P bytes from the survivor's neighbours within ${P2P_BACK_WITHIN_MS} ms of the kill (${page.p2p_ms})\n${report}`);
    }
    assert.equal(measured.survivor_row?.viewers, VIEWERS, `${measured.survivor}'s /api/v1/cluster lists the ${VIEWERS} viewers as its own\n${report}`);
  });
