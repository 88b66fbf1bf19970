// Launches the machine's Chromium for the SDK's browser tests with the SDK's playwright-core.
import { chromium } from 'playwright-core';
import { launchOptions } from './rig.mjs';

export { chromiumPath, rigFlags } from './rig.mjs';

/** @param {Parameters<typeof launchOptions>[0]} [options] */
export function launchChromium(options) {
  return chromium.launch(launchOptions(options));
}
