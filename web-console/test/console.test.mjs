// The admin console in real Chromium against the real appliance jar: sign-in errors, the forced
// change of the one-time password, a stream policy created through the form, a sites CSV
// previewed and applied, an auditor who gets no edit controls (and a 403 when writing anyway)
// and the dashboard (live figures, the cluster's appliances, segment integrity). Every view is
// saved as web-console/test-output/console-*.png; with CONSOLE_DOCS_IMAGES=1 the same views
// are also written as JPEGs to docs/images/ for the guide.
//
// The tests share one appliance and run in order: the password chosen in the second test is
// the one later tests sign in with. Uses appliance/target/swarmgate.jar (mvn package) and the
// SDK's appliance helper; run with `npm test` (sdk/scripts/run-tests.mjs decides about skipping).
// Needs: chromium
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot, startAppliance } from '../../sdk/test/browser/appliance.mjs';
import { launchChromium } from './chromium.mjs';

const VIEWPORT = { width: 1280, height: 800 };
const outputDir = join(repoRoot, 'web-console', 'test-output');
const docsDir = join(repoRoot, 'docs', 'images');
const docsImages = process.env.CONSOLE_DOCS_IMAGES === '1';
const ADMIN_PASSWORD = 'correct horse battery 42';
const AUDITOR_PASSWORD = 'auditor reads only 2026';
/** StreamPolicy.DEFAULT_VIEWER_PARAMS: what a policy leaves out of segment ids unless it says otherwise. */
const DEFAULT_VIEWER_PARAMS = ['token', 'access_token', 'auth', 'authorization', 'sig', 'signature', 'expires', 'policy',
  'key-pair-id', 'hdnts', 'hdnea', 'session', 'sessionid'];

let appliance;
let browser;
let adminContext;
let admin; // the admin's page, signed in from the second test on
let auditorOneTimePassword;
const pageErrors = [];

before(async () => {
  await mkdir(outputDir, { recursive: true });
  if (docsImages) {
    await mkdir(docsDir, { recursive: true });
  }
  appliance = await startAppliance({ demo: true });
  browser = await launchChromium();
  adminContext = await browser.newContext({ viewport: VIEWPORT });
  admin = await watchedPage(adminContext);
});

after(async () => {
  await browser?.close();
  await appliance?.stop();
});

/** A page whose uncaught errors and CSP violations fail the test run (checked in the last test). */
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

/** The views the admin guide shows (docs/images/ stays well under 600 KB). */
const DOCS_VIEWS = new Set(['login-error', 'password', 'dashboard-live-sample', 'history', 'stream-editor', 'streams',
  'sites-preview', 'admins', 'certificates', 'auditor-stream']);

async function snap(page, name) {
  await page.screenshot({ path: join(outputDir, `console-${name}.png`) });
  if (docsImages && DOCS_VIEWS.has(name)) {
    await page.screenshot({ path: join(docsDir, `console-${name}.jpg`), type: 'jpeg', quality: 60 });
  }
}

async function signIn(page, username, password) {
  await page.goto(`${appliance.httpUrl}/console/#/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function changePassword(page, current, next) {
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await page.getByLabel('One-time password').fill(current);
  await page.getByLabel('New password', { exact: true }).fill(next);
  await page.getByLabel('Repeat new password').fill(next);
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

test('a wrong password shows the server\'s error and no session', { timeout: 60_000 }, async () => {
  await signIn(admin, 'admin', 'not-the-password');
  const alert = admin.locator('form .form-alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /wrong username or password/);
  assert.equal(new URL(admin.url()).hash, '#/login');
  await snap(admin, 'login-error');

  // During back-off (and for 429 too_many_attempts) the answer carries Retry-After: the page says when to retry.
  const refusal = async (route) => (route.request().method() === 'POST'
    ? route.fulfill({ status: 401, headers: { 'Content-Type': 'application/json', 'Retry-After': '7' },
      body: JSON.stringify({ error: { code: 'invalid_credentials', message: 'wrong username or password' } }) })
    : route.continue());
  await admin.route('**/api/v1/session', refusal);
  try {
    await admin.getByLabel('Password', { exact: true }).fill('not-the-password');
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.locator('form .form-alert', { hasText: 'try again in 7 s' }).waitFor();
    assert.match(await alert.innerText(), /wrong username or password; try again in 7 s/);
  } finally {
    await admin.unroute('**/api/v1/session', refusal);
  }
});

test('signing in with the one-time password forces a password change first', { timeout: 60_000 }, async () => {
  const oneTime = (await readFile(join(appliance.dataDir, 'initial-admin-password'), 'utf8')).trim();
  await signIn(admin, 'admin', oneTime);
  await admin.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  assert.equal(new URL(admin.url()).hash, '#/password');
  // http://127.0.0.1 is a secure context for Chromium, so it keeps the Secure session cookie.
  const cookie = (await adminContext.cookies()).find((c) => c.name === 'sg_session');
  assert.ok(cookie, 'the sg_session cookie is stored');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.secure, true);
  assert.equal(cookie.sameSite, 'Strict');
  // Other pages stay out of reach until the password is changed.
  await admin.goto(`${appliance.httpUrl}/console/#/streams`);
  await admin.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  assert.equal((await apiFromPage(admin, 'GET', '/streams')).body.error.code, 'password_change_required');

  await admin.getByLabel('One-time password').fill(oneTime);
  await admin.getByLabel('New password', { exact: true }).fill('short');
  await admin.getByLabel('Repeat new password').fill('short');
  await admin.getByRole('button', { name: 'Change password' }).click();
  const fieldError = admin.locator('[data-error-for="newPassword"]');
  await fieldError.waitFor();
  assert.match(await fieldError.innerText(), /at least 12 characters/);
  // A rule only the server checks comes back next to the same field.
  await admin.getByLabel('New password', { exact: true }).fill(oneTime);
  await admin.getByLabel('Repeat new password').fill(oneTime);
  await admin.getByRole('button', { name: 'Change password' }).click();
  await admin.locator('[data-error-for="newPassword"]', { hasText: 'must differ from the current one' }).waitFor();
  await snap(admin, 'password');

  await admin.getByLabel('New password', { exact: true }).fill(ADMIN_PASSWORD);
  await admin.getByLabel('Repeat new password').fill(ADMIN_PASSWORD);
  await admin.getByRole('button', { name: 'Change password' }).click();
  await admin.getByRole('heading', { name: 'Live dashboard' }).waitFor();
  assert.equal((await apiFromPage(admin, 'GET', '/streams')).status, 200);
});

