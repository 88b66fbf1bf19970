// Launches the machine's Chromium for the SDK's browser tests with the SDK's playwright-core.
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { startAppliance } from './appliance.mjs';
import { launchOptions } from './rig.mjs';
import { serverSpki, trustFlags } from '../../fleet/tls.mjs';

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
  before(async () => {
    rig.appliance = await startAppliance({ demo: true });
    // It trusts the appliance's own key, as a desktop trusts its company's CA: pages may use httpsUrl.
    rig.browser = await launchChromium({ args: trustFlags(await serverSpki('127.0.0.1', rig.appliance.httpsPort)) });
  });
  after(async () => {
    await rig.browser?.close();
    await rig.appliance?.stop();
  });
  return rig;
}
