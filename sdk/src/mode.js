/**
 * Which mode a page is in, for `swarmgate.stats().mode` and `.modeReason` (docs/integration.md,
 * "Which mode a page is in"). Player-agnostic: it looks at the runtime, the browser's APIs, the
 * players the SDK carries and the page's media elements, never at one player's internals.
 *
 * @module mode
 */

/**
 * Why a page plays over plain HTTP (string union; the first that applies is given):
 * - `disabled`: the page turned the SDK off (`swarmgateConfig.enabled = false`, `swarmgate.disable()`)
 * - `no-appliance-url`: the appliance's URL could not be derived from the script's URL
 * - `no-websocket`, `no-rtcpeerconnection`: the browser lacks WebSocket or WebRTC (or a policy removed it)
 * - `no-mediasource`: neither `MediaSource` nor `ManagedMediaSource`: no script player can feed
 *   the video element, so the browser plays HLS itself if at all (older iOS Safari)
 * - `refused`: the appliance refused this viewer for good (page origin, token, protocol version)
 * - `policy-off`: the stream's policy says `p2p: off` for this viewer
 * - `native-hls`: a media element plays an HLS playlist itself (Safari, iOS): its requests never
 *   pass through the page's JavaScript
 * - `unknown-player`: media plays on the page through a player the SDK does not carry
 * - `no-player`: no media plays yet and no player the SDK knows was created
 * @typedef {'disabled'|'no-appliance-url'|'no-websocket'|'no-rtcpeerconnection'|'no-mediasource'|
 *   'refused'|'policy-off'|'native-hls'|'unknown-player'|'no-player'} HttpOnlyReason
 */

const HLS_TYPES = /^application\/(vnd\.apple\.mpegurl|x-mpegurl)$/i;
const HLS_URL = /\.m3u8?(?:[?#]|$)/i;

/** What a media element plays: 'hls' (a playlist, natively), 'other' (anything else), or null (nothing). */
function elementSource(el) {
  if (el.srcObject) return 'other';
  const sources = typeof el.querySelectorAll === 'function' ? [...el.querySelectorAll('source')] : [];
  const src = el.currentSrc || el.getAttribute?.('src') || el.src || '';
  if (HLS_URL.test(src) || sources.some((s) => HLS_TYPES.test(s.type || '') || HLS_URL.test(s.src || ''))) return 'hls';
  return src || sources.length > 0 ? 'other' : null;
}

/** The page's media elements' sources ('hls' wins over 'other'), or null when none plays anything. */
function pageMedia(doc) {
  if (!doc || typeof doc.querySelectorAll !== 'function') return null;
  let found = null;
  for (const el of doc.querySelectorAll('video, audio')) {
    const kind = elementSource(el);
    if (kind === 'hls') return 'hls';
    found = found || kind;
  }
  return found;
}

/**
 * The page's mode.
 * @param {object} args
 * @param {object} args.win the window
 * @param {{enabled: boolean, signalingUrl: string|null, env: {WebSocket?: Function, RTCPeerConnection?: Function}}} args.runtime
 * @param {(object|null)[]} args.players each carried player's engine stats (null before it loads a source)
 * @returns {{mode: 'p2p'|'http-only', modeReason: HttpOnlyReason|null}}
 */
export function pageMode({ win, runtime, players }) {
  const httpOnly = (modeReason) => ({ mode: 'http-only', modeReason });
  if (!runtime.enabled) return httpOnly('disabled');
  if (!runtime.signalingUrl) return httpOnly('no-appliance-url');
  if (typeof runtime.env.WebSocket !== 'function') return httpOnly('no-websocket');
  if (typeof runtime.env.RTCPeerConnection !== 'function') return httpOnly('no-rtcpeerconnection');
  if (typeof win.MediaSource !== 'function' && typeof win.ManagedMediaSource !== 'function') return httpOnly('no-mediasource');
  if (players.length > 0) {
    // One player that may still use peers is enough for the page to be in p2p mode.
    if (players.some((s) => !s || (!s.refused && s.p2pPolicy !== 'off'))) return { mode: 'p2p', modeReason: null };
    return httpOnly(players.some((s) => s.refused) ? 'refused' : 'policy-off');
  }
  const media = pageMedia(win.document);
  if (media === 'hls') return httpOnly('native-hls');
  return httpOnly(media ? 'unknown-player' : 'no-player');
}
