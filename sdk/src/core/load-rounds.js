/**
 * The rounds of one player load that may come from a neighbour: plan with the scheduler, then
 * wait for an announcement, try a neighbour, or fetch over HTTP, and plan again after a wait or a
 * failed attempt, until a copy is in or HTTP is the answer. Each round sees the buffer the rounds
 * before it cost, so no wait or attempt runs past the deadline by which an HTTP fetch must start;
 * a load gets {@link MAX_ROUNDS} rounds, after which it goes over HTTP whatever the plan.
 *
 * Separate from segment-loader.js because the loader's own job is the load around it (the store,
 * a fetch already under way, the HTTP fetch and its rescue, the bytes kept); this is the one
 * decision loop, with its own limits, and it keeps no state between loads.
 *
 * @module core/load-rounds
 */

/** Plans for one segment (P2P attempts, waits that ran out) before it goes over HTTP whatever the plan. */
const MAX_ROUNDS = 12;
/** Wake-ups of a waiting segment that do not count as rounds. */
const MAX_WAKEUPS = 64;
/**
 * How long a starting player may hold every segment it asked for before the next one without
 * playing before that one goes over HTTP at once: an idle machine's players show their first frame
 * 0.1–0.3 s after its fragment arrives (then the held neighbours connect and may bring the next).
 */
export const START_NEED_MS = 500;

/**
 * Plans and runs the rounds of one load (see the module comment).
 * @param {import('./segment-loader.js').SegmentLoader} loader its engine's session facts,
 *   scheduler, neighbours, gate, start buffer, trail, waits, QoE, store (`fromStore`), peer
 *   attempts (`tryPeer`), clock and log
 * @param {string} id segment id
 * @param {import('./segment-loader.js').LoadRequest} req the player's request, with what its listing says
 * @param {number} t0 when the player asked
 * @param {(reason: string) => Promise<object>} httpOnce the load's one HTTP fetch, for `reason`
 * @returns {Promise<import('./segment-loader.js').LoadResult>}
 */
