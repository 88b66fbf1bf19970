/**
 * What this viewer tells the appliance of itself. In `hello`: the stream, the SDK version, the
 * token, its network and Save-Data (navigator.connection), whether the page lets it upload, its
 * measured upload capacity, that it understands the data-channel `fetching` message and, where the
 * appliance offers no STUN responder, whether its browser hides its addresses behind mDNS names
 * (mdns-probe.js). In each QoE report: its own HTTP throughput and upload capacity, once measured
 * ({@link withThroughput}); and one report early, as soon as its own fetches show the site's link
 * congested ({@link EarlyLinkReport}).
 *
 * Separate from engine.js because the `hello` fields outlive a socket: the signaling client sends
 * the same object again on every reconnect, so it is kept current here (the upload capacity, the
 * probe's answer), and the probe runs at most once for all the sockets of one join. The engine
 * only says when to start and what changed.
 *
 * @module core/self-report
 */

/** Fetches large enough to show the link's speed that an early report waits for, all slow. */
export const EARLY_REPORT_FETCHES = 2;

/**
 * The network type for `hello` and the upload policy, from navigator.connection.
 * @param {{type?: string, saveData?: boolean}|undefined} connection
 * @returns {{network: 'ethernet'|'wifi'|'cellular'|'unknown', saveData: boolean}}
 */
export function networkInfo(connection) {
  const type = connection && connection.type;
  const network = type === 'ethernet' || type === 'wifi' || type === 'cellular' ? type : 'unknown';
  return { network, saveData: !!(connection && connection.saveData) };
}

/** The `hello` fields of one join, and what each socket of it waits for before sending them. */
export class Hello {
  /**
   * @param {object} options
   * @param {string} options.stream
   * @param {string} options.sdkVersion
   * @param {string} [options.token] viewer token
   * @param {{type?: string, saveData?: boolean}} [options.connection] navigator.connection
   * @param {boolean} options.upload whether the page lets this viewer upload
   * @param {number} options.uploadKbps measured upload capacity, 0 while unknown
   * @param {(o: object) => Promise<boolean>} options.probeMdns mdns-probe.js, or a test's stand-in
   * @param {Function} options.RTCPeerConnection
   * @param {object} options.timers
   */
  constructor({ stream, sdkVersion, token, connection, upload, uploadKbps, probeMdns, RTCPeerConnection, timers }) {
    // Facts only: whether this viewer uploads is the appliance's decision (`policy.upload`).
    const { network, saveData } = networkInfo(connection);
    /** The fields the signaling client sends (other than `v` and `resume`), on every socket. */
    this.fields = {
      stream, sdk: sdkVersion,
      // fetching: this SDK understands the data-channel `fetching` message (the appliance tells neighbours).
      caps: { upload, network, saveData, uploadKbps, fetching: true },
    };
    if (token) this.fields.token = token;
    this.probeMdns = probeMdns;
    this.RTCPeerConnection = RTCPeerConnection;
    this.timers = timers;
    this.probe = null;
    this.probed = false;
  }

  /**
   * The measured upload capacity changed: the next `hello` (a reconnect) declares it.
   * @param {number} kbps
   */
  setUploadKbps(kbps) {
    this.fields.caps.uploadKbps = kbps;
  }

  /**
   * The signaling client's `helloAfter`: what a socket's `hello` waits for, given its `ready`.
   * Without the appliance's STUN responder, the appliance pairs a viewer whose browser hides its
   * addresses only on its own link, so `hello` says so and waits for the mDNS probe (bounded,
   * mdns-probe.js). With it (`ready.stun`, the default) the probe is not run at all: its peer
   * connection would compete with the player's start and hold the join back a few hundred ms.
   * Asked on every socket: a reconnect that reaches an appliance without the responder (restarted
   * with it off) runs the probe then, once; later sockets reuse its answer.
   * @param {{stun?: boolean}|null} ready
   * @returns {Promise<void>|null}
   */
  after(ready) {
    if ((ready && ready.stun) || this.probed) return null;
    if (!this.probe) {
      this.probe = this.probeMdns({ RTCPeerConnection: this.RTCPeerConnection, timers: this.timers }).then((mdns) => {
        if (mdns) this.fields.caps.mdns = true;
      }, () => {}).then(() => { this.probed = true; });
    }
    return this.probe;
  }
}

/**
 * Adds this viewer's own HTTP throughput (so the appliance can tell later joiners) and its
 * measured upload capacity (for the console) to a QoE report, each once measured.
 * @param {object} body the report from qoe.js
 * @param {{reportedHttpBps(): number|undefined}} scheduler link-estimates.js's figure
 * @param {{capacityKbps(): number}} uploadMeter
 * @returns {object} a copy of `body` with `httpKbps` and `uploadKbps` where known
 */
export function withThroughput(body, scheduler, uploadMeter) {
  const out = { ...body };
  const bps = scheduler.reportedHttpBps();
  if (bps > 0) out.httpKbps = Math.round(bps / 1000);
  const uploadKbps = uploadMeter.capacityKbps();
  if (uploadKbps > 0) out.uploadKbps = uploadKbps;
  return out;
}

/**
 * The one report a viewer sends before its next periodic one (every 10 s, qoe.js): as soon as
 * its own fetches show the site's link congested. The appliance tells the viewers who join the
 * site the figure in `welcome` (`siteHttpKbps`), and a joiner told of a congested link takes its
 * first fragments from colleagues on the LAN instead of adding fetches to the link. Without it,
 * in a site the appliance had no figure for (a fresh appliance, a site not seen for a day), the
 * viewers who joined in the first viewer's first 10 s each started a fetch over the thin link
 * that a colleague's copy then replaced, and the leader's own fetches shared the link with them.
 *
 * It waits for {@link EARLY_REPORT_FETCHES} fetches large enough to show the link's speed and
 * sends only when the fastest of them is under the congestion threshold
 * (Scheduler#reportedCongested): a single fetch on a cold connection, or on a desktop busy with
 * starting the page, can be slow on an open link, and a figure that only says "open" changes
 * nothing for a joiner (it is the default). Later figures come with the periodic reports.
 */
export class EarlyLinkReport {
  /**
   * @param {object} options
   * @param {{reportedCongested(fetches: number): boolean}} options.scheduler scheduler.js
   * @param {() => boolean} options.send sends a QoE report now; false when it could not (no socket yet)
   */
  constructor({ scheduler, send }) {
    this.scheduler = scheduler;
    this.send = send;
    /** Whether the early report went out; at most one per page's player. */
    this.sent = false;
  }

  /**
   * Sends the early report if it is due: after each completed HTTP fetch (recorded in the link
   * estimates), and at `welcome` for fetches made before the socket had joined.
   */
  check() {
    if (this.sent || !this.scheduler.reportedCongested(EARLY_REPORT_FETCHES)) return;
    this.sent = this.send();
  }
}