test('the dashboard renders headline numbers and charts', { timeout: 60_000 }, async () => {
  await admin.goto(`${appliance.httpUrl}/console/#/dashboard`);
  await admin.getByRole('heading', { name: 'Live dashboard' }).waitFor();
  for (const id of ['viewers', 'efficiency', 'httpBps', 'p2pBps', 'rebufferRatio', 'startup']) {
    assert.ok(await admin.locator(`#kpi-${id}`).isVisible(), `headline ${id} shown`);
  }
  assert.ok(await admin.locator('.chart canvas').count() >= 4, 'four chart canvases');
  // Without QoE data the page says so instead of breaking.
  await admin.waitForFunction(() => document.querySelector('.live-status')?.dataset.state !== 'connecting', null, { timeout: 15_000 });
  // The screenshot shows the first sample drawn.
  await admin.waitForFunction(() => document.querySelector('#kpi-viewers')?.textContent !== '–', null, { timeout: 15_000 });
  await snap(admin, 'dashboard');
});

test('an operator creates a stream policy through the form', { timeout: 60_000 }, async () => {
  await admin.getByRole('link', { name: 'Streams & policies' }).click();
  await admin.getByRole('button', { name: 'New stream policy' }).click();
  await admin.getByLabel('Stream id').fill('Town Hall');
  await admin.getByRole('button', { name: 'Create stream policy' }).click();
  await admin.locator('[data-error-for="id"]', { hasText: 'lower-case' }).waitFor();

  await admin.getByLabel('Stream id').fill('town-hall');
  await admin.getByLabel('URL pattern').fill('https://media.corp.example/live/townhall/*.m3u8');
  await admin.getByLabel('P2P mode', { exact: true }).selectOption('on');
  await admin.getByLabel('Security level').selectOption('intermediate');
  await admin.getByLabel('Max neighbours per viewer').fill('6');
  await admin.getByLabel('Uploads at a time per viewer').fill('65');
  await admin.getByRole('button', { name: 'Create stream policy' }).click();
  await admin.locator('[data-error-for="maxUploads"]', { hasText: '1 to 64' }).waitFor();
  await admin.getByLabel('Uploads at a time per viewer').fill('2');
  await admin.getByLabel('Upload rate per viewer (kbit/s)').fill('8000');
  await admin.getByLabel('Upload over cellular connections').check();
  await admin.getByLabel('Upload over Wi-Fi').uncheck();
  await admin.getByLabel('Allowed page origins').fill('https://intranet.corp.example');
  await admin.getByLabel('Site groups').fill('paris, lyon');
  await admin.getByRole('button', { name: 'Add site override' }).click();
  await admin.getByLabel('Site name').fill('remote-vpn');
  await admin.getByLabel('P2P mode for this site').selectOption('off');
  await admin.getByLabel('Viewer tokens').selectOption('generate');
  // A new policy starts with the appliance's default per-viewer parameters (compared when stored, below).
  assert.equal(await admin.getByLabel('Per-viewer query parameters').inputValue(), DEFAULT_VIEWER_PARAMS.join(', '));
  await snap(admin, 'stream-editor');
  await admin.getByRole('button', { name: 'Create stream policy' }).click();

  const secret = admin.locator('.secret-box .secret-value');
  await secret.waitFor();
  assert.match(await secret.innerText(), /^[A-Za-z0-9_-]{43,}$/);
  await admin.locator('#streams-table tbody tr', { hasText: 'town-hall' }).waitFor();
  const stored = await apiFromPage(admin, 'GET', '/streams/town-hall');
  assert.equal(stored.status, 200);
  assert.deepEqual({ ...stored.body, updatedAt: undefined }, {
    id: 'town-hall',
    urlPattern: 'https://media.corp.example/live/townhall/*.m3u8',
    p2p: 'on',
    siteModes: { 'remote-vpn': 'off' },
    maxNeighbours: 6,
    uploadOnCellular: true,
    uploadOnWifi: false,
    maxUploads: 2,
    maxUploadKbps: 8000,
    allowedOrigins: ['https://intranet.corp.example'],
    security: 'intermediate',
    siteGroups: [['lyon', 'paris']],
    tokenRequired: true,
    allowAnyOrigin: false,
    tokenMaxLifetimeSeconds: 86400,
    tokenRotationGraceSeconds: 60,
    previousTokenSecretAcceptedUntil: null,
    maxViewersPerToken: 0,
    // The form left the per-viewer query parameters as shown: the policy keeps the appliance's default list.
    viewerParams: DEFAULT_VIEWER_PARAMS,
    updatedAt: undefined,
  });
  await snap(admin, 'streams');
});

