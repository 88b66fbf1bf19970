/**
 * A player's HTTP fetch rescued from the LAN when the WAN link turns out to be the bottleneck.
 *
 * A viewer that starts on a branch office's congested link asks for its first fragments before it
 * knows the link is congested (the appliance's `welcome` and its neighbours arrive over the same
 * link, a little later), so those fragments go over HTTP and queue behind everyone else's traffic.
 * While such a fetch is still under way, this watches it: once the site is known to be congested
 * or the fetch itself has taken more than its share of the segment's duration
 * ({@link Scheduler#slowFetch}), neighbours are let in (the peer gate opens) and the first one to
 * announce the segment is asked for it. The first complete copy wins: a verified LAN copy ends the
 * HTTP fetch (`req.abortHttp`), which also frees the scarce link for the leader's fetch of the next
 * segment; an HTTP copy that completes first cancels the LAN attempt. A copy that reaches the store
 * meanwhile (the viewer's own leader prefetch of the segment, a neighbour's pull the player's ask
 * stopped waiting for) ends it too, on any link. The HTTP fetch is never held
 * back and never abandoned for anything but a verified copy, so on an uncongested link (where it
 * completes before anything could be asked) nothing changes.
 *
 * Only loads whose adapter can end its HTTP fetch (`abortHttp`) are rescued: a fetch that could not
 * be ended would keep the link busy after the player already had the bytes.
 *
 * @module core/http-rescue
 */

/** How often a fetch in progress is looked at. */
export const RESCUE_POLL_MS = 100;
/** The shortest time a neighbour is given for the copy (longer for segments that last longer). */
export const RESCUE_MIN_DEADLINE_MS = 4000;

/**
 * @param {import('./segment-loader.js').SegmentLoader} loader its scheduler, gate, neighbours and
 *   peer attempts, and the engine's session facts
 * @param {string} id segment id
 * @param {object} req the player's load request (LoadRequest) with `abortHttp`
 * @param {Promise<object>} fetching the HTTP load already started for it (SegmentLoader#http)
 * @param {string} reason why it went to HTTP (listed with the ended fetch in `stats().httpFetches`)
 * @returns {Promise<object>} the load result: HTTP's, or the neighbour's copy
 */
export async function rescueHttp(loader, id, req, fetching, reason) {
  const engine = loader.engine;
  // Not "P2P usable" yet is no reason to stop watching: a first fragment is asked for before the
  // appliance's welcome, which is what makes P2P usable, arrives over the same congested link.
  if (typeof req.abortHttp !== 'function' || !engine.enabled || engine.destroyed) return fetching;
  const outcome = fetching.then(() => true, () => true);
  const startedAt = loader.now();
  const tried = new Set();
  for (;;) {
    if (await loader.raceUntil(outcome, loader.now() + RESCUE_POLL_MS)) return fetching;
    if (engine.destroyed || !engine.enabled || (req.signal && req.signal.aborted)) return fetching;
    // Another copy reached the store first (this viewer's leader prefetch, or a pull from a
    // neighbour the ask stopped waiting for): it wins like a neighbour's, and frees the link.
    const stored = loader.fromStore(id, req);
    if (stored) return replaced(loader, id, req, fetching, stored, 'a copy in the store replaced the HTTP fetch of', reason, startedAt);
    if (!loader.scheduler.congested(req) && !loader.scheduler.slowFetch(loader.now() - startedAt, req)) continue;
    // The WAN is the bottleneck: the LAN is worth connecting to now, whatever the player's state.
    if (!loader.gate.isOpen) loader.gate.open('congested');
    if (!engine.p2pDownloadsAllowed() || engine.unverifiable(id)) continue;
    const peer = loader.neighbours.holdersOf(id).find((p) => !tried.has(p));
    if (peer === undefined) continue;
    tried.add(peer);
    const attempt = askNeighbour(loader, id, req, peer);
    const first = await Promise.race([outcome.then(() => null), attempt.done]);
    if (first === null) {
      attempt.cancel();
      return fetching;
    }
    if (first.result) return replaced(loader, id, req, fetching, loader.resultFor(first.result, req), 'a neighbour\'s copy replaced a slow HTTP fetch of', reason, startedAt);
    loader.neighbours.countFailure(peer, first);
  }
}

/**
 * Ends the HTTP fetch that `result` (a verified or stored copy) replaced; counted as a rescue, and
 * listed among the fetches (what it sent up to here crossed the WAN all the same).
 */
function replaced(loader, id, req, fetching, result, message, reason, startedAt) {
  fetching.catch(() => {});
  req.abortHttp();
  loader.rescued += 1;
  loader.logFetch(id, `${reason}:ended`, { requestedAt: startedAt, deliveredAt: loader.now() }, req);
  loader.log(message, id);
  return result;
}

/** One attempt at a neighbour, cancellable, ended with the player's own request too. */
function askNeighbour(loader, id, req, peer) {
  const controller = new AbortController();
  const cancel = () => controller.abort();
  req.signal?.addEventListener?.('abort', cancel, { once: true });
  const deadlineMs = loader.now() + Math.max(RESCUE_MIN_DEADLINE_MS, (req.durationS || 0) * 1000);
  const done = loader.tryPeer(id, peer, deadlineMs, {
    url: req.url, range: req.range, sequence: req.sequence, track: req.track, signal: controller.signal,
  }).finally(() => req.signal?.removeEventListener?.('abort', cancel));
  return { done, cancel };
}
