/**
 * Video.js adapter (its VHS engine, HLS and DASH): `wrapVideojs(videojs, runtime)` makes every
 * player's media and init segment requests go through the mesh.
 *
 * Contracts with Video.js 8 (VHS 3, xhr.js and media-segment-request.js):
 * - VHS sends every request through `videojs.xhr` (unless a page replaced `videojs.Vhs.xhr`),
 *   after the player's `onRequest` hooks. The adapter wraps `videojs.xhr` once, and each player,
 *   when VHS says `xhr-hooks-ready`, adds an `onRequest` hook that marks its own requests with its
 *   session; unmarked requests and everything but `segment` / `segment-media-initialization`
 *   go to the original `videojs.xhr` untouched.
 * - VHS runs the player's own hooks or, when it has none, the global `videojs.Vhs.xhr` ones, never
 *   both (`XhrFunction._requestCallbackSet || videojs.Vhs.xhr._requestCallbackSet`): while the
 *   adapter's hook is the player's only one, it runs the global hooks itself (`withGlobalHooks`),
 *   so a page's global hooks apply as they would without the SDK.
 * - A mesh request answers with an xhr-like object (EventTarget, `response`, `abort()`) and VHS's
 *   callback `(error, {statusCode, headers, body})`, then `loadend`, as the xhr library does.
 * - ABR: VHS takes a segment's bandwidth from `request.bandwidth` when it is set. P2P deliveries
 *   set it to the engine's HTTP-modelled rate (core/bandwidth.js), so the LAN's speed never
 *   raises the estimate; HTTP loads leave it unset and VHS measures them as usual.
 * - Playlist: VHS's main playlist loader (`vhs.playlists`) is followed; each `loadedplaylist` and
 *   `mediachange` lists `playlists.media()` to `engine.onPlaylist`.
 *
 * @module videojs/adapter
 */

import { bufferAhead } from '../core/playback.js';
import { PlayerSession } from '../core/player-session.js';
import { PlaylistFeed } from '../core/playlist-feed.js';

const WRAPPED = typeof Symbol === 'function' ? Symbol.for('swarmgate.wrapped') : '__swarmgateWrapped';
const SESSION = typeof Symbol === 'function' ? Symbol('swarmgate.session') : '__swarmgateSession';
/** VHS request types that go through the mesh. */
export const SEGMENT_TYPES = Object.freeze(['segment', 'segment-media-initialization']);

/** The inclusive byte range of a `Range: bytes=first-last` header, or undefined. */
export function rangeOf(headers) {
  const value = headers && (headers.Range || headers.range);
  const m = typeof value === 'string' ? /^bytes=(\d+)-(\d+)$/.exec(value) : null;
  if (!m) return undefined;
  const range = { first: Number(m[1]), last: Number(m[2]) };
  return range.last >= range.first ? range : undefined;
}

/**
 * What VHS's xhr.js would have done with `options` had the player no hook but `hook`, the
 * adapter's: the global `onRequest` hooks (and a deprecated `beforeRequest`, which VHS adds to
 * whichever set it runs) in their order. A player with hooks of the page's own gets `options`
 * back: VHS leaves the global ones out for it.
 * @param {Function} xhr the player's VHS xhr (`vhs.xhr`)
 * @param {Function|undefined} globalXhr `videojs.Vhs.xhr`
 * @param {Function} hook the adapter's hook on `xhr`
 * @param {object} options
 */
function withGlobalHooks(xhr, globalXhr, hook, options) {
  const hooks = globalXhr && globalXhr !== xhr ? globalXhr._requestCallbackSet : null;
  if (!hooks || !options) return options;
  const before = xhr.beforeRequest || globalXhr.beforeRequest;
  for (const own of xhr._requestCallbackSet || []) if (own !== hook && own !== before) return options;
  let out = options;
  for (const global of hooks) out = global(out);
  return out;
}

/**
 * A VHS media playlist's segments as VHS requests them (media-segment-request.js): `resolvedUri`,
 * `Range: bytes=offset-(offset+length-1)` for a byte range, `mediaSequence` + position as the
 * sequence (HLS media sequence numbers; DASH playlists number from their first segment).
 * @param {object} playlist
 */
