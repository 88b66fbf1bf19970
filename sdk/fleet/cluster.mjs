// The fleet's cluster (runFleet({cluster: true})): two appliances sharing one PostgreSQL behind
// HAProxy running the shipped config/haproxy.cfg.example, all inside the fleet's router namespace,
// as docs/scaling.md lays a cluster out. Debian's `postgresql` runs on a private data directory
// (as the postgres account: PostgreSQL refuses root) and listens on the namespace's own loopback;
// HAProxy gets the example with only what one test machine must change (addresses, ports, the
// open-file limit; no TLS unless the fleet runs with --tls), so stream hashing, health checks,
// redispatch and, with --tls, the TLS on both sides are the shipped file's.
// Whatever ends the run, the topology's cleanup stops PostgreSQL (pg_ctl -m immediate), kills
// HAProxy and the appliances (their process groups) and deletes their files.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeDir } from './topology.mjs';
import { javaTrustingEnv } from './tls.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const POSTGRES_BIN = process.env.POSTGRES_BIN || '/usr/lib/postgresql/15/bin';
export const HAPROXY = process.env.HAPROXY || '/usr/sbin/haproxy';
export const HAPROXY_EXAMPLE = join(repoRoot, 'config', 'haproxy.cfg.example');

/** Ports inside the router namespace (its own loopback and addresses: nothing on the host's). */
export const CLUSTER_PORTS = Object.freeze({
  haproxy: 8090,
  haproxyStats: 8091,
  postgres: 5432,
  // The example's server names, in its order, and the appliance each stands for here.
  appliances: Object.freeze([
    Object.freeze({ server: 'appliance1', http: 8081, https: 8444, stun: 3478 }),
    Object.freeze({ server: 'appliance2', http: 8083, https: 8446, stun: 3479 }),
  ]),
});
const DB_USER = 'swarmgate';
const DB_NAME = 'swarmgate';

/** Why a cluster fleet cannot run here, or null. */
export function clusterUnavailableReason() {
  if (!existsSync(join(POSTGRES_BIN, 'postgres'))) {
    return `${POSTGRES_BIN}/postgres is missing (apt-get install postgresql)`;
  }
  if (!existsSync(HAPROXY)) {
    return `${HAPROXY} is missing (apt-get install haproxy)`;
  }
  return null;
}

/** The example's TLS lines (a plain-HTTP run takes them out), and the name it checks in the appliances' certificates. */
export const EXAMPLE_BIND_TLS = 'bind :443 ssl crt /etc/haproxy/swarmgate.pem alpn h2,http/1.1';
export const EXAMPLE_SERVER_TLS = ' ssl verify required ca-file /etc/haproxy/swarmgate-ca.crt verifyhost swarmgate.corp.example';
export const CLUSTER_NAME = 'swarmgate.corp.example';

/**
 * The shipped HAProxy example with only what a test on one machine must change: a port of the
 * router namespace instead of 443, the test's appliances instead of the example addresses, and
 * maxconn within this machine's open-file hard limit (20,000). Without `tls`, plain HTTP on both
 * sides (loopback only: the split-origin proxy is the viewers' ingress); with it, the example's
 * TLS as shipped with the test's two files, on every address of the namespace, and the demo
 * stream's paths sent to `originPort` (the stand-in for a video origin that is not the
 * appliances, which split-origin.mjs is without TLS). A stats listener is added for the test to
 * see the servers' state. Throws when the example no longer has a line this relies on, so a change
 * to the example cannot silently leave the test on other settings.
 * @param {string} example the file's text
 * @param {{port: number, statsPort: number, servers: number[], tls?: {pem: string, caFile: string}, originPort?: number}} ports
 *   servers: the appliances' HTTP ports, or their HTTPS ports with tls
 */
