import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CLAIM_ALIVE_MS, CONNECTING_WAIT_MS, MAX_PROGRESS_STALL_MS, CONGESTED_SITE_BPS, CONGESTED_VOD_SLACK_MS, Scheduler,
} from '../../src/core/scheduler.js';
import { canUpload } from '../../src/core/upload-policy.js';
import { REPORT_WINDOW_MS } from '../../src/core/link-estimates.js';
import { rankLeaders } from '../../src/core/leaders.js';

// rankLeaders('seg-42.ts', …) = [peer-b (primary), peer-c (backup), peer-a]
const leaders = ['peer-a', 'peer-b', 'peer-c'];
const T0 = 100_000;

function scheduler(opts = {}) {
  const clock = { t: T0 };
  const s = new Scheduler({ now: () => clock.t, ...opts });
  return { s, clock };
}

const liveReq = (extra) => ({ segmentId: 'seg-42.ts', live: true, durationS: 2, leaders, selfId: 'me', listedAtMs: T0, ...extra });

test('at buffer levels 0, 1, 3, 6 and 12 s a neighbour holding the segment gets a buffer-derived deadline', () => {
  const { s } = scheduler();
  const expected = { 0: null, 1: null, 3: 500, 6: 3500, 12: 9500 };
  for (const [buf, slack] of Object.entries(expected)) {
    const plan = s.plan(liveReq({ bufferS: Number(buf), holders: ['n1'] }));
    if (slack === null) assert.deepEqual(plan, { source: 'http', reason: 'urgent' }, `buffer ${buf}`);
    else assert.deepEqual(plan, { source: 'p2p', peer: 'n1', deadlineMs: T0 + slack }, `buffer ${buf}`);
  }
});

test('at buffer levels 0, 1, 3, 6 and 12 s a non-leader waits for an expected announcement only while it is safe', () => {
  const { s } = scheduler();
  const expected = { 0: null, 1: null, 3: 500, 6: 3500, 12: 9500 };
  for (const [buf, slack] of Object.entries(expected)) {
    const plan = s.plan(liveReq({ bufferS: Number(buf) }));
    if (slack === null) assert.equal(plan.source, 'http', `buffer ${buf}`);
    else assert.deepEqual(plan, { source: 'wait', untilMs: T0 + slack, thenHttp: true }, `buffer ${buf}`);
  }
});

test('the slack is exactly zero at buffer = margin + HTTP estimate, and that means HTTP', () => {
  const { s } = scheduler();
  assert.equal(s.plan(liveReq({ bufferS: 2.5, holders: ['n1'] })).source, 'http');
});

test('a holder is asked only when the slack covers a LAN transfer: the default estimate, then the measured one', () => {
  const { s } = scheduler();
  s.recordHttp({ bytes: 80_000, ms: 100, durationS: 2 });
  // HTTP takes 100 ms, so the slack is buffer − 1.5 s − 0.1 s. Nothing transferred from a
  // neighbour yet: a transfer is taken to need DEFAULT_P2P_ESTIMATE_MS (250 ms).
  assert.deepEqual(s.plan(liveReq({ bufferS: 1.601, holders: ['n1'] })), { source: 'http', reason: 'urgent' });
  assert.deepEqual(s.plan(liveReq({ bufferS: 1.849, holders: ['n1'] })), { source: 'http', reason: 'urgent' });
  assert.deepEqual(s.plan(liveReq({ bufferS: 1.85, holders: ['n1'] })), { source: 'p2p', peer: 'n1', deadlineMs: T0 + 250 });
  // Transfers from neighbours took 80 ms each (not twice as fast as HTTP: no urgent attempt).
  for (let i = 0; i < 3; i++) s.recordP2p({ bytes: 80_000, ms: 80 });
  assert.deepEqual(s.plan(liveReq({ bufferS: 1.679, holders: ['n1'] })), { source: 'http', reason: 'urgent' });
  assert.deepEqual(s.plan(liveReq({ bufferS: 1.68, holders: ['n1'] })), { source: 'p2p', peer: 'n1', deadlineMs: T0 + 80 });
});

test('slow transfers in the history never ask for more slack than the default: no lock-out from P2P', () => {
  const { s } = scheduler();
  s.recordHttp({ bytes: 80_000, ms: 100, durationS: 2 });
  // Transfers held 5 s each (their hash waited for an appliance that was away).
  for (let i = 0; i < 8; i++) s.recordP2p({ bytes: 80_000, ms: 5000 });
  assert.deepEqual(s.plan(liveReq({ bufferS: 1.85, holders: ['n1'] })), { source: 'p2p', peer: 'n1', deadlineMs: T0 + 250 });
  assert.deepEqual(s.plan(liveReq({ bufferS: 1.849, holders: ['n1'] })), { source: 'http', reason: 'urgent' });
});

test('a holder the slack cannot cover on a congested link still gets the urgent attempt a fast LAN earns', () => {
  const { s } = scheduler();
  s.setSiteHttpBps(2_000_000);
  for (let i = 0; i < 3; i++) s.recordP2p({ bytes: 80_000, ms: 40 });
  // 80 kB at 2 Mbit/s take 320 ms over HTTP: 1.84 s of buffer leave 20 ms of slack, short of the
  // 40 ms a transfer takes. The LAN is 8 times faster: the urgent attempt, with its own budget.
  const plan = s.plan(liveReq({ bufferS: 1.84, sizeBytes: 80_000, holders: ['n1'], open: 1 }));
  assert.deepEqual(plan, { source: 'p2p', peer: 'n1', deadlineMs: T0 + 250 });
});

test('the primary leader fetches over HTTP at once, whatever its buffer, unless a neighbour already holds the segment', () => {
  const { s } = scheduler();
  for (const bufferS of [3, 6, 12]) {
    assert.deepEqual(s.plan(liveReq({ bufferS, selfId: 'peer-b', open: 1 })), { source: 'http', reason: 'primary' });
    assert.equal(s.plan(liveReq({ bufferS, selfId: 'peer-b', holders: ['n1'], open: 1 })).source, 'p2p', 'the site has its copy');
  }
  // A starting primary gives connecting neighbours their moment for the segments its first listing held.
  const window = liveReq({ bufferS: 6, selfId: 'peer-b', open: 0, connecting: 2, upcoming: false });
  assert.deepEqual(s.plan(window), { source: 'wait', untilMs: T0 + CONNECTING_WAIT_MS, thenHttp: true });
  assert.deepEqual(s.plan({ ...window, upcoming: true }), { source: 'http', reason: 'primary' }, 'a new segment: at once');
  // A colleague said it is fetching it: the primary waits while that fetch is due (twice 1 s + 500 ms).
  assert.deepEqual(s.plan(liveReq({ bufferS: 12, selfId: 'peer-b', open: 1, fetchingSinceMs: T0 - 1000 })),
    { source: 'wait', untilMs: T0 + 1500, thenHttp: true });
  assert.deepEqual(s.plan(liveReq({ bufferS: 12, selfId: 'peer-b', open: 1, fetchingSinceMs: T0 - 3000 })), { source: 'http', reason: 'primary' });
});

