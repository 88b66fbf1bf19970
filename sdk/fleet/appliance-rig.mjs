// The appliance of a fleet run and what runs beside it in the router namespace: its start and
// stop, the split origin (runFleet({originApart})), the site map, the counters read from the
// router and the gateways, and the rig handed to onAppliance and beforeStop (fleet.mjs).
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const jarPath = process.env.SWARMGATE_JAR || join(repoRoot, 'appliance', 'target', 'swarmgate.jar');

export const HTTP_PORT = 8080;
export const HTTPS_PORT = 8443;

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]);
}

function execInNamespace(namespace, argv, timeoutMs = 5000) {
  return new Promise((resolveExec) => {
    execFile(process.env.IP_COMMAND || 'ip', ['netns', 'exec', namespace, ...argv], { timeout: timeoutMs, encoding: 'utf8' },
      (error, stdout) => resolveExec(error ? null : stdout));
  });
}

/** Packets the router namespace forwarded between sites (Ip: ForwDatagrams of its /proc/net/snmp). */
export async function forwardedPackets(router) {
  return snmpValue(await execInNamespace(router, ['cat', '/proc/net/snmp']), 'Ip:', 'ForwDatagrams');
}

/**
 * Packets the site gateways received for an address outside the test range (10.99.0.0/16): a
 * gateway routes nothing else, so each such packet is counted in its `IpExt: InNoRoutes` (its
 * /proc/net/netstat) and dropped there (topology.mjs). Any connection attempt off the LAN,
 * whoever made it, shows here.
 */
export async function offLanPackets(topology) {
  let total = 0;
  for (const gateway of topology.gateways) {
    const netstat = await execInNamespace(gateway, ['cat', '/proc/net/netstat']);
    const value = snmpValue(netstat, 'IpExt:', 'InNoRoutes');
    if (value === null) {
      return null;
    }
    total += value;
  }
  return total;
}

/** One counter of a /proc/net/snmp or /proc/net/netstat text (a header and a value line per protocol), or null. */
function snmpValue(snmp, protocol, name) {
  const lines = (snmp || '').split('\n').filter((l) => l.startsWith(protocol));
  if (lines.length < 2) {
    return null;
  }
  const value = Number(lines[1].split(/\s+/)[lines[0].split(/\s+/).indexOf(name)]);
  return Number.isFinite(value) ? value : null;
}

/**
 * Maps each site's block of subnets to one site in the appliance's site map (`swarmgate site
 * add`, forwarded over the running appliance's control socket): without it the appliance would
 * make every /24 subnet a site of its own.
 */
export async function configureSiteMap(topology, { dataDir, log }) {
  for (let site = 1; site <= topology.sites; site += 1) {
    const argv = ['-jar', jarPath, 'site', 'add', topology.siteCidr(site), `fleet-site-${site}`,
      '--label', `fleet site ${site}, ${topology.subnetsPerSite} subnets`, '--data-dir', dataDir];
    await new Promise((resolveAdd, rejectAdd) => {
      execFile(process.env.JAVA || 'java', argv, { timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error) {
          rejectAdd(new Error(`swarmgate site add ${topology.siteCidr(site)} failed: ${stderr || error.message}`));
        } else {
          resolveAdd();
        }
      });
    });
  }
  log(`site map: site k = ${topology.siteCidr(1).replace(/\.\d+\.0\//, '.x.0/')} (its ${topology.subnetsPerSite} subnets), named fleet-site-k`);
}

