import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CERTUTIL, chromiumHomeTrusting, firefoxProfileTrusting } from '../../fleet/tls.mjs';

// The certificate stores `scripts/fleet --tls` gives its viewers (sdk/fleet/tls.mjs), read back
// with certutil. test/browser/chromium-trust.test.mjs shows Chromium using its store.
let dir;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleet-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=fleet-tls-test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
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

test('chromiumHomeTrusting puts the CA in the store Chromium reads from the home directory', (t) => {
  if (!existsSync(CERTUTIL)) {
    t.skip(`${CERTUTIL} is missing (apt-get install libnss3-tools)`);
    return;
  }
  const home = chromiumHomeTrusting(join(dir, 'home'), join(dir, 'cert.pem'));
  assert.equal(home, join(dir, 'home'));
  const listed = execFileSync(CERTUTIL, ['-L', '-d', `sql:${join(home, '.pki', 'nssdb')}`], { encoding: 'utf8' });
  assert.match(listed, /^Swarmgate appliance CA\s+C,,\s*$/m, listed);
});