test('the backup waits for the primary for one HTTP time plus the grace, then fetches', () => {
  const { s, clock } = scheduler();
  const req = liveReq({ bufferS: 12, selfId: 'peer-c' });
  // primary due at listed + 1000 (HTTP estimate) + 500 (grace)
  assert.deepEqual(s.plan(req), { source: 'wait', untilMs: T0 + 1500, thenHttp: true });
  clock.t = T0 + 1000;
  assert.deepEqual(s.plan(req), { source: 'wait', untilMs: T0 + 1500, thenHttp: true });
  clock.t = T0 + 1500;
  assert.deepEqual(s.plan(req), { source: 'http', reason: 'backup' });
  // the primary announced in time: the backup takes it from there
  clock.t = T0 + 1200;
  assert.deepEqual(s.plan({ ...req, holders: ['peer-b'] }), { source: 'p2p', peer: 'peer-b', deadlineMs: T0 + 1200 + 9500 });
});

test('the backup does not wait for a primary that shows no sign of fetching the rendition', () => {
  const { s } = scheduler();
  const asked = [];
  const offTrack = (peerId) => { asked.push(peerId); return true; };
  assert.deepEqual(s.plan(liveReq({ bufferS: 12, selfId: 'peer-c', primaryOffTrack: offTrack })), { source: 'http', reason: 'backup' });
  assert.deepEqual(asked, ['peer-b'], 'asked about the primary');
  assert.deepEqual(s.plan(liveReq({ bufferS: 12, selfId: 'peer-c', primaryOffTrack: () => false })),
    { source: 'wait', untilMs: T0 + 1500, thenHttp: true });
  // Only the backup steps in early: a non-leader still waits for a leader's copy.
  assert.equal(s.plan(liveReq({ bufferS: 12, selfId: 'me', neighbours: 1, open: 1, primaryOffTrack: offTrack })).source, 'wait');
});

test('the backup never waits past its own deadline', () => {
  const { s } = scheduler({ backupGraceMs: 5000 });
  const plan = s.plan(liveReq({ bufferS: 4, selfId: 'peer-c' }));
  assert.deepEqual(plan, { source: 'wait', untilMs: T0 + 1500, thenHttp: true });
});

test('a non-leader goes HTTP when no leader is left to fetch the segment', () => {
  const { s } = scheduler();
  assert.deepEqual(s.plan(liveReq({ bufferS: 12, leaders: [] })), { source: 'http', reason: 'noHolder' });
  assert.deepEqual(s.plan(liveReq({ bufferS: 12, exclude: leaders })), { source: 'http', reason: 'noHolder' });
  // one leader left is enough to wait for
  assert.equal(s.plan(liveReq({ bufferS: 12, exclude: ['peer-b', 'peer-c'] })).source, 'wait');
});

test('excluded and self holders are skipped; the next holder is re-routed to', () => {
  const { s } = scheduler();
  const plan = s.plan(liveReq({ bufferS: 6, holders: ['me', 'n1', 'n2'], exclude: ['n1'] }));
  assert.deepEqual(plan, { source: 'p2p', peer: 'n2', deadlineMs: T0 + 3500 });
});

test('policy off means HTTP', () => {
  const { s } = scheduler();
  assert.deepEqual(s.plan(liveReq({ bufferS: 12, holders: ['n1'], p2p: false })), { source: 'http', reason: 'off' });
});

test('VOD: P2P when a neighbour holds it, HTTP otherwise, never waiting', () => {
  const { s } = scheduler();
  const vod = { segmentId: 'v/17.ts', live: false, leaders, selfId: 'me' };
  assert.deepEqual(s.plan({ ...vod, bufferS: 20, holders: ['n3'] }), { source: 'p2p', peer: 'n3', deadlineMs: T0 + 17500 });
  assert.deepEqual(s.plan({ ...vod, bufferS: 20, holders: [] }), { source: 'http', reason: 'noHolder' });
  assert.deepEqual(s.plan({ ...vod, bufferS: 1, holders: ['n3'] }), { source: 'http', reason: 'urgent' });
  // leaders mean nothing for VOD
  assert.equal(s.plan({ ...vod, bufferS: 20, holders: ['n3'], selfId: 'peer-b', segmentId: 'seg-42.ts' }).source, 'p2p');
});

test('slow HTTP shrinks the P2P window: the estimate comes from recent fetches of similar size', () => {
  const { s } = scheduler();
  s.recordHttp({ bytes: 100_000, ms: 3000, durationS: 2 });
  s.recordHttp({ bytes: 120_000, ms: 3400, durationS: 2 });
  s.recordHttp({ bytes: 1_000_000, ms: 200, durationS: 2 }); // not similar in size
  assert.equal(s.estimateHttpMs({ sizeBytes: 110_000 }), 3200);
  const plan = s.plan(liveReq({ bufferS: 6, sizeBytes: 110_000, holders: ['n1'] }));
  assert.deepEqual(plan, { source: 'p2p', peer: 'n1', deadlineMs: T0 + 6000 - 1500 - 3200 });
  // no similar size: throughput scaled to the size
  assert.equal(Math.round(s.estimateHttpMs({ sizeBytes: 12_200 })), 66);
  // size unknown: similar duration, else all samples
  assert.equal(s.estimateHttpMs({ durationS: 2 }), 6600 / 3);
  assert.equal(s.estimateHttpMs({ durationS: 10 }), 6600 / 3);
  assert.equal(s.estimateHttpMs(), 6600 / 3);
});

