/**
 * What every player adapter's per-player session shares: one engine per stream the player loads
 * (created from the page's runtime), the media element's QoE, stats and enable/disable. The
 * adapters add what they know of their player's loader and events.
 *
 * @module core/player-session
 */

import { Engine } from './engine.js';
import { streamIdFor } from './segment-id.js';
import { watchMedia } from './playback.js';

export class PlayerSession {
  /** @param {import('../hlsjs/adapter.js').Runtime} runtime */
  constructor(runtime) {
    this.runtime = runtime;
    this.engineRef = null;
    this.media = null;
    this.unwatchMedia = null;
    this.createdAt = globalThis.performance.now();
    /** Whether the media element has played (the engine's peer connections may start). */
    this.playing = false;
  }

  /** The engine when P2P may be used now, else null (the player's own loader does the work). */
  engine() {
    return this.runtime.enabled && this.engineRef && this.engineRef.enabled ? this.engineRef : null;
  }

  /**
   * Joins the swarm of `manifestUrl` (or the page's configured stream); a new stream replaces
   * the engine, the same one keeps it.
   * @param {string} manifestUrl
   * @param {object} [options] more Engine options (`fetchHttp`: the default is {@link PlayerSession#fetchHttp})
   */
  startEngine(manifestUrl, options = {}) {
    const rt = this.runtime;
    const base = rt.env.location ? rt.env.location.href : undefined;
    const stream = rt.config.stream || streamIdFor(manifestUrl, base);
    if (this.engineRef && this.engineRef.stream === stream) return;
    this.engineRef?.destroy();
    const engine = new Engine({
      signalingUrl: rt.signalingUrl, stream, token: rt.config.token, sdkVersion: rt.version,
      WebSocket: rt.env.WebSocket, RTCPeerConnection: rt.env.RTCPeerConnection, connection: rt.env.connection,
      upload: rt.config.upload, maxStoreBytes: rt.config.maxStoreBytes, log: rt.log,
      holdPeersUntilStarted: !this.playing, fetchHttp: (url, o) => this.fetchHttp(url, o), ...options,
    });
    this.engineRef = engine;
    if (!rt.enabled) engine.disable();
    engine.start();
  }

  /**
   * The engine's HTTP prefetch of a listed segment (the primary leader fetches a new live segment
   * at once; the backup leader steps in), with fetch(): there is no player request to ride on.
   * hls.js passes its own loader instead. Same-origin credentials, as the players' own loads.
   * The body is read as it arrives, so `progress.loaded()` says how much of it is in (the
   * neighbours are told the fetch again while it grows: own-fetches.js).
   * @param {string} url
   * @param {{range?: import('./segment-id.js').ByteRange, progress?: {loaded?: () => number}}} [options]
   */
  async fetchHttp(url, { range, progress } = {}) {
    const requestedAt = globalThis.performance.now();
    const headers = range ? { Range: `bytes=${range.first}-${range.last}` } : {};
    const response = await fetch(url, { headers, credentials: 'same-origin' });
    if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { httpFailure: true, kind: 'error' });
    const firstByteAt = globalThis.performance.now();
    const bytes = await readBody(response, progress);
    return { bytes, requestedAt, firstByteAt, deliveredAt: globalThis.performance.now() };
  }

  stopEngine() {
    this.engineRef?.destroy();
    this.engineRef = null;
  }

  attachMedia(media) {
    if (!media || media === this.media || typeof media.addEventListener !== 'function') return;
    this.detachMedia();
    this.media = media;
    this.unwatchMedia = watchMedia(media, () => this.engineRef && this.engineRef.qoe, this.createdAt, () => {
      this.playing = true;
      this.engineRef?.playerStarted();
    });
  }

  detachMedia() {
    this.unwatchMedia?.();
    this.unwatchMedia = null;
    this.media = null;
  }

  /** Stats of the current engine, or null before the player loads a source. */
  stats() {
    return this.engineRef ? this.engineRef.stats() : null;
  }

  setEnabled(enabled) {
    if (!this.engineRef) return;
    if (enabled) this.engineRef.enable();
    else this.engineRef.disable();
  }

  destroy() {
    this.detachMedia();
    this.stopEngine();
    this.runtime.unregister(this);
  }
}

/**
 * A response's body, counted in `progress.loaded()` as it arrives when the body is a stream.
 * @param {Response} response
 * @param {{loaded?: () => number}} [progress]
 * @returns {Promise<Uint8Array>}
 */
async function readBody(response, progress) {
  const reader = progress && response.body && typeof response.body.getReader === 'function' ? response.body.getReader() : null;
  if (!reader) return new Uint8Array(await response.arrayBuffer());
  const chunks = [];
  let received = 0;
  progress.loaded = () => received;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}
