// Measurements the fleet makes without trusting the SDK: the appliance's access log (what the
// origin served, i.e. what crossed the WAN) and plain statistics. Pure functions, no I/O.
import { siteOfAddress } from './topology.mjs';

// %{client}a - %u %{yyyy-MM-dd'T'HH:mm:ss.SSSXXX|UTC}t "%m %U %H" %s %O %{ms}T "%{User-Agent}i"
const LINE = /^(\S+) - \S+ \[?([0-9T:.+\-Z]+)\]? "(\S+) (\S+) [^"]*" (\d{3}) (\d+) (\d+)/;
// HLS (seg-N.ts; low/seg-N.ts: the live stream's lower rendition, `track` 'low'), DASH live
// (chunk-N.m4s) and VOD by time (chunk-T.m4s: T is a sequence too), DASH byte ranges of video.mp4
// (as seq -1); init segments are not media and not counted.
const SEGMENT = /^\/demo\/(live|vod)\/(?:(low\/)?seg-(\d+)\.ts|chunk-(\d+)\.m4s|(video)\.mp4)$/;

/**
 * Segment responses of the demo origin in an access log. `siteOf` maps a client address to its
 * site (the topology's `siteOf` when a site has several subnets).
 * @returns {{client: string, site: number|null, at: number, stream: string, track: string, seq: number,
 *   status: number, bytes: number}[]} `track` '' for the first (or only) rendition, 'low' for the lower
 */
export function parseSegmentLog(text, siteOf = siteOfAddress) {
  return parseLog(text, siteOf).filter((r) => r.seq !== null).map(({ client, site, at, stream, track, seq, status, bytes }) => ({
    client, site, at, stream, track, seq, status, bytes,
  }));
}

/**
 * Every response the log shows to a viewer address of a site (segments, playlists, scripts, API
 * calls, errors): `{site, at, bytes, segment}`, `segment` true for what parseSegmentLog counts.
 * What crossed a site's WAN link beside its segments.
 */
export function parseSiteResponses(text, siteOf = siteOfAddress) {
  return parseLog(text, siteOf).filter((r) => r.site !== null).map(({ site, at, bytes, seq }) => ({ site, at, bytes, segment: seq !== null }));
}

/**
 * Every response to a viewer address, in log order, for the report: `[s since originWall, client,
 * path, status, bytes]` (what each viewer pulled across its WAN link, and when).
 */
export function siteTraffic(text, originWall, siteOf = siteOfAddress) {
  return parseLog(text, siteOf).filter((r) => r.site !== null)
    .map((r) => [Math.round((r.at - originWall) / 100) / 10, r.client, r.path, r.status, r.bytes]);
}

function parseLog(text, siteOf) {
  const responses = [];
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (!match) {
      continue;
    }
    const [, client, time, method, path, status, bytes] = match;
    const segment = SEGMENT.exec(path);
    const counted = method === 'GET' && segment && (status === '200' || status === '206');
    responses.push({
      client,
      path,
      site: siteOf(client),
      at: Date.parse(time),
      stream: counted ? segment[1] : null,
      track: counted && segment[2] ? 'low' : '',
      seq: counted ? (segment[5] ? -1 : Number(segment[3] ?? segment[4])) : null,
      status: Number(status),
      bytes: Number(bytes),
    });
  }
  return responses;
}

/**
 * Origin copies of each segment per site: bytes a site fetched of a segment ÷ the segment's
 * size (its largest single response), so a range request counts as the fraction it carried.
 * Averaged over every (segment, site) pair with the segment first fetched inside
 * [windowStart, windowEnd] and the site in `sites` (a site that fetched nothing counts 0).
 *
 * @returns {{copies: number|null, segments: number}}
 */