test('the estimate is a moving average over the most recent samples', () => {
  const { s } = scheduler();
  assert.equal(s.estimateHttpMs({ sizeBytes: 1000 }), 1000);
  assert.equal(s.httpThroughputBps(), undefined);
  for (let i = 0; i < 8; i++) s.recordHttp({ bytes: 1000, ms: 5000 });
  for (let i = 0; i < 8; i++) s.recordHttp({ bytes: 1000, ms: 100 });
  assert.equal(s.estimateHttpMs({ sizeBytes: 1000 }), 100);
  assert.equal(s.httpThroughputBps(), 80_000);
  s.recordHttp({ bytes: 0, ms: 10 }); // ignored
  assert.equal(s.samples.length, 8);
});

test('onP2pFailure falls back to HTTP and counts the reason', () => {
  const { s } = scheduler();
  for (const r of ['timeout', 'integrity', 'gone', 'noHolder', 'policy', 'unverified', 'timeout']) {
    assert.deepEqual(s.onP2pFailure(r), { source: 'http', reason: r });
  }
  assert.deepEqual(s.failures, { timeout: 2, integrity: 1, gone: 1, noHolder: 1, policy: 1, unverified: 1, paused: 0 });
  assert.throws(() => s.onP2pFailure('bored'), RangeError);
});

test('options are validated', () => {
  assert.throws(() => new Scheduler({ safetyMarginMs: -1 }), RangeError);
  assert.throws(() => new Scheduler({ defaultHttpMs: NaN }), RangeError);
});

const rules = (upload) => ({ p2p: 'on', maxNeighbours: 6, uploadOnCellular: false, uploadOnWifi: true, upload });
const on = rules({ allowed: true, maxUploads: 4, maxKbps: 20000 });

test('upload is allowed when the appliance allowed it and there is spare capacity', () => {
  assert.deepEqual(canUpload({ policy: on }), { allowed: true });
  assert.deepEqual(canUpload({ policy: on, activeUploads: 3, uploadRateBps: 1e6 }), { allowed: true });
});

test('no upload when the policy is off, download-only, or not received yet', () => {
  assert.deepEqual(canUpload({ policy: { p2p: 'off' } }), { allowed: false, reason: 'off', code: 'policy' });
  assert.deepEqual(canUpload({ policy: { p2p: 'download-only' } }), { allowed: false, reason: 'download-only', code: 'policy' });
  assert.deepEqual(canUpload({ policy: undefined }), { allowed: false, reason: 'off', code: 'policy' });
});

test('the appliance decides: upload.allowed from welcome is obeyed both ways, whatever the network', () => {
  // A cellular viewer the policy lets upload is told allowed: true; a Wi-Fi one it keeps out, false.
  assert.deepEqual(canUpload({ policy: rules({ allowed: false, maxUploads: 4, maxKbps: 20000 }) }),
    { allowed: false, reason: 'not-allowed', code: 'policy' });
  assert.deepEqual(canUpload({ policy: rules({ allowed: true, maxUploads: 4, maxKbps: 20000 }) }), { allowed: true });
});

test('without the appliance\'s upload rules, or with malformed ones, nothing is uploaded', () => {
  for (const upload of [undefined, null, 'yes', { allowed: true }, { allowed: true, maxUploads: 0, maxKbps: 20000 },
    { allowed: true, maxUploads: 2.5, maxKbps: 20000 }, { allowed: true, maxUploads: 4, maxKbps: -1 },
    { allowed: 'true', maxUploads: 4, maxKbps: 20000 }]) {
    assert.equal(canUpload({ policy: rules(upload) }).allowed, false, JSON.stringify(upload));
  }
});

test('no upload with Save-Data, even when allowed', () => {
  assert.deepEqual(canUpload({ policy: on, saveData: true }), { allowed: false, reason: 'save-data', code: 'policy' });
});

test('the policy\'s caps bound simultaneous uploads and the rate', () => {
  assert.deepEqual(canUpload({ policy: on, activeUploads: 4 }), { allowed: false, reason: 'busy', code: 'busy' });
  const two = rules({ allowed: true, maxUploads: 2, maxKbps: 5000 });
  assert.deepEqual(canUpload({ policy: two, activeUploads: 1 }), { allowed: true });
  assert.deepEqual(canUpload({ policy: two, activeUploads: 2 }), { allowed: false, reason: 'busy', code: 'busy' });
  assert.deepEqual(canUpload({ policy: on, uploadRateBps: 20_000_000 }), { allowed: false, reason: 'rate', code: 'busy' });
  assert.deepEqual(canUpload({ policy: two, uploadRateBps: 5e6 }), { allowed: false, reason: 'rate', code: 'busy' });
  assert.deepEqual(canUpload({ policy: two, uploadRateBps: 4.9e6 }), { allowed: true });
});

test('a measured capacity below the policy\'s caps takes fewer uploads at a time, never none', () => {
  // Default caps: 20 Mb/s over 4 uploads is 5 Mb/s each.
  assert.deepEqual(canUpload({ policy: on, activeUploads: 1, capacityKbps: 12_000 }), { allowed: true });
  assert.deepEqual(canUpload({ policy: on, activeUploads: 2, capacityKbps: 12_000 }), { allowed: false, reason: 'busy', code: 'busy' });
  assert.deepEqual(canUpload({ policy: on, activeUploads: 0, capacityKbps: 500 }), { allowed: true }, 'one at least');
  assert.deepEqual(canUpload({ policy: on, activeUploads: 1, capacityKbps: 500 }), { allowed: false, reason: 'busy', code: 'busy' });
  assert.deepEqual(canUpload({ policy: on, activeUploads: 3, capacityKbps: 1e6 }), { allowed: true }, 'a fast link: the policy caps');
  assert.deepEqual(canUpload({ policy: on, activeUploads: 4, capacityKbps: 1e6 }), { allowed: false, reason: 'busy', code: 'busy' });
  assert.deepEqual(canUpload({ policy: on, activeUploads: 3, capacityKbps: 0 }), { allowed: true }, 'unknown: the policy decides');
});

test('a per-segment backup grace overrides the default one', () => {
  const s = new Scheduler({ now: () => 10_000, defaultHttpMs: 100, backupGraceMs: 500 });
  const ranked = rankLeaders('seg-9', ['p-a', 'p-b']);
  const req = { segmentId: 'seg-9', live: true, bufferS: 20, leaders: ['p-a', 'p-b'], selfId: ranked[1], listedAtMs: 9_000 };
  assert.deepEqual(s.plan(req), { source: 'http', reason: 'backup' });
  const plan = s.plan({ ...req, backupGraceMs: 2000 });
  assert.equal(plan.source, 'wait');
  assert.equal(plan.untilMs, 9_000 + 100 + 2000);
});

