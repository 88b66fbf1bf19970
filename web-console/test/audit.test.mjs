// The console's audit log in real Chromium against the real appliance jar: an auditor sees what
// the admin did, filters by action, actor and outcome, and downloads a signed export whose
// signature the machine's openssl accepts (and docs/audit-verify.py too). The view is saved as
// web-console/test-output/console-audit.png.
//
// Uses appliance/target/swarmgate.jar (mvn package); run with `npm test`.
// Needs: chromium
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot, startAppliance } from '../../sdk/test/browser/appliance.mjs';
import { launchChromium } from './chromium.mjs';

const VIEWPORT = { width: 1280, height: 800 };
const outputDir = join(repoRoot, 'web-console', 'test-output');
const ADMIN_PASSWORD = 'correct horse battery 42';
const AUDITOR_PASSWORD = 'auditor reads only 2026';

let appliance;
let browser;
const pageErrors = [];

before(async () => {
  await mkdir(outputDir, { recursive: true });
  appliance = await startAppliance({ demo: false });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await appliance?.stop();
});

async function watchedPage(context) {
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) {
      pageErrors.push(message.text());
    }
  });
  return page;
}

async function signInFirstTime(page, username, oneTime, password) {
  await page.goto(`${appliance.httpUrl}/console/#/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(oneTime);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await page.getByLabel('One-time password').fill(oneTime);
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('Repeat new password').fill(password);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByRole('heading', { name: 'Live dashboard' }).waitFor();
}

/** Calls the API from inside `page` with its session cookie and CSRF token, as the console would. */
function apiFromPage(page, method, path, body) {
  return page.evaluate(async ({ method, path, body }) => {
    const session = await (await fetch('/api/v1/session')).json();
    const response = await fetch(`/api/v1${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrfToken },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  }, { method, path, body });
}

/** The action column of every row shown. */
async function actions(page) {
  return page.locator('#audit-table tbody tr td:nth-child(5)').allInnerTexts();
}