export function listedSegments(playlist) {
  const base = Number.isInteger(playlist.mediaSequence) ? playlist.mediaSequence : 0;
  return playlist.segments.flatMap((segment, i) => {
    const url = segment.resolvedUri;
    if (typeof url !== 'string') return [];
    const b = segment.byterange;
    const range = b && b.length > 0 ? { first: Number(b.offset), last: Number(b.offset) + Number(b.length) - 1 } : undefined;
    return [{ url, range, sequence: base + i, durationS: segment.duration }];
  });
}

/**
 * The key a rendition is told by (docs/protocol.md "Site leaders"): its place among the stream's
 * playlists of its kind, the same on every viewer of the stream (hls.js pages name their levels
 * the same way). VHS's own playlist ids carry the playlist's URL: longer than the 64 characters a
 * key may have, and different from viewer to viewer when the URLs carry tokens.
 * @param {string} kind `main` or `audio`
 * @param {object[]} playlists the stream's playlists of that kind, in their manifest's order
 * @param {object} playlist one of them
 */
export function renditionKey(kind, playlists, playlist) {
  const i = playlists.indexOf(playlist);
  return `${kind}:${i >= 0 ? i : playlist.id}`;
}

/** Every audio playlist of VHS's main manifest, group by group, in the manifest's order. */
function audioPlaylists(main) {
  const groups = (main && main.mediaGroups && main.mediaGroups.AUDIO) || {};
  return Object.values(groups).flatMap((group) => Object.values(group).flatMap((r) => (Array.isArray(r.playlists) ? r.playlists : [])));
}

/** Everything the SDK attaches to one Video.js player. */
export class VideojsSession extends PlayerSession {
  /**
   * @param {import('../hlsjs/adapter.js').Runtime} runtime
   * @param {object} player a Video.js player
   * @param {Function} [videojs] its Video.js (for the global `videojs.Vhs.xhr` hooks)
   */
  constructor(runtime, player, videojs) {
    super(runtime);
    this.player = player;
    this.videojs = videojs;
    this.feed = new PlaylistFeed();
    this.watched = null;
  }

  vhs() {
    return this.player.tech({ IWillNotUseThisInPlugins: true }).vhs;
  }

  /**
   * Follows VHS's main playlist loader (`vhs.playlists`, which exists once VHS has its source: the
   * first request hook or `loadstart` after that finds it): every `loadedplaylist` (each live
   * refresh, HLS or DASH) and `mediachange` lists what it now has.
   */
  watchPlaylists() {
    try {
      const vhs = this.vhs();
      const loader = vhs && vhs.playlists;
      if (!loader || loader === this.watched || typeof loader.on !== 'function') return;
      this.watched = loader;
      const list = () => this.listPlaylists();
      loader.on('loadedplaylist', list);
      loader.on('mediachange', list);
      list();
    } catch (e) {
      this.runtime.log('videojs: cannot follow the playlist', e);
    }
  }

  /**
   * Tells the engine what the playlists VHS loads now list: the current media playlist and,
   * when its audio group has a rendition the player enabled whose segments VHS already has (DASH;
   * HLS loads alternate audio through loaders of its own, not listed), that audio playlist. Other
   * renditions of the ladder are nobody's next load here: they are listed when VHS switches.
   */
  listPlaylists() {
    try {
      const engine = this.engine();
      const loader = engine ? this.vhs()?.playlists : null;
      const media = loader && loader.media();
      if (!media || !Array.isArray(media.segments)) return;
      const live = !media.endList;
      const main = renditionKey('main', (loader.main && loader.main.playlists) || [], media);
      if (this.feed.wants(engine, live, main)) this.feed.feed(engine, { live, track: main, segments: listedSegments(media) });
      const audio = this.audioPlaylist(loader.main, media);
      const track = audio && renditionKey('audio', audioPlaylists(loader.main), audio);
      if (audio && this.feed.wants(engine, live, track)) this.feed.feed(engine, { live, track, segments: listedSegments(audio) });
    } catch (e) {
      this.runtime.log('videojs: cannot list the playlist', e);
    }
  }

