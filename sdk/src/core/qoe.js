/**
 * QoE counters: the `report` message of signaling protocol v1 every 10 s (counters since the
 * previous report), and running totals for `swarmgate.stats()`.
 *
 * A report that cannot be sent (socket down) is not lost: its counters stay and go out with the
 * next one, so the appliance's totals stay right across reconnects.
 *
 * @module core/qoe
 */

import { FAILURE_REASONS } from './scheduler.js';

export const DEFAULT_REPORT_INTERVAL_MS = 10_000;

const zeroFailures = () => Object.fromEntries(FAILURE_REASONS.map((r) => [r, 0]));
const zeroCounters = () => ({
  httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, stalls: 0, stallMs: 0, watchMs: 0, failures: zeroFailures(),
});

/**
 * @typedef {object} QoeReport body of the signaling `report` message (all non-negative integers)
 * @property {number} httpBytes
 * @property {number} p2pBytes
 * @property {number} uploadedBytes
 * @property {number} stalls
 * @property {number} stallMs
 * @property {number} watchMs
 * @property {number} [startupMs] only in the first report after startup is known
 * @property {number} level
 * @property {number} bitrateKbps
 * @property {number} neighbours
 * @property {{timeout: number, integrity: number, gone: number, noHolder: number, policy: number, unverified: number, paused: number}} failures
 */

export class QoeReporter {
  /**
   * @param {object} options
   * @param {(body: QoeReport) => boolean} options.send delivers a report; false keeps its counters
   * @param {number} [options.intervalMs]
   * @param {() => number} [options.now] ms clock for stall and watch time
   * @param {{setInterval: Function, clearInterval: Function}} [options.timers]
   */
  constructor({ send, intervalMs = DEFAULT_REPORT_INTERVAL_MS, now = () => Date.now(), timers = globalThis }) {
    if (typeof send !== 'function') throw new TypeError('send required');
    this.sendReport = send;
    this.intervalMs = intervalMs;
    this.now = now;
    this.timers = timers;
    this.timer = null;
    this.since = zeroCounters();
    this.total = zeroCounters();
    this.startupMs = null;
    this.startupReported = false;
    this.level = 0;
    this.bitrateKbps = 0;
    this.neighbours = 0;
    /** An early report said no channel is open after a pairing failed to connect ({@link setNeighbours}). */
    this.toldNoneOpen = false;
    this.stallSince = null;
    this.watchSince = null;
  }

  /** Starts the periodic reports. */
  start() {
    if (this.timer === null) this.timer = this.timers.setInterval(() => this.flush(), this.intervalMs);
  }

  add(key, n) {
    if (!(n > 0)) return;
    this.since[key] += n;
    this.total[key] += n;
  }

  /** @param {number} n bytes loaded over HTTP (segments only) */
  addHttpBytes(n) { this.add('httpBytes', n); }
  /** @param {number} n verified bytes received from peers */
  addP2pBytes(n) { this.add('p2pBytes', n); }
  /** @param {number} n bytes sent to peers */
  addUploadedBytes(n) { this.add('uploadedBytes', n); }

  /**
   * Counts a P2P failure.
   * @param {'timeout'|'integrity'|'gone'|'noHolder'|'policy'|'unverified'|'paused'} reason
   */
  addFailure(reason) {
    if (!FAILURE_REASONS.includes(reason)) throw new RangeError(`unknown failure reason ${reason}`);
    this.since.failures[reason]++;
    this.total.failures[reason]++;
  }

  /** The player stalled (hls.js BUFFER_STALLED_ERROR / video 'waiting' after startup). */
  stallStarted() {
    if (this.stallSince !== null) return;
    this.stallSince = this.now();
    this.since.stalls++;
    this.total.stalls++;
  }

  /** Playback resumed. */
  stallEnded() {
    if (this.stallSince === null) return;
    this.add('stallMs', this.now() - this.stallSince);
    this.stallSince = null;
  }

  /**
   * Whether the viewer is watching (playing or stalled, not paused): watch time accrues meanwhile.
   * @param {boolean} watching
   */
  setWatching(watching) {
    if (watching && this.watchSince === null) this.watchSince = this.now();
    if (!watching && this.watchSince !== null) {
      this.add('watchMs', this.now() - this.watchSince);
      this.watchSince = null;
    }
  }