export function haproxyConfig(example, { port, statsPort, servers, tls = null, originPort = null }) {
  const replacements = [
    ['maxconn 100000', 'maxconn 4000'],
    tls
      ? [EXAMPLE_BIND_TLS, EXAMPLE_BIND_TLS.replace('bind :443', `bind :${port}`).replace('/etc/haproxy/swarmgate.pem', tls.pem)]
      : [EXAMPLE_BIND_TLS, `bind 127.0.0.1:${port}`],
    [EXAMPLE_SERVER_TLS, tls ? EXAMPLE_SERVER_TLS.replace('/etc/haproxy/swarmgate-ca.crt', tls.caFile) : ''],
    ['192.0.2.11:8443', `127.0.0.1:${servers[0]}`],
    ['192.0.2.12:8443', `127.0.0.1:${servers[1]}`],
  ];
  if (tls && originPort) {
    replacements.push(['    default_backend viewers\n',
      '    acl stream_origin path_beg /demo/live/ /demo/vod/\n    use_backend stream_origin if stream_origin\n    default_backend viewers\n']);
  }
  let config = example;
  for (const [from, to] of replacements) {
    if (!config.includes(from)) {
      throw new Error(`${HAPROXY_EXAMPLE} no longer contains '${from.trim()}': update sdk/fleet/cluster.mjs`);
    }
    config = config.split(from).join(to);
  }
  const left = /^.*(\/etc\/haproxy\/|192\.0\.2\.).*$/m.exec(config);
  if (left) {
    throw new Error(`${HAPROXY_EXAMPLE} has a line this rewrite does not know: '${left[0].trim()}': update sdk/fleet/cluster.mjs`);
  }
  const origin = tls && originPort ? `\nbackend stream_origin\n    server origin 127.0.0.1:${originPort}\n` : '';
  return `${config}${origin}\nlisten stats\n    bind 127.0.0.1:${statsPort}\n    stats enable\n    stats uri /stats\n`;
}

function inRouter(router, argv, { env, timeoutMs = 120_000 } = {}) {
  try {
    return execFileSync(process.env.IP_COMMAND || 'ip', ['netns', 'exec', router, ...argv],
      // cwd: somewhere the postgres account may enter.
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, timeout: timeoutMs, cwd: tmpdir() });
  } catch (error) {
    throw new Error(`${argv.join(' ')} failed: ${String(error.stderr || '').trim() || error.message}`);
  }
}