test('an empty buffer goes to HTTP at once while nothing is measured, even with a holder', () => {
  const { s } = scheduler();
  assert.deepEqual(s.plan(liveReq({ bufferS: 0, holders: ['n1'] })), { source: 'http', reason: 'urgent' });
  assert.deepEqual(s.plan({ segmentId: 'v/1.ts', live: false, bufferS: 0, holders: ['n1'] }), { source: 'http', reason: 'urgent' });
});

test('on a slow WAN an urgent segment comes from a neighbour on the LAN, under a short deadline', () => {
  const { s } = scheduler();
  for (let i = 0; i < 3; i++) s.recordHttp({ bytes: 100_000, ms: 3000, durationS: 2 });
  // no P2P measured yet: a LAN transfer is assumed to take 250 ms, well under 3 s
  assert.deepEqual(s.plan(liveReq({ bufferS: 0, holders: ['n1'] })), { source: 'p2p', peer: 'n1', deadlineMs: T0 + 1000 });
  s.recordP2p({ bytes: 100_000, ms: 40 });
  assert.equal(s.estimateP2pMs({ sizeBytes: 50_000 }), 20);
  // deadline: 4 × the 40 ms estimate, but never under 250 ms
  assert.deepEqual(s.plan(liveReq({ bufferS: 0, holders: ['n1'] })), { source: 'p2p', peer: 'n1', deadlineMs: T0 + 250 });
  assert.deepEqual(s.plan({ segmentId: 'v/1.ts', live: false, bufferS: 0, holders: ['n3'] }), { source: 'p2p', peer: 'n3', deadlineMs: T0 + 250 });
  // the primary leader fetches over HTTP, where the site's copy comes from, unless a neighbour holds one already
  assert.deepEqual(s.plan(liveReq({ bufferS: 0, selfId: 'peer-b', open: 1 })), { source: 'http', reason: 'primary' });
  assert.deepEqual(s.plan(liveReq({ bufferS: 0, selfId: 'peer-b', holders: ['n1'] })), { source: 'p2p', peer: 'n1', deadlineMs: T0 + 250 });
});

test('on a fast link an urgent segment stays on HTTP: the LAN must be clearly faster', () => {
  const { s } = scheduler();
  for (let i = 0; i < 3; i++) s.recordHttp({ bytes: 100_000, ms: 60, durationS: 2 });
  s.recordP2p({ bytes: 100_000, ms: 40 });
  assert.deepEqual(s.plan(liveReq({ bufferS: 0, holders: ['n1'] })), { source: 'http', reason: 'urgent' });
  s.recordHttp({ bytes: 100_000, ms: 400, durationS: 2 });
  assert.equal(s.plan(liveReq({ bufferS: 0, holders: ['n1'] })).source, 'p2p');
});

test('on a slow WAN a non-leader waits for the leader\'s announcement when it is due before its own HTTP would arrive', () => {
  const { s, clock } = scheduler();
  for (let i = 0; i < 3; i++) s.recordHttp({ bytes: 100_000, ms: 3000, durationS: 2 });
  const req = liveReq({ bufferS: 0, listedAtMs: T0 - 2000 }); // listed 2 s ago: the primary is due at +1.5 s
  assert.deepEqual(s.plan(req), { source: 'wait', untilMs: T0 + 1500, thenHttp: true });
  // due later than its own HTTP would arrive: fetch now
  assert.deepEqual(s.plan({ ...req, listedAtMs: T0 + 500 }), { source: 'http', reason: 'urgent' });
  // the leader is already late: fetch now
  clock.t = T0 + 1500;
  assert.deepEqual(s.plan(req), { source: 'http', reason: 'urgent' });
  clock.t = T0;
  // the backup never waits when urgent, nor does anyone when every leader failed
  assert.deepEqual(s.plan({ ...req, selfId: 'peer-c' }), { source: 'http', reason: 'urgent' });
  assert.deepEqual(s.plan({ ...req, exclude: leaders }), { source: 'http', reason: 'urgent' });
  // VOD has no leaders to wait for
  assert.deepEqual(s.plan({ ...req, live: false }), { source: 'http', reason: 'urgent' });
});

test('the site\'s HTTP throughput from welcome is the estimate until the viewer measures its own', () => {
  const { s } = scheduler();
  assert.equal(s.httpMeasured(), false);
  s.setSiteHttpBps(300_000); // a congested branch link: 300 kbit/s per fetch
  assert.equal(s.httpMeasured({ sizeBytes: 75_000 }), true);
  assert.equal(s.httpMeasured(), false, 'without a size the site\'s figure gives no time');
  assert.deepEqual(s.plan(liveReq({ bufferS: 0, holders: ['n1'] })), { source: 'http', reason: 'urgent' },
    'no size: nothing measured, HTTP at once');
  assert.equal(s.estimateHttpMs({ sizeBytes: 75_000 }), 2000);
  assert.equal(s.estimateHttpMs({ durationS: 2 }), 1000, 'no size: the default');
  assert.equal(s.httpThroughputBps(), 300_000, 'P2P deliveries are modelled at the site\'s speed for ABR');
  assert.equal(s.ownHttpThroughputBps(), undefined, 'never reported back as the viewer\'s own figure');
  // a joiner on that site takes an urgent segment from a neighbour rather than the link
  assert.deepEqual(s.plan(liveReq({ bufferS: 0, sizeBytes: 75_000, holders: ['n1'] })), { source: 'p2p', peer: 'n1', deadlineMs: T0 + 1000 });
  s.recordHttp({ bytes: 75_000, ms: 100, durationS: 2 });
  assert.equal(s.estimateHttpMs({ sizeBytes: 75_000 }), 100, 'its own fetches win');
  assert.deepEqual(s.plan(liveReq({ bufferS: 0, sizeBytes: 75_000, holders: ['n1'] })), { source: 'http', reason: 'urgent' });
  s.setSiteHttpBps(undefined);
  s.setSiteHttpBps(-1);
  assert.equal(s.siteHttpBps, undefined);
});

