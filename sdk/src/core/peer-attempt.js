/**
 * One P2P attempt for a segment: ask a neighbour that announced it, and keep the bytes only once
 * they match the appliance's hash.
 *
 * The attempt is bounded by the deadline the scheduler gave it and by progress: a neighbour that
 * sends nothing for the loader's idle timeout is given up, well before a dead SCTP association
 * would be noticed. One that keeps sending a little (under the idle timeout each time) is told
 * apart at the deadline: a transfer that ran at least the idle timeout, at a pace that would take
 * longer than the segment plays and than {@link CRAWL_FACTOR} idle timeouts for the whole segment,
 * `crawled`, which neighbours.js counts like silence. An honest neighbour on the LAN sends a
 * segment in a fraction of its duration; one that crawls is overloaded, throttled, or dripping
 * bytes on purpose to hold its colleagues' requests until their deadlines.
 *
 * The appliance is asked for the segment's hash (anchor.js) at the same time as the neighbour for
 * its bytes, so verifying adds no round trip. A verified copy is counted (QoE, the LAN estimate,
 * the neighbour's score) and kept in the store to serve others; every other outcome is a `fail`
 * reason for the caller to count and re-plan on.
 *
 * Used by the player's loads (segment-loader.js), the rescue of a slow HTTP fetch
 * (http-rescue.js) and the live prefetch (live-prefetch.js), always through
 * {@link SegmentLoader#tryPeer}.
 *
 * @module core/peer-attempt
 */

/**
 * A transfer cut at its deadline crawled when, having run at least the idle timeout, its pace
 * would have taken longer for the whole segment than the segment plays and than this many idle
 * timeouts (4 s by default, for the segments too short to say).
 */
export const CRAWL_FACTOR = 2;

/**
 * Whether a transfer cut at its deadline crawled (see {@link CRAWL_FACTOR}).
 * @param {object} t
 * @param {number} t.elapsedMs since the request
 * @param {number} t.received bytes in
 * @param {number} t.length the announced length, -1 before `response-start`
 * @param {number} t.idleTimeoutMs
 * @param {number} [t.durationMs] how long the segment plays, when the playlist said
 */
export function crawled({ elapsedMs, received, length, idleTimeoutMs, durationMs = 0 }) {
  if (elapsedMs < idleTimeoutMs) return false;
  if (length < 0 || received <= 0) return true;
  const wholeMs = Math.max(CRAWL_FACTOR * idleTimeoutMs, durationMs);
  return received * wholeMs < length * elapsedMs;
}

/**
 * @param {import('./segment-loader.js').SegmentLoader} loader its neighbours, anchor, listing,
 *   scheduler, QoE, store (`keep`), timers, clock and idle timeout
 * @param {string} id
 * @param {string} peerId
 * @param {number} deadlineMs
 * @param {{url?: string, range?: object, sequence?: number, track?: string, durationS?: number, signal?: object, onTransferStart?: Function}} req
 * @returns {Promise<{result?: {bytes: Uint8Array, source: 'p2p'}, fail?: string, crawled?: boolean, segment?: string, anchorError?: string}>}
 */
export function askPeer(loader, id, peerId, deadlineMs, req) {
  const peer = loader.neighbours.usable(peerId);
  if (!peer) return Promise.resolve({ fail: 'gone' });
  const url = req.url ?? loader.listing(id)?.url ?? id;
  const expected = loader.anchor.get(id, url, req.url ? req.range : loader.listing(id)?.range);
  req.onTransferStart?.('p2p');
  const startedAt = loader.now();
  let receivedAt = null;
  const r = peer.request(id, { expected, onReceived: () => { receivedAt = loader.now(); } });
  return new Promise((resolve) => {
    let settled = false;
    let last = -1;
    let lastAt = startedAt;
    const onAbort = () => { r.cancel(); finish({ fail: 'aborted' }); };
    const finish = (out) => {
      if (settled) return;
      settled = true;
      loader.timers.clearTimeout(deadline);
      loader.timers.clearInterval(idle);
      // The player's signal outlives this attempt (a re-plan tries another neighbour): no listener is left behind.
      req.signal?.removeEventListener?.('abort', onAbort);
      loader.engine.health.record(peerId, out);
      resolve(out);
    };
    const deadline = loader.timers.setTimeout(() => {
      // What held it up: the neighbour's bytes, or the appliance's answer for them.
      loader.log('p2p timeout', id, 'from', peerId, `after ${Math.round(loader.now() - startedAt)} ms: ${r.received()} bytes in${r.complete() ? ', all' : ''}, the appliance's hash ${loader.anchor.peek(id) ? 'in' : 'not in yet'}`);
      const durationS = req.durationS ?? loader.listing(id)?.durationS;
      const crawl = !r.complete() && crawled({
        elapsedMs: loader.now() - startedAt, received: r.received(), length: r.length(),
        idleTimeoutMs: loader.idleTimeoutMs, durationMs: durationS > 0 ? durationS * 1000 : 0,
      });
      r.cancel();
      finish(crawl ? { fail: 'timeout', crawled: true } : { fail: 'timeout' });
    }, Math.max(0, deadlineMs - loader.now()));
    const idle = loader.timers.setInterval(() => {
      const got = r.received();
      // Every byte in and waiting for the appliance's answer: the neighbour is not silent.
      if (got !== last || r.complete()) { last = got; lastAt = loader.now(); return; }
      if (loader.now() - lastAt >= loader.idleTimeoutMs) { r.cancel(); finish({ fail: 'idle' }); }
    }, Math.max(10, Math.floor(loader.idleTimeoutMs / 4)));
    if (req.signal?.aborted) onAbort();
    else req.signal?.addEventListener?.('abort', onAbort, { once: true });
    r.done.then(async (bytes) => {
      if (settled) return;
      // Request to last byte, like the HTTP samples: neither hashing nor the appliance's answer is the LAN's time.
      loader.scheduler.recordP2p({ bytes: bytes.length, ms: (receivedAt ?? loader.now()) - startedAt });
      // Resolved already: the transfer released the bytes because they match it.
      const anchor = await expected;
      loader.neighbours.received(peerId, bytes.length);
      loader.qoe.addP2pBytes(bytes.length);
      loader.keep(id, bytes, { sha256: anchor.sha256, source: 'p2p', sequence: req.sequence, track: req.track });
      finish({ result: { bytes, source: 'p2p' } });
    }, (err) => {
      const code = err && err.code;
      if (code === 'integrity') finish({ fail: 'integrity', segment: url });
      else if (code === 'unverified') finish({ fail: 'unverified', anchorError: err.anchorError });
      else finish({ fail: code === 'remote' ? err.remoteCode : code === 'gone' ? 'gone' : code === 'cancelled' ? 'aborted' : 'gone' });
    });
  });
}
