import test from 'node:test';
import assert from 'node:assert/strict';
import { CAPACITY_SMOOTHING, MIN_SAMPLE_BYTES, UploadMeter, uploadSlots } from '../../src/core/upload-meter.js';

function meter() {
  let t = 0;
  const m = new UploadMeter({ now: () => t });
  return { m, advance: (ms) => { t += ms; } };
}

test('capacity is unknown (0) before any transfer', () => {
  assert.equal(new UploadMeter({ now: () => 0 }).capacityKbps(), 0);
});

test('one transfer: bytes over the time from its start to its drain', () => {
  const { m, advance } = meter();
  m.started();
  advance(100);
  assert.equal(m.finished(125_000), true);
  assert.equal(m.capacityKbps(), 10_000, '125 kB in 100 ms is 10 Mbit/s');
});

test('overlapping transfers count the time the link was busy once', () => {
  const { m, advance } = meter();
  m.started();
  advance(50);
  m.started();
  advance(50);
  assert.equal(m.finished(100_000), true, 'the first ends at 100 ms');
  assert.equal(m.capacityKbps(), 8_000, '100 kB over the first 100 ms of busy time');
  advance(100);
  m.finished(150_000);
  // The next 100 ms carried 150 kB: 12 Mbit/s. Timed alone, each transfer would say 8 Mbit/s.
  assert.equal(m.capacityKbps(), Math.round(8_000 + CAPACITY_SMOOTHING * (12_000 - 8_000)));
});

test('idle time between uploads does not count', () => {
  const { m, advance } = meter();
  m.started();
  advance(100);
  m.finished(125_000);
  advance(60_000);
  m.started();
  advance(100);
  m.finished(125_000);
  assert.equal(m.capacityKbps(), 10_000);
});

test('the figure is smoothed: a new rate moves it part of the way', () => {
  const { m, advance } = meter();
  m.started();
  advance(100);
  m.finished(125_000); // 10 Mbit/s
  m.started();
  advance(100);
  m.finished(25_000 * 2); // 4 Mbit/s
  assert.equal(m.capacityKbps(), Math.round(10_000 + CAPACITY_SMOOTHING * (4_000 - 10_000)));
});

test('small transfers are pooled until they say something; instant ones never divide by zero', () => {
  const { m, advance } = meter();
  m.started();
  assert.equal(m.finished(MIN_SAMPLE_BYTES), false, 'no time passed: no sample');
  m.started();
  advance(10);
  assert.equal(m.finished(1000), true, 'pooled with the earlier bytes');
  assert.equal(m.capacityKbps(), Math.round(((MIN_SAMPLE_BYTES + 1000) * 8) / 10));
});

test('a failed upload adds its time but no bytes: a link too slow to finish is slow', () => {
  const { m, advance } = meter();
  m.started();
  advance(400);
  assert.equal(m.finished(0), false);
  m.started();
  advance(100);
  m.finished(125_000);
  assert.equal(m.capacityKbps(), 2_000, '125 kB over 500 ms of trying');
});

test('an upload without a usable time is dropped with what was gathered alongside it', () => {
  const { m, advance } = meter();
  m.started();
  m.started();
  advance(100);
  m.finished(10_000); // pooled, below a sample
  m.abandoned();
  assert.equal(m.capacityKbps(), 0);
  m.started();
  advance(100);
  m.finished(125_000);
  assert.equal(m.capacityKbps(), 10_000, 'the next measurement starts clean');
});

test('an end without a start is ignored', () => {
  const { m } = meter();
  assert.equal(m.finished(1e6), false);
  assert.equal(m.capacityKbps(), 0);
});

test('upload slots: the policy\'s caps, fewer when the capacity cannot give each its share, at least one', () => {
  const caps = { maxUploads: 4, maxKbps: 20_000 };
  assert.equal(uploadSlots(caps, 0), 4, 'unknown: the policy decides');
  assert.equal(uploadSlots(caps, 100_000), 4);
  assert.equal(uploadSlots(caps, 15_000), 3);
  assert.equal(uploadSlots(caps, 5_000), 1);
  assert.equal(uploadSlots(caps, 100), 1);
  assert.equal(uploadSlots({ maxUploads: 8, maxKbps: 8_000 }, 3_500), 3);
});