  /** @param {number} ms from page's player creation to first frame; only the first call counts */
  setStartup(ms) {
    if (this.startupMs === null && ms >= 0) this.startupMs = Math.round(ms);
  }

  /** @param {number} level hls.js level index @param {number} bitrateKbps */
  setLevel(level, bitrateKbps) {
    this.level = Math.max(0, Math.floor(level));
    this.bitrateKbps = Math.max(0, Math.round(bitrateKbps));
  }

  /**
   * The appliance stops a viewer leading its site while it reaches no neighbour (no channel open,
   * pairings failing to connect: an endpoint firewall that blocks WebRTC), and lets it lead again
   * once one opens; it learns both from `neighbours` in the reports. So a pairing that failed to
   * connect and left none open is reported at once, and so is the next channel that opens.
   * @param {number} n open peer connections
   * @param {boolean} [connectFailed] a pairing just failed to connect
   */
  setNeighbours(n, connectFailed = false) {
    this.neighbours = Math.max(0, Math.floor(n));
    if (connectFailed && this.neighbours === 0 && !this.toldNoneOpen) {
      this.toldNoneOpen = this.flush() !== null;
    } else if (this.neighbours > 0 && this.toldNoneOpen) {
      this.toldNoneOpen = this.flush() === null;
    }
  }

  /** Moves time spent in an ongoing stall or watch into the counters, so reports split it. */
  accrue() {
    const t = this.now();
    if (this.stallSince !== null) { this.add('stallMs', t - this.stallSince); this.stallSince = t; }
    if (this.watchSince !== null) { this.add('watchMs', t - this.watchSince); this.watchSince = t; }
  }

  /**
   * The report body for the counters since the last successful report (does not reset).
   * @returns {QoeReport}
   */
  body() {
    this.accrue();
    const int = (v) => Math.max(0, Math.round(v));
    const body = {
      httpBytes: int(this.since.httpBytes),
      p2pBytes: int(this.since.p2pBytes),
      uploadedBytes: int(this.since.uploadedBytes),
      stalls: int(this.since.stalls),
      stallMs: int(this.since.stallMs),
      watchMs: int(this.since.watchMs),
      level: this.level,
      bitrateKbps: this.bitrateKbps,
      neighbours: this.neighbours,
      failures: { ...this.since.failures },
    };
    if (this.startupMs !== null && !this.startupReported) body.startupMs = this.startupMs;
    return body;
  }

  /**
   * Sends a report now; on success resets the since-last-report counters.
   * @returns {QoeReport|null} the report sent, or null when `send` refused it
   */
  flush() {
    const body = this.body();
    let sent = false;
    try {
      sent = this.sendReport(body) !== false;
    } catch {
      sent = false;
    }
    if (!sent) return null;
    this.since = zeroCounters();
    if (body.startupMs !== undefined) this.startupReported = true;
    return body;
  }

  /**
   * Totals since creation, for `swarmgate.stats()`.
   * @returns {{httpBytes: number, p2pBytes: number, uploadedBytes: number, peers: number, stalls: number,
   *   stallMs: number, watchMs: number, startupMs: number|null, level: number, bitrateKbps: number,
   *   p2pRatio: number, failures: object}}
   */
  stats() {
    this.accrue();
    const { httpBytes, p2pBytes } = this.total;
    return {
      httpBytes,
      p2pBytes,
      uploadedBytes: this.total.uploadedBytes,
      peers: this.neighbours,
      stalls: this.total.stalls,
      stallMs: Math.round(this.total.stallMs),
      watchMs: Math.round(this.total.watchMs),
      startupMs: this.startupMs,
      level: this.level,
      bitrateKbps: this.bitrateKbps,
      // Share of segment bytes that came from peers: the "P2P share" of the demo panel.
      p2pRatio: httpBytes + p2pBytes > 0 ? p2pBytes / (httpBytes + p2pBytes) : 0,
      failures: { ...this.total.failures },
    };
  }

  /** Stops the periodic reports. Call flush() first to send the last counters. */
  destroy() {
    if (this.timer !== null) this.timers.clearInterval(this.timer);
    this.timer = null;
  }
}
