// Network-namespace topology for the fleet: a router namespace holding the appliance (which is
// also the demo origin) and, per site, a branch gateway namespace joined to the router by one
// veth pair — the site's WAN link — with the site's LAN behind it: one bridge per subnet, and one
// viewer namespace per subnet on that bridge. Nothing is created in the host's namespace: every
// link is made with `ip -n` inside the namespaces, IP forwarding is switched on in the router and
// gateway namespaces only, and the host's sysctls, routes and interfaces are never touched.
//
//   router sgf-<run>-r:  w<k> 10.99.T.a+1/30 ── veth (WAN link of site k, shaped by wanRateKbit)
//                                                 └─ gateway sgf-<run>-g<k>: wan 10.99.T.a+2/30,
//                                                    10.99.0.0/16 via the router; br<j> 10.99.X.1/24
//                                                    └─ veth p<j> ─ viewers sgf-<run>-s<k>[-<j>]:
//                                                       eth0 10.99.X.2/24, default via 10.99.X.1
//
// Subnet j (1..N) of site k is 10.99.X.0/24 with X = k·P + j − 1, where P is N rounded up to a
// power of two, so site k's subnets are exactly the CIDR block 10.99.k·P.0/(24 − log2 P) (its
// covering range in the appliance's site map). With N = 1 site k is 10.99.k.0/24 as before.
// The WAN transfer links live in 10.99.252.0/22, outside every site.
//
// A gateway routes only the test range, no default: a packet a viewer sends anywhere else (a
// WebRTC connectivity check toward a public candidate, say) reaches its gateway, finds no route
// and is counted there (`IpExt: InNoRoutes` of the gateway's /proc/net/netstat, see fleet.mjs), so a
// run can show that nothing tried to leave the LAN without any packet filter installed. The
// viewers keep their default route: WebRTC needs one to gather host candidates.
//
// Names carry the owning process id, so a later run can tell leftovers of a dead run (owner
// gone) from a run still in progress, and delete only the former.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every address the fleet uses is inside this range; Chromium may resolve nothing else. */
export const TEST_RANGE = '10.99.0.0/16';
export const NAME_PREFIX = 'sgf-';
const NAME_PATTERN = /^sgf-(\d+)-/;

const IP = process.env.IP_COMMAND || 'ip';

