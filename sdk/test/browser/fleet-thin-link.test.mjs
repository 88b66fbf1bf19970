// The case the product exists for, kept short: a branch office whose WAN link carries half of what
// its viewers pull over plain HTTP (6 viewers of the 0.33 Mbit/s demo stream behind 1 Mbit/s), with
// real Chromium viewers through the fleet harness (sdk/fleet/). Plain HTTP stalls at that ratio
// (12 viewers behind 2.4 Mbit/s: 90-154 stalls, docs/benchmarks.md); with the SDK the site fetches each
// segment about once and shares it on the LAN. The build before b85e582 (a leader's segment
// fetched a second time by the live prefetch) stalled here 7 times for want of data, 4 of them on
// colleagues of the leaders; the build after it collapsed in one run of five (the backup leaders
// fetching beside primaries whose fetches ran late: 3.3 copies, 22 stalls). With the backup
// leader's prefetch waiting for the primary's `fetching` claim (c844b44), 17 runs on 2026-12-06 had
// at most 1.33 copies and no colleague stall, and a run during CI had one copy and a site-wide dry
// spell at start (every page but one stalled once, colleagues included).
// The pages come over the appliance's HTTPS port (`tls`), as in a deployment.
// Uses appliance/target/swarmgate.jar; fails when a prerequisite is missing (scripts/run-tests.mjs).
// Needs: root, chromium, certutil
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figures, runFleet } from '../../fleet/fleet.mjs';

const VIEWERS = 6;
const WAN_KBIT = 1000;
const SECONDS = 40;
// Joiners take their first fragment or two over HTTP while their player starts, and the window's
// average counts each segment's fetches by every viewer: one leader's copy per segment is 1.0.
// Counted as the link carried them (`wan_copies_source: link`): the access log also counts whole
// the HTTP fetches the SDK abandoned for a neighbour's copy, and read 1.31-1.36 where the link
// carried 1.10-1.11 (2026-12-06).
const MAX_WAN_COPIES = 1.5;

// Hard assertions: every page plays without a player error, every colleague of the site's leaders
// receives segments from them on the LAN, and the site fetches each segment at most MAX_WAN_COPIES
// times. Not met reliably yet, so `todo` subtests of the same fleet (their failures are printed, not
// counted; drop `todo` when they hold): nobody stalls for want of data. While viewers join, their
// first requests and scripts share the link with the leaders' next fetches; a leader that started
// first holds 1-2 segments then and can run dry (one stall of about 0.3 s on one or both leaders in
// 5 of the 17 runs above), and in the CI run the late segment reached the colleagues too.
const START_DRY = 'the site can run dry at start on a thin link while viewers join (CHANGELOG, Unreleased)';

test(`${VIEWERS} viewers behind a ${WAN_KBIT} kbit/s WAN link: every page plays, every colleague of the leaders gets segments from them, at most ${MAX_WAN_COPIES} WAN copies per segment; no stall for want of data`,
  { timeout: (SECONDS + 200) * 1000 }, async (t) => {
    // The page's hls.min.js comes from the fleet, as from the browser's cache: 624 KB per viewer
    // over the shaped link would measure script loading, not delivery.
    // Over the appliance's HTTPS port, as deployed: pages and SDK over HTTP/2, TLS handshakes on the shaped link.
    const result = await runFleet({ viewers: VIEWERS, sites: 1, duration: SECONDS, wanRateKbit: WAN_KBIT, cachedHlsJs: true, tls: true });
    const report = JSON.stringify(result, null, 2);
    console.log(`${JSON.stringify(figures(result))}`);
    assert.deepEqual(result.page_protocols, { h2: VIEWERS }, `every page over HTTP/2\n${report}`);
    assert.equal(result.viewers_played, VIEWERS, report);
    const leaders = result.pages.filter((p) => p.sdk?.leader);
    const colleagues = result.pages.filter((p) => p.sdk && !p.sdk.leader);
    assert.ok(leaders.length > 0 && colleagues.length > 0, `the coordinator made some viewers leaders, not all\n${report}`);
    for (const page of result.pages) {
      assert.equal(page.fatal_errors, 0, `page ${page.index}: player errors\n${report}`);
    }
    for (const page of colleagues) {
      assert.ok(page.sdk.p2pBytes > 0, `colleague page ${page.index} received P2P bytes\n${report}`);
    }
    assert.equal(result.wan_copies_source, 'link', `WAN copies measured on the shaped link\n${report}`);
    assert.ok(result.wan_copies_per_segment_per_site <= MAX_WAN_COPIES,
      `${result.wan_copies_per_segment_per_site} WAN copies per segment (at most ${MAX_WAN_COPIES})\n${report}`);
    await t.test('no colleague of the leaders stalls for want of data', { todo: START_DRY }, () => {
      for (const page of colleagues) {
        assert.equal(page.stalls_starved, 0, `colleague page ${page.index}: stalls for want of data (stall_log: [ms, s buffered ahead])\n${report}`);
      }
    });
    await t.test('the leaders never stall for want of data', { todo: START_DRY }, () => {
      for (const page of leaders) {
        assert.equal(page.stalls_starved, 0, `leader page ${page.index}: stalls for want of data\n${report}`);
      }
    });
  });
