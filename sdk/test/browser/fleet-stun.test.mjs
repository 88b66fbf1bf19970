// Viewers whose browser hides its local addresses behind mDNS names (Chromium's default), on two
// routed subnets of one site, with the appliance's STUN responder: each page gathers a
// server-reflexive candidate carrying its real LAN address, so the coordinator pairs it with
// viewers on the other subnet and ICE connects across the gateway. Through the fleet harness
// (sdk/fleet/), with appliance/target/swarmgate.jar; fails when a prerequisite is missing
// (scripts/run-tests.mjs).
// Needs: root, chromium, certutil
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figures, runFleet } from '../../fleet/fleet.mjs';

/**
 * Init script: keeps every RTCPeerConnection the page creates, so the test can read which
 * candidate pair ICE chose (window.__stunPcs).
 */
function recordPeerConnections() {
  const Native = window.RTCPeerConnection;
  const pcs = [];
  Object.defineProperty(window, '__stunPcs', { value: pcs, enumerable: false });
  window.RTCPeerConnection = function RTCPeerConnection(...args) {
    const pc = new Native(...args);
    pcs.push({ pc, iceServers: JSON.stringify((args[0] && args[0].iceServers) || []) });
    return pc;
  };
  window.RTCPeerConnection.prototype = Native.prototype;
  Object.setPrototypeOf(window.RTCPeerConnection, Native);
}

/** The remote end of every succeeded, nominated candidate pair of the page's peer connections. */
function connectedRemotes() {
  return Promise.all(window.__stunPcs.map(async ({ pc, iceServers }) => {
    const stats = await pc.getStats();
    const byId = new Map();
    stats.forEach((s) => byId.set(s.id, s));
    const pairs = [];
    stats.forEach((s) => {
      if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated) {
        const remote = byId.get(s.remoteCandidateId) || {};
        const local = byId.get(s.localCandidateId) || {};
        pairs.push({ remote: remote.address ?? remote.ip, remoteType: remote.candidateType, localType: local.candidateType,
          bytesReceived: s.bytesReceived });
      }
    });
    return { iceServers, state: pc.connectionState, pairs };
  }));
}

const opts = (seconds) => ({ timeout: (seconds + 180) * 1000 });

test('4 mDNS-hiding viewers on 2 subnets of a site: each connects to a viewer on the other subnet via STUN and gets P2P bytes',
  opts(20), async () => {
    const viewers = [];
    const remotes = new Map();
    const result = await runFleet({
      viewers: 4, sites: 1, subnetsPerSite: 2, browserDefaultMdns: true, duration: 20, tls: true,
      onContext: (context) => context.addInitScript(recordPeerConnections),
      onPage: (viewer) => { viewers.push(viewer); },
      async beforeStop() {
        for (const viewer of viewers) {
          remotes.set(viewer.index, await viewer.page.evaluate(connectedRemotes));
        }
      },
    });
    const report = JSON.stringify({ result, remotes: Object.fromEntries(remotes) }, null, 2);
    console.log(JSON.stringify(figures(result)));
    assert.equal(result.viewers_played, 4, report);
    assert.deepEqual(result.page_protocols, { h2: 4 }, `every page over HTTP/2\n${report}`);
    assert.equal(result.stalls, 0, `stalls\n${report}`);
    assert.equal(result.off_lan_packets ?? 0, 0, `nothing tried to leave the LAN\n${report}`);
    for (const page of result.pages) {
      // The SDK's mDNS probe (a closed connection without ICE servers) aside, every connection is a neighbour's.
      const pcs = (remotes.get(page.index) ?? []).filter((p) => p.state !== 'closed');
      assert.ok(pcs.length > 0 && pcs.every((p) => /^\[\{"urls":\["?stun:10\.99\.252\.1:3478/.test(p.iceServers)),
        `page ${page.index} was given the appliance's STUN responder\n${report}`);
      const own = page.address.split('.').slice(0, 3).join('.');
      const across = pcs.flatMap((p) => p.pairs).filter((pair) => pair.remote && !pair.remote.startsWith(`${own}.`));
      assert.ok(across.length > 0, `page ${page.index} (${page.address}) is connected to a viewer on the other subnet\n${report}`);
      assert.ok(across.every((pair) => pair.remoteType === 'srflx' || pair.remoteType === 'prflx'),
        `across subnets the remote end is the reflexive address, mDNS names do not resolve there\n${report}`);
      assert.ok(page.sdk && page.sdk.p2pBytes > 0, `page ${page.index} received P2P bytes\n${report}`);
    }
    assert.ok(result.offload > 0, `offload ${result.offload}\n${report}`);
  });
