/**
 * Keeps peer-connection set-up out of the way of a player's start.
 *
 * A viewer who joins a popular stream is handed several neighbours at once, and each one costs
 * an RTCPeerConnection: offer and answer, ICE gathering, a DTLS handshake and an SCTP
 * association. Done while the player loads its first fragments, that work competes with them
 * for the page's thread and the machine's cores, and a late joiner starts later than the first
 * viewer did (issue: start-up must not depend on the audience). On an uncongested link the
 * first fragments come over HTTP anyway (an empty buffer cannot afford a P2P attempt), so
 * nothing is lost by connecting to neighbours right after the first `playing`.
 *
 * The gate holds the appliance's `neighbour` messages, and the `signal` messages of those
 * neighbours, until the player is playing (live and VOD alike: a VOD page that connected once its
 * first fragment arrived started 100–300 ms later than over HTTP, with 8 viewers), then creates
 * the held connections one at a time a few tens of milliseconds apart. It opens at once:
 * - when the site's link is congested (`Scheduler#congested`: the appliance's `siteHttpKbps` at
 *   `welcome`, or this viewer's HTTP estimate for a segment it loads): there, a neighbour on the
 *   LAN is the fastest source of the first fragments and every fetch the viewer does not make
 *   over the WAN helps the site;
 * - at the latest {@link DEFAULT_MAX_HOLD_MS} after it first held a neighbour, well within the
 *   neighbour's own connect timeout (peer.js), whether or not the player started.
 *
 * @module core/peer-gate
 */

/** The longest a held neighbour waits (the other side reports a failed connect after 5 s). */
export const DEFAULT_MAX_HOLD_MS = 2500;
/** Time between two held connections being created once the gate opens. */
export const DEFAULT_STAGGER_MS = 50;
/** Signals kept per held neighbour (an offer and its trickled candidates). */
export const MAX_HELD_SIGNALS = 64;

export class PeerGate {
  /**
   * @param {object} options
   * @param {(neighbour: {peer: string, offer?: boolean, site?: string}, signals: object[]) => void} options.connect
   *   creates the connection for a neighbour and hands it the signals that arrived meanwhile
   * @param {boolean} [options.holding] start closed (the player has not started); default open
   * @param {{setTimeout: Function, clearTimeout: Function}} [options.timers]
   * @param {() => number} [options.now]
   * @param {number} [options.maxHoldMs]
   * @param {number} [options.staggerMs]
   */
  constructor({ connect, holding = false, timers = globalThis, now = () => globalThis.performance.now(),
    maxHoldMs = DEFAULT_MAX_HOLD_MS, staggerMs = DEFAULT_STAGGER_MS }) {
    this.connect = connect;
    this.timers = timers;
    this.now = now;
    this.maxHoldMs = maxHoldMs;
    this.staggerMs = staggerMs;
    this.holding = holding;
    /** @type {Map<string, {neighbour: object, signals: object[]}>} held neighbours, in arrival order */
    this.held = new Map();
    this.holdTimer = null;
    this.staggerTimer = null;
    /** When a holding gate opened, for start-up analysis; null while it holds and when it never held. */
    this.openedAtMs = null;
    /** Why it opened: 'started', 'congested', 'timeout', or 'open' when it never held. */
    this.openedBy = holding ? null : 'open';
  }

  /** Whether new neighbours are connected at once. */
  get isOpen() {
    return !this.holding;
  }

  /** Neighbours waiting for the gate (or for their turn once it opened). */
  get heldCount() {
    return this.held.size;
  }

  /**
   * Takes a `neighbour` message: false when the caller should connect now; true when the gate
   * holds it (a repeated message for a held neighbour replaces it and drops its old signals).
   */
  hold(neighbour) {
    if (!this.holding && this.held.size === 0) return false;
    this.held.delete(neighbour.peer);
    this.held.set(neighbour.peer, { neighbour, signals: [] });
    if (this.holding && this.holdTimer === null) {
      this.holdTimer = this.timers.setTimeout(() => {
        this.holdTimer = null;
        this.open('timeout');
      }, this.maxHoldMs);
    }
    return true;
  }

  /** Takes a relayed `signal` message: true when it belongs to a held neighbour (kept for it). */
  signal(m) {
    const entry = this.held.get(m.from);
    if (!entry) return false;
    if (entry.signals.length < MAX_HELD_SIGNALS) entry.signals.push(m);
    return true;
  }

  /** A held neighbour left (`neighbour-gone`): forget it. */
  drop(id) {
    this.held.delete(id);
  }

  /** Forgets every held neighbour (a rejoin: the appliance sends `neighbour` again for each). */
  clear() {
    this.held.clear();
  }

  /** Opens the gate (idempotent) and connects the held neighbours one at a time. */
  open(reason) {
    if (this.holdTimer !== null) {
      this.timers.clearTimeout(this.holdTimer);
      this.holdTimer = null;
    }
    if (this.holding) {
      this.holding = false;
      this.openedAtMs = Math.round(this.now());
      this.openedBy = reason;
    }
    this.next();
  }

  next() {
    if (this.staggerTimer !== null) return;
    const first = this.held.entries().next();
    if (first.done) return;
    const [id, { neighbour, signals }] = first.value;
    this.held.delete(id);
    try {
      this.connect(neighbour, signals);
    } finally {
      if (this.held.size > 0) {
        this.staggerTimer = this.timers.setTimeout(() => {
          this.staggerTimer = null;
          this.next();
        }, this.staggerMs);
      }
    }
  }

  /** Stops the timers; held neighbours are dropped. */
  destroy() {
    if (this.holdTimer !== null) this.timers.clearTimeout(this.holdTimer);
    if (this.staggerTimer !== null) this.timers.clearTimeout(this.staggerTimer);
    this.holdTimer = null;
    this.staggerTimer = null;
    this.held.clear();
  }
}