test('an operator edits the per-viewer query parameters; bad names are refused with the API\'s rule', { timeout: 60_000 }, async () => {
  const params = admin.getByLabel('Per-viewer query parameters');
  const error = admin.locator('[data-error-for="viewerParams"]');
  const save = admin.getByRole('button', { name: 'Save changes' });
  const stored = async () => (await apiFromPage(admin, 'GET', '/streams/town-hall')).body.viewerParams;
  const edit = async () => {
    await admin.getByRole('button', { name: 'Edit town-hall' }).click();
    await params.waitFor();
  };
  // What the console sends for the stream, one entry per save.
  const sent = [];
  const record = (request) => {
    if (request.method() === 'PUT' && request.url().endsWith('/api/v1/streams/town-hall')) sent.push(request.postDataJSON());
  };
  admin.on('request', record);
  try {
    await edit();
    assert.equal(await params.inputValue(), DEFAULT_VIEWER_PARAMS.join(', '));

    // Checked in the form as the appliance checks them; nothing is sent.
    await params.fill('token, sig\nbad name');
    await save.click();
    await error.waitFor();
    assert.equal(await error.innerText(), "'bad name' is not a query parameter name (1-64 letters, digits, '.', '_', '~', '-').");
    await params.fill(Array.from({ length: 33 }, (_, i) => `p${i}`).join('\n'));
    await save.click();
    await admin.locator('[data-error-for="viewerParams"]', { hasText: 'at most 32' }).waitFor();
    assert.equal(sent.length, 0);
    assert.deepEqual(await stored(), DEFAULT_VIEWER_PARAMS);

    // A refusal by the appliance itself is shown under the field with the appliance's message:
    // here the request is changed on its way to carry a name the form would not send.
    await params.fill('token');
    const tamper = (route) => route.continue({ postData: JSON.stringify({ ...route.request().postDataJSON(), viewerParams: ['to ken'] }) });
    await admin.route('**/api/v1/streams/town-hall', tamper);
    try {
      await save.click();
      await admin.locator('[data-error-for="viewerParams"]', { hasText: 'has the wrong form' }).waitFor();
      assert.equal(await error.innerText(), "viewerParams[0] has the wrong form: 1-64 letters, digits, '.', '_', '~', '-'");
    } finally {
      await admin.unroute('**/api/v1/streams/town-hall', tamper);
    }
    assert.deepEqual(await stored(), DEFAULT_VIEWER_PARAMS);

    // Commas or lines, any case, repeats: stored lower-case, once each.
    sent.length = 0;
    await params.fill('token, sig\nTicket,\n\nTOKEN ');
    await save.click();
    await admin.locator('.notice', { hasText: 'Saved stream policy town-hall' }).waitFor();
    assert.deepEqual(sent.map((body) => body.viewerParams), [['token', 'sig', 'ticket']]);
    assert.deepEqual(await stored(), ['token', 'sig', 'ticket']);

    // Shown as stored; saving another field leaves the list alone.
    await edit();
    assert.equal(await params.inputValue(), 'token, sig, ticket');
    await admin.getByLabel('Max neighbours per viewer').fill('7');
    await save.click();
    await admin.locator('.notice', { hasText: 'Saved stream policy town-hall' }).waitFor();
    assert.equal(sent.at(-1).viewerParams, undefined, 'an untouched list is not sent');
    assert.deepEqual(await stored(), ['token', 'sig', 'ticket']);

    // Empty: every query parameter is part of a segment's identity.
    await edit();
    await params.fill('');
    await save.click();
    await admin.locator('.notice', { hasText: 'Saved stream policy town-hall' }).waitFor();
    assert.deepEqual(await stored(), []);
    await edit();
    assert.equal(await params.inputValue(), '');
    await admin.getByRole('button', { name: 'Cancel' }).click();
  } finally {
    admin.off('request', record);
  }
});