export async function loadRounds(loader, id, req, t0, httpOnce) {
  const e = loader.engine;
  const exclude = [];
  let waitedOut = false;
  const previous = loader.trail.previous(req);
  let wakeups = 0;
  // This load waits past the end of the buffer on a neighbour's progress (a stall it may cost once).
  let stalling = false;
  // This load waited for a neighbour's claimed fetch / followed its progress (counted once each).
  let claimWaited = false;
  let followed = false;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (req.signal && req.signal.aborted) throw new Error('aborted');
    if (!e.p2pUsable()) return httpOnce('off');
    const cached = loader.fromStore(id, req);
    if (cached) return cached;
    // Nothing a neighbour sends could be verified now, or this viewer's transfers from neighbours
    // keep stalling (download-health.js): waiting for one would only cost buffer.
    const withheld = e.downloadsWithheld();
    if (withheld === 'paused') loader.qoe.addFailure('paused');
    if (withheld) return httpOnce(withheld);
    if (e.unverifiable(id)) return httpOnce('unverified');
    // Nobody could announce it to us or serve it, now or soon: waiting would only cost buffer.
    const open = loader.neighbours.openCount();
    const connecting = loader.neighbours.connectingCount();
    if (open === 0 && connecting === 0) return httpOnce('alone');
    const t = loader.now();
    // A starting player that has held what it asked for before this segment for START_NEED_MS
    // and not played needs this one for its first frame, and the neighbours the gate holds
    // connect only once it plays: none of them can bring it. Until then it may just be about to.
    const heldSince = open === 0 && !e.playerPlaying && !loader.gate.isOpen ? loader.startBuffer.heldAllBeforeSince(req) : null;
    if (heldSince !== null && t - heldSince >= START_NEED_MS) return httpOnce('alone');
    const fetchingSinceMs = loader.neighbours.fetchingSince(id);
    const listed = req.live ? loader.listing(id) : undefined;
    const progress = loader.neighbours.fetchProgress(id);
    const bufferEndsAtMs = t0 + (req.bufferS > 0 ? req.bufferS * 1000 : 0);
    const plan = loader.scheduler.plan({
      segmentId: id, live: !!req.live, bufferS: Math.max(0, req.bufferS - (t - t0) / 1000), bufferEndsAtMs,
      durationS: req.durationS, sizeBytes: req.sizeBytes, holders: loader.neighbours.holdersOf(id), leaders: e.renditions.leadersOf(req.track), selfId: e.selfId,
      listedAtMs: req.listedAtMs ?? t0, upcoming: listed?.upcoming, exclude, backupGraceMs: backupGrace(loader.scheduler, req.durationS),
      neighbours: loader.neighbours.count(), connecting, open, starting: !e.playerPlaying, askedAtMs: t0,
      aheadAtMs: previous && loader.neighbours.announcedBefore(previous.id, previous.atMs),
      fetchingSinceMs, fetchProgressAtMs: progress?.atMs, fetchProgressMayStall: stalling || progress?.mayStall,
      primaryOffTrack: (peerId) => listed !== undefined && e.live.primaryOffTrack(peerId, listed),
    });
    if (plan.source === 'http') {
      if (waitedOut && plan.reason === 'urgent') loader.qoe.addFailure('noHolder');
      return httpOnce(plan.reason);
    }
    if (plan.source === 'wait') {
      if (fetchingSinceMs !== undefined && !claimWaited) {
        claimWaited = true;
        loader.claimWaits.waited++;
      }
      if (plan.progress && !followed) {
        followed = true;
        loader.claimWaits.followed++;
      }
      // A neighbour's fetch that still makes progress is followed past an earlier wait that ran out;
      // past the end of the buffer that costs a stall, which each neighbour may cost only once
      // until it delivers a segment (fetch-claims.js).
      if (plan.progress && plan.untilMs > bufferEndsAtMs && !stalling) {
        stalling = true;
        loader.claimWaits.stalled++;
        loader.neighbours.stalledOnProgress(id);
      }
      if (waitedOut && !plan.progress) {
        loader.qoe.addFailure('noHolder');
        return httpOnce('noHolder');
      }
      // Wake early when a busy neighbour frees up, or when a starting player's hold runs out.
      const wakes = loader.neighbours.busyEnds(t);
      if (heldSince !== null) wakes.push(heldSince + START_NEED_MS);
      const until = wakes.length ? Math.min(plan.untilMs, ...wakes) : plan.untilMs;
      if (fetchingSinceMs !== undefined) loader.log('wait', id, `${Math.round(until - t)} ms for a neighbour's fetch under way for ${Math.round(t - fetchingSinceMs)} ms`);
      const woken = await loader.waits.wait(id, until, req.signal);
      if (!woken && until === plan.untilMs) waitedOut = true;
      // A wake-up (an announcement, a channel opening, a neighbour's fetch under way) is no
      // attempt: on a busy site a long wait sees many before the segment arrives.
      if (woken && ++wakeups <= MAX_WAKEUPS) round--;
      continue;
    }
    const r = await loader.tryPeer(id, plan.peer, plan.deadlineMs, req);
    if (r.result) {
      loader.log('p2p', id, 'from', plan.peer, `in ${Math.round(loader.now() - t)} ms, asked with buffer ${Number(req.bufferS ?? 0).toFixed(2)} s ${Math.round(loader.now() - t0)} ms ago`);
      return loader.resultFor(r.result, req);
    }
    loader.neighbours.countFailure(plan.peer, r);
    if (r.fail === 'aborted') throw new Error('aborted');
    if (r.fail === 'integrity' || r.fail === 'unverified' || r.fail === 'timeout') return httpOnce(r.fail);
    if (r.fail !== 'busy') exclude.push(plan.peer);
  }
  return httpOnce('rounds');
}

/**
 * How long the backup leader gives the primary past its expected HTTP time. Each viewer refreshes
 * the live playlist on its own timer, so the primary may list a segment up to one target
 * duration after the backup did; a shorter grace makes the backup fetch most segments twice.
 * The scheduler's deadline still bounds the wait.
 * @param {import('./scheduler.js').Scheduler} scheduler
 * @param {number} [durationS]
 */
export function backupGrace(scheduler, durationS) {
  return Math.max(scheduler.backupGraceMs, durationS > 0 ? durationS * 1000 : 0);
}
