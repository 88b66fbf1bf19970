/**
 * Whether this browser hides its host addresses behind mDNS names (`<uuid>.local`), as Chromium,
 * Edge, Safari and Firefox do by default unless an enterprise policy lifts it. Such names resolve
 * only on the same link, so the appliance must pair this viewer only with viewers on its own
 * subnet (`caps.mdns` in `hello`, docs/protocol.md).
 *
 * Gathers host candidates once on a throw-away connection without ICE servers: no packet leaves
 * the machine, and gathering host candidates takes a few milliseconds. Bounded by `timeoutMs`;
 * when nothing is learnt in time the answer is `false` (the appliance then matches site-wide, as
 * before).
 *
 * @module core/mdns-probe
 */

import { hostCandidateAddress } from './lan-candidates.js';

/**
 * How long the probe may take before the viewer joins without knowing. Gathering host candidates
 * takes a few milliseconds on an idle desktop but several hundred on a loaded one, and a viewer
 * that joins without knowing is paired across subnets where its connections fail.
 */
export const DEFAULT_PROBE_TIMEOUT_MS = 1000;

/**
 * @param {object} options
 * @param {Function} options.RTCPeerConnection
 * @param {{setTimeout: Function, clearTimeout: Function}} [options.timers]
 * @param {number} [options.timeoutMs]
 * @returns {Promise<boolean>} true when every host candidate gathered is an mDNS name
 */
export function probeMdns({ RTCPeerConnection, timers = globalThis, timeoutMs = DEFAULT_PROBE_TIMEOUT_MS }) {
  if (typeof RTCPeerConnection !== 'function') return Promise.resolve(false);
  return new Promise((resolve) => {
    let pc;
    let timer = null;
    const hosts = [];
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      if (timer !== null) timers.clearTimeout(timer);
      try { pc && pc.close(); } catch { /* already closed */ }
      resolve(hosts.length > 0 && hosts.every((a) => /\.local\.?$/i.test(a)));
    };
    try {
      pc = new RTCPeerConnection({ iceServers: [] });
      pc.onicecandidate = (ev) => {
        if (!ev || !ev.candidate) return finish(); // gathering complete
        const address = hostCandidateAddress(ev.candidate.candidate || '');
        if (address) hosts.push(address);
      };
      pc.createDataChannel('probe');
      timer = timers.setTimeout(finish, timeoutMs);
      pc.createOffer().then((offer) => pc.setLocalDescription(offer)).catch(finish);
    } catch {
      finish();
    }
  });
}