export function wanCopiesPerSegmentPerSite(fetches, { sites, windowStart, windowEnd }) {
  const bySeq = new Map();
  for (const fetch of fetches) {
    if (fetch.site === null) {
      continue;
    }
    let entry = bySeq.get(fetch.seq);
    if (!entry) {
      entry = { first: fetch.at, size: 0, perSite: new Map() };
      bySeq.set(fetch.seq, entry);
    }
    entry.first = Math.min(entry.first, fetch.at);
    entry.size = Math.max(entry.size, fetch.bytes);
    entry.perSite.set(fetch.site, (entry.perSite.get(fetch.site) ?? 0) + fetch.bytes);
  }
  let total = 0;
  let pairs = 0;
  let segments = 0;
  for (const entry of bySeq.values()) {
    if (entry.first < windowStart || entry.first > windowEnd || entry.size === 0) {
      continue;
    }
    segments += 1;
    for (const site of sites) {
      total += (entry.perSite.get(site) ?? 0) / entry.size;
      pairs += 1;
    }
  }
  return { copies: pairs > 0 ? total / pairs : null, segments };
}

// A full-size packet on the link is 1,514 bytes (Ethernet, IPv4 and TCP headers with timestamps)
// for 1,448 bytes of payload; the shaped link's packets are never larger (tbf segments them).
export const LINK_PAYLOAD_SHARE = 1448 / 1514;
// Status line and headers of one of the appliance's responses (the access log's %O counts the
// body only): about 500 bytes with its security headers.
export const RESPONSE_HEADER_BYTES = 500;

/** A counter's value at `wall`, linear between its samples; null outside them. */
export function counterAt(points, wall) {
  if (!points || points.length === 0 || wall < points[0][0] || wall > points[points.length - 1][0]) {
    return null;
  }
  let i = 1;
  while (i < points.length && points[i][0] < wall) i += 1;
  if (i === points.length) return points[points.length - 1][1];
  const [w0, b0] = points[i - 1];
  const [w1, b1] = points[i];
  return w1 === w0 ? b1 : b0 + ((b1 - b0) * (wall - w0)) / (w1 - w0);
}

/**
 * WAN copies of each segment per site as the site's link carried them, for shaped links, where
 * the access log overstates: it counts a response the player abandoned as whole, although most
 * of it never left the origin's socket buffer. Each site's copies from the log
 * ({@link wanCopiesPerSegmentPerSite}, per segment of the window) are scaled by the share of the
 * segment bytes the log shows the site in the window's span (from the first fetch of its first
 * segment to the first fetch of the segment after its last) that the link carried: what its
 * transmit counter rose by over the span, times the payload share of a packet, less the other
 * responses the log shows in the span and every response's headers. The share is at most 1: the
 * link corrects the log's count down, never up, and never below one copy (or the log's count,
 * when lower): the span's edges can cut a fetch still crossing as the span ends, about one segment
 * in either direction. About 1 % of what a link carries is not in the log (signaling, TCP
 * handshakes).
 *
 * @param {object[]} fetches parseSegmentLog's, of the run's stream
 * @param {object[]} responses parseSiteResponses's
 * @param {Map<number, number[][]>} links site → [[wall, transmit bytes], …] (wan-link.mjs)
 * @returns {{copies: number|null, segments: number, linkBytes: number|null, carriedShare: number|null}}
 *   null copies when a link has no samples over the span or the window has no closing segment;
 *   `carriedShare` the smallest site's share
 */
