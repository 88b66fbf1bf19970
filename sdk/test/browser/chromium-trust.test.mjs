// Needs: chromium, certutil
// How the browser tests' Chromium trusts the appliance over HTTPS (sdk/fleet/tls.mjs): the CA in
// the NSS store of its home directory, as a managed desktop trusts its company's CA. Chromium then
// checks the whole certificate: a server the CA certified answers, one named for another address
// or certified by no CA the store holds is refused.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { chromiumHomeTrusting } from '../../fleet/tls.mjs';
import { launchOptions } from './rig.mjs';

let dir;
const servers = [];

function openssl(...args) {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A key and a certificate for `ip`, signed by the CA `ca` (or self-signed when it is null). */
function certificate(name, ip, ca) {
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=IP:${ip}\nextendedKeyUsage=serverAuth\n`);
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`,
    '-keyout', `${name}.key`, '-out', `${name}.csr`);
  openssl('x509', '-req', '-in', `${name}.csr`, ...(ca ? ['-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial'] : ['-signkey', `${name}.key`]),
    '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.crt`);
  return { key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.crt`)) };
}

async function serve(tls) {
  const server = createServer(tls, (req, res) => res.end('trusted'));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `https://127.0.0.1:${server.address().port}/`;
}

/** What Chromium, with `home` as its home directory, makes of `url`: the page's text or the error. */
async function visit(home, url) {
  const browser = await chromium.launch({ ...launchOptions(), env: { ...process.env, HOME: home } });
  try {
    const page = await browser.newPage();
    return await page.goto(url).then(() => page.textContent('body'), (e) => e.message.split('\n')[0]);
  } finally {
    await browser.close();
  }
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'chromium-trust-'));
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=Test appliance CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-keyout', 'ca.key', '-out', 'ca.crt');
});

after(() => {
  for (const server of servers) server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('Chromium trusts a server the CA in its home NSS store certified, for the address it names only', async () => {
  const home = chromiumHomeTrusting(join(dir, 'home'), join(dir, 'ca.crt'));
  assert.equal(await visit(home, await serve(certificate('right', '127.0.0.1', 'ca'))), 'trusted');
  assert.match(await visit(home, await serve(certificate('elsewhere', '127.0.0.2', 'ca'))), /ERR_CERT_COMMON_NAME_INVALID/);
  assert.match(await visit(home, await serve(certificate('stranger', '127.0.0.1', null))), /ERR_CERT_AUTHORITY_INVALID/);
});

test('without the store, the same certificate is refused', async () => {
  const bare = mkdtempSync(join(dir, 'bare-home-'));
  assert.match(await visit(bare, await serve(certificate('right-again', '127.0.0.1', 'ca'))), /ERR_CERT_AUTHORITY_INVALID/);
});
