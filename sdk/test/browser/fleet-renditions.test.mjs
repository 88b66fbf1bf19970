// Leaders per rendition with real Chromium viewers and real hls.js: the live stream with two
// renditions (the demo's abr.m3u8), six viewers of one site pinned two by two (pages 1-2 and 5-6
// on the lower rendition, 3-4 on the higher; fleet.mjs). The site's first two viewers lead it and
// play the lower rendition; the higher rendition's first two viewers must lead that one, from the
// renditions their pages tell the appliance (tracks) to the lists it sends back (leaders.tracks),
// with the rendition keys hls.js gives playlists and fragments alike.
// Uses appliance/target/swarmgate.jar; fails when a prerequisite is missing (scripts/run-tests.mjs).
// Needs: root, chromium, certutil
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figures, runFleet } from '../../fleet/fleet.mjs';

test('each rendition is led by its own first viewers: the higher rendition\'s pages lead it, the lower one\'s colleagues take its segments from its leaders',
  { timeout: 300_000 }, async () => {
    const result = await runFleet({ viewers: 6, sites: 1, duration: 30, renditions: 2, tls: true });
    const report = JSON.stringify(result, null, 2);
    console.log(JSON.stringify(figures(result)));
    assert.equal(result.viewers_played, 6, report);
    assert.deepEqual(result.page_protocols, { h2: 6 }, `every page over HTTP/2\n${report}`);
    assert.equal(result.stalls, 0, `stalls\n${report}`);
    const page = (i) => result.pages[i].sdk;
    for (const i of [0, 1]) assert.equal(page(i).leader, true, `page ${i}, the site's leader on the lower rendition\n${report}`);
    for (const i of [2, 3]) assert.equal(page(i).leader, true, `page ${i} leads the higher rendition, which it plays\n${report}`);
    for (const i of [4, 5]) {
      assert.equal(page(i).leader, false, `page ${i}: its rendition has its leaders\n${report}`);
      assert.ok(page(i).p2pBytes > 0, `page ${i} took segments from neighbours\n${report}`);
      // Once a neighbour could tell it what it holds (a second after its first channel opened); a
      // starting page's second fragment may be asked for before that (seen in CI: 3 ms after).
      const told = (result.pages[i].startup_phases_ms?.first_peer ?? 0) + 1000;
      const late = (page(i).httpFetches ?? []).filter(([at, , why]) => String(why).startsWith('urgent') && at > told);
      assert.deepEqual(late, [], `page ${i} never had to fetch a late segment itself\n${report}`);
    }
    // The higher rendition's leaders fetch its new segments as they are listed, so neither of
    // them waits for leaders that never come (noHolder). An urgent fetch may still happen when
    // the other leader's copy is late on a busy machine (seen once in CI: one segment).
    for (const i of [2, 3]) {
      const reasons = page(i).httpBytesByReason ?? {};
      assert.equal(reasons.noHolder ?? 0, 0, `page ${i}: ${JSON.stringify(reasons)}\n${report}`);
    }
  });
