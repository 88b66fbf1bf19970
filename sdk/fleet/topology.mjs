// Network-namespace topology for the fleet: a router namespace holding the appliance (which is
// also the demo origin), one bridge per site inside it, and one namespace per site for that
// site's viewers. Nothing is created in the host's namespace: every link is made with `ip -n`
// inside the namespaces, IP forwarding is switched on in the router namespace only, and the
// host's sysctls, routes and interfaces are never touched.
//
//   site k (1..K):  namespace sgf-<run>-s<k>, eth0 10.99.k.2/24, default via 10.99.k.1
//                   └─ veth ─ router namespace sgf-<run>-r: port v<k> in bridge br<k> (10.99.k.1/24)
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

export function siteAddress(site) {
  return `10.99.${site}.2`;
}

export function routerAddress(site) {
  return `10.99.${site}.1`;
}

/** The site (1..K) an address of the test range belongs to, or null. */
export function siteOfAddress(address) {
  const match = /^10\.99\.(\d+)\.(\d+)$/.exec(address);
  return match && match[2] !== '1' ? Number(match[1]) : null;
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

/**
 * Builds the namespaces, bridges and links for `sites` sites.
 *
 * @param {object} options
 * @param {number} options.sites number of sites (1..200)
 * @param {(message: string) => void} [options.log]
 * @returns {{runId: string, router: string, siteNamespaces: string[], sites: number,
 *   routerAddress: (site: number) => string, siteAddress: (site: number) => string,
 *   onDestroy: (fn: () => void) => void, destroy: () => void}}
 */
export function createTopology({ sites, log = () => {} }) {
  if (!Number.isInteger(sites) || sites < 1 || sites > 200) {
    throw new Error(`sites must be an integer in 1..200, got ${sites}`);
  }
  removeStaleNamespaces(log);
  runCounter += 1;
  const runId = `${process.pid}-${runCounter}`;
  const router = `${NAME_PREFIX}${runId}-r`;
  const siteNamespaces = [];
  const cleanups = [];
  let destroyed = false;

  const topology = {
    runId,
    router,
    siteNamespaces,
    sites,
    routerAddress,
    siteAddress,
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
      for (const name of [...siteNamespaces, router]) {
        deleteNamespace(name);
      }
    },
  };
  liveTopologies.add(topology);

  try {
    ip(['netns', 'add', router]);
    ip(['-n', router, 'link', 'set', 'lo', 'up']);
    // Forwarding between the site bridges, inside the router namespace only (per-namespace sysctl).
    execFileSync(IP, ['netns', 'exec', router, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'], { stdio: 'ignore' });
    for (let site = 1; site <= sites; site += 1) {
      const ns = `${NAME_PREFIX}${runId}-s${site}`;
      ip(['netns', 'add', ns]);
      siteNamespaces.push(ns);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', router, 'link', 'add', `br${site}`, 'type', 'bridge']);
      ip(['-n', router, 'addr', 'add', `${routerAddress(site)}/24`, 'dev', `br${site}`]);
      ip(['-n', router, 'link', 'set', `br${site}`, 'up']);
      // Both ends are created directly in their namespaces; nothing appears on the host.
      ip(['-n', router, 'link', 'add', `v${site}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      ip(['-n', router, 'link', 'set', `v${site}`, 'master', `br${site}`]);
      ip(['-n', router, 'link', 'set', `v${site}`, 'up']);
      ip(['-n', ns, 'addr', 'add', `${siteAddress(site)}/24`, 'dev', 'eth0']);
      ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
      ip(['-n', ns, 'route', 'add', 'default', 'via', routerAddress(site)]);
    }
  } catch (error) {
    topology.destroy();
    throw error;
  }
  log(`topology ${runId}: router ${router}, ${sites} site namespace(s), 10.99.1..${sites}.0/24`);
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