test('an auditor filters the audit log and downloads an export that openssl verifies', { timeout: 120_000 }, async () => {
  const adminContext = await browser.newContext({ viewport: VIEWPORT });
  const auditorContext = await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true });
  try {
    const admin = await watchedPage(adminContext);
    const oneTime = (await readFile(join(appliance.dataDir, 'initial-admin-password'), 'utf8')).trim();
    await signInFirstTime(admin, 'admin', oneTime, ADMIN_PASSWORD);
    assert.equal((await apiFromPage(admin, 'POST', '/sites', { cidr: '10.30.0.0/16', site: 'berlin' })).status, 201);
    assert.equal((await apiFromPage(admin, 'POST', '/streams', { id: 'all-hands' })).status, 201);
    const created = await apiFromPage(admin, 'POST', '/admins', { username: 'ines', role: 'auditor' });
    assert.equal(created.status, 201);

    const page = await watchedPage(auditorContext);
    await signInFirstTime(page, 'ines', created.body.oneTimePassword, AUDITOR_PASSWORD);
    await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.locator('#audit-table tbody tr', { hasText: 'site.saved' }).waitFor();
    const siteRow = await page.locator('#audit-table tbody tr', { hasText: 'site.saved' }).innerText();
    assert.match(siteRow, /admin/);
    assert.match(siteRow, /10\.30\.0\.0\/16/);
    // Details open on demand and show the state after the change.
    await page.locator('#audit-table tbody tr', { hasText: 'site.saved' }).getByText('Show').click();
    assert.match(await page.locator('#audit-table tbody tr', { hasText: 'site.saved' }).locator('pre').innerText(), /berlin/);

    await page.getByLabel('Action').fill('auth.*');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('#audit-table tbody tr td:nth-child(5)')]
      .every((td) => td.textContent.startsWith('auth.')));
    const authActions = await actions(page);
    assert.ok(authActions.length >= 3, `sign-ins and password changes: ${authActions}`);

    await page.getByLabel('Action').fill('');
    await page.getByLabel('Actor').fill('admin');
    await page.getByLabel('Outcome').selectOption('success');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('#audit-table tbody tr th')]
      .every((th) => th.textContent === 'admin') && document.querySelectorAll('#audit-table tbody tr').length > 0);
    assert.ok((await actions(page)).includes('stream.created'));

    // The end before the start is refused next to the field, without a request.
    await page.getByLabel('From', { exact: true }).fill('2026-12-02T10:00');
    await page.getByLabel('To', { exact: true }).fill('2026-12-01T10:00');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('[data-error-for="to"]:not([hidden])').waitFor();
    await page.getByLabel('From', { exact: true }).fill('');
    await page.getByLabel('To', { exact: true }).fill('');
    await page.getByLabel('Actor').fill('');
    await page.getByLabel('Outcome').selectOption('');

    await page.getByLabel('Format', { exact: true }).selectOption('jsonl');
    await page.getByRole('button', { name: 'Export' }).click();
    const fileLink = page.getByRole('link', { name: /^Download swarmgate-audit-/ });
    await fileLink.waitFor();
    const dir = await mkdtemp(join(tmpdir(), 'swarmgate-audit-export-'));
    const name = (await fileLink.innerText()).replace('Download ', '');
    const [file] = await Promise.all([page.waitForEvent('download'), fileLink.click()]);
    await file.saveAs(join(dir, name));
    const [signature] = await Promise.all([page.waitForEvent('download'),
      page.getByRole('form', { name: 'Export the audit log' }).getByRole('link', { name: 'Download signature (.p7s)' }).click()]);
    assert.equal(signature.suggestedFilename(), `${name}.p7s`);
    await signature.saveAs(join(dir, `${name}.p7s`));
    await page.screenshot({ path: join(outputDir, 'console-audit.png') });

    const ca = join(appliance.dataDir, 'pki', 'ca.crt');
    const openssl = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(dir, `${name}.p7s`),
      '-content', join(dir, name), '-CAfile', ca, '-purpose', 'any', '-out', '/dev/null'], { encoding: 'utf8' });
    assert.equal(openssl.status, 0, openssl.stderr);
    const script = spawnSync('python3', [join(repoRoot, 'docs', 'audit-verify.py'), join(dir, name), '--ca', ca],
      { encoding: 'utf8' });
    assert.equal(script.status, 0, script.stdout + script.stderr);
    assert.match(await readFile(join(dir, name), 'utf8'), /"action":"site.saved"/);

    // A compliance report comes the same way: the file and its signature, which openssl accepts.
    await page.getByLabel('Report format').selectOption('csv');
    await page.getByRole('button', { name: 'Create report' }).click();
    const reportLink = page.getByRole('link', { name: /^Download swarmgate-compliance-/ });
    await reportLink.waitFor();
    const reportName = (await reportLink.innerText()).replace('Download ', '');
    const [report] = await Promise.all([page.waitForEvent('download'), reportLink.click()]);
    await report.saveAs(join(dir, reportName));
    const [reportSignature] = await Promise.all([page.waitForEvent('download'),
      page.getByRole('form', { name: 'Create a compliance report' }).getByRole('link', { name: 'Download signature (.p7s)' }).click()]);
    await reportSignature.saveAs(join(dir, `${reportName}.p7s`));
    assert.match(await readFile(join(dir, reportName), 'utf8'), /^scope,stream,site,/);
    const reportCheck = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(dir, `${reportName}.p7s`),
      '-content', join(dir, reportName), '-CAfile', ca, '-purpose', 'any', '-out', '/dev/null'], { encoding: 'utf8' });
    assert.equal(reportCheck.status, 0, reportCheck.stderr);

    // The export is itself in the log, by the auditor.
    await page.locator('#audit-table tbody tr', { hasText: 'audit.exported' }).waitFor();
    assert.match(await page.locator('#audit-table tbody tr', { hasText: 'audit.exported' }).innerText(), /ines/);
  } finally {
    await adminContext.close();
    await auditorContext.close();
  }
});

test('no page error or CSP violation happened', () => {
  assert.deepEqual(pageErrors, []);
});