/** Runs `ip ...` synchronously (also usable from an 'exit' handler); throws with stderr. */
export function ip(args, { quiet = false } = {}) {
  try {
    return execFileSync(IP, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if (quiet) {
      return '';
    }
    const stderr = error.stderr ? String(error.stderr).trim() : '';
    throw new Error(`ip ${args.join(' ')} failed: ${stderr || error.message}`);
  }
}

/** First third octet of the WAN transfer links (10.99.252.0/22); sites stay below it. */
const TRANSFER_OCTET = 252;

/** Subnets per site rounded up to a power of two: the size of a site's block of /24s. */
export function subnetBlock(subnetsPerSite = 1) {
  return 2 ** Math.ceil(Math.log2(subnetsPerSite));
}

/** The viewer address of subnet `subnet` (1..N) of site `site`. */
export function siteAddress(site, subnet = 1, subnetsPerSite = 1) {
  return `10.99.${site * subnetBlock(subnetsPerSite) + subnet - 1}.2`;
}

/** The CIDR block holding every subnet of a site (what the appliance's site map must say). */
export function siteCidr(site, subnetsPerSite = 1) {
  const block = subnetBlock(subnetsPerSite);
  return `10.99.${site * block}.0/${24 - Math.log2(block)}`;
}

/** Addresses of site k's WAN link: the router's end and the gateway's end of a /30. */
export function wanLinkAddresses(site) {
  const offset = 4 * (site - 1);
  const prefix = `10.99.${TRANSFER_OCTET + Math.floor(offset / 256)}`;
  return { router: `${prefix}.${(offset % 256) + 1}`, gateway: `${prefix}.${(offset % 256) + 2}` };
}

/** The router's end of site k's WAN link (a veth in the router namespace). */
export function wanInterface(site) {
  return `w${site}`;
}

/** The router's (appliance's) address on site k's WAN link: what site k's viewers open. */
export function routerAddress(site) {
  return wanLinkAddresses(site).router;
}

/** The largest site count that fits the address plan for `subnetsPerSite`. */
export function maxSites(subnetsPerSite = 1) {
  return Math.min(200, Math.floor(TRANSFER_OCTET / subnetBlock(subnetsPerSite)) - 1);
}

/** The site (1..K) a viewer address of the test range belongs to, or null (gateways, links, others). */
export function siteOfAddress(address, subnetsPerSite = 1) {
  const match = /^10\.99\.(\d+)\.(\d+)$/.exec(address);
  if (!match || match[2] === '1' || Number(match[1]) >= TRANSFER_OCTET) {
    return null;
  }
  const site = Math.floor(Number(match[1]) / subnetBlock(subnetsPerSite));
  return site >= 1 ? site : null;
}

/**
 * tbf parameters for a WAN rate. burst ≈ 10 ms at the rate (≥ 1600 B, one full-size Ethernet
 * frame with room to spare): a real branch router shapes smoothly, and a larger bucket would let
 * whole segments through at line speed and hide the limit. latency 300 ms: the queue a branch
 * router keeps (rate × 300 ms of bytes) — enough that TCP does not lose packets at every
 * burst of a fragment, short of the seconds of bufferbloat that would inflate every RTT.
 */
export function tbfArgs(rateKbit) {
  const burst = Math.max(1600, Math.round((rateKbit * 1000 / 8) * 0.010));
  return ['tbf', 'rate', `${rateKbit}kbit`, 'burst', String(burst), 'latency', '300ms'];
}

/**
 * Slows the UDP that a viewer's namespace sends to `rateKbit` (an HTB class that only UDP is
 * classified into; everything else, TCP for HTTP and signaling included, is not limited): what
 * an endpoint firewall or a saturated Wi-Fi that throttles UDP does to a viewer whose data
 * channels are already open. ICE's small consent checks still pass, so the connections stay up
 * while transfers over them crawl. Gone with the namespace.
 */
export function throttleUdp(namespace, rateKbit) {
  const rate = `${rateKbit}kbit`;
  tc(namespace, ['qdisc', 'add', 'dev', 'eth0', 'root', 'handle', '1:', 'htb', 'default', '20', 'r2q', '1']);
  tc(namespace, ['class', 'add', 'dev', 'eth0', 'parent', '1:', 'classid', '1:20', 'htb', 'rate', '10gbit', 'quantum', '60000']);
  tc(namespace, ['class', 'add', 'dev', 'eth0', 'parent', '1:', 'classid', '1:10', 'htb', 'rate', rate, 'ceil', rate, 'quantum', '1514']);
  tc(namespace, ['filter', 'add', 'dev', 'eth0', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32',
    'match', 'ip', 'protocol', '17', '0xff', 'flowid', '1:10']);
}

/**
 * Blocks the UDP that a viewer's namespace sends (TCP, for HTTP and signaling, untouched): an
 * endpoint firewall that blocks WebRTC, so that no data channel to or from the viewer opens. This
 * machine's kernel has no tc drop action, so UDP goes to a class of 8 bit/s with a one-packet
 * queue: a packet every minute or two gets out, and no ICE check, DTLS or SCTP handshake survives
 * that. Gone with the namespace.
 */
export function blockUdp(namespace) {
  tc(namespace, ['qdisc', 'add', 'dev', 'eth0', 'root', 'handle', '1:', 'htb', 'default', '20', 'r2q', '1']);
  tc(namespace, ['class', 'add', 'dev', 'eth0', 'parent', '1:', 'classid', '1:20', 'htb', 'rate', '10gbit', 'quantum', '60000']);
  tc(namespace, ['class', 'add', 'dev', 'eth0', 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '8bit', 'ceil', '8bit',
    'burst', '1', 'cburst', '1', 'quantum', '1514']);
  tc(namespace, ['qdisc', 'add', 'dev', 'eth0', 'parent', '1:10', 'handle', '10:', 'pfifo', 'limit', '1']);
  tc(namespace, ['filter', 'add', 'dev', 'eth0', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32',
    'match', 'ip', 'protocol', '17', '0xff', 'flowid', '1:10']);
}

export function listNamespaces() {
  return ip(['netns', 'list'], { quiet: true })
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0])
    .filter(Boolean);
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  // A recycled pid that is no longer a node process does not own anything.
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return false;
  }
}

