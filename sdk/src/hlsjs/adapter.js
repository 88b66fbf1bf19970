/**
 * hls.js adapter: `wrapHls(Hls, runtime)` returns a subclass of the page's Hls whose instances load
 * media and init segments through the mesh (loader.js), learn upcoming segments from
 * LEVEL_LOADED, and feed the QoE reporter from the media element and hls.js events.
 *
 * One engine per Hls instance, created when the page calls `loadSource()` (MANIFEST_LOADING: the
 * manifest URL is the stream the viewer joins) and destroyed with the instance.
 *
 * @module hlsjs/adapter
 */

import { createFragmentLoader, fetchWithLoader } from './loader.js';
import { bufferAhead } from '../core/playback.js';
import { PlayerSession } from '../core/player-session.js';

export { bufferAhead };

const WRAPPED = typeof Symbol === 'function' ? Symbol.for('swarmgate.wrapped') : '__swarmgateWrapped';

/**
 * @typedef {object} Runtime what index.js shares with every wrapped Hls
 * @property {object} config window.swarmgateConfig, validated
 * @property {string} signalingUrl
 * @property {string} version
 * @property {boolean} enabled swarmgate.disable() clears it
 * @property {(...args: any[]) => void} log debug log
 * @property {(key: string, ...args: any[]) => void} logOnce always logged, once per key
 * @property {{WebSocket?: Function, RTCPeerConnection?: Function, connection?: object, location?: {href: string}}} env
 * @property {(session: HlsSession) => void} register
 * @property {(session: HlsSession) => void} unregister
 */

/** Everything the SDK attaches to one Hls instance. */
export class HlsSession extends PlayerSession {
  /**
   * @param {Runtime} runtime
   * @param {Function} Hls the original class (for Events and DefaultConfig)
   */
  constructor(runtime, Hls) {
    super(runtime);
    this.Hls = Hls;
    this.hls = null;
  }

  /** The fLoader class for this instance. */
  loaderClass(userLoader) {
    const DefaultLoader = userLoader || this.Hls.DefaultConfig.loader;
    return createFragmentLoader(DefaultLoader, {
      engine: () => this.engine(),
      describe: (context) => this.describe(context),
      log: this.runtime.log,
    });
  }

  describe(context) {
    const hls = this.hls;
    const frag = context.frag;
    const level = hls && hls.levels ? hls.levels[frag.level] : undefined;
    // AVERAGE-BANDWIDTH (or hls.js's measured rate) when the playlist has it; BANDWIDTH is the peak.
    const bitrate = level && (level.averageBitrate || level.bitrate);
    const details = frag.type === 'main' ? level && level.details : undefined;
    const live = details ? !!details.live : !!(hls && hls.latestLevelDetails && hls.latestLevelDetails.live);
    const num = (v) => (Number.isFinite(v) && v > 0 ? v : undefined);
    return {
      live,
      bufferS: bufferAhead(this.media),
      durationS: num(frag.duration),
      // What the rendition's bitrate says the segment weighs: the HTTP estimate scales the site's
      // measured throughput to it.
      sizeBytes: num(bitrate && frag.duration ? Math.round((bitrate * frag.duration) / 8) : undefined),
      sequence: typeof frag.sn === 'number' ? frag.sn : undefined,
      track: `${frag.type}:${frag.level}`,
      bwEstimate: num(hls && hls.bandwidthEstimate),
      ttfbMs: num(hls && hls.ttfbEstimate),
    };
  }

  /**
   * Hooks into a constructed Hls instance.
   * @param {object} hls
   */
  attach(hls) {
    this.hls = hls;
    const E = this.Hls.Events;
    const on = (event, fn) => hls.on(event, (name, data) => {
      try { fn(data || {}); } catch (e) { this.runtime.log('adapter: handler failed', event, e); }
    });
    on(E.MANIFEST_LOADING, (d) => this.startEngine(d.url));
    on(E.LEVEL_LOADED, (d) => this.playlist(`main:${d.level}`, d.details));
    on(E.AUDIO_TRACK_LOADED, (d) => this.playlist(`audio:${d.id}`, d.details));
    on(E.LEVEL_SWITCHED, (d) => {
      const level = hls.levels && hls.levels[d.level];
      this.engineRef?.qoe.setLevel(d.level, level ? level.bitrate / 1000 : 0);
    });
    on(E.MEDIA_ATTACHED, (d) => this.attachMedia(d.media || hls.media));
    on(E.MEDIA_DETACHING, () => this.detachMedia());
    on(E.DESTROYING, () => this.destroy());
    if (hls.media) this.attachMedia(hls.media);
    this.runtime.register(this);
  }

  startEngine(manifestUrl) {
    const hlsConfig = this.hls.config;
    const DefaultLoader = hlsConfig.loader || this.Hls.DefaultConfig.loader;
    super.startEngine(manifestUrl, {
      fetchHttp: (url, options) => fetchWithLoader(DefaultLoader, hlsConfig, url, undefined, options && options.range, options && options.progress),
    });
  }

  playlist(track, details) {
    const engine = this.engineRef;
    if (!engine || !details || !Array.isArray(details.fragments)) return;
    engine.onPlaylist({
      live: !!details.live,
      track,
      segments: details.fragments.map((f) => {
        const r = f.byteRange;
        const range = Array.isArray(r) && r.length === 2 && r[1] > r[0] ? { first: r[0], last: r[1] - 1 } : undefined;
        return { url: f.url, range, sequence: typeof f.sn === 'number' ? f.sn : undefined, durationS: f.duration };
      }),
    });
  }

}

/**
 * Returns a subclass of `Hls` whose instances load through the mesh. Idempotent: a wrapped class
 * is returned as is. When the page configured its own `fLoader`, that instance is left alone.
 * @param {Function} Hls hls.js's class
 * @param {Runtime} runtime
 * @returns {Function}
 */
export function wrapHls(Hls, runtime) {
  if (typeof Hls !== 'function' || Hls[WRAPPED]) return Hls;
  class SwarmgateHls extends Hls {
    constructor(userConfig) {
      const config = userConfig && typeof userConfig === 'object' ? { ...userConfig } : {};
      let session = null;
      try {
        if (config.fLoader) {
          runtime.logOnce('fLoader', 'swarmgate: this page sets its own hls.js fLoader; segments load without the mesh');
        } else if (runtime.available) {
          session = new HlsSession(runtime, Hls);
          config.fLoader = session.loaderClass(config.loader);
        }
      } catch (e) {
        session = null;
        delete config.fLoader;
        runtime.log('wrap: setup failed', e);
      }
      super(config);
      if (session) {
        try {
          session.attach(this);
        } catch (e) {
          runtime.log('wrap: attach failed', e);
        }
      }
    }
  }
  try {
    Object.defineProperty(SwarmgateHls, WRAPPED, { value: true });
    Object.defineProperty(SwarmgateHls, 'name', { value: Hls.name || 'Hls' });
  } catch { /* cosmetic */ }
  return SwarmgateHls;
}
