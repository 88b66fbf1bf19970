/**
 * Whether this viewer serves a neighbour's request now. The appliance decides whether it uploads
 * at all and sends the caps (`policy.upload` in `welcome`/`policy`); the page may forbid uploads
 * (`upload: false`), Save-Data forbids them, and the upload load bounds them: uploads at a time
 * (the policy's cap, lowered by the measured capacity, upload-meter.js) and the recent upload rate.
 *
 * Separate from neighbours.js, which asks before every upload (peer.js's `uploadDecision` hook),
 * because these rules change with the policy and the upload load, never with the connections; it
 * owns the log of recent uploads the rate is measured on, and tells the upload meter when each
 * upload starts and ends.
 *
 * @module core/upload-policy
 */

import { uploadSlots } from './upload-meter.js';
import { networkInfo } from './self-report.js';

/** The window of the upload rate measured for the upload policy. */
const UPLOAD_RATE_WINDOW_MS = 2000;

/**
 * @typedef {{allowed: true} | {allowed: false, reason: 'off'|'download-only'|'not-allowed'|'save-data'|'busy'|'rate',
 *   code: 'policy'|'busy'}} UploadDecision
 *   `code` is the data-channel `error` code to answer the request with.
 */

/**
 * Whether to serve one more request from a neighbour now. The appliance decided whether this
 * viewer uploads at all and sent the caps (`policy.upload` in `welcome`/`policy`); this applies
 * them, with the viewer's own measured capacity (upload-meter.js) lowering the number of uploads
 * at a time. Nothing here is a constant of the SDK: without the appliance's rules, no upload.
 * @param {object} args
 * @param {{p2p: 'on'|'download-only'|'off', upload?: {allowed: boolean, maxUploads: number, maxKbps: number}}|undefined} args.policy
 *   the effective policy from `welcome`/`policy`; none yet means no upload
 * @param {boolean} [args.saveData] navigator.connection.saveData now (it may have changed since `hello`)
 * @param {number} [args.activeUploads] uploads in progress
 * @param {number} [args.uploadRateBps] recent upload rate
 * @param {number} [args.capacityKbps] measured upload capacity, 0 while unknown
 * @returns {UploadDecision}
 */
export function canUpload({
  policy, saveData = false, activeUploads = 0, uploadRateBps = 0, capacityKbps = 0,
}) {
  const no = (reason, code = 'policy') => ({ allowed: false, reason, code });
  if (!policy || policy.p2p === 'off') return no('off');
  if (policy.p2p === 'download-only') return no('download-only');
  if (policy.p2p !== 'on') return no('off');
  const rules = uploadRules(policy);
  if (!rules || !rules.allowed) return no('not-allowed');
  if (saveData) return no('save-data');
  if (activeUploads >= uploadSlots(rules, capacityKbps)) return no('busy', 'busy');
  if (uploadRateBps >= rules.maxKbps * 1000) return no('rate', 'busy');
  return { allowed: true };
}

/**
 * The appliance's upload rules from a policy message, or undefined when they are missing or
 * malformed (then nothing is uploaded).
 * @returns {{allowed: boolean, maxUploads: number, maxKbps: number}|undefined}
 */
export function uploadRules(policy) {
  const u = policy && policy.upload;
  if (!u || typeof u !== 'object') return undefined;
  if (!(Number.isInteger(u.maxUploads) && u.maxUploads >= 1 && Number.isFinite(u.maxKbps) && u.maxKbps > 0)) return undefined;
  return { allowed: u.allowed === true, maxUploads: u.maxUploads, maxKbps: u.maxKbps };
}

/** The page's and the appliance's rules applied to this viewer's uploads, and the uploads they count. */
export class UploadPolicy {
  /**
   * @param {object} options
   * @param {import('./engine.js').Engine} options.engine the session: `enabled`, `uploadAllowedByPage`,
   *   `connection` and `policy` are read
   * @param {import('./upload-meter.js').UploadMeter} options.uploadMeter
   * @param {import('./qoe.js').QoeReporter} options.qoe
   * @param {() => number} options.now
   * @param {() => void} options.onUploadCapacity the measured upload capacity changed
   */
  constructor({ engine, uploadMeter, qoe, now, onUploadCapacity }) {
    this.engine = engine;
    this.uploadMeter = uploadMeter;
    this.qoe = qoe;
    this.now = now;
    this.onUploadCapacity = onUploadCapacity;
    /** @type {{at: number, bytes: number}[]} bytes uploaded, for the upload rate */
    this.log = [];
  }

  /** An upload starts (a request was accepted). */
  started() {
    this.uploadMeter.started();
  }

  /** @param {number} bytes a segment's bytes handed to a channel */
  uploaded(bytes) {
    this.qoe.addUploadedBytes(bytes);
    this.log.push({ at: this.now(), bytes });
  }

  /**
   * An upload that started is over, for the capacity measurement (peer.js `onUploadEnd`).
   * @param {number} bytes what left through the channel, 0 when it failed or was cancelled
   * @param {boolean} timely false when the drain was not seen in time (throttled timers)
   */
  ended(bytes, timely) {
    if (!timely) this.uploadMeter.abandoned();
    else if (this.uploadMeter.finished(bytes)) this.onUploadCapacity();
  }

  /** Bits per second uploaded over the last {@link UPLOAD_RATE_WINDOW_MS}. */
  rateBps() {
    const t = this.now();
    while (this.log.length && this.log[0].at < t - UPLOAD_RATE_WINDOW_MS) this.log.shift();
    return (this.log.reduce((n, u) => n + u.bytes, 0) * 8) / (UPLOAD_RATE_WINDOW_MS / 1000);
  }

  /**
   * Whether one more request is served now.
   * @param {number} activeUploads uploads in progress to every neighbour
   * @returns {UploadDecision|{allowed: false, code: 'policy'}}
   */
  decision(activeUploads) {
    const e = this.engine;
    if (!e.enabled || !e.uploadAllowedByPage) return { allowed: false, code: 'policy' };
    const { saveData } = networkInfo(e.connection);
    return canUpload({
      policy: e.policy, saveData, activeUploads, uploadRateBps: this.rateBps(),
      capacityKbps: this.uploadMeter.capacityKbps(),
    });
  }
}
