// Launches the machine's Chromium for the SDK's browser tests with the SDK's playwright-core.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { startAppliance } from './appliance.mjs';
import { launchOptions } from './rig.mjs';
import { chromiumHomeTrusting } from '../../fleet/tls.mjs';

export { chromiumPath, rigFlags } from './rig.mjs';

/** @param {Parameters<typeof launchOptions>[0]} [options] */
export function launchChromium(options) {
  return chromium.launch(launchOptions(options));
}

/**
 * For a test file whose tests share one demo appliance and one Chromium: registers node:test
 * `before`/`after` hooks that start both and stop them whatever happens.
 * @returns {{appliance: object|null, browser: import('playwright-core').Browser|null}} filled in by `before`
 */
export function demoApplianceAndChromium() {
  const rig = { appliance: null, browser: null };
  let home = null;
  before(async () => {
    rig.appliance = await startAppliance({ demo: true });
    // It trusts the appliance's CA, as a desktop trusts its company's CA, and checks the
    // certificate fully: pages may use httpsUrl.
    home = chromiumHomeTrusting(mkdtempSync(join(tmpdir(), 'swarmgate-chromium-home-')), join(rig.appliance.dataDir, 'pki', 'ca.crt'));
    rig.browser = await chromium.launch({ ...launchOptions(), env: { ...process.env, HOME: home } });
  });
  after(async () => {
    await rig.browser?.close();
    await rig.appliance?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });
  return rig;
}
