// The fleet over HTTPS (`--tls`), as the product runs: pages, SDK and signaling from the
// appliance's HTTPS port. Every viewer's browser trusts the appliance's CA in an NSS certificate
// store, the way a company's managed desktops trust its internal CA, and checks the certificate
// fully (chain, name constraints, the address in the URL): Chromium reads the store of the user's
// home (`$HOME/.pki/nssdb`), Firefox the one of its profile.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

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