test('a sites CSV is previewed, then applied; a bad CSV is refused with its problems by line', { timeout: 60_000 }, async () => {
  await admin.getByRole('link', { name: 'Sites' }).click();
  await admin.getByLabel('Range (CIDR)').fill('10.30.0.0/16');
  await admin.getByLabel('Site', { exact: true }).fill('lyon');
  await admin.getByRole('button', { name: 'Add range' }).click();
  await admin.locator('#sites-table tbody tr', { hasText: '10.30.0.0/16' }).waitFor();

  const csv = admin.getByLabel('CSV text');
  await csv.fill('cidr,site,label\n10.20.0.0/16,paris,Paris HQ\nnot-a-cidr,paris,\n');
  await admin.getByRole('button', { name: 'Preview changes' }).click();
  const problems = admin.locator('.form-alert .problems li');
  await problems.first().waitFor();
  assert.match(await problems.first().innerText(), /line 3/i);

  await csv.fill('cidr,site,label\n10.20.0.0/16,paris,Paris HQ\n10.21.0.0/16,paris,Paris annex\n10.30.0.0/16,lyon,Lyon office\n');
  await admin.getByRole('button', { name: 'Preview changes' }).click();
  const preview = admin.locator('#import-preview');
  await preview.waitFor();
  assert.match(await preview.locator('.summary').innerText(), /2 to add, 1 to change, 0 unchanged/);
  // Nothing is applied by the preview.
  assert.equal((await apiFromPage(admin, 'GET', '/sites')).body.length, 1);
  await snap(admin, 'sites-preview');

  await admin.getByRole('button', { name: 'Apply import' }).click();
  await admin.locator('.preview .notice', { hasText: 'Imported: 2 added, 1 changed, 0 unchanged' }).waitFor();
  await admin.locator('#sites-table tbody tr', { hasText: '10.21.0.0/16' }).waitFor();
  const sites = (await apiFromPage(admin, 'GET', '/sites')).body;
  assert.deepEqual(sites.map((s) => `${s.cidr} ${s.site} ${s.label}`).sort(),
    ['10.20.0.0/16 paris Paris HQ', '10.21.0.0/16 paris Paris annex', '10.30.0.0/16 lyon Lyon office']);
  await snap(admin, 'sites');
});

test('the history page asks for a range and shows charts or a no-data message', { timeout: 60_000 }, async () => {
  await admin.getByRole('link', { name: 'History' }).click();
  await admin.getByRole('heading', { name: 'History' }).waitFor();
  assert.ok(await admin.locator('.chart canvas').count() >= 5);
  await admin.waitForFunction(() => {
    const status = document.querySelector('.page-history [role="status"]')?.textContent;
    return (status && status !== 'Loading…') || !document.querySelector('.page-history .form-alert')?.hidden;
  });
  await admin.getByLabel('Range', { exact: true }).selectOption('custom');
  assert.ok(await admin.getByLabel('From').isVisible());
  await admin.getByLabel('Range', { exact: true }).selectOption('day');
  await snap(admin, 'history');
});

test('an admin creates an auditor (one-time password shown once) and an API token', { timeout: 60_000 }, async () => {
  await admin.getByRole('link', { name: 'Admins & tokens' }).click();
  const form = admin.getByRole('form', { name: 'Add an administrator' });
  await form.getByLabel('Username').fill('audrey');
  await form.getByLabel('Role').selectOption('auditor');
  await form.getByRole('button', { name: 'Add administrator' }).click();
  const secret = admin.locator('.secret-box', { hasText: 'audrey' }).locator('.secret-value');
  await secret.waitFor();
  auditorOneTimePassword = (await secret.innerText()).trim();
  assert.ok(auditorOneTimePassword.length >= 12);
  await admin.locator('#admins-table tbody tr', { hasText: 'audrey' }).waitFor();

  // The server's message for a duplicate lands next to the username.
  await form.getByLabel('Username').fill('audrey');
  await form.getByRole('button', { name: 'Add administrator' }).click();
  await form.locator('.field-error:not([hidden]), .form-alert:not([hidden])').first().waitFor();

  const tokens = admin.getByRole('form', { name: 'Create an API token' });
  assert.equal(await tokens.getByLabel('Expires in (days)').inputValue(), '90');
  await tokens.getByLabel('Expires in (days)').fill('400');
  await tokens.getByLabel('Name').fill('monitoring');
  await tokens.getByRole('button', { name: 'Create token' }).click();
  await tokens.locator('[data-error-for="expiresInDays"]:not([hidden])').waitFor();
  await tokens.getByLabel('Expires in (days)').fill('30');
  await tokens.getByRole('button', { name: 'Create token' }).click();
  await admin.locator('.secret-box', { hasText: 'monitoring' }).waitFor();
  assert.match(await admin.locator('.secret-box', { hasText: 'monitoring' }).locator('.secret-value').innerText(), /^sgt_/);
  const row = admin.locator('#tokens-table tbody tr', { hasText: 'monitoring' });
  await row.waitFor();
  // Owner and expiry (30 days from now, in the browser's local time) are shown.
  const expected = await admin.evaluate(() => [0, 1].map((extra) => {
    const d = new Date(Date.now() + (30 + extra) * 86_400_000);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  }));
  const cells = await row.locator('td').allInnerTexts();
  assert.equal(cells[1], 'admin', `owner in ${cells}`);
  assert.ok(expected.some((day) => cells[3].startsWith(day)), `expiry ${cells[3]} is 30 days ahead`);
  assert.equal(await tokens.getByLabel('Expires in (days)').inputValue(), '90', 'the form resets to the default');
  await snap(admin, 'admins');
});

