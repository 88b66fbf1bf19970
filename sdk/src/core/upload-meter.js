/**
 * This viewer's upload capacity, measured from the segments it actually sends to neighbours:
 * bytes delivered over the time at least one upload was in progress, smoothed. A transfer counts
 * from the request being accepted until the data channel's send buffer has drained (peer.js),
 * so the figure is what the link carried, not how fast bytes were handed to the browser. Drains
 * are observed on a short poll, so for segments smaller than a poll's worth the figure is a lower
 * bound: conservative, which only ever means fewer simultaneous uploads. Where the page's timers
 * are throttled (a hidden tab) a late check makes the upload say nothing ({@link UploadMeter#abandoned}).
 *
 * Before the first measured transfer the capacity is unknown (0) and the policy's caps alone
 * apply (docs/protocol.md, "Upload rules").
 *
 * @module core/upload-meter
 */

/**
 * How often a finished upload checks whether the channel's send buffer has drained, the end of
 * the transfer here. Data channels fire `bufferedamountlow` only at the flow-control threshold,
 * far above a small segment.
 */
export const DRAIN_POLL_MS = 10;
/** A drain check this late means throttled timers: the measurement is dropped. */
export const DRAIN_LATE_MS = 5 * DRAIN_POLL_MS;
/** A buffer still not drained after this is measured as it stands (a very slow link). */
export const MAX_DRAIN_WAIT_MS = 5000;
/** Weight of a new sample in the moving average. */
export const CAPACITY_SMOOTHING = 0.3;
/** Bytes a sample needs before it counts: below this, round trips dominate the time. */
export const MIN_SAMPLE_BYTES = 32 * 1024;

export class UploadMeter {
  /**
   * @param {object} [options]
   * @param {() => number} [options.now] clock in ms
   */
  constructor({ now = () => globalThis.performance.now() } = {}) {
    this.now = now;
    this.active = 0;
    /** Start of the current busy stretch not yet added to `busyMs`, or null when idle. */
    this.busySince = null;
    this.busyMs = 0;
    this.bytes = 0;
    /** Smoothed capacity, kbit/s; 0 until measured. */
    this.kbps = 0;
    this.samples = 0;
  }

  /** An upload was accepted and starts now. */
  started() {
    if (this.active++ === 0) this.busySince = this.now();
  }

  /**
   * An upload ended: `bytes` delivered, 0 when it failed or was cancelled (its time still
   * counts: a link too slow to finish in time is a slow link).
   * @param {number} bytes
   * @returns {boolean} whether the capacity changed
   */
  finished(bytes) {
    if (this.active === 0) return false;
    const t = this.now();
    this.busyMs += Math.max(0, t - this.busySince);
    this.active--;
    this.busySince = this.active > 0 ? t : null;
    if (bytes > 0) this.bytes += bytes;
    if (this.bytes < MIN_SAMPLE_BYTES || !(this.busyMs > 0)) return false;
    const sample = (this.bytes * 8) / this.busyMs; // bits per ms = kbit/s
    this.kbps = this.samples === 0 ? sample : this.kbps + CAPACITY_SMOOTHING * (sample - this.kbps);
    this.samples++;
    this.bytes = 0;
    this.busyMs = 0;
    return true;
  }

  /**
   * An upload ended without a usable time (the page's timers were throttled): it leaves, and the
   * bytes and time gathered with it are dropped rather than mis-measured.
   */
  abandoned() {
    if (this.active === 0) return;
    this.active--;
    this.busySince = this.active > 0 ? this.now() : null;
    this.bytes = 0;
    this.busyMs = 0;
  }

  /** @returns {number} measured upload capacity, kbit/s (whole), 0 while unknown */
  capacityKbps() {
    return Math.round(this.kbps);
  }
}

/**
 * How many uploads this viewer takes on at the same time: the policy's `maxUploads`, fewer when
 * the measured capacity cannot give each its share of the policy's rate (`maxKbps / maxUploads`),
 * never fewer than one.
 * @param {{maxUploads: number, maxKbps: number}} upload the policy's caps from `welcome`/`policy`
 * @param {number} capacityKbps measured capacity, 0 while unknown
 * @returns {number}
 */
export function uploadSlots({ maxUploads, maxKbps }, capacityKbps) {
  if (!(capacityKbps > 0)) return maxUploads;
  const share = maxKbps / maxUploads;
  return Math.max(1, Math.min(maxUploads, Math.floor(capacityKbps / share)));
}

/**
 * Resolves once `channel`'s send buffer is empty, the channel closed, `gone()` says the peer is
 * finished, or {@link MAX_DRAIN_WAIT_MS} passed. `timely` is false when a check came too late to
 * tell when (throttled timers). `unsent` is what the send buffer still held when the channel
 * closed or the peer went before it drained: those bytes may never have left, so they must not
 * count as carried (0 when it drained, and when the wait ran out: a very slow link is measured
 * as it stands).
 * @param {{readyState: string, bufferedAmount: number}|null} channel
 * @param {{timers: {setTimeout: Function}, now: () => number, gone: () => boolean}} options
 * @returns {Promise<{timely: boolean, unsent: number}>}
 */
export function drained(channel, { timers, now, gone }) {
  const started = now();
  let last = started;
  let buffered = 0;
  return new Promise((resolve) => {
    const check = () => {
      const t = now();
      if (t - last > DRAIN_LATE_MS) return resolve({ timely: false, unsent: 0 });
      last = t;
      if (channel && channel.bufferedAmount > 0) buffered = channel.bufferedAmount;
      if (gone() || !channel || channel.readyState !== 'open') return resolve({ timely: true, unsent: buffered });
      if (!(channel.bufferedAmount > 0) || t - started >= MAX_DRAIN_WAIT_MS) return resolve({ timely: true, unsent: 0 });
      timers.setTimeout(check, DRAIN_POLL_MS);
      return undefined;
    };
    check();
  });
}