  /** The enabled audio rendition's playlist in `media`'s audio group, when it has its segments. */
  audioPlaylist(main, media) {
    const group = main && main.mediaGroups && main.mediaGroups.AUDIO && media.attributes && main.mediaGroups.AUDIO[media.attributes.AUDIO];
    if (!group) return null;
    const tracks = this.player.audioTracks ? Array.from(this.player.audioTracks()) : [];
    const enabled = tracks.find((t) => t.enabled);
    const rendition = (enabled && group[enabled.label]) || Object.values(group).find((r) => r.default) || null;
    const playlist = rendition && Array.isArray(rendition.playlists) ? rendition.playlists[0] : null;
    return playlist && Array.isArray(playlist.segments) && playlist.segments.length > 0 ? playlist : null;
  }

  /** Hooks into a player created by videojs(). */
  attach() {
    const player = this.player;
    player.on('xhr-hooks-ready', () => {
      try {
        const vhs = player.tech({ IWillNotUseThisInPlugins: true }).vhs;
        const xhr = vhs.xhr;
        const hook = (options) => {
          const segment = !!options && SEGMENT_TYPES.includes(options.requestType);
          const out = withGlobalHooks(xhr, this.videojs && this.videojs.Vhs && this.videojs.Vhs.xhr, hook, options);
          // Marked after the global hooks, which may return new options.
          if (segment && out) out[SESSION] = this;
          if (this.watched !== vhs.playlists) this.watchPlaylists();
          return out;
        };
        xhr.onRequest(hook);
      } catch (e) {
        this.runtime.log('videojs: cannot hook VHS', e);
      }
    });
    player.on('loadstart', () => {
      try {
        const src = player.currentSrc();
        const media = player.tech({ IWillNotUseThisInPlugins: true }).el();
        this.attachMedia(media);
        if (typeof src === 'string' && /^https?:/i.test(new URL(src, globalThis.location && globalThis.location.href).href)) {
          this.startEngine(new URL(src, globalThis.location && globalThis.location.href).href);
          this.watchPlaylists();
          this.listPlaylists();
        }
      } catch (e) {
        this.runtime.log('videojs: cannot start', e);
      }
    });
    player.on('playlistchange', () => this.level());
    player.on('mediachange', () => { this.level(); this.listPlaylists(); });
    player.on('dispose', () => this.destroy());
    this.runtime.register(this);
  }

  /** QoE bitrate and level from VHS's current media playlist. */
  level() {
    try {
      const vhs = this.player.tech({ IWillNotUseThisInPlugins: true }).vhs;
      const playlist = vhs.playlists.media();
      const all = vhs.playlists.main.playlists;
      const bw = playlist && playlist.attributes && playlist.attributes.BANDWIDTH;
      this.engineRef?.qoe.setLevel(Math.max(0, all.indexOf(playlist)), (bw || 0) / 1000);
    } catch { /* QoE must never disturb playback */ }
  }

  describe(options) {
    let live = false;
    let bw;
    try { live = this.player.duration() === Infinity; } catch { live = false; }
    try {
      const vhs = this.player.tech({ IWillNotUseThisInPlugins: true }).vhs;
      bw = Number.isFinite(vhs.bandwidth) && vhs.bandwidth > 0 ? vhs.bandwidth : undefined;
    } catch { bw = undefined; }
    return {
      // No track or sequence: the engine takes them from the playlist listing (listPlaylists) that
      // named this segment, so the store's live window follows the listed playlist.
      url: options.uri, range: rangeOf(options.headers), live, bufferS: bufferAhead(this.media), bwEstimate: bw,
    };
  }