test('the certificates page shows the server certificate and offers the CSR and import', { timeout: 60_000 }, async () => {
  await admin.getByRole('link', { name: 'Certificates' }).click();
  await admin.getByRole('heading', { name: 'Server certificate (HTTPS)' }).waitFor();
  assert.match(await admin.locator('dl.facts').first().innerText(), /SHA-256/);
  assert.ok(await admin.getByRole('link', { name: 'Download CSR' }).isVisible());
  await admin.getByLabel('PEM chain').fill('-----BEGIN CERTIFICATE-----\nMIIBnotacertificate\n-----END CERTIFICATE-----\n');
  await admin.getByRole('button', { name: 'Import chain' }).click();
  const error = admin.locator('[data-error-for="chain"]:not([hidden]), form .form-alert:not([hidden])').first();
  await error.waitFor();
  assert.ok((await error.innerText()).length > 0, 'the rejection reason is shown');
  await snap(admin, 'certificates-rejected');
  await admin.evaluate(() => window.scrollTo(0, 0));
  await snap(admin, 'certificates');
});

test('an auditor sees no edit controls and the API refuses a write from the auditor\'s page', { timeout: 90_000 }, async () => {
  assert.ok(auditorOneTimePassword, 'the auditor was created by the previous test');
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await watchedPage(context);
    await signIn(page, 'audrey', auditorOneTimePassword);
    await changePassword(page, auditorOneTimePassword, AUDITOR_PASSWORD);
    // The dashboard's cluster section is read-only and shows for the auditor too.
    await page.locator('#cluster-appliances tbody tr', { hasText: '(this one)' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Console pages' });
    assert.equal(await nav.getByRole('link', { name: 'Admins & tokens' }).count(), 0);
    assert.equal(await nav.getByRole('link').count(), 6);

    await nav.getByRole('link', { name: 'Streams & policies' }).click();
    await page.locator('#streams-table tbody tr', { hasText: 'town-hall' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'New stream policy' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^(Edit|Delete)/ }).count(), 0);
    await page.getByRole('button', { name: 'View town-hall' }).click();
    assert.equal(await page.getByLabel('URL pattern').isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: /Save|Create/ }).count(), 0);
    await snap(page, 'auditor-stream');

    await nav.getByRole('link', { name: 'Sites' }).click();
    await page.locator('#sites-table tbody tr', { hasText: '10.20.0.0/16' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /Delete|Add range|Preview/ }).count(), 0);
    assert.ok(await page.getByRole('link', { name: 'Export CSV' }).isVisible());

    await nav.getByRole('link', { name: 'Certificates' }).click();
    await page.getByRole('heading', { name: 'Server certificate (HTTPS)' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Import chain' }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Download CSR' }).count(), 0);

    const write = await apiFromPage(page, 'POST', '/streams', { id: 'sneaky' });
    assert.equal(write.status, 403);
    assert.equal(write.body.error.code, 'forbidden');
    const adminsPage = await page.goto(`${appliance.httpUrl}/console/#/admins`).then(() => page.locator('h1').innerText());
    assert.equal(adminsPage, 'Live dashboard', 'the admins page is not reachable for an auditor');
  } finally {
    await context.close();
  }
});

/** A /qoe/live-shaped sample `secondsAgo` before now, with figures that move over time. */
function sample(secondsAgo) {
  const i = 300 - secondsAgo;
  const viewers = 40 + Math.round(10 * Math.sin(i / 20));
  const p2p = 2_000_000 * viewers * (0.7 + 0.1 * Math.sin(i / 30));
  const http = 2_000_000 * viewers - p2p;
  const at = Date.now() - secondsAgo * 1000;
  return {
    time: new Date(at).toISOString(),
    viewers,
    efficiency: p2p / (p2p + http),
    httpBps: http,
    p2pBps: p2p,
    rebufferRatio: 0.004 + 0.003 * Math.max(0, Math.sin(i / 15)),
    startupP50Ms: 850,
    startupP95Ms: 2100,
    whyNotP2p: { timeout: 31, integrity: 0, gone: 7, noHolder: 54, policy: 12 },
    bySite: [
      { site: 'paris', viewers: viewers - 12, efficiency: 0.82, httpBps: http * 0.5, p2pBps: p2p * 0.8, rebufferRatio: 0.003, uploadCapacityKbps: 48_000,
        wanKbps: 95_000, wanMeasuredAt: new Date(at - 4000).toISOString(), wanCongested: false },
      // A branch office on a thin link, measured by yesterday's viewers (remembered for a day).
      { site: 'lyon', viewers: 9, efficiency: 0.64, httpBps: http * 0.3, p2pBps: p2p * 0.15, rebufferRatio: 0.006,
        wanKbps: 2_400, wanMeasuredAt: new Date(at - 3 * 3600_000).toISOString(), wanCongested: true, viewersReachingNobody: 2 },
      { site: 'remote-vpn', viewers: 3, efficiency: 0, httpBps: http * 0.2, p2pBps: 0, rebufferRatio: 0.011, uploadCapacityKbps: null,
        wanKbps: null, wanMeasuredAt: null, wanCongested: null },
    ],
    byStream: [{ stream: 'town-hall', viewers, efficiency: p2p / (p2p + http) }],
  };
}

