import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CERTUTIL, firefoxProfileTrusting, serverSpki, spkiHash, trustFlags } from '../../fleet/tls.mjs';

// The key hash `scripts/fleet --tls` gives Chromium (sdk/fleet/tls.mjs), against openssl's own
// computation of it for a certificate made here, and read back from a real TLS server.
let dir;
let certPem;
let expected;
let server;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleet-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=fleet-tls-test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
  // The recipe of Chromium's documentation for --ignore-certificate-errors-spki-list.
  const spkiDer = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'],
    { input: execFileSync('openssl', ['x509', '-pubkey', '-noout', '-in', join(dir, 'cert.pem')]) });
  expected = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: spkiDer }).toString('base64');
});

after(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('spkiHash is the base64 SHA-256 of the certificate key, as openssl computes it', () => {
  assert.equal(spkiHash(`openssl s_client noise\n${certPem}\nmore noise`), expected);
  assert.deepEqual(trustFlags(expected), [`--ignore-certificate-errors-spki-list=${expected}`]);
  assert.deepEqual(trustFlags(null), []);
});

test('spkiHash refuses an answer without a certificate, naming the problem', () => {
  assert.throws(() => spkiHash('connect: Connection refused'), /no PEM certificate/);
});

test('serverSpki reads the key a TLS server presents', async () => {
  server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: certPem }, (req, res) => res.end('ok'));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  assert.equal(await serverSpki('127.0.0.1', server.address().port), expected);
});

test('firefoxProfileTrusting makes a profile whose certificate store trusts the CA for web sites only', (t) => {
  if (!existsSync(CERTUTIL)) {
    t.skip(`${CERTUTIL} is missing (apt-get install libnss3-tools)`);
    return;
  }
  const profile = firefoxProfileTrusting(join(dir, 'profile'), join(dir, 'cert.pem'));
  assert.ok(existsSync(join(profile, 'cert9.db')), 'an NSS store in the profile');
  const listed = execFileSync(CERTUTIL, ['-L', '-d', `sql:${profile}`], { encoding: 'utf8' });
  // Trust flags SSL,email,object signing: "C,," is a CA trusted to identify web sites, nothing else.
  assert.match(listed, /^Swarmgate appliance CA\s+C,,\s*$/m, listed);
  assert.throws(() => firefoxProfileTrusting(join(dir, 'broken'), join(dir, 'missing.pem')), /certutil|missing/);
});
