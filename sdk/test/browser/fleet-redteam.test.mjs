// A malicious viewer in a real Chromium fleet (sdk/fleet/): one page loads the red-team SDK
// (test/redteam/entry.js: altered segments announced with their own matching SHA-256, the
// largest upload capacity claimed, a public upper-case srflx candidate trickled to its
// neighbours) instead of /sdk/swarmgate.js; four honest viewers play the same live stream in the
// same site, each from its own subnet so the appliance sees four reporting addresses.
// Uses appliance/target/swarmgate.jar; fails when a prerequisite is missing (scripts/run-tests.mjs).
// Needs: root, chromium, certutil
//
// What is checked, independently of the SDK's own counters where possible:
// - every fragment each honest hls.js received is byte-identical to the origin's: the page hashes
//   what its fLoader hands hls.js (before hls.js can transfer it to its worker), the test hashes
//   the origin's copy it fetches itself inside the router namespace;
// - no stall and no media error on an honest page;
// - the attack happened (honest viewers counted integrity failures, the attacker uploaded) and
//   the attacker is barred: `GET /api/v1/streams/{id}/offenders` lists its peer id and address;
// - no packet went to an address outside the test range (the site gateways route nothing else
//   and count what they drop: fleet.mjs off_lan_packets).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { figures, runFleet } from '../../fleet/fleet.mjs';
import { buildRedteamSdk } from '../redteam/build.mjs';
import { apiGet } from './fleet-follow.mjs';

const ATTACKER = 0; // joins first: the longest connected, so it holds segments before anyone else
const HONEST = 4;
const DURATION_S = 45;
const AUDITOR = 'redteam-auditor';
/**
 * The stream every page joins (swarmgateConfig.stream), registered as a policy first: an id the
 * offenders route can name (a stream known only by its manifest URL has the URL as its id).
 */
const STREAM_ID = 'redteam-townhall';
const AUDITOR_PASSWORD = 'red team reads offenders 2026';
const sdkRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Init script for honest pages: wraps the fLoader of the page's hls.js (the SDK's loader) once the
 * demo page publishes `window.demoPlayer`, and records the SHA-256 of every fragment handed to
 * hls.js. The page is plain http (no crypto.subtle), so the SDK's own JavaScript SHA-256 is
 * inlined. Chains to the fleet probe's `demoPlayer` setter, which was installed first.
 */
function recorderScript() {
  const sha256Source = readFileSync(join(sdkRoot, 'src', 'core', 'sha256.js'), 'utf8').replace(/^export /gm, '');
  return `(() => {\n${sha256Source}\n(${installRecorder.toString()})(sha256Sync);\n})();`;
}

function installRecorder(sha256Sync) {
  const received = [];
  Object.defineProperty(window, '__receivedFragments', { value: received, enumerable: false });
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const hook = (player) => {
    const hls = player && player.hls;
    if (!hls || !hls.config || typeof hls.config.fLoader !== 'function') {
      received.push({ error: 'no fLoader to wrap' });
      return;
    }
    const Base = hls.config.fLoader;
    // hls.js reads config.fLoader at every fragment load, so the subclass applies from the first.
    hls.config.fLoader = class RecordingLoader extends Base {
      load(context, config, callbacks) {
        const onSuccess = callbacks.onSuccess;
        return super.load(context, config, {
          ...callbacks,
          onSuccess: (response, stats, ctx, details) => {
            try {
              const bytes = new Uint8Array(response.data);
              const frag = (ctx && ctx.frag) || {};
              received.push({ url: frag.url || ctx.url, sn: frag.sn, level: frag.level, length: bytes.length, sha256: hex(sha256Sync(bytes)) });
            } catch (error) {
              received.push({ error: String(error) });
            }
            onSuccess(response, stats, ctx, details);
          },
        });
      }
    };
  };
  const prior = Object.getOwnPropertyDescriptor(window, 'demoPlayer');
  let player;
  Object.defineProperty(window, 'demoPlayer', {
    configurable: true,
    enumerable: true,
    get: () => (prior && prior.get ? prior.get.call(window) : player),
    set(value) {
      if (prior && prior.set) prior.set.call(window, value);
      else player = value;
      hook(value);
    },
  });
}

