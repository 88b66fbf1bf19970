// Loads the players' real npm packages into node for the adapter tests. The packages expect a
// browser; these are the few globals they touch while loading (no player code is replaced), and
// an XMLHttpRequest that records requests instead of sending them.

/** XMLHttpRequest stand-in: records what a loader asks; the test answers with respond(). */
export class RecordingXhr {
  static sent = [];
  constructor() {
    this.headers = {};
    this.status = 0;
    this.statusText = '';
    this.response = null;
    this.responseURL = '';
    RecordingXhr.sent.push(this);
  }
  open(method, url) { this.method = method; this.url = url; }
  setRequestHeader(name, value) { this.headers[name] = value; }
  getAllResponseHeaders() { return this.status ? 'content-type: video/mp4\r\n' : ''; }
  send() { this.sentAt = performance.now(); }
  abort() { this.aborted = true; this.onabort?.(); }
  /** Answers the request: one progress event, then load and loadend. */
  respond(status, bytes) {
    this.status = status;
    this.statusText = status === 200 ? 'OK' : 'Error';
    this.responseURL = this.url;
    this.response = bytes ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) : null;
    this.onprogress?.({ loaded: bytes ? bytes.length : 0, total: bytes ? bytes.length : 0, lengthComputable: true });
    this.onload?.call(this);
    this.onloadend?.();
  }
}

/** The globals the packages read while loading: the window, its navigator and a bare document. */
function browserGlobals() {
  globalThis.window = globalThis;
  globalThis.self = globalThis;
  if (!globalThis.navigator || !globalThis.navigator.userAgent) {
    Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'node', platform: 'node' }, configurable: true });
  }
  const element = () => ({
    style: {}, canPlayType: () => '', setAttribute() {}, appendChild() {}, addEventListener() {},
    classList: { add() {}, remove() {}, contains: () => false },
  });
  globalThis.addEventListener ??= () => {};
  globalThis.removeEventListener ??= () => {};
  globalThis.document ??= {
    nodeName: '#document', readyState: 'complete', documentElement: { style: {} }, createElement: element, createTextNode: element,
    addEventListener() {}, querySelector: () => null, querySelectorAll: () => [], getElementsByTagName: () => [],
    head: { appendChild() {}, insertBefore() {} }, body: { appendChild() {} },
  };
}

let dashjs = null;

/** The dash.js namespace from the npm package (its ESM build), loaded once per test process. */
export async function loadDashjs() {
  if (dashjs) return dashjs;
  browserGlobals();
  globalThis.getComputedStyle = () => ({});
  globalThis.XMLHttpRequest = RecordingXhr;
  const module = await import('dashjs');
  dashjs = module.default || module;
  return dashjs;
}

let shaka = null;

/** The Shaka Player namespace from the npm package (its compiled build), loaded once per test process. */
export async function loadShaka() {
  if (shaka) return shaka;
  browserGlobals();
  const { createRequire } = await import('node:module');
  shaka = createRequire(import.meta.url)('shaka-player');
  return shaka;
}

let videojs = null;

/** The Video.js function from the npm package (VHS included), loaded once per test process. */
export async function loadVideojs() {
  if (videojs) return videojs;
  browserGlobals();
  globalThis.XMLHttpRequest = RecordingXhr;
  videojs = (await import('video.js')).default;
  return videojs;
}

/**
 * VHS's own handler for `tech` (a videojs.EventTarget standing in for the player's tech), as VHS's
 * source handler makes it for a source, but without one: the player's own `vhs.xhr` with its
 * onRequest/onResponse hooks, and `xhr-hooks-ready` triggered on `tech`. Nothing is loaded.
 * @param {Function} vjs the Video.js function
 * @param {object} tech
 */
export function vhsHandlerFor(vjs, tech) {
  const el = { nodeType: 1, nodeName: 'DIV', style: {}, addEventListener() {}, removeEventListener() {}, setAttribute() {}, appendChild() {} };
  return vjs.VhsSourceHandler.handleSource({ src: '' }, tech, { vhs: { el } });
}