test('a starting viewer on a congested WAN waits for its connecting neighbours for part of the HTTP time, then HTTP', () => {
  const { s, clock } = scheduler();
  s.setSiteHttpBps(1_000_000); // the appliance says: 1 Mbit/s per transfer on this site
  const req = liveReq({ bufferS: 0, sizeBytes: 250_000, neighbours: 5, askedAtMs: T0, listedAtMs: T0 + 5000 });
  assert.equal(s.congested(req), true);
  // 250 kB at 1 Mbit/s is 2 s over HTTP: wait up to 1 s (half) for a neighbour to announce it
  assert.deepEqual(s.plan(req), { source: 'wait', untilMs: T0 + 1000, thenHttp: true });
  clock.t = T0 + 600; // woken by a neighbour opening, still nobody holds it: the same bound
  assert.deepEqual(s.plan(req), { source: 'wait', untilMs: T0 + 1000, thenHttp: true });
  clock.t = T0 + 1000;
  assert.deepEqual(s.plan(req), { source: 'http', reason: 'urgent' });
  clock.t = T0;
  // a neighbour announced it: from the LAN
  assert.equal(s.plan({ ...req, holders: ['n1'] }).source, 'p2p');
  // without neighbours (the first viewer of the site) there is nobody to wait for
  assert.deepEqual(s.plan({ ...req, neighbours: 0 }), { source: 'http', reason: 'urgent' });
  // a very slow link: the wait is capped
  s.setSiteHttpBps(100_000);
  assert.deepEqual(s.plan(req), { source: 'wait', untilMs: T0 + 2000, thenHttp: true });
});

test('on an uncongested link a starting viewer never waits for neighbours', () => {
  const { s } = scheduler();
  s.setSiteHttpBps(200_000_000);
  const req = liveReq({ bufferS: 0, sizeBytes: 250_000, neighbours: 5, askedAtMs: T0, listedAtMs: T0 + 5000 });
  assert.equal(s.congested(req), false);
  assert.deepEqual(s.plan(req), { source: 'http', reason: 'urgent' });
  // its own fetches say a segment takes a third of its duration: congested after all
  s.recordHttp({ bytes: 250_000, ms: 700, durationS: 2 });
  assert.equal(s.congested(req), true);
});

test('a VOD segment with buffer to spare waits a moment for neighbours still connecting, never past its deadline', () => {
  const { s, clock } = scheduler();
  const vod = { segmentId: 'v/7.ts', live: false, bufferS: 12, connecting: 3, askedAtMs: T0 };
  assert.deepEqual(s.plan(vod), { source: 'wait', untilMs: T0 + 1500, thenHttp: true });
  clock.t = T0 + 1500;
  assert.deepEqual(s.plan(vod), { source: 'http', reason: 'noHolder' }, 'they had their moment');
  clock.t = T0;
  assert.deepEqual(s.plan({ ...vod, connecting: 0 }), { source: 'http', reason: 'noHolder' }, 'everyone announced: nobody holds it');
  // 3 s of buffer leave 500 ms of slack: the wait ends there
  assert.deepEqual(s.plan({ ...vod, bufferS: 3 }), { source: 'wait', untilMs: T0 + 500, thenHttp: true });
  assert.deepEqual(s.plan({ ...vod, bufferS: 0 }), { source: 'http', reason: 'urgent' }, 'an empty buffer does not wait');
});

test('a viewer with no neighbour open yet waits for the connecting ones while its buffer allows (VOD: once playing), then HTTP', () => {
  const { s, clock } = scheduler();
  s.recordHttp({ bytes: 80_000, ms: 100, durationS: 2 });
  // the second fragment of a starting player: 1.94 s of buffer, 340 ms of slack
  const second = liveReq({ segmentId: 'seg-41.ts', bufferS: 1.94, open: 0, connecting: 3, neighbours: 3, askedAtMs: T0, listedAtMs: T0 - 6000 });
  assert.deepEqual(s.plan(second), { source: 'wait', untilMs: T0 + 340, thenHttp: true });
  // the third: the connecting-wait bound, not the 2.3 s slack
  const third = { ...second, bufferS: 3.9 };
  assert.deepEqual(s.plan(third), { source: 'wait', untilMs: T0 + 1500, thenHttp: true });
  clock.t = T0 + 1500;
  assert.deepEqual(s.plan({ ...third, bufferS: 2.4 }), { source: 'http', reason: 'alone' }, 'still nothing open: they are failing');
  clock.t = T0;
  assert.deepEqual(s.plan({ ...third, connecting: 0 }), { source: 'http', reason: 'alone' }, 'nobody to wait for');
  assert.deepEqual(s.plan({ ...third, open: 1, holders: ['n1'] }).source, 'p2p');
  // the first fragment on an uncongested link: never waits
  assert.deepEqual(s.plan({ ...second, bufferS: 0 }), { source: 'http', reason: 'alone' });
  // a VOD player still filling its start buffer never waits; once it plays, it does
  const vod = { ...third, live: false, starting: true };
  assert.deepEqual(s.plan(vod), { source: 'http', reason: 'alone' });
  assert.deepEqual(s.plan({ ...vod, starting: false }), { source: 'wait', untilMs: T0 + 1500, thenHttp: true });
  // the primary leader of a new segment fetches it at once, open neighbours or not
  const rankedFirst = rankLeaders('seg-41.ts', leaders)[0];
  assert.deepEqual(s.plan({ ...third, selfId: rankedFirst }), { source: 'http', reason: 'primary' });
});

test('the throughput a viewer reports counts only fetches large enough to measure the link', () => {
  const { s } = scheduler();
  // DASH on an uncongested link: an init segment and an audio segment, each one request's latency
  s.recordHttp({ bytes: 1_200, ms: 40, durationS: 2 });
  s.recordHttp({ bytes: 16_000, ms: 45, durationS: 2 });
  assert.ok(s.ownHttpThroughputBps() < 8_000_000, 'latency-bound: it would read as a congested site');
  assert.equal(s.reportedHttpBps(), undefined, 'nothing to report yet');
  s.recordHttp({ bytes: 70_000, ms: 50, durationS: 2 });
  assert.equal(s.reportedHttpBps(), (70_000 * 8 * 1000) / 50);
});