export function wanLinkCopiesPerSegmentPerSite(fetches, responses, links, { sites, windowStart, windowEnd }) {
  const none = { copies: null, segments: 0, linkBytes: null, carriedShare: null };
  const first = new Map();
  const size = new Map();
  for (const fetch of fetches) {
    if (fetch.site === null) continue;
    first.set(fetch.seq, Math.min(first.get(fetch.seq) ?? Infinity, fetch.at));
    size.set(fetch.seq, Math.max(size.get(fetch.seq) ?? 0, fetch.bytes));
  }
  const seqs = [...first.keys()].sort((a, b) => a - b);
  const inWindow = seqs.filter((seq) => first.get(seq) >= windowStart && first.get(seq) <= windowEnd);
  const next = seqs.find((seq) => seq > inWindow[inWindow.length - 1]);
  if (inWindow.length === 0 || next === undefined) return none;
  const from = first.get(inWindow[0]);
  const to = first.get(next);
  const windowSeqs = new Set(inWindow);
  let total = 0;
  let linkBytes = 0;
  let smallest = 1;
  for (const site of sites) {
    const start = counterAt(links.get(site), from);
    const end = counterAt(links.get(site), to);
    if (start === null || end === null) return none;
    linkBytes += end - start;
    const inSpan = (r) => r.site === site && r.at >= from && r.at < to;
    const logged = fetches.filter(inSpan).reduce((sum, f) => sum + f.bytes, 0);
    const overhead = responses.filter(inSpan).reduce((sum, r) => sum + RESPONSE_HEADER_BYTES + (r.segment ? 0 : r.bytes), 0);
    const carried = Math.max(0, (end - start) * LINK_PAYLOAD_SHARE - overhead);
    const share = logged > 0 ? Math.min(1, carried / logged) : 1;
    smallest = Math.min(smallest, share);
    // The log's copies for the site, per segment of the window (as wanCopiesPerSegmentPerSite).
    const siteBytes = fetches.filter((f) => f.site === site && windowSeqs.has(f.seq)).reduce((sum, f) => sum + f.bytes / size.get(f.seq), 0);
    // What the span's edges cut (a fetch still crossing when the span ends) can read as less than
    // the one copy that must have crossed for the site to play: never below the log's count or 1.
    const logCopies = siteBytes / inWindow.length;
    total += Math.max(Math.min(1, logCopies), logCopies * share);
  }
  return { copies: total / sites.length, segments: inWindow.length, linkBytes: Math.round(linkBytes), carriedShare: smallest };
}

/** The q-quantile (0..1) of numbers by the nearest-rank method; null for none. */
export function quantile(values, q) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) {
    return null;
  }
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1];
}

export function round(value, digits) {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return null;
  }
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * P2P bytes received, by the sender's and the receiver's browser: `{chromium_to_firefox: n, …}`
 * (sender first). Each page's `sdk.p2pBytesByPeer` (stats(): bytes received per neighbour's peer
 * id) is matched with the pages' own `sdk.peerId`; a sender that is no page's current peer id
 * counts as `unknown`.
 * @param {{browser: string, sdk: object|null}[]} pages
 * @returns {Object<string, number>|null} null when a page's SDK does not report p2pBytesByPeer
 */
export function p2pBytesBetweenBrowsers(pages) {
  if (pages.length === 0 || pages.some((p) => !p.sdk || !p.sdk.p2pBytesByPeer)) {
    return null;
  }
  const kindOf = new Map(pages.filter((p) => p.sdk.peerId).map((p) => [p.sdk.peerId, p.browser]));
  const totals = {};
  for (const page of pages) {
    for (const [peerId, bytes] of Object.entries(page.sdk.p2pBytesByPeer)) {
      const key = `${kindOf.get(peerId) ?? 'unknown'}_to_${page.browser}`;
      totals[key] = (totals[key] ?? 0) + (Number(bytes) || 0);
    }
  }
  return totals;
}

/**
 * Pages by why their neighbour connections started (`stats().peerGate`: `started`, `congested`,
 * `timeout`, `open`), so a run shows pages that took an open link for congested.
 * @param {{sdk?: {peerGate?: string|null}}[]} pages
 * @returns {Object<string, number>|null} null when no page ran the SDK
 */
export function peerGateCounts(pages) {
  const reporting = pages.filter((p) => p.sdk);
  if (reporting.length === 0) {
    return null;
  }
  const counts = {};
  for (const page of reporting) {
    const why = page.sdk.peerGate ?? 'none';
    counts[why] = (counts[why] ?? 0) + 1;
  }
  return counts;
}

/**
 * The pages' HTTP segment bytes summed by why the SDK fetched them over HTTP (`stats()`'s
 * `httpBytesByReason`: leader, backup, alone, urgent, …), largest first.
 * @param {{sdk: object|null}[]} pages
 * @returns {Object<string, number>|null} null when no page's SDK reports the split
 */
export function httpBytesByReason(pages) {
  const reporting = pages.filter((p) => p.sdk && p.sdk.httpBytesByReason);
  if (reporting.length === 0) {
    return null;
  }
  const totals = {};
  for (const page of reporting) {
    for (const [why, bytes] of Object.entries(page.sdk.httpBytesByReason)) {
      totals[why] = (totals[why] ?? 0) + (Number(bytes) || 0);
    }
  }
  return Object.fromEntries(Object.entries(totals).sort((a, b) => b[1] - a[1]));
}