/** Kills every process still running inside a namespace, then deletes it. */
export function deleteNamespace(name) {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const pids = ip(['netns', 'pids', name], { quiet: true }).split(/\s+/).filter(Boolean).map(Number);
    if (pids.length === 0) {
      break;
    }
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    // Give the kernel a moment to reap them before the namespace goes.
    execFileSync('sleep', ['0.2']);
  }
  ip(['netns', 'del', name], { quiet: true });
}

/** Deletes namespaces and work directories of fleet runs whose owner process is gone. Returns their names. */
export function removeStaleNamespaces(log = () => {}) {
  const removed = [];
  for (const name of listNamespaces()) {
    const match = NAME_PATTERN.exec(name);
    if (match && !processAlive(Number(match[1]))) {
      deleteNamespace(name);
      removed.push(name);
    }
  }
  // Work directories (appliance data, wrappers) of dead runs: <tmpdir>/sgf-<pid>-<n>-XXXXXX.
  for (const entry of readdirSync(tmpdir())) {
    const match = NAME_PATTERN.exec(entry);
    if (match && !processAlive(Number(match[1]))) {
      removeDir(join(tmpdir(), entry));
      removed.push(entry);
    }
  }
  if (removed.length > 0) {
    log(`removed leftovers of dead runs: ${removed.join(' ')}`);
  }
  return removed;
}

let runCounter = 0;
const liveTopologies = new Set();

/** Synchronous teardown of everything still up; safe to call from 'exit' handlers. */
export function destroyAllTopologies() {
  for (const topology of [...liveTopologies]) {
    topology.destroy();
  }
}

