/**
 * What keeps a peer connection on the LAN: the remote ICE candidates and SDP lines a viewer accepts
 * ({@link isLanCandidate}, {@link filterRemoteSdp}) and the ICE servers it may use
 * ({@link lanIceServers}). Used by {@link module:core/peer} for every neighbour and by the mDNS
 * probe ({@link hostCandidateAddress}).
 *
 * @module core/lan-candidates
 */

/**
 * Whether a remote ICE candidate keeps the connection on the LAN: a `host` candidate whose
 * address is private (RFC 1918, fc00::/7), link-local (169.254.0.0/16, fe80::/10) or an mDNS
 * `.local` name, or a `srflx` candidate whose address is a private or link-local IP (what a
 * browser that hides its host addresses behind mDNS names learns from the appliance's STUN
 * responder: its real LAN address; never a name, never public, never `relay`). The appliance filters candidates already; this is defence in depth against a
 * modified SDK or script on the other side and a misconfigured appliance. Parsing is as lenient
 * as the most lenient browser (any case, `a=` prefix, tabs and runs of blanks) and anything it
 * cannot read is refused. The empty string (end of candidates) is allowed.
 * @param {string} candidate an `a=candidate` value, with or without `a=`
 * @returns {boolean}
 */
export function isLanCandidate(candidate) {
  if (typeof candidate !== 'string') return false;
  if (candidate.trim() === '') return true;
  const parts = candidateParts(candidate);
  if (parts === null) return false;
  if (parts.type === 'host') return isLanAddress(parts.address);
  return parts.type === 'srflx' && !MDNS_NAME.test(parts.address) && isLanAddress(parts.address);
}

/**
 * The address of a `host` candidate, read as leniently as {@link isLanCandidate} reads it;
 * null for any other type or anything unreadable.
 * @param {string} candidate an `a=candidate` value, with or without `a=`
 * @returns {string|null}
 */
export function hostCandidateAddress(candidate) {
  const parts = candidateParts(candidate);
  return parts !== null && parts.type === 'host' ? parts.address : null;
}

/** The type (lower case) and address of a candidate, or null when it cannot be read. */
function candidateParts(candidate) {
  if (typeof candidate !== 'string') return null;
  let c = candidate.trim();
  const line = /^a\s*=\s*/i.exec(c);
  if (line) c = c.slice(line[0].length);
  if (!/^candidate:/i.test(c)) return null;
  // candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> [...]
  const f = c.slice('candidate:'.length).trim().split(/\s+/);
  if (f.length < 8 || f[6].toLowerCase() !== 'typ') return null;
  return { type: f[7].toLowerCase(), address: f[4] };
}

/**
 * The ICE servers a peer connection may use: only `stun:` URLs without credentials (the
 * appliance's own responder). A `turn:` server would relay video off the LAN, so it is dropped
 * whatever the policy says, like a relay candidate.
 * @param {unknown} iceServers the policy's `iceServers`
 * @returns {{urls: string[]}[]}
 */
export function lanIceServers(iceServers) {
  if (!Array.isArray(iceServers)) return [];
  const out = [];
  for (const server of iceServers) {
    if (!server || typeof server !== 'object' || 'username' in server || 'credential' in server) continue;
    const urls = (Array.isArray(server.urls) ? server.urls : [server.urls])
      .filter((u) => typeof u === 'string' && /^stun:[^\s?#@/]+$/i.test(u));
    if (urls.length > 0) out.push({ urls });
  }
  return out;
}

const MDNS_NAME = /^[a-z0-9-]{1,63}\.local$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Private, link-local or mDNS; strict literals only (no zone ids, no leading zeros). */
function isLanAddress(address) {
  if (MDNS_NAME.test(address)) return true;
  if (IPV4.test(address)) {
    const [a, b] = address.split('.').map(Number);
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  if (!/^[0-9a-f:]+$/i.test(address) || !address.includes(':') || address.startsWith(':')) return false;
  const groups = address.split(':');
  const compressed = address.includes('::');
  if (groups.length > 8 || address.split('::').length > 2 || (!compressed && groups.length !== 8)) return false;
  if (groups.some((g) => g.length > 4 || (g === '' && !compressed))) return false;
  const first = parseInt(groups[0], 16);
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
}

/**
 * The remote description with every candidate line that {@link isLanCandidate} refuses removed.
 * Lines end at LF; a line that a lenient parser could split again at a bare CR is removed when
 * any part of it is a refused candidate.
 * @param {string} sdp
 * @returns {string}
 */
export function filterRemoteSdp(sdp) {
  if (typeof sdp !== 'string') return sdp;
  return sdp.split(/(?<=\n)/).filter((line) => {
    const body = line.replace(/\r?\n$/, '');
    return body.split('\r').every((part) => !/^\s*a\s*=\s*candidate/i.test(part) || isLanCandidate(part));
  }).join('');
}
