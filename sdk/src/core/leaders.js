/**
 * Site leaders: which leader fetches a live segment over HTTP first (docs/protocol.md
 * "Site leaders"). Every viewer of a site computes the same order from the appliance's leader
 * list, so this must stay bit-for-bit identical to the documented rule: FNV-1a 32-bit over UTF-8,
 * highest weight first, ties by the smaller peer id in UTF-16 code unit order.
 *
 * @module core/leaders
 */

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const utf8 = new TextEncoder();

/**
 * FNV-1a 32-bit of the UTF-8 bytes of `text`.
 * @param {string} text
 * @returns {number} unsigned 32-bit hash
 */
export function fnv1a(text) {
  let h = FNV_OFFSET_BASIS;
  for (const b of utf8.encode(text)) h = Math.imul(h ^ b, FNV_PRIME) >>> 0;
  return h;
}

/**
 * The rendezvous weight of `peerId` for `segmentId`.
 * @param {string} segmentId
 * @param {string} peerId
 * @returns {number} unsigned 32-bit weight
 */
export function leaderWeight(segmentId, peerId) {
  return fnv1a(`${segmentId}|${peerId}`);
}

/**
 * Ranks the site's leaders for one segment: primary first, then the backup, and so on.
 * @param {string} segmentId stable segment identity (the same on every viewer of the stream)
 * @param {Iterable<string>} leaders peer ids from the `leaders` signaling message, in any order
 * @returns {string[]} a new array
 */
export function rankLeaders(segmentId, leaders) {
  return [...leaders]
    .map((peerId) => ({ peerId, weight: leaderWeight(segmentId, peerId) }))
    .sort((a, b) => b.weight - a.weight || (a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0))
    .map((w) => w.peerId);
}