test('the reported throughput is the fastest recent large fetch: a busy desktop\'s slow fetches do not make an open link look congested, a thin link still does', () => {
  const { s, clock } = scheduler();
  // an open link, the page starting beside others: two of three 83 kB fetches held up by the CPU
  s.recordHttp({ bytes: 83_000, ms: 140, durationS: 2 });
  s.recordHttp({ bytes: 83_000, ms: 25, durationS: 2 });
  s.recordHttp({ bytes: 83_000, ms: 180, durationS: 2 });
  assert.ok(s.ownHttpThroughputBps() < CONGESTED_SITE_BPS, 'the mean would tell later joiners the site is congested');
  assert.equal(s.reportedHttpBps(), (83_000 * 8 * 1000) / 25);
  assert.ok(s.reportedHttpBps() > CONGESTED_SITE_BPS);
  // a thin link (2.4 Mbit/s): every fetch slow, the fastest included
  const thin = scheduler().s;
  for (const ms of [300, 280, 900, 1400]) thin.recordHttp({ bytes: 83_000, ms, durationS: 2 });
  assert.ok(thin.reportedHttpBps() < 2_400_000);
  // a viewer that stopped fetching (a colleague that took only its first fragments over HTTP)
  // stops reporting once its fetches are a minute old, instead of repeating its start's figure
  clock.t += REPORT_WINDOW_MS - 1;
  assert.equal(s.reportedHttpBps(), (83_000 * 8 * 1000) / 25);
  clock.t += 2;
  assert.equal(s.reportedHttpBps(), undefined);
  assert.equal(s.estimateHttpMs({ sizeBytes: 83_000 }), (140 + 25 + 180) / 3, 'its own HTTP estimate keeps the samples');
  s.recordHttp({ bytes: 83_000, ms: 100, durationS: 2 });
  assert.equal(s.reportedHttpBps(), (83_000 * 8 * 1000) / 100);
});

test('a fetch too small to show the link\'s speed is not scaled up to a segment: no false congestion after a DASH init segment', () => {
  const { s } = scheduler();
  s.recordHttp({ bytes: 772, ms: 19 }); // the init segment: one request's latency
  const media = { sizeBytes: 68_000, durationS: 2 };
  assert.equal(s.httpMeasured(media), false, 'nothing says how long 68 kB take');
  assert.equal(s.congested(media), false);
  assert.equal(s.estimateHttpMs(media), 1000, 'the default, as before any fetch');
  s.recordHttp({ bytes: 70_000, ms: 60, durationS: 2 });
  assert.equal(s.httpMeasured(media), true);
  assert.equal(s.estimateHttpMs(media), 60, 'a fetch of about that size');
  assert.equal(Math.round(s.estimateHttpMs({ sizeBytes: 280_000 })), 240, 'scaled by the large fetch only');
  assert.equal(s.congested(media), false);
  // a thin link: large fetches are slow too
  s.recordHttp({ bytes: 90_000, ms: 1500, durationS: 2 });
  assert.equal(s.congested(media), true, 'about 0.8 s for a 2 s segment');
});

test('a fetch still under way is slow once it has taken a quarter of the segment, and never before 500 ms', () => {
  const s = new Scheduler();
  assert.equal(s.slowFetch(400, { durationS: 1 }), false, 'a short segment: the floor applies');
  assert.equal(s.slowFetch(501, { durationS: 1 }), true);
  assert.equal(s.slowFetch(1400, { durationS: 6 }), false, 'a quarter of 6 s is 1.5 s');
  assert.equal(s.slowFetch(1600, { durationS: 6 }), true);
  assert.equal(s.slowFetch(60_000, {}), false, 'without a duration nothing says what slow is');
});

test('VOD: a segment nobody holds waits for the neighbour playing ahead, never past its deadline', () => {
  const { s, clock } = scheduler();
  s.setSiteHttpBps(2_400_000); // a branch office's thin link
  // the neighbour ahead announced the previous segment 300 ms ago; this one is 82 kB of 2 s
  const vod = { segmentId: 'v/18.ts', live: false, bufferS: 20, durationS: 2, sizeBytes: 82_000, open: 3, connecting: 0, aheadAtMs: T0 - 300 };
  const httpMs = s.estimateHttpMs(vod);
  assert.equal(s.congested(vod), true);
  assert.deepEqual(s.plan(vod), { source: 'wait', untilMs: T0 - 300 + 2000 + httpMs + 500, thenHttp: true });
  // the deadline bounds it: 4 s of buffer leave 4000 - 1500 - httpMs of slack
  assert.deepEqual(s.plan({ ...vod, bufferS: 4 }), { source: 'wait', untilMs: T0 + 4000 - 1500 - httpMs, thenHttp: true });
  // once the neighbour's turn is past, or nobody is ahead: HTTP
  clock.t = T0 - 300 + 2000 + httpMs + 500;
  assert.deepEqual(s.plan(vod), { source: 'http', reason: 'noHolder' });
  clock.t = T0;
  assert.deepEqual(s.plan({ ...vod, aheadAtMs: undefined }), { source: 'http', reason: 'noHolder' }, 'the viewer in front fetches at once');
  // a holder is asked at once, wait or no wait
  assert.deepEqual(s.plan({ ...vod, holders: ['n2'] }), { source: 'p2p', peer: 'n2', deadlineMs: T0 + 20_000 - 1500 - httpMs });
});

test('VOD on a congested link: a segment that only fills the buffer goes over HTTP once 20 s of slack are left, not sooner', () => {
  const { s, clock } = scheduler();
  s.setSiteHttpBps(2_400_000);
  const vod = { segmentId: 'v/40.ts', live: false, bufferS: 50, durationS: 2, sizeBytes: 82_000, open: 3, connecting: 0 };
  const httpMs = s.estimateHttpMs(vod);
  const deadline = T0 + 50_000 - 1500 - httpMs;
  assert.deepEqual(s.plan(vod), { source: 'wait', untilMs: deadline - CONGESTED_VOD_SLACK_MS, thenHttp: true });
  // a neighbour ahead due sooner than that changes nothing: the buffer decides
  assert.deepEqual(s.plan({ ...vod, aheadAtMs: T0 }), { source: 'wait', untilMs: deadline - CONGESTED_VOD_SLACK_MS, thenHttp: true });
  // one due later is waited for, never past the deadline
  assert.deepEqual(s.plan({ ...vod, aheadAtMs: deadline - 21_000 }), { source: 'wait', untilMs: deadline - 21_000 + 2000 + httpMs + 500, thenHttp: true });
  assert.deepEqual(s.plan({ ...vod, aheadAtMs: deadline }), { source: 'wait', untilMs: deadline, thenHttp: true });
  clock.t = deadline - CONGESTED_VOD_SLACK_MS;
  assert.deepEqual(s.plan({ ...vod, bufferS: 50 - (clock.t - T0) / 1000 }), { source: 'http', reason: 'noHolder' });
  // on a fast link the player fills its buffer as fast as it asks
  const fast = scheduler().s;
  fast.recordHttp({ bytes: 82_000, ms: 40, durationS: 2 });
  assert.deepEqual(fast.plan(vod), { source: 'http', reason: 'noHolder' });
  // the first viewer on a thin link: no site figure, each fetch a fifth of the duration (not
  // congested), yet 2 Mbit/s: its buffer fill waits
  const first = scheduler().s;
  first.recordHttp({ bytes: 82_000, ms: 400, durationS: 2 });
  assert.equal(first.congested(vod), false);
  assert.equal(first.plan(vod).source, 'wait');
  // small fetches show a request's latency, not the link: no such conclusion from them
  const small = scheduler().s;
  small.recordHttp({ bytes: 800, ms: 40, durationS: 2 });
  assert.deepEqual(small.plan({ ...vod, sizeBytes: undefined }), { source: 'http', reason: 'noHolder' });
});

