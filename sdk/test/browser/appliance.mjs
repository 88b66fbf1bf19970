// Starts the real appliance jar for browser tests and stops it again, whatever happens.
//
//   const appliance = await startAppliance({ demo: true });
//   ... appliance.httpUrl ...
//   await appliance.stop();
//
// Each appliance gets its own temporary data directory and free ports. The JVM runs in its own
// process group so stop() (and the exit hook, if a test dies first) kills it and any children.
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, from this file's place in sdk/test/browser/ (the console's tests use it too). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The jar `mvn -B package` builds; SWARMGATE_JAR overrides it. */
export const jarPath = process.env.SWARMGATE_JAR || join(repoRoot, 'appliance', 'target', 'swarmgate.jar');

/** Why the jar cannot be used, or null. A missing jar fails the test: scripts/test builds it first. */
function jarMissingReason() {
  return existsSync(jarPath) ? null : `${jarPath} is missing: build it with mvn -B -ntp -DskipTests package`;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

const running = new Set();
// Last resort when a test throws before its stop(): never leave a JVM or a data dir behind.
process.on('exit', () => {
  for (const appliance of running) {
    appliance.killNow();
  }
});
// The test runner stops a timed-out or interrupted file with a signal, which skips 'exit'
// handlers unless the signal is turned into an exit.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
}

/**
 * Starts `java -jar swarmgate.jar serve` and waits until GET /healthz answers 200 over HTTP.
 *
 * @param {object} [options]
 * @param {boolean} [options.demo=true] pass --demo
 * @param {string[]} [options.args] extra arguments after `serve`
 * @param {number} [options.startTimeoutMs=60000]
 * @returns {Promise<{httpUrl: string, httpsUrl: string, httpPort: number, httpsPort: number,
 *   dataDir: string, output: () => string, stop: () => Promise<void>}>}
 */
export async function startAppliance({ demo = true, args = [], startTimeoutMs = 60000 } = {}) {
  const reason = jarMissingReason();
  if (reason) {
    throw new Error(reason);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'swarmgate-test-'));
  const httpPort = await freePort();
  const httpsPort = await freePort();
  const argv = ['-jar', jarPath, 'serve', '--data-dir', dataDir,
    '--http-port', String(httpPort), '--https-port', String(httpsPort),
    ...(demo ? ['--demo'] : []), ...args];
  const child = spawn(process.env.JAVA || 'java', argv, {
    cwd: repoRoot,
    // Tests keep their traffic on loopback: no mDNS announcement on the machine's interfaces; the
    // STUN responder on a free UDP port, since tests run side by side on one machine. Its stop
    // comes after the test's pages are gone: no drain (server.drain-ms) for a load balancer to see.
    env: { ...process.env, SWARMGATE_DISCOVERY_ENABLED: 'false', SWARMGATE_STUN_PORT: '0', SWARMGATE_SERVER_DRAIN_MS: '0' },
    detached: true, // own process group, killed as a whole
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk) => {
    log += chunk;
    if (log.length > 200_000) {
      log = log.slice(-100_000);
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exitPromise = new Promise((resolveExit) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolveExit(exited);
    });
  });

  const appliance = {
    httpUrl: `http://127.0.0.1:${httpPort}`,
    httpsUrl: `https://127.0.0.1:${httpsPort}`,
    httpPort,
    httpsPort,
    dataDir,
    output: () => log,
    killNow() {
      signalGroup('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      running.delete(appliance);
    },
    async stop() {
      if (!running.has(appliance)) {
        return;
      }
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), 10000);
      await exitPromise;
      clearTimeout(timer);
      // The JVM may have left children in its group; make sure none outlives the test.
      signalGroup('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      running.delete(appliance);
    },
  };
  running.add(appliance);

  function signalGroup(signal) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (exited) {
      await appliance.stop();
      throw new Error(`appliance exited during start-up (${JSON.stringify(exited)}):\n${log}`);
    }
    if (await healthy(appliance.httpUrl)) {
      return appliance;
    }
    if (Date.now() > deadline) {
      await appliance.stop();
      throw new Error(`appliance not healthy after ${startTimeoutMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function healthy(baseUrl) {
  try {
    const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}
