// What neighbours say they are fetching over HTTP (core/fetch-claims.js): a colleague short of the
// same segment on a congested link waits for that copy. A claim only buys a bounded wait, and a
// neighbour whose claims do not turn into announcements is no longer believed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLAIM_LIFETIME_MS, FetchClaims, MAX_BROKEN_CLAIMS, MAX_CLAIMS_PER_PEER } from '../../src/core/fetch-claims.js';

function claims() {
  const clock = { t: 10_000 };
  return { c: new FetchClaims({ now: () => clock.t }), clock };
}

test('the earliest open claim on a segment dates the copy to wait for; an announcement closes it', () => {
  const { c, clock } = claims();
  assert.equal(c.since('s1'), undefined);
  assert.deepEqual(c.claimed('p-a', ['s1']).fresh, ['s1']);
  clock.t += 300;
  assert.deepEqual(c.claimed('p-b', ['s1', 's2']).fresh, ['s1', 's2']);
  assert.deepEqual(c.claimed('p-a', ['s1']), { fresh: [], progress: ['s1'] }, 'a repeated claim is progress, not a new fetch');
  assert.equal(c.since('s1'), 10_000);
  assert.equal(c.since('s2'), 10_300);
  assert.equal(c.since('s1', (peer) => peer !== 'p-a'), 10_300, 'only neighbours that may be asked count');
  c.announced('p-a', ['s1']);
  assert.equal(c.since('s1'), 10_300);
  c.forget('p-b');
  assert.equal(c.since('s1'), undefined);
  assert.equal(c.open.size, 0, 'nothing kept for neighbours without open claims');
});

test('a claim not announced within its lifetime is broken; after MAX_BROKEN_CLAIMS the neighbour is not believed', () => {
  const { c, clock } = claims();
  for (let i = 0; i < MAX_BROKEN_CLAIMS; i++) {
    assert.equal(c.believed('p-liar'), true);
    c.claimed('p-liar', [`s${i}`]);
    assert.equal(c.since(`s${i}`), clock.t);
    clock.t += CLAIM_LIFETIME_MS;
    assert.equal(c.since(`s${i}`), undefined, 'an expired claim is no copy to wait for');
  }
  assert.equal(c.believed('p-liar'), false);
  assert.deepEqual(c.claimed('p-liar', ['s9']), { fresh: [], progress: [] });
  assert.equal(c.since('s9'), undefined);
  // leaving and coming back does not clear it
  c.forget('p-liar');
  assert.deepEqual(c.claimed('p-liar', ['s10']).fresh, []);
  // an honest neighbour's kept claims never count against it
  for (let i = 0; i < 10; i++) {
    c.claimed('p-honest', [`h${i}`]);
    clock.t += 500;
    c.announced('p-honest', [`h${i}`]);
  }
  clock.t += CLAIM_LIFETIME_MS;
  c.since('h0');
  assert.equal(c.believed('p-honest'), true);
});

test('a flood of claims keeps at most MAX_CLAIMS_PER_PEER per neighbour, the latest', () => {
  const { c, clock } = claims();
  const ids = Array.from({ length: MAX_CLAIMS_PER_PEER + 10 }, (_, i) => `f${i}`);
  for (const id of ids) {
    c.claimed('p-flood', [id]);
    clock.t += 1;
  }
  assert.equal(c.open.get('p-flood').size, MAX_CLAIMS_PER_PEER);
  assert.equal(c.since('f0'), undefined, 'the earliest dropped, uncounted');
  assert.equal(c.since(ids.at(-1)), clock.t - 1);
  assert.equal(c.believed('p-flood'), true);
});

test('a claim told again says its fetch makes progress: the latest such word dates it; a claim told once says nothing', () => {
  const { c, clock } = claims();
  c.claimed('p-a', ['s1']);
  c.claimed('p-b', ['s1']);
  assert.equal(c.progressAt('s1'), undefined, 'told once: nothing known of its progress');
  assert.deepEqual(c.claimed('p-a', ['s1']), { fresh: [], progress: [] }, 'told again at the same moment: no progress');
  clock.t += 500;
  assert.deepEqual(c.claimed('p-a', ['s1']).progress, ['s1']);
  assert.equal(c.progressAt('s1'), 10_500);
  assert.equal(c.since('s1'), 10_000, 'the first claim still dates the fetch');
  clock.t += 500;
  c.claimed('p-b', ['s1']);
  assert.equal(c.progressAt('s1'), 11_000);
  assert.equal(c.progressAt('s1', (peer) => peer !== 'p-b'), 10_500, 'only neighbours that may be asked count');
  c.announced('p-a', ['s1']);
  c.announced('p-b', ['s1']);
  assert.equal(c.progressAt('s1'), undefined);
  // Progress told again and again buys nothing past the claim's lifetime: it still breaks.
  c.claimed('p-c', ['s2']);
  for (let i = 0; i < 19; i++) {
    clock.t += 500;
    c.claimed('p-c', ['s2']);
  }
  assert.equal(c.progressAt('s2'), clock.t);
  clock.t += 500;
  assert.equal(c.since('s2'), undefined, 'expired after CLAIM_LIFETIME_MS, progress or not');
  assert.equal(c.progressAt('s2'), undefined);
  assert.equal(c.broken.get('p-c'), 1);
});

test('progress is followed only for a neighbour\'s oldest open claim, and never after one of its claims broke', () => {
  const { c, clock } = claims();
  c.claimed('p-a', ['s1', 's2']);
  clock.t += 500;
  c.claimed('p-a', ['s1', 's2']);
  assert.equal(c.progressAt('s1'), clock.t);
  assert.equal(c.progressAt('s2'), undefined, 's1 still unanswered: s2 holds nobody');
  c.announced('p-a', ['s1']);
  assert.equal(c.progressAt('s2'), clock.t, 's1 answered: s2 is its oldest now');
  // A claim left unanswered breaks; that neighbour's progress holds nobody after it, though its
  // claims still buy the bounded wait until MAX_BROKEN_CLAIMS.
  clock.t += 10_000;
  assert.equal(c.since('s2'), undefined);
  assert.equal(c.broken.get('p-a'), 1);
  c.claimed('p-a', ['s3']);
  clock.t += 500;
  c.claimed('p-a', ['s3']);
  assert.equal(c.since('s3'), clock.t - 500);
  assert.equal(c.progressAt('s3'), undefined);
});

test('following a neighbour\'s progress past the buffer costs a stall once, until it delivers a segment', () => {
  const { c, clock } = claims();
  c.claimed('p-a', ['s1']);
  c.claimed('p-b', ['s1']);
  clock.t += 500;
  c.claimed('p-a', ['s1']);
  c.claimed('p-b', ['s1']);
  assert.equal(c.progressMayStall('s1'), true);
  c.stalledFor('s1', (peer) => peer === 'p-a');
  assert.equal(c.progressMayStall('s1'), true, 'p-b has not cost one yet');
  c.stalledFor('s1');
  assert.equal(c.progressMayStall('s1'), false);
  assert.equal(c.progressAt('s1'), clock.t, 'its progress is still followed while the buffer lasts');
  c.delivered('p-b');
  assert.equal(c.progressMayStall('s1'), true);
  assert.equal(c.progressMayStall('s1', (peer) => peer === 'p-a'), false);
});