/**
 * A fresh page signed in as the admin (same session cookie) in its own context: nothing cached,
 * so the page load does not depend on conditional requests (see the reload test below).
 */
async function freshAdminPage() {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addCookies(await adminContext.cookies());
  const page = await watchedPage(context);
  page.once('close', () => context.close());
  return page;
}

test('the dashboard follows the live socket: config first, then one sample per interval', { timeout: 60_000 }, async () => {
  const page = await freshAdminPage();
  try {
    let timer;
    // A stand-in for the appliance's socket, speaking the documented protocol.
    await page.routeWebSocket(/\/api\/v1\/live$/, (ws) => {
      ws.send(JSON.stringify({ type: 'config', intervalMs: 1000, series: ['viewers', 'efficiency', 'httpBps', 'p2pBps', 'rebufferRatio', 'startupP50Ms'], historySeconds: 300 }));
      for (let ago = 240; ago > 0; ago--) {
        ws.send(JSON.stringify({ type: 'data', ...sample(ago) }));
      }
      timer = setInterval(() => ws.send(JSON.stringify({ type: 'data', ...sample(0) })), 1000);
      ws.onClose(() => clearInterval(timer));
    });
    await page.goto(`${appliance.httpUrl}/console/#/dashboard`);
    await page.waitForFunction((n) => document.querySelector('#kpi-viewers')?.textContent === n, String(sample(0).viewers), { timeout: 10_000 });
    assert.equal(await page.locator('.live-status').getAttribute('data-state'), 'socket');
    assert.match(await page.locator('#kpi-efficiency').innerText(), /^\d+\.\d %$/);
    assert.match(await page.locator('#kpi-startup').innerText(), /850 ms \/ 2\.1 s/);
    assert.equal(await page.locator('#live-sites tbody tr').count(), 3);
    // /qoe/live sums each site over its streams: the table has no stream column.
    assert.deepEqual(await page.locator('#live-sites thead th').allTextContents(),
      ['Site', 'Viewers', 'Peer efficiency', 'HTTP', 'P2P', 'Rebuffer', 'Upload capacity', 'WAN link']);
    assert.equal(await page.locator('#live-sites tbody tr').first().locator('td').first().innerText(), 'paris');
    const cell = (site, column) => page.locator('#live-sites tbody tr', { hasText: site }).locator('td').nth(column);
    // Per site, the upload capacity its viewers measured; a site without a figure shows a dash.
    assert.equal(await cell('paris', 6).innerText(), '48.0 Mbit/s');
    assert.equal(await cell('remote-vpn', 6).innerText(), '–');
    // Per site, its WAN link as joiners are told it, marked in words when they take it for congested.
    assert.equal(await cell('paris', 7).innerText(), '95.0 Mbit/s');
    assert.match(await cell('paris', 7).getAttribute('title'), /^Measured \d{4}-\d\d-\d\d \d\d:\d\d \(4 s ago\)$/);
    assert.match(await cell('lyon', 7).innerText(), /^2\.4 Mbit\/s\s+congested$/);
    assert.ok(await cell('lyon', 7).getByText('congested', { exact: true }).isVisible());
    assert.match(await cell('lyon', 7).getAttribute('title'), /^Measured .* \(3 h ago\): viewers of this site take its link for congested/);
    assert.equal(await cell('remote-vpn', 7).innerText(), '–');
    assert.equal(await cell('remote-vpn', 7).getAttribute('title'), null);
    // Per site, its viewers that reach no colleague (WebRTC blocked), marked beside its name when there are any.
    assert.match(await cell('lyon', 0).innerText(), /^lyon\s+2 blocked$/);
    assert.match(await cell('lyon', 0).locator('.reach-nobody').getAttribute('title'), /^2 of this site's viewers reach no colleague/);
    assert.equal(await page.locator('#live-sites .reach-nobody').count(), 1);
    assert.equal(await page.locator('#live-sites .link-congested').count(), 2);
    assert.equal(await page.locator('.bars progress').count(), 6, 'one bar per reason');
    assert.ok(await page.locator('.empty').isHidden());
    await snap(page, 'dashboard-live-sample');
    clearInterval(timer);
  } finally {
    await page.close();
  }
});

test('the dashboard lists integrity reports and barred peers from /api/v1/integrity', { timeout: 60_000 }, async () => {
  const page = await freshAdminPage();
  try {
    // First the real appliance: nothing reported, the panel says so.
    await page.goto(`${appliance.httpUrl}/console/#/dashboard`);
    await page.waitForFunction(() => /Origin fetches for hashes/.test(document.querySelector('#integrity-figures')?.textContent || ''), null, { timeout: 10_000 });
    assert.match(await page.locator('#integrity-offenders tbody').innerText(), /No peer is barred/);
    // Then a stand-in answering with the documented shape, as after an attack.
    await page.route(/\/api\/v1\/integrity$/, (route) => route.fulfill({
      contentType: 'application/json',
      body: JSON.stringify({
        anchor: { asks: 40, fetches: 12, fetchedBytes: 2_400_000, failures: 0, cachedSegments: 12 },
        unverifiedTransfers: 0, reports: 5, barred: 1,
        streams: [{
          streamId: 'townhall',
          sites: { 'paris-hq': { reports: 5, barred: 1 } },
          offenders: [{ peerId: 'p-BAD00001', address: '10.20.1.66', site: 'paris-hq', reporters: 3, barredAt: '2026-12-03T10:00:00Z' }],
        }],
      }),
    }));
    await page.reload();
    await page.locator('#integrity-offenders tbody tr', { hasText: 'p-BAD00001' }).waitFor({ timeout: 15_000 });
    const row = await page.locator('#integrity-offenders tbody tr').first().innerText();
    assert.match(row, /10\.20\.1\.66/);
    assert.match(row, /3 addresses/);
    assert.match(await page.locator('#integrity-sites tbody').innerText(), /paris-hq\s+5\s+1/);
    assert.match(await page.locator('#integrity-figures').innerText(), /12 \(2\.4 MB\)/);
  } finally {
    await page.close();
  }
});

test('the dashboard\'s cluster section shows the appliances, their states and streams, and warns of a split stream', { timeout: 60_000 }, async () => {
  const page = await freshAdminPage();
  try {
    const rows = page.locator('#cluster-appliances tbody tr');
    const streams = page.locator('#cluster-streams tbody tr');
    const totals = page.locator('#cluster-totals');
    const cells = (row) => row.locator('th, td').allInnerTexts();
    // First the real appliance: with the embedded database it lists itself alone.
    await page.goto(`${appliance.httpUrl}/console/#/dashboard`);
    await rows.filter({ hasText: '(this one)' }).waitFor({ timeout: 10_000 });
    const self = await cells(rows.first());
    assert.match(self[1], new RegExp(`^https://.+:${appliance.httpsPort}/?$`), 'its HTTPS address');
    assert.deepEqual(self.slice(2), ['ready', '0', '0', 'now']);
    assert.equal(await totals.innerText(), '1 appliance, 0 viewers, 0 streams.');
    assert.deepEqual(await cells(streams.first()), ['No streams playing.']);
    assert.ok(await page.locator('#cluster-warning').isHidden());

    // Then stand-ins with the documented shape. Ages are read on the appliance's clock (nowMs),
    // which here is a year away from the browser's.
    const nowMs = Date.now() - 365 * 86_400_000;
    const node = (name, viewers, streamList, { draining = false, self = false, ageMs = 400 } = {}) => ({
      node: `${name}:8443`, url: `https://${name}.corp.example:8443/`, viewers, draining, self, updatedAtMs: nowMs - ageMs,
      streams: streamList.map(([stream, n]) => ({ stream, viewers: n })),
    });
    let answer = { nowMs, viewers: 40, appliances: [node('sg-a', 40, [['town-hall', 40]], { self: true })] };
    await page.route(/\/api\/v1\/cluster$/, (route) => route.fulfill({ json: answer }));
    await page.reload();
    await rows.filter({ hasText: 'sg-a:8443' }).waitFor({ timeout: 10_000 });
    assert.deepEqual(await cells(rows.first()), ['sg-a:8443 (this one)', 'https://sg-a.corp.example:8443/', 'ready', '40', '1', 'now']);
    assert.deepEqual(await cells(streams.first()), ['town-hall', 'sg-a:8443', '40']);
    assert.equal(await totals.innerText(), '1 appliance, 40 viewers, 1 stream.');

    // Two appliances, one draining: the section follows without a reload.
    answer = { nowMs, viewers: 52, appliances: [
      node('sg-b', 12, [['all-hands', 12]], { draining: true, ageMs: 3200 }),
      node('sg-a', 40, [['town-hall', 40]], { self: true }),
    ] };
    await page.waitForFunction(() => document.querySelectorAll('#cluster-appliances tbody tr').length === 2, null, { timeout: 10_000 });
    assert.deepEqual(await cells(rows.nth(0)), ['sg-a:8443 (this one)', 'https://sg-a.corp.example:8443/', 'ready', '40', '1', 'now']);
    assert.deepEqual(await cells(rows.nth(1)), ['sg-b:8443', 'https://sg-b.corp.example:8443/', 'draining', '12', '1', '3 s ago']);
    assert.equal(await rows.nth(1).getAttribute('class'), 'draining');
    assert.equal(await totals.innerText(), '2 appliances (1 draining), 52 viewers, 2 streams.');
    assert.deepEqual(await streams.allInnerTexts(), ['town-hall\tsg-a:8443\t40', 'all-hands\tsg-b:8443\t12']);
    assert.ok(await page.locator('#cluster-warning').isHidden());

    // A stream on two appliances: its viewers form two meshes, the load balancer is not sharding by stream.
    answer = { nowMs, viewers: 57, appliances: [
      node('sg-a', 40, [['town-hall', 40]], { self: true }),
      node('sg-b', 17, [['all-hands', 12], ['town-hall', 5]], { ageMs: 1500 }),
    ] };
    await page.locator('#cluster-streams tbody tr.warning').waitFor({ timeout: 10_000 });
    assert.deepEqual(await cells(page.locator('#cluster-streams tbody tr.warning')),
      ['town-hall', 'on 2 appliances: sg-a:8443 (40), sg-b:8443 (5)', '45']);
    assert.equal(await streams.count(), 2);
    assert.match(await page.locator('#cluster-warning').innerText(), /^town-hall: viewers on more than one appliance\..*not keeping each stream on one appliance/);
    assert.equal(await totals.innerText(), '2 appliances, 57 viewers, 2 streams.');
    assert.deepEqual((await cells(rows.nth(1))).slice(2), ['ready', '17', '2', '1 s ago']);
    await page.locator('#cluster-streams').scrollIntoViewIfNeeded();
    await snap(page, 'dashboard-cluster');
  } finally {
    await page.close();
  }
});

test('without the live socket the dashboard polls /qoe/live every 2 s', { timeout: 60_000 }, async () => {
  const page = await freshAdminPage();
  try {
    // The page's clock moves only when the test says, so the interval is measured, not raced.
    await page.clock.install();
    await page.clock.pauseAt(Date.now() + 1000);
    // The page's time of every poll it sends (Date.now is the fake clock's).
    await page.addInitScript(() => {
      const fetch = window.fetch;
      window.qoePolls = [];
      window.fetch = function (input, init) {
        if (String(input).endsWith('/api/v1/qoe/live')) window.qoePolls.push(Date.now());
        return fetch.call(this, input, init);
      };
    });
    await page.routeWebSocket(/\/api\/v1\/live$/, (ws) => ws.close({ code: 1011, reason: 'unavailable' }));
    // Answers alternate between a sample and a server error: the state shows each was handled.
    let answered = 0;
    await page.route('**/api/v1/qoe/live', (route) => {
      answered++;
      return answered % 2 === 1
        ? route.fulfill({ json: { ...sample(0), viewers: 7 } })
        : route.fulfill({ status: 500, json: { error: { code: 'internal', message: 'try again' } } });
    });
    const state = (s) => page.waitForFunction((want) => document.querySelector('.live-status')?.dataset.state === want, s,
      { timeout: 10_000, polling: 100 });
    await page.goto(`${appliance.httpUrl}/console/#/dashboard`);
    await state('polling');
    await page.clock.runFor(2000);
    await state('error');
    await page.clock.runFor(2000);
    await state('polling');
    await page.clock.runFor(100); // one animation frame draws the last sample
    assert.equal(await page.locator('#kpi-viewers').innerText(), '7');
    const polls = await page.evaluate(() => window.qoePolls);
    assert.equal(polls.length, 3, `polls at ${polls}`);
    assert.deepEqual([polls[1] - polls[0], polls[2] - polls[1]], [2000, 2000], 'one poll every 2 s, errors included');
  } finally {
    await page.close();
  }
});

test('the dashboard shows non-empty live numbers while 3 viewers play', { timeout: 120_000 }, async () => {
  const viewers = [];
  try {
    for (let i = 0; i < 3; i++) {
      const context = await browser.newContext({ viewport: { width: 640, height: 400 } });
      viewers.push(context);
      const page = await context.newPage();
      await page.goto(`${appliance.httpUrl}/demo/`);
      await page.waitForFunction(() => window.demoPlayer?.stats.started === true, null, { timeout: 30_000 });
    }
    await admin.goto(`${appliance.httpUrl}/console/#/dashboard`);
    await admin.waitForFunction(() => Number(document.querySelector('#kpi-viewers')?.textContent) >= 3, null, { timeout: 20_000 });
    assert.notEqual(await admin.locator('#kpi-httpBps').innerText(), '–');
    assert.ok(await admin.locator('#kpi-efficiency').innerText());
    assert.ok(await admin.locator('#live-sites tbody tr td.num').count() >= 1);
    // The viewers' reports (every 10 s) carry their fastest fetches: their site's WAN link shows.
    const wan = admin.locator('#live-sites td.wan').first();
    await wan.waitFor({ timeout: 30_000 });
    assert.match(await wan.innerText(), /^\d+(\.\d)? [kMG]?bit\/s/);
    assert.match(await wan.getAttribute('title'), /^Measured \d{4}-\d\d-\d\d \d\d:\d\d \((now|\d+ s ago)\)/);
    await snap(admin, 'dashboard-live');
  } finally {
    for (const context of viewers) {
      await context.close();
    }
  }
});

// Browsers revalidate the console's files on every visit (Cache-Control: no-cache): the
// conditional requests must be answered 304 or 200.
test('reloading the console revalidates its files without a server error', { timeout: 30_000 }, async () => {
  await admin.goto(`${appliance.httpUrl}/console/#/dashboard`);
  const response = await admin.reload();
  assert.ok([200, 304].includes(response.status()), `reload answered ${response.status()}`);
  await admin.getByRole('heading', { name: 'Live dashboard' }).waitFor({ timeout: 5000 });
});

test('no page error or CSP violation happened in any view', () => {
  assert.deepEqual(pageErrors, []);
});
