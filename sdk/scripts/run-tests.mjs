// Runs tests with node's test runner: every *.test.js / *.test.mjs under test/ (or under the
// folders, or the test files, given as arguments), so helper modules beside the tests are not run. The SDK uses it,
// and so does the web console (`node ../sdk/scripts/run-tests.mjs test`).
//
// This is the one place that decides whether a test may be skipped. A test file names what the
// machine must provide in a header line, e.g. `// Needs: root, chromium`:
//   root      network namespaces (the fleet)
//   chromium  /usr/lib/chromium/chromium (CHROMIUM_PATH overrides it)
//   firefox   /usr/bin/firefox-esr (FIREFOX_PATH overrides it), driven by puppeteer-core
//   postgresql  Debian's PostgreSQL 15 server (/usr/lib/postgresql/15/bin/postgres), for a cluster
//   haproxy   /usr/sbin/haproxy, the load balancer in front of a cluster
//   certutil  /usr/bin/certutil (Debian's libnss3-tools), for browsers that trust the appliance's
//             CA over HTTPS (an NSS store in Chromium's home directory, in Firefox's profile)
// Run as root or with CI set (scripts/test in CI), every file runs and a missing prerequisite
// fails its tests. Otherwise files whose needs are not met are left out, with one line per
// reason. The appliance jar is never a reason to skip: scripts/test builds it first, and a
// test without it fails saying how to build it.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { basename, join } from 'node:path';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/lib/chromium/chromium';
const FIREFOX = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
// The same binaries scripts/test installs (postgresql, haproxy) and sdk/fleet/cluster.mjs runs.
const POSTGRES = '/usr/lib/postgresql/15/bin/postgres';
const HAPROXY = '/usr/sbin/haproxy';
const CERTUTIL = process.env.CERTUTIL || '/usr/bin/certutil';

/** Why each prerequisite is unmet on this machine, or null when it is met. */
const CHECKS = {
  root: () => (process.getuid?.() === 0 ? null : 'network namespaces need root (run scripts/test as root)'),
  chromium: () => (existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium)`),
  firefox: () => (existsSync(FIREFOX) ? null : `${FIREFOX} is missing (apt-get install firefox-esr)`),
  postgresql: () => (existsSync(POSTGRES) ? null : `${POSTGRES} is missing (apt-get install postgresql)`),
  haproxy: () => (existsSync(HAPROXY) ? null : `${HAPROXY} is missing (apt-get install haproxy)`),
  certutil: () => (existsSync(CERTUTIL) ? null : `${CERTUTIL} is missing (apt-get install libnss3-tools)`),
};

async function find(dir) {
  if (/\.test\.m?js$/.test(dir) && existsSync(dir)) return [dir];
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') found.push(...await find(path));
    else if (/\.test\.m?js$/.test(entry.name)) found.push(path);
  }
  return found;
}

/** The prerequisites a test file declares in its `// Needs:` line. */
async function needsOf(file) {
  const line = (await readFile(file, 'utf8')).match(/^\/\/ Needs: (.+)$/m);
  const needs = line ? line[1].split(/[\s,]+/).filter(Boolean) : [];
  for (const need of needs) {
    if (!(need in CHECKS)) throw new Error(`${file}: unknown prerequisite "${need}" (known: ${Object.keys(CHECKS).join(', ')})`);
  }
  return needs;
}

const roots = process.argv.length > 2 ? process.argv.slice(2) : ['test'];
const files = (await Promise.all(roots.map(find))).flat().sort();
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}

const strict = process.getuid?.() === 0 || !['', '0', 'false'].includes(process.env.CI ?? '');
const run = [];
const skipped = new Map(); // reason → files
for (const file of files) {
  const reason = (await needsOf(file)).map((need) => CHECKS[need]()).find(Boolean);
  if (!reason || strict) {
    if (reason) console.error(`${basename(file)}: ${reason}: its tests will fail`);
    run.push(file);
  } else {
    skipped.set(reason, [...(skipped.get(reason) ?? []), basename(file)]);
  }
}
for (const [reason, names] of skipped) {
  console.error(`tests skipped (${names.join(', ')}): ${reason}`);
}
if (run.length === 0) {
  process.exit(0);
}
const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...run], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
