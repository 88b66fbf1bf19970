// Launches the machine's Chromium for the console's tests with the console's own playwright-core;
// the flags and binary are the SDK test rig's (sdk/test/browser/rig.mjs).
import { chromium } from 'playwright-core';
import { launchOptions } from '../../sdk/test/browser/rig.mjs';

/** @param {Parameters<typeof launchOptions>[0]} [options] */
export function launchChromium(options) {
  return chromium.launch(launchOptions(options));
}