/** Starts the appliance (demo origin included) inside the router namespace. */
export async function startAppliance(topology, {
  dataDir, log, startTimeoutMs = 90_000, readyPath = '/healthz', httpPort = HTTP_PORT, httpsPort = HTTPS_PORT, env = {}, name = 'appliance',
  stun = true,
}) {
  // setpriv --pdeathsig: the JVM dies with this process even if it is killed with SIGKILL.
  const deathSignal = existsSync('/usr/bin/setpriv') ? ['/usr/bin/setpriv', '--pdeathsig', 'KILL'] : [];
  const argv = ['netns', 'exec', topology.router, ...deathSignal, process.env.JAVA || 'java',
    ...(process.env.SWARMGATE_JAVA_OPTS ? process.env.SWARMGATE_JAVA_OPTS.split(/\s+/).filter(Boolean) : []),
    '-jar', jarPath, 'serve', '--demo', '--bind', '0.0.0.0',
    '--http-port', String(httpPort), '--https-port', String(httpsPort), '--data-dir', dataDir];
  const startedAt = Date.now();
  const child = spawn(process.env.IP_COMMAND || 'ip', argv, {
    cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SWARMGATE_STUN_ENABLED: String(stun), ...env },
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exitPromise = new Promise((r) => child.on('exit', (code, signal) => {
    exited = { code, signal };
    r(exited);
  }));
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // gone
    }
  };
  topology.onDestroy(() => signalGroup('SIGKILL'));
  const appliance = {
    output: () => output,
    /** ms from spawning the JVM to its first 200 on readyPath (set once it answered). */
    startMs: null,
    /**
     * Stops the appliance: SIGTERM (its drain path; SIGKILL after 10 s) or SIGKILL at once.
     * @param {{signal?: 'SIGTERM'|'SIGKILL'}} [options]
     * @returns {Promise<number>} ms until the process had exited
     */
    async stop({ signal = 'SIGTERM' } = {}) {
      const since = Date.now();
      if (exited) {
        return 0;
      }
      signalGroup(signal);
      const timer = setTimeout(() => signalGroup('SIGKILL'), 10_000);
      await exitPromise;
      clearTimeout(timer);
      signalGroup('SIGKILL'); // children left in the group
      return Date.now() - since;
    },
  };
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (exited) {
      throw new Error(`${name} exited during start-up (${JSON.stringify(exited)}):\n${output}`);
    }
    // Asked from inside the router namespace, over its own loopback.
    const code = await execInNamespace(topology.router,
      ['curl', '-s', '-o', '/dev/null', '-m', '2', '-w', '%{http_code}', `http://127.0.0.1:${httpPort}${readyPath}`]);
    if (code === '200') {
      appliance.startMs = Date.now() - startedAt;
      log(`${name} up in ${topology.router} on port ${httpPort} after ${appliance.startMs} ms (site k opens http://${topology.routerAddress(1).replace(/\.\d+$/, '.x')}:${HTTP_PORT}, its end of the site's WAN link)`);
      return appliance;
    }
    if (Date.now() > deadline) {
      await appliance.stop();
      throw new Error(`${name} not healthy after ${startTimeoutMs} ms:\n${output}`);
    }
    await sleep(300);
  }
}

/** Ports of the appliance and the origin behind the split-origin address (originApart). */
export const APART_APPLIANCE_PORTS = { http: 8081, https: 8444 };
export const APART_ORIGIN_PORTS = { http: 8082, https: 8445 };

/**
 * originApart: a second appliance serves the demo streams as the origin, and split-origin.mjs
 * presents both on HTTP_PORT (stream paths to the origin, the rest to `appliancePort`: the
 * appliance, or a cluster's HAProxy). With `tls` ({keyFile, certFile, caFile}) it presents them
 * on HTTPS_PORT instead, with that key and certificate, as a TLS ingress. With `proxy` false only
 * the origin starts: a cluster on TLS routes the stream's paths to it in HAProxy itself
 * (cluster.mjs).
 * @returns {Promise<{originDataDir: string}>}
 */