function inRouterAsync(router, argv, timeoutMs = 10_000) {
  return new Promise((resolveExec) => {
    execFile(process.env.IP_COMMAND || 'ip', ['netns', 'exec', router, ...argv], { timeout: timeoutMs, encoding: 'utf8' },
      (error, stdout) => resolveExec(error ? null : stdout));
  });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Debian's PostgreSQL on a fresh data directory, listening on 127.0.0.1 of the router namespace
 * only, with password authentication for its one role and one empty database.
 * @returns {{url: string, user: string, passwordFile: string}}
 */
function startPostgres(topology, { log }) {
  const dir = mkdtempSync(join(tmpdir(), `sgf-${topology.runId}-pg-`));
  // Registered first, so it runs after the appliances' cleanup (cleanups run in reverse).
  topology.onDestroy(() => {
    if (existsSync(join(dir, 'data', 'postmaster.pid'))) {
      try {
        inRouter(topology.router, ['runuser', '-u', 'postgres', '--', join(POSTGRES_BIN, 'pg_ctl'), '-D', join(dir, 'data'),
          '-m', 'immediate', '-w', 'stop'], { timeoutMs: 30_000 });
      } catch (error) {
        log(`PostgreSQL in ${dir} did not stop: ${error.message}`);
      }
    }
    removeDir(dir);
  });
  const passwordFile = join(dir, 'password');
  const password = `pw-${randomBytes(12).toString('hex')}`;
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const asPostgres = (argv, env) => inRouter(topology.router, ['runuser', '-u', 'postgres', '--', ...argv], { env });
  const startedAt = Date.now();
  asPostgres([join(POSTGRES_BIN, 'initdb'), '-D', join(dir, 'data'), '-U', DB_USER, '--auth=scram-sha-256',
    `--pwfile=${passwordFile}`, '-E', 'UTF8', '--no-sync']);
  asPostgres([join(POSTGRES_BIN, 'pg_ctl'), '-D', join(dir, 'data'), '-w', '-t', '60', '-l', join(dir, 'log'), '-o',
    `-c listen_addresses=127.0.0.1 -c port=${CLUSTER_PORTS.postgres} -c unix_socket_directories=${dir} -c fsync=off`, 'start']);
  asPostgres([join(POSTGRES_BIN, 'createdb'), '-h', '127.0.0.1', '-p', String(CLUSTER_PORTS.postgres), '-U', DB_USER, DB_NAME],
    { PGPASSWORD: password });
  log(`PostgreSQL up in ${topology.router} on 127.0.0.1:${CLUSTER_PORTS.postgres} after ${Date.now() - startedAt} ms (data in ${dir})`);
  return { url: `jdbc:postgresql://127.0.0.1:${CLUSTER_PORTS.postgres}/${DB_NAME}`, user: DB_USER, passwordFile };
}

/**
 * HAProxy with the rewritten example. Watches its output for the health check's verdicts:
 * `events` lists {server, state: 'UP'|'DOWN', at} as HAProxy logged them (at: Date.now() when the
 * line arrived); `linesSince` gives its request log (a WebSocket is logged when it closes, a refused
 * or failed request at once).
 */
async function startHaproxy(topology, { workDir, log, tls }) {
  const file = join(workDir, 'haproxy.cfg');
  const port = tls ? tls.port : CLUSTER_PORTS.haproxy;
  writeFileSync(file, haproxyConfig(readFileSync(HAPROXY_EXAMPLE, 'utf8'), {
    port, statsPort: CLUSTER_PORTS.haproxyStats, tls, originPort: tls?.originPort,
    servers: CLUSTER_PORTS.appliances.map((a) => (tls ? a.https : a.http)),
  }));
  const deathSignal = existsSync('/usr/bin/setpriv') ? ['/usr/bin/setpriv', '--pdeathsig', 'KILL'] : [];
  const child = spawn(process.env.IP_COMMAND || 'ip', ['netns', 'exec', topology.router, ...deathSignal, HAPROXY, '-db', '-f', file],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  topology.onDestroy(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  });
  const events = [];
  const logged = []; // {at, line}: the last 2,000 lines with when they arrived
  let output = '';
  let partial = '';
  const read = (chunk) => {
    const text = partial + chunk;
    const lines = text.split('\n');
    partial = lines.pop();
    for (const line of lines) {
      output = `${output}${line}\n`.slice(-50_000);
      logged.push({ at: Date.now(), line });
      if (logged.length > 2000) {
        logged.shift();
      }
      // "Server viewers/appliance1 is DOWN, reason: Layer4 connection problem, ..."
      const m = /Server viewers\/(\S+) is (UP|DOWN)\b/.exec(line);
      if (m) {
        events.push({ server: m[1], state: m[2], at: Date.now() });
      }
    }
  };
  child.stdout.on('data', read);
  child.stderr.on('data', read);
  const haproxy = {
    port,
    events,
    /** What HAProxy logged (one line per request, `option httplog`) since `since` (Date.now()), with when each arrived. */
    linesSince: (since) => logged.filter((l) => l.at >= since),
    output: () => output,
    /** The state of each server of the viewers backend from the stats page, or null. */
    async states() {
      const csv = await inRouterAsync(topology.router,
        ['curl', '-s', '-m', '2', `http://127.0.0.1:${CLUSTER_PORTS.haproxyStats}/stats;csv`]);
      if (!csv) {
        return null;
      }
      return Object.fromEntries(csv.split('\n').filter((l) => l.startsWith('viewers,appliance'))
        .map((l) => l.split(',')).map((f) => [f[1], f[17]]));
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`HAProxy exited: ${output}`);
    }
    const states = await haproxy.states();
    if (states && CLUSTER_PORTS.appliances.every((a) => states[a.server] === 'UP')) {
      log(tls
        ? `HAProxy up on port ${port} with the example's TLS (HTTP/2 to browsers; verifies the appliances by CA and name), both appliances UP`
        : `HAProxy up on 127.0.0.1:${port} (config/haproxy.cfg.example, addresses and ports replaced, no TLS), both appliances UP`);
      return haproxy;
    }
    if (Date.now() > deadline) {
      throw new Error(`HAProxy did not see both appliances up within 60 s (${JSON.stringify(states)}):\n${output}`);
    }
    await sleep(300);
  }
}

