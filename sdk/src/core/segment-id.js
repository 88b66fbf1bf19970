/**
 * Segment identity (docs/protocol.md "Segment identity"): the string every viewer of a stream and
 * the appliance's integrity anchor agree names one segment. It must equal what the appliance's
 * `integrity/SegmentUrl#id` computes from the same URL and range.
 *
 * @module core/segment-id
 */

/**
 * Query parameters taken as per-viewer until the appliance's policy names its own list (the
 * appliance's StreamPolicy.DEFAULT_VIEWER_PARAMS; compared ignoring case).
 */
export const DEFAULT_VIEWER_PARAMS = Object.freeze(['token', 'access_token', 'auth', 'authorization', 'sig',
  'signature', 'expires', 'policy', 'key-pair-id', 'hdnts', 'hdnea', 'session', 'sessionid']);

/**
 * @typedef {{first: number, last: number}} ByteRange inclusive byte offsets, as `Range: bytes=first-last`
 */

/** `first-last` for a valid range, else undefined. @param {ByteRange} [range] */
export function rangeText(range) {
  if (!range) return undefined;
  const { first, last } = range;
  return Number.isSafeInteger(first) && Number.isSafeInteger(last) && first >= 0 && last >= first ? `${first}-${last}` : undefined;
}

/**
 * The stream a player joins (`hello`): the manifest URL without query and fragment, as the
 * appliance normalises it, so no query parameter — a token least of all — is sent or splits the swarm.
 * @param {string} url
 * @param {string} [base]
 * @returns {string}
 */
export function streamIdFor(url, base) {
  try {
    const u = base ? new URL(url, base) : new URL(url);
    u.search = '';
    u.hash = '';
    return u.href;
  } catch {
    return String(url).split(/[?#]/)[0];
  }
}

/**
 * Stable segment identity (docs/protocol.md "Segment identity"): origin and path as the URL parser
 * serialises them, the query's parameters in their order except the per-viewer ones (empty pairs
 * dropped, a query left empty dropped), no fragment, and `#bytes=first-last` for a byte range.
 * @param {string} url
 * @param {string} [base] to resolve a relative URL
 * @param {{viewerParams?: readonly string[], range?: ByteRange}} [options]
 * @returns {string}
 */
export function segmentIdFor(url, base, { viewerParams = DEFAULT_VIEWER_PARAMS, range } = {}) {
  const bytes = rangeText(range);
  const suffix = bytes ? `#bytes=${bytes}` : '';
  try {
    const u = base ? new URL(url, base) : new URL(url);
    const drop = new Set(viewerParams.map((n) => String(n).toLowerCase()));
    const kept = u.search.slice(1).split('&')
      .filter((pair) => pair !== '' && !drop.has(pair.split('=')[0].toLowerCase()));
    u.search = '';
    u.hash = '';
    return u.href + (kept.length ? `?${kept.join('&')}` : '') + suffix;
  } catch {
    return String(url).split(/[?#]/)[0] + suffix;
  }
}
