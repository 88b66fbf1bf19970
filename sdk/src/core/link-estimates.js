/**
 * What this viewer has measured of its two links, for the hybrid scheduler: its recent HTTP
 * fetches (and, until they tell, the site's figure from `welcome`) and its recent transfers from
 * neighbours, and the figures they give: how long an HTTP fetch or a neighbour's transfer of a
 * segment is expected to take, the HTTP throughput for ABR accounting, and what this viewer
 * reports to the appliance as its own.
 *
 * Separate from scheduler.js because it owns the state the decisions read: the samples change
 * with every transfer, while the rules stay a pure function of a request and these figures.
 * Whether the figures mean a congested link is the scheduler's judgement
 * (Scheduler#congested, CONGESTED_SITE_BPS). Scheduler extends this class, so the engine, the
 * loaders and the QoE report record and read the figures through the one scheduler they hold.
 *
 * @module core/link-estimates
 */

/** HTTP samples kept for the moving average. */
export const HTTP_SAMPLES = 8;
/** P2P samples kept for the LAN estimate. */
export const P2P_SAMPLES = 8;
/**
 * The smallest fetch whose time says how fast the link is: at scheduler.js's CONGESTED_SITE_BPS
 * (1 MB/s) 64 KiB take 64 ms, about what a request's own latency is on a busy desktop.
 */
export const RATE_SAMPLE_MIN_BYTES = 64 * 1024;
/**
 * How long a fetch counts towards the throughput this viewer reports to the appliance: a viewer
 * that no longer fetches (a colleague who took only its first fragments over HTTP) stops
 * reporting instead of repeating what its start measured.
 */
export const REPORT_WINDOW_MS = 60_000;

/** Within a factor of two of each other (both positive). */
function nearSize(a, b) {
  return a > 0 && b > 0 && a <= 2 * b && b <= 2 * a;
}

/** Recent HTTP and LAN transfers, and the expected times and throughputs they give. */
export class LinkEstimates {
  /**
   * @param {object} options
   * @param {() => number} options.now clock in ms (performance.now in the browser)
   * @param {number} options.defaultHttpMs HTTP time estimate before any sample
   */
  constructor({ now, defaultHttpMs }) {
    this.now = now;
    this.defaultHttpMs = defaultHttpMs;
    /** @type {{bytes: number, ms: number, durationS?: number, at: number}[]} newest last */
    this.samples = [];
    /** @type {{bytes: number, ms: number}[]} completed P2P transfers, newest last */
    this.p2pSamples = [];
    /** @type {number|undefined} the site's HTTP throughput (bits/s) from `welcome`, until our own fetches tell */
    this.siteHttpBps = undefined;
  }

  /**
   * Records a completed HTTP fetch for the HTTP time estimate.
   * @param {{bytes: number, ms: number, durationS?: number}} sample
   */
  recordHttp({ bytes, ms, durationS }) {
    if (!(bytes > 0 && ms >= 0)) return;
    this.samples.push({ bytes, ms, durationS, at: this.now() });
    if (this.samples.length > HTTP_SAMPLES) this.samples.shift();
  }

  /**
   * The site's HTTP throughput as the appliance reported it (`welcome.siteHttpKbps`): the HTTP
   * estimate until this viewer has measured fetches of its own.
   * @param {number|undefined} bps
   */
  setSiteHttpBps(bps) {
    this.siteHttpBps = Number.isFinite(bps) && bps > 0 ? bps : undefined;
  }

  /**
   * Whether anything tells how fast HTTP is for this segment: own fetches, or the site's figure
   * when the segment's size is known (without it the site's figure gives no time).
   * @param {{sizeBytes?: number}} [segment]
   */
  httpMeasured({ sizeBytes } = {}) {
    if (this.siteHttpBps !== undefined && sizeBytes > 0) return true;
    if (this.samples.length === 0) return false;
    if (!(sizeBytes > 0)) return true;
    // A known size needs a fetch of about that size, or one large enough to show the link's speed.
    return this.samples.some((s) => nearSize(s.bytes, sizeBytes)) || this.ownHttpThroughputBps(RATE_SAMPLE_MIN_BYTES) !== undefined;
  }

  /**
   * Records a completed P2P transfer (request to last verified byte) for the LAN estimate.
   * @param {{bytes: number, ms: number}} sample
   */
  recordP2p({ bytes, ms }) {
    if (!(bytes > 0 && ms >= 0)) return;
    this.p2pSamples.push({ bytes, ms });
    if (this.p2pSamples.length > P2P_SAMPLES) this.p2pSamples.shift();
  }

