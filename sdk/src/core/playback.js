/**
 * What every player adapter reads from the page's media element: the buffer ahead of the
 * playhead (for the scheduler's deadline) and the QoE the reports carry — start-up time, stalls,
 * watch time — from the element's own events, whatever player feeds it.
 *
 * @module core/playback
 */

/**
 * Media seconds buffered ahead of the playhead. Before the first frame has played, a player that
 * has not moved the playhead yet (Shaka keeps it at 0 until its first segments are in, and a live
 * stream's media time starts far from 0) holds its buffer ahead of where it will start: the
 * nearest range ahead counts, so a starting page that already holds a segment is not taken for one
 * with nothing to play.
 */
export function bufferAhead(media) {
  if (!media || !media.buffered) return 0;
  const t = media.currentTime;
  const b = media.buffered;
  let ahead = null;
  for (let i = 0; i < b.length; i++) {
    if (b.start(i) <= t + 0.1 && t < b.end(i)) return Math.max(0, b.end(i) - t);
    if (b.start(i) > t && (ahead === null || b.start(i) < b.start(ahead))) ahead = i;
  }
  const played = media.played;
  if (ahead !== null && played && played.length === 0) return b.end(ahead) - b.start(ahead);
  return 0;
}

/**
 * Feeds QoE from a media element: startup (from `createdAt`) at the first `playing`, a stall for
 * each `waiting` after it (before the first frame the wait is start-up time), watch time between
 * `playing` and `pause`/`ended`.
 * @param {EventTarget} media
 * @param {() => (object|null)} qoe the current engine's QoE reporter, or null
 * @param {number} createdAt performance.now() when the player was created
 * @param {() => void} [onStarted] called once, at the first `playing`
 * @returns {() => void} stops watching
 */
export function watchMedia(media, qoe, createdAt, onStarted = () => {}) {
  let started = false;
  const listeners = [];
  const listen = (type, fn) => {
    const h = () => {
      try { const q = qoe(); if (q) fn(q); } catch { /* QoE must never disturb playback */ }
    };
    media.addEventListener(type, h);
    listeners.push([type, h]);
  };
  let announced = false;
  const first = () => {
    if (announced) return;
    announced = true;
    try { onStarted(); } catch { /* the mesh must never disturb playback */ }
  };
  media.addEventListener('playing', first);
  listeners.push(['playing', first]);
  listen('playing', (q) => {
    if (!started) {
      started = true;
      q.setStartup(globalThis.performance.now() - createdAt);
    }
    q.stallEnded();
    q.setWatching(true);
  });
  listen('waiting', (q) => {
    if (started) q.stallStarted();
  });
  const stop = (q) => { q.stallEnded(); q.setWatching(false); };
  listen('pause', stop);
  listen('ended', stop);
  return () => {
    for (const [type, h] of listeners) media.removeEventListener(type, h);
  };
}
