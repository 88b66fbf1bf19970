// The fleet over HTTPS (`--tls`), as the product runs: pages, SDK and signaling from the
// appliance's HTTPS port. Chromium viewers trust the appliance's own key, without turning
// certificate checks off for anything else; Firefox viewers trust the appliance's CA in their
// profile's certificate store, the way a company's managed desktops trust its internal CA, and
// check the certificate fully (chain, name constraints, the address in the URL).
import { X509Certificate, createHash } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { connect } from 'node:tls';

/** NSS's certutil (Debian's libnss3-tools), which writes a Firefox profile's certificate store. */
export const CERTUTIL = process.env.CERTUTIL || '/usr/bin/certutil';

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/**
 * The SHA-256 of the certificate's public key (its SubjectPublicKeyInfo), base64: the form
 * Chromium's --ignore-certificate-errors-spki-list takes.
 * @param {string} pem
 */
export function spkiHash(pem) {
  const match = PEM.exec(pem);
  if (!match) {
    throw new Error('no PEM certificate in the TLS answer');
  }
  return keyHash(new X509Certificate(match[0]));
}

/** base64 SHA-256 of a certificate's DER SubjectPublicKeyInfo. */
function keyHash(certificate) {
  return createHash('sha256').update(certificate.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

/**
 * The SPKI hash of the certificate the appliance presents on `port`, read inside `namespace` with
 * openssl's TLS client (the same handshake a viewer's browser makes).
 * @returns {Promise<string>}
 */
export function applianceSpki(namespace, port) {
  return new Promise((resolveSpki, reject) => {
    const child = execFile(process.env.IP_COMMAND || 'ip',
      ['netns', 'exec', namespace, 'openssl', 's_client', '-connect', `127.0.0.1:${port}`, '-servername', 'swarmgate'],
      { timeout: 10_000, encoding: 'utf8' },
      (error, stdout) => {
        try {
          resolveSpki(spkiHash(stdout));
        } catch (e) {
          reject(new Error(`cannot read the appliance's certificate on port ${port}: ${e.message}${error ? ` (${error.message})` : ''}`));
        }
      });
    child.stdin.end();
  });
}

/**
 * The SPKI hash of the certificate a server presents at `host`:`port` on this machine's own
 * network (no namespace), read with Node's TLS client.
 * @returns {Promise<string>}
 */
export function serverSpki(host, port) {
  return new Promise((resolveSpki, reject) => {
    // The certificate is read, not trusted: its hash is what the browser is then told to trust.
    const socket = connect({ host, port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.end();
      resolveSpki(keyHash(new X509Certificate(raw)));
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no TLS answer from ${host}:${port} in 10 s`)));
    socket.on('error', reject);
  });
}

/** Chromium flags that make a viewer trust the key `spki` (and nothing else it would not already). */
export function trustFlags(spki) {
  return spki ? [`--ignore-certificate-errors-spki-list=${spki}`] : [];
}

/**
 * Makes `profileDir` a Firefox profile whose certificate store trusts the CA in `caFile` to
 * identify web sites (trust flags `C,,`), and nothing else beyond Firefox's built-in roots.
 * @returns {string} profileDir
 */
export function firefoxProfileTrusting(profileDir, caFile) {
  if (!existsSync(CERTUTIL)) {
    throw new Error(`${CERTUTIL} is missing: apt-get install libnss3-tools (Firefox viewers over --tls trust the appliance's CA through it)`);
  }
  mkdirSync(profileDir, { recursive: true });
  const db = `sql:${profileDir}`;
  execFileSync(CERTUTIL, ['-N', '-d', db, '--empty-password'], { stdio: ['ignore', 'pipe', 'pipe'] });
  execFileSync(CERTUTIL, ['-A', '-d', db, '-n', 'Swarmgate appliance CA', '-t', 'C,,', '-i', caFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  return profileDir;
}
