// The fleet over HTTPS (`--tls`), as the product runs: pages, SDK and signaling from the
// appliance's HTTPS port. Every viewer's browser trusts the appliance's CA in an NSS certificate
// store, the way a company's managed desktops trust its internal CA, and checks the certificate
// fully (chain, name constraints, the address in the URL): Chromium reads the store of the user's
// home (`$HOME/.pki/nssdb`), Firefox the one of its profile.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { jarPath } from './appliance-rig.mjs';

/** NSS's certutil (Debian's libnss3-tools), which writes a Firefox profile's certificate store. */
export const CERTUTIL = process.env.CERTUTIL || '/usr/bin/certutil';

/**
 * Makes `dbDir` an NSS certificate store that trusts the CA in `caFile` to identify web sites
 * (trust flags `C,,`), and nothing else beyond the browser's built-in roots.
 * @returns {string} dbDir
 */
function nssStoreTrusting(dbDir, caFile) {
  if (!existsSync(CERTUTIL)) {
    throw new Error(`${CERTUTIL} is missing: apt-get install libnss3-tools (viewers over --tls trust the appliance's CA through it)`);
  }
  mkdirSync(dbDir, { recursive: true });
  const db = `sql:${dbDir}`;
  execFileSync(CERTUTIL, ['-N', '-d', db, '--empty-password'], { stdio: ['ignore', 'pipe', 'pipe'] });
  execFileSync(CERTUTIL, ['-A', '-d', db, '-n', 'Swarmgate appliance CA', '-t', 'C,,', '-i', caFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  return dbDir;
}

/** Makes `profileDir` a Firefox profile whose certificate store trusts the CA in `caFile`. */
export function firefoxProfileTrusting(profileDir, caFile) {
  return nssStoreTrusting(profileDir, caFile);
}

/**
 * Makes `homeDir` a home directory whose NSS store (`.pki/nssdb`, where Chromium on Linux keeps
 * the user's trusted CAs) trusts the CA in `caFile`; run Chromium with `HOME` set to it.
 * @returns {string} homeDir
 */
export function chromiumHomeTrusting(homeDir, caFile) {
  nssStoreTrusting(join(homeDir, '.pki', 'nssdb'), caFile);
  return homeDir;
}

/**
 * For appliances that fetch what they hash through a TLS ingress showing their own certificate
 * (a cluster's HAProxy, the split origin with `tls`): creates the PKI of the appliance in `dataDir`
 * (`swarmgate init`) with `names` in its certificate, and a trust store of its CA at `storeFile`;
 * returns the environment that gives an appliance those names and makes its Java runtime trust
 * that CA, as a host with the enterprise CA installed does (it replaces the runtime's own store:
 * the appliances reach nothing else over TLS here).
 */
export function javaTrustingEnv(dataDir, storeFile, names) {
  const env = { SWARMGATE_SERVER_HOSTNAMES: names.join(',') };
  execFileSync(process.env.JAVA || 'java', ['-jar', jarPath, 'init', '--data-dir', dataDir],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  const password = randomBytes(12).toString('hex');
  execFileSync('keytool', ['-importcert', '-noprompt', '-alias', 'swarmgate-appliance-ca', '-file', join(dataDir, 'pki', 'ca.crt'),
    '-keystore', storeFile, '-storetype', 'PKCS12', '-storepass', password], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  return { ...env, JAVA_TOOL_OPTIONS: `-Djavax.net.ssl.trustStore=${storeFile} -Djavax.net.ssl.trustStorePassword=${password}` };
}