/** The appliance's REST API from inside the router namespace, signed in as the auditor. */
function auditorGet(rig, path) {
  return apiGet(rig, path, { username: AUDITOR, password: AUDITOR_PASSWORD });
}

test('a viewer serving altered segments with matching self-made hashes changes nothing honest viewers play, is barred and never lures anyone off the LAN',
  { timeout: (DURATION_S + 300) * 1000 }, async () => {
    const bundle = await buildRedteamSdk();
    const recorder = recorderScript();
    const viewers = [];
    const fragments = new Map(); // honest viewer index → fragments its hls.js received
    const originHash = new Map(); // fragment URL → SHA-256 of the origin's bytes (null: could not fetch)
    let rig = null;
    let streamId = null;
    let offenders = null;
    let running = true;

    // Reads what each honest page recorded so far and fetches the origin's copy of every new
    // fragment at once (live segments expire from the origin after a few windows).
    const collect = async () => {
      for (const viewer of viewers.filter((v) => v.index !== ATTACKER && !v.closed)) {
        const list = fragments.get(viewer.index) ?? [];
        const fresh = await viewer.page.evaluate((from) => (window.__receivedFragments || []).slice(from), list.length).catch(() => []);
        list.push(...fresh);
        fragments.set(viewer.index, list);
        for (const f of fresh) {
          if (!f.url || originHash.has(f.url)) continue;
          // The origin's copy, its certificate checked against the appliance's CA.
          const bytes = await rig.exec(['curl', '-sf', '--cacert', join(rig.dataDir, 'pki', 'ca.crt'), '-m', '10', f.url]).catch(() => null);
          originHash.set(f.url, bytes ? createHash('sha256').update(bytes).digest('hex') : null);
        }
      }
    };
    let poller = null;
    const poll = async () => {
      while (running) {
        await collect();
        await sleep(2000);
      }
    };

    const result = await runFleet({
      viewers: 1 + HONEST,
      sites: 1,
      // Over the appliance's HTTPS port with HTTP/2, as deployed.
      tls: true,
      // One subnet, and so one address, per viewer: barring needs reports from two addresses.
      subnetsPerSite: 1 + HONEST,
      duration: DURATION_S,
      pageConfig: () => ({ stream: STREAM_ID }),
      async onAppliance(r) {
        rig = r;
        await r.cli(['stream', 'add', STREAM_ID]);
        await r.cli(['admin', 'add', AUDITOR, '--role', 'auditor']);
        await r.cli(['admin', 'passwd', AUDITOR, '--password-stdin'], { input: `${AUDITOR_PASSWORD}\n` });
      },
      async onContext(context, index) {
        if (index === ATTACKER) {
          await context.route(/\/sdk\/swarmgate\.js(\?.*)?$/, (route) => route.fulfill({ path: bundle, contentType: 'text/javascript' }));
          return;
        }
        await context.addInitScript({ content: recorder });
        context.on('page', (page) => page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => {
          try {
            const m = JSON.parse(String(payload));
            if (m.type === 'welcome' && typeof m.streamId === 'string') streamId = m.streamId;
          } catch {
            // not JSON: not ours
          }
        })));
      },
      onPage(viewer) {
        viewers.push(viewer);
        if (!poller) poller = poll();
      },
      async beforeStop(r) {
        running = false;
        await poller;
        await collect();
        if (streamId) offenders = await auditorGet(r, `/api/v1/streams/${encodeURIComponent(streamId)}/offenders`);
      },
    });

    const honestPages = result.pages.filter((p) => p.index !== ATTACKER);
    const attackerPage = result.pages.find((p) => p.index === ATTACKER);
    const compared = [...fragments.entries()].map(([index, list]) => ({
      index,
      fragments: list.length,
      p2pBytes: honestPages.find((p) => p.index === index)?.sdk?.p2pBytes ?? null,
      altered: list.filter((f) => f.url && originHash.get(f.url) && originHash.get(f.url) !== f.sha256).map((f) => f.url),
      noOriginCopy: list.filter((f) => f.url && !originHash.get(f.url)).map((f) => f.url),
      errors: list.filter((f) => f.error).map((f) => f.error),
    }));
    const report = JSON.stringify({ figures: figures(result), compared, streamId, offenders, pages: result.pages }, null, 2);
    // One line per run, enough to tell afterwards who asked the attacker and who caught it.
    const perPage = result.pages.map((p) => ({
      index: p.index, address: p.address, p2pBytes: p.sdk?.p2pBytes ?? null, uploadedBytes: p.sdk?.uploadedBytes ?? null,
      failures: p.sdk?.failures ?? null, peers: p.sdk?.peers ?? null, peerGate: p.sdk?.peerGate ?? null, integrity: p.sdk?.integrity ?? null,
    }));
    console.log(JSON.stringify({ figures: figures(result), compared, offenders, perPage }));

    assert.equal(result.viewers_played, 1 + HONEST, `every viewer played\n${report}`);
    assert.deepEqual(result.page_protocols, { h2: 1 + HONEST }, `every page over HTTP/2\n${report}`);
    // Nothing altered reached an honest player, and the comparison covered what they played.
    assert.equal(compared.length, HONEST, `fragments recorded on every honest page\n${report}`);
    for (const c of compared) {
      assert.deepEqual(c.errors, [], `page ${c.index}: the recorder saw every fragment\n${report}`);
      assert.ok(c.fragments >= 15, `page ${c.index}: ${c.fragments} fragments compared\n${report}`);
      assert.deepEqual(c.noOriginCopy, [], `page ${c.index}: the origin's copy of every fragment was fetched\n${report}`);
      assert.deepEqual(c.altered, [], `page ${c.index}: altered fragments reached hls.js\n${report}`);
    }
    for (const page of honestPages) {
      assert.equal(page.stalls, 0, `page ${page.index}: stalls\n${report}`);
      assert.equal(page.fatal_errors, 0, `page ${page.index}: fatal hls.js errors\n${report}`);
      assert.equal(page.hls_errors.fragParsingError ?? 0, 0, `page ${page.index}: bad bytes reached hls.js\n${report}`);
      assert.equal(page.sdk?.integrity, 'anchored', `page ${page.index}: P2P bytes checked against the appliance's hashes\n${report}`);
    }
    // The attack happened, and the honest viewers still shared among themselves.
    const reporters = honestPages.filter((p) => (Number(p.sdk?.failures?.integrity) || 0) > 0);
    assert.ok(reporters.length >= 2, `at least two honest viewers caught altered bytes\n${report}`);
    assert.ok((Number(attackerPage.sdk?.uploadedBytes) || 0) > 0, `the attacker served altered bytes\n${report}`);
    assert.ok(honestPages.some((p) => (Number(p.sdk?.p2pBytes) || 0) > 0), `honest viewers still received verified P2P bytes\n${report}`);
    // Barred, and visible in the API.
    assert.equal(streamId, STREAM_ID, `the stream id from an honest page's welcome\n${report}`);
    assert.equal(offenders?.status, 200, `GET /api/v1/streams/{id}/offenders\n${report}`);
    const listed = JSON.parse(offenders.body).offenders.find((o) => o.address === attackerPage.address);
    assert.ok(listed, `the attacker (${attackerPage.address}) is listed as an offender\n${report}`);
    if (attackerPage.sdk?.peerId) assert.equal(listed.peerId, attackerPage.sdk.peerId, `offender peer id\n${report}`);
    assert.ok(listed.reporters >= 2, `barred on reports from ${listed.reporters} addresses\n${report}`);
    assert.equal(attackerPage.sdk?.peers, 0, `the barred attacker has no neighbour left\n${report}`);
    // The lure went nowhere: nothing was sent outside the test range.
    assert.equal(result.off_lan_packets, 0, `packets toward addresses outside 10.99.0.0/16\n${report}`);
  });
