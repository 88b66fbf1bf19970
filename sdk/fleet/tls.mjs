// The fleet over HTTPS (`--tls`), as the product runs: pages, SDK and signaling from the
// appliance's HTTPS port. Chromium viewers trust the appliance's own key, the way a company's
// desktops trust its internal CA, without turning certificate checks off for anything else
// (Firefox viewers accept any certificate instead: firefox.mjs).
import { X509Certificate, createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { connect } from 'node:tls';

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