  /**
   * Estimated time to get a segment from a neighbour: recent P2P throughput scaled to the size,
   * else the mean of recent transfers.
   * @param {{sizeBytes?: number}} [segment]
   * @returns {number|undefined} ms, undefined before any P2P transfer completed
   */
  estimateP2pMs({ sizeBytes } = {}) {
    const n = this.p2pSamples.length;
    if (n === 0) return undefined;
    const ms = this.p2pSamples.reduce((sum, x) => sum + x.ms, 0);
    if (sizeBytes > 0) return (ms / this.p2pSamples.reduce((sum, x) => sum + x.bytes, 0)) * sizeBytes;
    return ms / n;
  }

  /**
   * Estimated time to fetch a segment over HTTP: the mean of recent fetches of similar size
   * (within a factor of two), else recent throughput scaled to the size, else the default.
   * @param {{sizeBytes?: number, durationS?: number}} [segment]
   * @returns {number} ms
   */
  estimateHttpMs({ sizeBytes, durationS } = {}) {
    const unmeasured = () => (this.siteHttpBps !== undefined && sizeBytes > 0 ? (sizeBytes * 8 * 1000) / this.siteHttpBps : this.defaultHttpMs);
    if (this.samples.length === 0) return unmeasured();
    let similar;
    if (sizeBytes > 0) {
      similar = this.samples.filter((s) => nearSize(s.bytes, sizeBytes));
      if (similar.length === 0) {
        // Scaled by the throughput of fetches large enough to show it: a DASH init segment's
        // 772 bytes in 19 ms are one request's latency, and scaled to a 68 kB segment they read
        // as 1.7 s, a congested link where there is none.
        const bps = this.ownHttpThroughputBps(RATE_SAMPLE_MIN_BYTES);
        return bps !== undefined ? (sizeBytes * 8 * 1000) / bps : unmeasured();
      }
    } else if (durationS > 0) {
      similar = this.samples.filter((s) => nearSize(s.durationS, durationS));
    }
    if (!similar || similar.length === 0) similar = this.samples;
    return similar.reduce((n, s) => n + s.ms, 0) / similar.length;
  }

  /**
   * Recent HTTP throughput, for ABR accounting of P2P deliveries (see bandwidth.js).
   * @returns {number|undefined} bits per second, undefined before any sample
   */
  httpThroughputBps() {
    return this.ownHttpThroughputBps() ?? this.siteHttpBps;
  }

  /**
   * This viewer's own recent HTTP throughput (bits/s), from fetches of at least `minBytes`.
   * @param {number} [minBytes]
   * @returns {number|undefined} undefined before any such fetch
   */
  ownHttpThroughputBps(minBytes = 0) {
    const samples = minBytes > 0 ? this.samples.filter((s) => s.bytes >= minBytes) : this.samples;
    const ms = samples.reduce((n, s) => n + s.ms, 0);
    if (samples.length === 0 || ms <= 0) return undefined;
    return (samples.reduce((n, s) => n + s.bytes, 0) * 8 * 1000) / ms;
  }

  /**
   * What this viewer reports to the appliance as its HTTP throughput, for the site's figure that
   * later joiners take as a sign of congestion (Scheduler#congested): the fastest of its fetches of
   * at least {@link RATE_SAMPLE_MIN_BYTES} in the last {@link REPORT_WINDOW_MS}.
   * - Only large fetches: a smaller one takes about one request's latency on any link, so it
   *   measures the latency, not the link (DASH's audio and init segments made an uncongested site
   *   look like one under 8 Mbit/s).
   * - The fastest, not the mean: a fetch is never faster than the link allows, but a busy desktop
   *   (a page starting beside others, a browser behind on its work) makes a fast link's fetches
   *   slow now and then. The mean of a starting viewer's fetches pulled an open site's figure
   *   under 8 Mbit/s, and the viewers who joined then treated their open link as congested.
   *   On a thin link every fetch is slow, the fastest included.
   * - Recent only: what a viewer fetched at its start says little a minute later.
   * @returns {number|undefined} bits per second, undefined without such a fetch
   */
  reportedHttpBps() {
    let best;
    for (const s of this.reportedSamples()) {
      const bps = (s.bytes * 8 * 1000) / Math.max(s.ms, 1);
      if (best === undefined || bps > best) best = bps;
    }
    return best;
  }

  /** The fetches {@link reportedHttpBps} takes its figure from. */
  reportedSamples() {
    const since = this.now() - REPORT_WINDOW_MS;
    return this.samples.filter((s) => s.bytes >= RATE_SAMPLE_MIN_BYTES && s.at >= since);
  }
}
