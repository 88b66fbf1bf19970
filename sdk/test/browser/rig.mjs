// How test browsers are launched on these machines: the Debian Chromium binary, headless, with
// the flags the test rig needs (docs: architecture.md, "Real-browser test rig"). No imports, so
// the console's tests can use it with their own playwright-core (see chromium.mjs).

/** The real binary; /usr/bin/chromium is a wrapper script that adds its own flags. */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/lib/chromium/chromium';

/**
 * Options for playwright's `chromium.launch()`.
 * @param {object} [options]
 * @param {string[]} [options.excludeHosts] extra host patterns Chromium may resolve (test ranges)
 * @param {string[]} [options.args] extra Chromium flags. Chromium honours only the last
 *   --disable-features: one passed here replaces Playwright's own list, so merge them.
 */
export function launchOptions({ excludeHosts = [], args = [] } = {}) {
  return { executablePath: chromiumPath, headless: true, args: [...rigFlags(excludeHosts), ...args] };
}

/**
 * The flags every test browser runs with. Without the resolver rule Chromium looks up Google hosts
 * on its own; every name except the ones the test uses must fail to resolve so nothing leaves the
 * machine.
 * @param {string[]} excludeHosts host patterns that may resolve besides 127.0.0.1 and *.local
 */
export function rigFlags(excludeHosts = []) {
  const resolverRules = ['MAP * ~NOTFOUND', 'EXCLUDE 127.0.0.1', ...excludeHosts.map((h) => `EXCLUDE ${h}`), 'EXCLUDE *.local'];
  return [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--autoplay-policy=no-user-gesture-required',
    `--host-resolver-rules=${resolverRules.join(', ')}`,
  ];
}
