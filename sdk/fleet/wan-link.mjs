// What each site's WAN link carried toward the site, read from the link itself: the transmit
// counter of the router's end of the link (topology.mjs), sampled through the run. The access log
// says what the origin wrote into its sockets, which on a thin link is more than crossed it: a
// response the player abandons (an HTTP fetch the SDK replaced with a neighbour's copy) is logged
// whole although most of it was still in the origin's socket buffer when the connection closed.
import { execFile } from 'node:child_process';

const IP = process.env.IP_COMMAND || 'ip';

/** Transmit byte counters of the router namespace's interfaces, by name (`ip -s -j link`), or null. */
function readTxBytes(namespace) {
  return new Promise((resolveRead) => {
    execFile(IP, ['-n', namespace, '-s', '-j', 'link', 'show'], { timeout: 5000, encoding: 'utf8' }, (error, stdout) => {
      if (error) {
        resolveRead(null);
        return;
      }
      try {
        const counters = new Map();
        for (const link of JSON.parse(stdout)) {
          const bytes = link.stats64?.tx?.bytes ?? link.stats?.tx?.bytes;
          if (Number.isFinite(bytes)) counters.set(link.ifname, bytes);
        }
        resolveRead(counters);
      } catch {
        resolveRead(null);
      }
    });
  });
}

/**
 * Samples every site's WAN transmit counter every `intervalMs` until `stop()`, which takes one
 * last sample and returns a Map site → [[wall ms, bytes], …] (a site whose counter could not be read
 * has no samples).
 */
export function sampleWanLinks(topology, { intervalMs = 250 } = {}) {
  const series = new Map();
  for (let site = 1; site <= topology.sites; site += 1) series.set(site, []);
  let inFlight = null;
  let stopped = null;
  const sample = async () => {
    const wall = Date.now();
    const counters = await readTxBytes(topology.router);
    for (const [site, points] of series) {
      const bytes = counters?.get(topology.wanInterface(site));
      if (Number.isFinite(bytes)) points.push([wall, bytes]);
    }
  };
  // A tick that finds the previous read still running is skipped: reads never pile up.
  const tick = () => {
    if (!inFlight) inFlight = sample().finally(() => { inFlight = null; });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    /** Ends the sampling with one last sample; later calls (the topology's clean-up) read nothing more. */
    stop() {
      if (!stopped) {
        clearInterval(timer);
        stopped = Promise.resolve(inFlight).then(sample).then(() => series);
      }
      return stopped;
    },
  };
}

/** Bytes all the links carried over their samples (Σ over sites of last − first), or null without samples. */
export function linkTotal(series) {
  const spans = [...series.values()].filter((points) => points.length > 0);
  return spans.length === 0 ? null : spans.reduce((sum, points) => sum + points[points.length - 1][1] - points[0][1], 0);
}

/**
 * Each site's link, second by second from `originWall` (ms): {site: [kbit/s in second 0, 1, …]},
 * from the samples that fall in each second (the first sample before it is the baseline).
 */
export function wanTimeline(series, originWall) {
  const out = {};
  for (const [site, points] of series) {
    const seconds = [];
    for (let i = 1; i < points.length; i += 1) {
      const second = Math.floor((points[i][0] - originWall) / 1000);
      if (second < 0) continue;
      seconds[second] = (seconds[second] ?? 0) + points[i][1] - points[i - 1][1];
    }
    out[site] = Array.from(seconds, (bytes) => Math.round(((bytes ?? 0) * 8) / 1000));
  }
  return out;
}