function tc(namespace, args) {
  try {
    execFileSync(IP, ['netns', 'exec', namespace, process.env.TC_COMMAND || 'tc', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = error.stderr ? String(error.stderr).trim() : '';
    throw new Error(`tc ${args.join(' ')} in ${namespace} failed: ${stderr || error.message}`);
  }
}

/**
 * Builds the namespaces, bridges and links for `sites` sites.
 *
 * @param {object} options
 * @param {number} options.sites number of sites (1..maxSites(subnetsPerSite))
 * @param {number} [options.subnetsPerSite=1] routed subnets (bridges, viewer namespaces) per site
 * @param {number|null} [options.wanRateKbit=null] shape each site's WAN link to this rate, both
 *   directions (tbf on the router's and the gateway's end); traffic inside a site is not shaped
 * @param {(message: string) => void} [options.log]
 * @returns {{runId: string, router: string, sites: number, subnetsPerSite: number,
 *   gateways: string[], viewerNamespaces: {site: number, subnet: number, namespace: string, address: string}[],
 *   viewerNamespace: (site: number, subnet?: number) => string,
 *   routerAddress: (site: number) => string, siteAddress: (site: number, subnet?: number) => string,
 *   siteCidr: (site: number) => string, siteOf: (address: string) => number|null,
 *   addHost: (site: number, subnet?: number) => {namespace: string, address: string},
 *   onDestroy: (fn: () => void) => void, destroy: () => void}}
 */
export function createTopology({ sites, subnetsPerSite = 1, wanRateKbit = null, log = () => {} }) {
  if (!Number.isInteger(subnetsPerSite) || subnetsPerSite < 1 || subnetsPerSite > 64) {
    throw new Error(`subnetsPerSite must be an integer in 1..64, got ${subnetsPerSite}`);
  }
  if (!Number.isInteger(sites) || sites < 1 || sites > maxSites(subnetsPerSite)) {
    throw new Error(`sites must be an integer in 1..${maxSites(subnetsPerSite)} with ${subnetsPerSite} subnet(s) per site, got ${sites}`);
  }
  if (wanRateKbit !== null && !(Number.isInteger(wanRateKbit) && wanRateKbit >= 8)) {
    throw new Error(`wanRateKbit must be a whole number of kbit/s ≥ 8, got ${wanRateKbit}`);
  }
  removeStaleNamespaces(log);
  runCounter += 1;
  const runId = `${process.pid}-${runCounter}`;
  const router = `${NAME_PREFIX}${runId}-r`;
  const gateways = [];
  const viewerNamespaces = [];
  const extraHosts = [];
  const cleanups = [];
  let destroyed = false;
  const subnetOctet = (site, subnet) => site * subnetBlock(subnetsPerSite) + subnet - 1;
  const viewerName = (site, subnet) => `${NAME_PREFIX}${runId}-s${site}${subnetsPerSite > 1 ? `-${subnet}` : ''}`;

  const topology = {
    runId,
    router,
    sites,
    subnetsPerSite,
    wanRateKbit,
    gateways,
    viewerNamespaces,
    /** The namespace of subnet `subnet` of site `site`, where that subnet's viewers run. */
    viewerNamespace: (site, subnet = 1) => viewerName(site, subnet),
    routerAddress,
    siteAddress: (site, subnet = 1) => siteAddress(site, subnet, subnetsPerSite),
    siteCidr: (site) => siteCidr(site, subnetsPerSite),
    siteOf: (address) => siteOfAddress(address, subnetsPerSite),
    /** Site k's WAN link in the router namespace: its transmit counter is what the link carried to the site. */
    wanInterface,
    /**
     * One more namespace on the bridge of a subnet (addresses .3, .4, …), deleted with the rest:
     * a second machine on the same LAN segment, for tests.
     */
    addHost(site, subnet = 1) {
      const n = extraHosts.filter((h) => h.site === site && h.subnet === subnet).length + 1;
      const namespace = `${NAME_PREFIX}${runId}-h${site}-${subnet}-${n}`;
      const octet = subnetOctet(site, subnet);
      const address = `10.99.${octet}.${2 + n}`;
      ip(['netns', 'add', namespace]);
      extraHosts.push({ site, subnet, namespace, address });
      ip(['-n', namespace, 'link', 'set', 'lo', 'up']);
      ip(['-n', gateways[site - 1], 'link', 'add', `p${subnet}h${n}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace]);
      ip(['-n', gateways[site - 1], 'link', 'set', `p${subnet}h${n}`, 'master', `br${subnet}`]);
      ip(['-n', gateways[site - 1], 'link', 'set', `p${subnet}h${n}`, 'up']);
      ip(['-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      ip(['-n', namespace, 'link', 'set', 'eth0', 'up']);
      ip(['-n', namespace, 'route', 'add', 'default', 'via', `10.99.${octet}.1`]);
      return { namespace, address };
    },
    /** Registers a synchronous cleanup that runs before the namespaces go (last added, first run). */
    onDestroy(fn) {
      cleanups.push(fn);
    },
    destroy() {
      if (destroyed) {
        return;
      }
      destroyed = true;
      liveTopologies.delete(topology);
      for (const fn of cleanups.reverse()) {
        try {
          fn();
        } catch (error) {
          log(`cleanup step failed: ${error.message}`);
        }
      }
      for (const name of [...viewerNamespaces.map((v) => v.namespace), ...extraHosts.map((h) => h.namespace), ...gateways, router]) {
        deleteNamespace(name);
      }
    },
  };
  liveTopologies.add(topology);

  const forwarding = (ns) => execFileSync(IP, ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'], { stdio: 'ignore' });
  try {
    ip(['netns', 'add', router]);
    ip(['-n', router, 'link', 'set', 'lo', 'up']);
    // Forwarding between the sites' links, inside the router namespace only (per-namespace sysctl).
    forwarding(router);
    for (let site = 1; site <= sites; site += 1) {
      const gw = `${NAME_PREFIX}${runId}-g${site}`;
      ip(['netns', 'add', gw]);
      gateways.push(gw);
      ip(['-n', gw, 'link', 'set', 'lo', 'up']);
      forwarding(gw);
      // The WAN link. Both ends are created directly in their namespaces; nothing appears on the host.
      const wan = wanLinkAddresses(site);
      ip(['-n', router, 'link', 'add', wanInterface(site), 'type', 'veth', 'peer', 'name', 'wan', 'netns', gw]);
      ip(['-n', router, 'addr', 'add', `${wan.router}/30`, 'dev', wanInterface(site)]);
      ip(['-n', router, 'link', 'set', wanInterface(site), 'up']);
      ip(['-n', gw, 'addr', 'add', `${wan.gateway}/30`, 'dev', 'wan']);
      ip(['-n', gw, 'link', 'set', 'wan', 'up']);
      ip(['-n', gw, 'route', 'add', TEST_RANGE, 'via', wan.router]);
      ip(['-n', router, 'route', 'add', siteCidr(site, subnetsPerSite), 'via', wan.gateway]);
      if (wanRateKbit !== null) {
        // Egress of each end: the router's toward the site (downloads), the gateway's toward the
        // router (uploads). Only this link is shaped: LAN traffic between the site's subnets is
        // routed inside the gateway, and traffic on one subnet stays on its bridge.
        tc(router, ['qdisc', 'add', 'dev', wanInterface(site), 'root', ...tbfArgs(wanRateKbit)]);
        tc(gw, ['qdisc', 'add', 'dev', 'wan', 'root', ...tbfArgs(wanRateKbit)]);
      }
      for (let subnet = 1; subnet <= subnetsPerSite; subnet += 1) {
        const ns = viewerName(site, subnet);
        const octet = subnetOctet(site, subnet);
        ip(['netns', 'add', ns]);
        viewerNamespaces.push({ site, subnet, namespace: ns, address: siteAddress(site, subnet, subnetsPerSite) });
        ip(['-n', ns, 'link', 'set', 'lo', 'up']);
        ip(['-n', gw, 'link', 'add', `br${subnet}`, 'type', 'bridge']);
        ip(['-n', gw, 'addr', 'add', `10.99.${octet}.1/24`, 'dev', `br${subnet}`]);
        ip(['-n', gw, 'link', 'set', `br${subnet}`, 'up']);
        ip(['-n', gw, 'link', 'add', `p${subnet}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
        ip(['-n', gw, 'link', 'set', `p${subnet}`, 'master', `br${subnet}`]);
        ip(['-n', gw, 'link', 'set', `p${subnet}`, 'up']);
        ip(['-n', ns, 'addr', 'add', `${siteAddress(site, subnet, subnetsPerSite)}/24`, 'dev', 'eth0']);
        ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
        ip(['-n', ns, 'route', 'add', 'default', 'via', `10.99.${octet}.1`]);
      }
    }
  } catch (error) {
    topology.destroy();
    throw error;
  }
  log(`topology ${runId}: router ${router}, ${sites} site(s) × ${subnetsPerSite} subnet(s), ` +
    `${sites === 1 ? siteCidr(1, subnetsPerSite) : `${siteCidr(1, subnetsPerSite)} … ${siteCidr(sites, subnetsPerSite)}`}` +
    `${wanRateKbit !== null ? `, WAN links shaped to ${wanRateKbit} kbit/s each way` : ''}`);
  return topology;
}

/** Removes a directory tree, ignoring errors (for exit handlers). */
export function removeDir(path) {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // nothing more to do
  }
}