test('VOD on a fast link waits for the neighbour ahead too, for its HTTP time after its turn', () => {
  const { s } = scheduler();
  s.recordHttp({ bytes: 82_000, ms: 40, durationS: 2 });
  const vod = { segmentId: 'v/18.ts', live: false, bufferS: 20, durationS: 2, sizeBytes: 82_000, open: 3, connecting: 0, aheadAtMs: T0 - 300 };
  assert.equal(s.congested(vod), false);
  assert.deepEqual(s.plan(vod), { source: 'wait', untilMs: T0 - 300 + 2000 + 40 + 500, thenHttp: true });
  assert.deepEqual(s.plan({ ...vod, aheadAtMs: T0 - 3000 }), { source: 'http', reason: 'noHolder' }, 'its turn is long past');
  // live streams have their leaders: the trail means nothing there
  s.setSiteHttpBps(2_400_000);
  assert.equal(s.plan({ ...vod, live: true, leaders: [], selfId: 'me' }).reason, 'noHolder');
});

test('on a congested link an urgent segment a neighbour is fetching waits for that copy, one HTTP time at most', () => {
  const { s, clock } = scheduler();
  s.setSiteHttpBps(2_400_000); // a branch office's thin link: 300 kB take 1 s
  // the leaders' fetch is late (listed long ago), nobody holds it, a colleague started fetching it 200 ms ago
  const req = liveReq({ bufferS: 0.5, sizeBytes: 300_000, listedAtMs: T0 - 4000, askedAtMs: T0, open: 3, neighbours: 3, fetchingSinceMs: T0 - 200 });
  assert.equal(s.estimateHttpMs(req), 1000);
  assert.equal(s.congested(req), true);
  // its copy lands by (T0 - 200) + 2 × 1000 + 250 at worst; capped at one HTTP time from the ask
  assert.deepEqual(s.plan(req), { source: 'wait', untilMs: T0 + 1000, thenHttp: true });
  // a fetch claimed long ago is no longer expected: only the congested link's short wait for
  // neighbours (half an HTTP time) is left, as without a claim
  assert.deepEqual(s.plan({ ...req, fetchingSinceMs: T0 - 3000 }), { source: 'wait', untilMs: T0 + 500, thenHttp: true });
  assert.deepEqual(s.plan({ ...req, fetchingSinceMs: undefined }), { source: 'wait', untilMs: T0 + 500, thenHttp: true });
  // re-planned after the wait: the bound counts from the player's ask
  clock.t = T0 + 1000;
  assert.deepEqual(s.plan(req), { source: 'http', reason: 'urgent' });
  clock.t = T0;
  // the colleague announced it: from the LAN
  assert.equal(s.plan({ ...req, holders: ['n1'] }).source, 'p2p');
  // the primary leader fetches at once whatever anyone claims
  assert.deepEqual(s.plan({ ...req, selfId: 'peer-b' }), { source: 'http', reason: 'primary' });
});

test('on a congested link a neighbour\'s fetch that it says makes progress is waited for past the HTTP time, the buffer gone included', () => {
  const { s, clock } = scheduler();
  s.setSiteHttpBps(2_400_000); // 300 kB take 1 s
  // A playing colleague with 2.4 s buffered (no slack: 2.4 - 1.5 - 1.0 < 0); the leader's fetch
  // started 2.6 s ago and shares the link with others: its claim is past due (2 × 1 s + 250 ms).
  const req = liveReq({ bufferS: 2.4, sizeBytes: 300_000, listedAtMs: T0 - 4000, askedAtMs: T0, open: 3, neighbours: 3, fetchingSinceMs: T0 - 2600 });
  // told once: the congested link's short wait for neighbours only
  assert.deepEqual(s.plan(req), { source: 'wait', untilMs: T0 + 500, thenHttp: true });
  // told again 300 ms ago (it made progress): wait until it is silent for CLAIM_ALIVE_MS
  assert.deepEqual(s.plan({ ...req, fetchProgressAtMs: T0 - 300 }), { source: 'wait', untilMs: T0 - 300 + CLAIM_ALIVE_MS, thenHttp: true, progress: true });
  // told again and again, it is followed with the buffer gone: a second copy would land later still
  clock.t = T0 + 800;
  assert.deepEqual(s.plan({ ...req, bufferS: 1.9, fetchProgressAtMs: T0 + 700 }), { source: 'wait', untilMs: T0 + 700 + CLAIM_ALIVE_MS, thenHttp: true, progress: true });
  assert.deepEqual(s.plan({ ...req, bufferS: 0, bufferEndsAtMs: T0 + 100, fetchProgressMayStall: true, fetchProgressAtMs: T0 + 700 }), { source: 'wait', untilMs: T0 + 700 + CLAIM_ALIVE_MS, thenHttp: true, progress: true });
  // but never longer than MAX_PROGRESS_STALL_MS after the buffer ran out
  clock.t = T0 + 2000;
  assert.deepEqual(s.plan({ ...req, bufferS: 0, bufferEndsAtMs: T0 + 100, fetchProgressMayStall: true, fetchProgressAtMs: T0 + 1900 }), { source: 'wait', untilMs: T0 + 100 + MAX_PROGRESS_STALL_MS, thenHttp: true, progress: true });
  clock.t = T0 + 100 + MAX_PROGRESS_STALL_MS;
  assert.deepEqual(s.plan({ ...req, bufferS: 0, bufferEndsAtMs: T0 + 100, fetchProgressMayStall: true, fetchProgressAtMs: clock.t - 100 }), { source: 'http', reason: 'urgent' });
  // a neighbour that already cost this viewer a stall (and delivered nothing since) is followed
  // while the buffer lasts, not past it
  clock.t = T0 + 800;
  assert.deepEqual(s.plan({ ...req, bufferS: 0.3, bufferEndsAtMs: T0 + 1100, fetchProgressAtMs: T0 + 700 }), { source: 'wait', untilMs: T0 + 1100, thenHttp: true, progress: true });
  assert.deepEqual(s.plan({ ...req, bufferS: 0, bufferEndsAtMs: T0 + 100, fetchProgressAtMs: T0 + 700 }), { source: 'http', reason: 'urgent' });
  clock.t = T0 + 800;
  // silent for longer than CLAIM_ALIVE_MS: maybe stuck, the rules without progress apply
  assert.deepEqual(s.plan({ ...req, fetchProgressAtMs: T0 + 800 - CLAIM_ALIVE_MS }), { source: 'http', reason: 'urgent' });
  // on an uncongested link progress holds nothing either
  const open = scheduler();
  open.s.recordHttp({ bytes: 300_000, ms: 60, durationS: 2 });
  assert.equal(open.s.plan({ ...req, bufferS: 0.5, fetchProgressAtMs: T0 - 100 }).source, 'http');
  // the backup leader steps in only once the primary's fetch stopped making progress
  clock.t = T0;
  const backup = { ...req, bufferS: 12, selfId: 'peer-c', listedAtMs: T0 - 3000, fetchingSinceMs: T0 - 2600 };
  assert.deepEqual(s.plan(backup), { source: 'http', reason: 'backup' }, 'without progress the claim is past due');
  assert.deepEqual(s.plan({ ...backup, fetchProgressAtMs: T0 - 200 }), { source: 'wait', untilMs: T0 - 200 + CLAIM_ALIVE_MS, thenHttp: true });
});

