// The upload policy on its own (core/upload-policy.js): the rate it measures over the uploads of
// the last two seconds, the page's and the network's word before the appliance's caps, and what it
// tells the upload meter. canUpload's caps are covered in scheduler.test.js, the whole path from a
// neighbour's request in engine.test.js.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UploadPolicy } from '../../src/core/upload-policy.js';
import { MIN_SAMPLE_BYTES, UploadMeter } from '../../src/core/upload-meter.js';
import { FakeTimers, POLICY_ON } from './fakes.js';

/** A policy for a joined viewer whose appliance caps uploads at 1 Mbit/s. */
function policy(session = {}) {
  const timers = new FakeTimers();
  const engine = {
    enabled: true, uploadAllowedByPage: true, connection: undefined,
    policy: { ...POLICY_ON, upload: { allowed: true, maxUploads: 4, maxKbps: 1000 } }, ...session,
  };
  const uploaded = [];
  const capacity = [];
  const uploadMeter = new UploadMeter({ now: timers.now });
  const uploads = new UploadPolicy({
    engine, uploadMeter, qoe: { addUploadedBytes: (n) => uploaded.push(n) }, now: timers.now,
    onUploadCapacity: () => capacity.push(uploadMeter.capacityKbps()),
  });
  return { uploads, timers, uploaded, capacity };
}

test('the rate counts the uploads of the last two seconds: older ones no longer hold uploads back', () => {
  const { uploads, timers, uploaded } = policy();
  uploads.uploaded(250_000); // 1 Mbit/s over 2 s: the cap
  assert.deepEqual(uploaded, [250_000], 'counted for QoE');
  assert.deepEqual(uploads.decision(0), { allowed: false, reason: 'rate', code: 'busy' });
  timers.advance(2000);
  assert.equal(uploads.rateBps(), 1_000_000, 'still inside the window at exactly two seconds');
  timers.advance(1);
  assert.equal(uploads.rateBps(), 0);
  assert.deepEqual(uploads.decision(0), { allowed: true });
  assert.equal(uploads.log.length, 0, 'the log keeps only the window');
});

test('a disabled SDK or a page that forbids uploads refuses before the appliance\'s rules; Save-Data after them', () => {
  assert.deepEqual(policy({ enabled: false }).uploads.decision(0), { allowed: false, code: 'policy' });
  assert.deepEqual(policy({ uploadAllowedByPage: false }).uploads.decision(0), { allowed: false, code: 'policy' });
  assert.deepEqual(policy({ connection: { saveData: true } }).uploads.decision(0), { allowed: false, reason: 'save-data', code: 'policy' });
  assert.deepEqual(policy({ policy: { p2p: 'download-only' } }).uploads.decision(0), { allowed: false, reason: 'download-only', code: 'policy' });
  assert.deepEqual(policy().uploads.decision(3), { allowed: true });
  assert.deepEqual(policy().uploads.decision(4), { allowed: false, reason: 'busy', code: 'busy' });
});

test('an upload that drained in time measures the capacity; one whose drain was not seen in time says nothing', () => {
  const { uploads, timers, capacity } = policy();
  uploads.started();
  timers.advance(100);
  uploads.ended(0, false);
  assert.deepEqual(capacity, [], 'throttled timers: no figure');
  uploads.started();
  timers.advance(100);
  uploads.ended(MIN_SAMPLE_BYTES * 4, true);
  assert.equal(capacity.length, 1);
  assert.equal(capacity[0], Math.round((MIN_SAMPLE_BYTES * 4 * 8) / 100));
});