export async function startSplitOrigin(topology, { workDir, log, appliancePort = APART_APPLIANCE_PORTS.http, proxy = true, tls = null }) {
  const originDataDir = join(workDir, 'origin');
  await startAppliance(topology, {
    dataDir: originDataDir, log, name: 'origin', httpPort: APART_ORIGIN_PORTS.http, httpsPort: APART_ORIGIN_PORTS.https,
    stun: false, env: { SWARMGATE_DISCOVERY_ENABLED: 'false' },
  });
  if (!proxy) {
    return { originDataDir };
  }
  const listenPort = tls ? HTTPS_PORT : HTTP_PORT;
  const deathSignal = existsSync('/usr/bin/setpriv') ? ['/usr/bin/setpriv', '--pdeathsig', 'KILL'] : [];
  const child = spawn(process.env.IP_COMMAND || 'ip', ['netns', 'exec', topology.router, ...deathSignal, process.execPath,
    join(repoRoot, 'sdk', 'fleet', 'split-origin.mjs'), String(listenPort), String(appliancePort), String(APART_ORIGIN_PORTS.http),
    ...(tls ? [tls.keyFile, tls.certFile] : [])],
  { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c) => { output += c; });
  child.stderr.on('data', (c) => { output += c; });
  topology.onDestroy(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const code = await execInNamespace(topology.router,
      ['curl', '-s', '-o', '/dev/null', '-m', '2', '-w', '%{http_code}', ...(tls ? ['--cacert', tls.caFile] : []),
        `${tls ? 'https' : 'http'}://127.0.0.1:${listenPort}/demo/live/master.m3u8`]);
    if (code === '200') {
      log(`split origin on port ${listenPort}${tls ? ' (TLS)' : ''}: /demo/live/, /demo/vod/ from the origin (port ${APART_ORIGIN_PORTS.http}), the rest from port ${appliancePort}`);
      return { originDataDir };
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      throw new Error(`split origin not serving on ${listenPort}:\n${output}`);
    }
    await sleep(300);
  }
}

/**
 * Counters from the appliance's /metrics (which answers 127.0.0.1 inside the router namespace):
 * its own origin load for segment integrity (bytes it read to hash segments), and the pairings
 * viewers reported as failing to connect. Each null when it cannot be read, as with an appliance
 * that predates it.
 */
export async function applianceCounters(rig) {
  const script = `fetch('http://127.0.0.1:${HTTP_PORT}/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))`;
  let text = '';
  try {
    text = String(await rig.exec([process.execPath, '-e', script], { timeoutMs: 15_000 }));
  } catch {
    // unreadable: both null
  }
  const counter = (series) => {
    const m = new RegExp(`^${series}\\s+([0-9.eE+]+)`, 'm').exec(text);
    return m ? Math.round(Number(m[1])) : null;
  };
  return {
    anchorBytes: counter('swarmgate_integrity_origin_bytes_total(?:\\{[^}]*\\})?'),
    connectFailures: counter('swarmgate_mesh_pairings_failed_total\\{reason="connect"\\}'),
  };
}

/**
 * Gives a child its input and closes its stdin. A child that exits without reading (curl fetching
 * a URL, for one) closes the pipe first; the EPIPE that follows says nothing the exit status does
 * not, and unhandled it would end the whole run.
 */
function endInput(child, input) {
  child.stdin.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
  });
  child.stdin.end(input ?? '');
}

/** What onAppliance and beforeStop get: commands in the router namespace and against the appliance. */
export function applianceRig(topology, dataDir, restart, cluster) {
  const exec = (argv, { input, timeoutMs = 60_000 } = {}) => new Promise((resolveExec, rejectExec) => {
    const child = execFile(process.env.IP_COMMAND || 'ip', ['netns', 'exec', topology.router, ...argv],
      { timeout: timeoutMs, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) {
          rejectExec(new Error(`${argv.join(' ')} in ${topology.router} failed: ${String(stderr).trim() || error.message}`));
        } else {
          resolveExec(stdout);
        }
      });
    endInput(child, input);
  });
  const cli = (args, { input } = {}) => new Promise((resolveCli, rejectCli) => {
    const child = execFile(process.env.JAVA || 'java', ['-jar', jarPath, ...args, '--data-dir', dataDir],
      { timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error) {
          rejectCli(new Error(`swarmgate ${args.join(' ')} failed: ${stderr || error.message}`));
        } else {
          resolveCli(stdout);
        }
      });
    endInput(child, input);
  });
  return { router: topology.router, dataDir, httpPort: HTTP_PORT, httpsPort: HTTPS_PORT, exec, cli, restart, cluster };
}