/**
 * PostgreSQL, then the two appliances on it one after the other (the first creates the schema;
 * the second gets the first's pki/ before its first start, as docs/scaling.md tells operators),
 * then HAProxy in front of them.
 * @param {object} topology the fleet's topology
 * @param {object} options
 * @param {string} options.workDir the run's directory
 * @param {(options: object) => Promise<object>} options.startAppliance the fleet's appliance starter
 *   (in the router namespace), given dataDir, name, ports and env
 * @param {object} options.env environment for both appliances (origins, trusted proxies)
 * @param {boolean} options.stun whether the appliances run their STUN responders
 * @param {(m: string) => void} options.log
 * @param {{port: number, originPort: number, addresses: string[]}|null} [options.tls] HAProxy with
 *   the example's TLS on `port` (every address of the namespace), showing browsers the
 *   appliances' own certificate and verifying theirs by the cluster's CA and name; the demo
 *   stream's paths go to the origin on `originPort` (plain HTTP). The certificate names the
 *   cluster's name and `addresses` (where the sites reach HAProxy), and the appliances' Java
 *   runtime trusts their CA, as a host with the enterprise CA installed does: they fetch the
 *   segments they hash through HAProxy, at the URL the pages play. Null: plain HTTP behind the
 *   split-origin proxy
 * @returns {Promise<{port: number, haproxy: object, appliances: object[], stop: () => Promise<void>}>}
 *   appliances: {server, httpPort, httpsPort, dataDir, alive, kill(signal) → {at, stopMs}}
 */
export async function startCluster(topology, { workDir, startAppliance, env, stun, log, tls = null }) {
  const reason = clusterUnavailableReason();
  if (reason) {
    throw new Error(reason);
  }
  const db = startPostgres(topology, { log });
  const appliances = [];
  // The first appliance's PKI names the cluster and the addresses; both trust its CA.
  const tlsEnv = tls ? javaTrustingEnv(join(workDir, 'cluster-1'), join(workDir, 'cluster-trust.p12'), [CLUSTER_NAME, ...tls.addresses]) : {};
  for (const [i, ports] of CLUSTER_PORTS.appliances.entries()) {
    const dataDir = join(workDir, `cluster-${i + 1}`);
    if (i > 0) {
      // Every appliance of a cluster has the same CA (docs/scaling.md, "The database").
      cpSync(join(appliances[0].dataDir, 'pki'), join(dataDir, 'pki'), { recursive: true });
    }
    const handle = await startAppliance({
      dataDir, name: ports.server, httpPort: ports.http, httpsPort: ports.https, stun, readyPath: '/readyz',
      env: {
        ...env, SWARMGATE_DATABASE_URL: db.url, SWARMGATE_DATABASE_USER: db.user, SWARMGATE_DATABASE_PASSWORD_FILE: db.passwordFile,
        SWARMGATE_STUN_PORT: String(ports.stun), SWARMGATE_DISCOVERY_ENABLED: 'false',
        ...tlsEnv,
      },
    });
    const appliance = {
      server: ports.server,
      httpPort: ports.http,
      httpsPort: ports.https,
      dataDir,
      alive: true,
      output: () => handle.output(),
      /** Stops it with `signal`; at is Date.now() when the signal went. */
      async kill(signal = 'SIGKILL') {
        const at = Date.now();
        const stopMs = await handle.stop({ signal });
        appliance.alive = false;
        return { at, stopMs };
      },
    };
    appliances.push(appliance);
  }
  let haproxyTls = null;
  if (tls) {
    // The balancer shows browsers the appliances' own certificate, as docs/scaling.md offers.
    const pki = join(appliances[0].dataDir, 'pki');
    const pem = join(workDir, 'haproxy.pem');
    writeFileSync(pem, readFileSync(join(pki, 'server.crt'), 'utf8') + readFileSync(join(pki, 'server.key'), 'utf8'), { mode: 0o600 });
    haproxyTls = { ...tls, pem, caFile: join(pki, 'ca.crt') };
  }
  const haproxy = await startHaproxy(topology, { workDir, log, tls: haproxyTls });
  return {
    port: haproxy.port,
    haproxy,
    appliances,
    /** Stops the live appliances one by one: SIGTERM (each drains first) or SIGKILL. */
    async stop({ signal = 'SIGTERM' } = {}) {
      for (const appliance of appliances.filter((a) => a.alive)) {
        await appliance.kill(signal);
      }
    },
  };
}