test('on an uncongested link a colleague\'s fetch under way never holds an urgent segment', () => {
  const { s } = scheduler();
  s.recordHttp({ bytes: 150_000, ms: 60, durationS: 2 });
  const req = liveReq({ bufferS: 0.5, sizeBytes: 150_000, listedAtMs: T0 - 4000, askedAtMs: T0, open: 3, neighbours: 3, fetchingSinceMs: T0 - 10 });
  assert.equal(s.congested(req), false);
  assert.deepEqual(s.plan(req), { source: 'http', reason: 'urgent' });
});

test('the backup gives a fetch a neighbour said it started twice its HTTP time, never past its deadline', () => {
  const { s, clock } = scheduler();
  const req = liveReq({ bufferS: 12, selfId: 'peer-c' });
  // without a claim the primary is due at listed + 1000 + 500
  assert.deepEqual(s.plan(req), { source: 'wait', untilMs: T0 + 1500, thenHttp: true });
  // the primary said at +400 that its fetch started: due at +400 + 2 × 1000 + 500
  clock.t = T0 + 1500;
  assert.deepEqual(s.plan({ ...req, fetchingSinceMs: T0 + 400 }), { source: 'wait', untilMs: T0 + 2900, thenHttp: true });
  clock.t = T0 + 2900;
  assert.deepEqual(s.plan({ ...req, fetchingSinceMs: T0 + 400 }), { source: 'http', reason: 'backup' });
  // the deadline bounds it: 3.8 s of buffer at +1500 leave 1300 ms of slack
  clock.t = T0 + 1500;
  assert.deepEqual(s.plan({ ...req, bufferS: 3.8, fetchingSinceMs: T0 + 400 }), { source: 'wait', untilMs: T0 + 2800, thenHttp: true });
});

test('a non-leader whose leaders all failed still waits, within its slack, for a fetch a neighbour said it started', () => {
  const { s } = scheduler();
  assert.deepEqual(s.plan(liveReq({ bufferS: 12, exclude: leaders })), { source: 'http', reason: 'noHolder' });
  assert.deepEqual(s.plan(liveReq({ bufferS: 12, exclude: leaders, fetchingSinceMs: T0 - 100 })), { source: 'wait', untilMs: T0 + 9500, thenHttp: true });
});

test('VOD: a segment a neighbour said it is fetching waits for it, never past its deadline', () => {
  const { s } = scheduler();
  s.recordHttp({ bytes: 82_000, ms: 100, durationS: 2 });
  const vod = { segmentId: 'v/18.ts', live: false, bufferS: 20, durationS: 2, sizeBytes: 82_000, open: 3, connecting: 0 };
  assert.deepEqual(s.plan(vod), { source: 'http', reason: 'noHolder' });
  assert.deepEqual(s.plan({ ...vod, fetchingSinceMs: T0 - 50 }), { source: 'wait', untilMs: T0 - 50 + 200 + 500, thenHttp: true });
  assert.deepEqual(s.plan({ ...vod, bufferS: 1.65, fetchingSinceMs: T0 - 50 }), { source: 'wait', untilMs: T0 + 50, thenHttp: true });
});

test('on a congested link an urgent segment a neighbour holds is asked of it whenever the buffer covers the attempt and HTTP after it', () => {
  const { s } = scheduler();
  s.setSiteHttpBps(2_400_000);
  // a starting viewer's second fragment: its first, 80 kB, took 400 ms over the thin link
  s.recordHttp({ bytes: 80_000, ms: 400, durationS: 2 });
  const req = liveReq({ bufferS: 1.92, sizeBytes: 80_000, holders: ['n1'], open: 6, neighbours: 6, starting: true, askedAtMs: T0 });
  assert.equal(s.estimateHttpMs(req), 400);
  assert.equal(s.congested(req), true);
  // the LAN is not measured twice as fast (250 ms assumed against 400 ms), but 1.92 s cover 250 + 400 ms
  assert.deepEqual(s.plan(req), { source: 'p2p', peer: 'n1', deadlineMs: T0 + 250 });
  // with 0.6 s buffered a failed attempt would leave too little for HTTP: HTTP now
  assert.deepEqual(s.plan({ ...req, bufferS: 0.6 }), { source: 'http', reason: 'urgent' });
  // on an open link (60 ms fetches) an urgent segment needs the LAN twice as fast, as before
  const open = scheduler().s;
  open.recordHttp({ bytes: 80_000, ms: 60, durationS: 2 });
  assert.equal(open.congested(req), false);
  assert.deepEqual(open.plan({ ...req, bufferS: 1.6 }), { source: 'http', reason: 'urgent' });
});