  /**
   * One mesh request in VHS's xhr shape.
   * @param {object} options VHS's request options (after its hooks)
   * @param {Function} callback `(error, response)` as the xhr library calls it
   * @param {Function} xhr the original videojs.xhr
   */
  load(options, callback, xhr) {
    const engine = this.engine();
    const request = new EventTarget();
    Object.assign(request, { uri: options.uri, responseType: 'arraybuffer', response: null, status: 0, aborted: false });
    const controller = typeof AbortController === 'function' ? new AbortController() : null;
    let inner = null;
    let done = false;
    request.abort = () => {
      if (done) return;
      done = true;
      controller?.abort();
      inner?.abort();
      request.dispatchEvent(new Event('loadend'));
    };
    const finish = (error, response) => {
      if (done) return;
      done = true;
      callback(error, response);
      request.dispatchEvent(new Event('loadend'));
    };
    let httpResponse = null;
    let endHttp = null;
    engine.loadSegment({
      ...this.describe(options),
      signal: controller ? controller.signal : undefined,
      httpLoad: () => new Promise((resolve, reject) => {
        const requestedAt = globalThis.performance.now();
        let ended = false;
        // A neighbour's copy replaced this fetch (core/http-rescue.js): its own outcome is ignored.
        endHttp = () => {
          ended = true;
          const pending = inner;
          inner = null;
          pending?.abort();
          reject(Object.assign(new Error('HTTP aborted'), { httpFailure: true, kind: 'abort' }));
        };
        inner = xhr({ ...options, responseType: 'arraybuffer' }, (error, response) => {
          if (ended) return;
          inner = null;
          endHttp = null;
          httpResponse = { error, response };
          const body = response && response.body;
          const ok = !error && response && (response.statusCode === 200 || response.statusCode === 206) && body;
          if (!ok) {
            reject(Object.assign(new Error('HTTP failed'), { httpFailure: true }));
            return;
          }
          const deliveredAt = globalThis.performance.now();
          resolve({ bytes: new Uint8Array(body), requestedAt, firstByteAt: deliveredAt, deliveredAt });
        });
      }),
      abortHttp: () => endHttp?.(),
    }).then((result) => {
      request.status = 200;
      request.response = result.bytes.slice().buffer;
      // VHS takes this as the segment's bandwidth: for P2P, the HTTP-modelled rate.
      if (result.source === 'p2p' && result.stats && result.stats.bwEstimate > 0) request.bandwidth = Math.round(result.stats.bwEstimate);
      finish(null, { statusCode: 200, headers: {}, body: request.response, url: options.uri });
    }, (err) => {
      if (err && err.httpFailure && httpResponse) {
        const r = httpResponse.response || {};
        request.status = r.statusCode || 0;
        request.response = r.body || null;
        finish(httpResponse.error, r);
        return;
      }
      this.runtime.log('videojs: engine failed, plain HTTP', err);
      inner = xhr(options, (error, response) => {
        request.status = response ? response.statusCode : 0;
        request.response = response ? response.body : null;
        finish(error, response);
      });
    });
    return request;
  }
}

/**
 * Makes `videojs` players load segments through the mesh: wraps `videojs.xhr` once and hooks every
 * player created from now on. Returns the same videojs (its functions are shared by reference
 * with VHS, so they are changed in place). Idempotent.
 * @param {Function} videojs
 * @param {import('../hlsjs/adapter.js').Runtime} runtime
 * @returns {Function}
 */
export function wrapVideojs(videojs, runtime) {
  if (typeof videojs !== 'function' || typeof videojs.xhr !== 'function' || videojs[WRAPPED] || !runtime.available) return videojs;
  const original = videojs.xhr;
  const meshXhr = function (options, callback) {
    const session = options && options[SESSION];
    if (!session || !session.engine() || (options.method && options.method !== 'GET')) return original(options, callback);
    try {
      return session.load(options, callback, original);
    } catch (e) {
      runtime.log('videojs: cannot load through the mesh', e);
      return original(options, callback);
    }
  };
  Object.assign(meshXhr, original);
  videojs.xhr = meshXhr;
  if (typeof videojs.hook === 'function') {
    videojs.hook('setup', (player) => {
      try {
        new VideojsSession(runtime, player, videojs).attach();
      } catch (e) {
        runtime.log('videojs: attach failed', e);
      }
    });
  }
  try {
    Object.defineProperty(videojs, WRAPPED, { value: true });
  } catch { /* cosmetic */ }
  return videojs;
}
