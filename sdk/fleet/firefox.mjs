// Firefox (Debian's firefox-esr) inside a site namespace, driven over WebDriver BiDi by
// puppeteer-core, behind the same small interface the fleet uses of a Playwright browser.
//
// Chromium talks to Playwright over a pipe, so a wrapper that enters the namespace is enough
// (browser.mjs). Firefox's BiDi server is a WebSocket on 127.0.0.1 — the loopback of the viewer
// namespace, which the driver on the host cannot reach. So the wrapper puppeteer starts is a node
// script on the host: it listens on a free port P of the host's loopback, starts Firefox in the
// namespace with its BiDi server on the same port P of the namespace's loopback, and relays each
// connection through a helper running in the namespace (`ip netns exec NS node -e …`, its stdin
// and stdout). Firefox's line `WebDriver BiDi listening on ws://127.0.0.1:P` is then true on the
// host too, and the Host header puppeteer sends names the port Firefox expects. No port is
// opened on any network the viewers see. puppeteer kills the wrapper's process group on close;
// Firefox dies with the namespace anyway (topology.mjs).
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { firefoxLaunchOptions, firefoxPath } from '../test/browser/firefox.mjs';
import { firefoxProfileTrusting } from './tls.mjs';

export { firefoxPath };

/** Relays stdin/stdout to 127.0.0.1:<argv[1]> (runs inside the namespace). */
const RELAY = "const s=require('net').connect(Number(process.argv[1]),'127.0.0.1');" +
  "process.stdin.pipe(s);s.pipe(process.stdout);s.on('error',()=>process.exit(1));s.on('close',()=>process.exit(0));";

/** Writes the netns wrapper for `namespace` into `dir` and returns its path. */
export function writeFirefoxWrapper(dir, namespace) {
  const path = join(dir, `firefox-${namespace}.mjs`);
  const ipCommand = process.env.IP_COMMAND || 'ip';
  writeFileSync(path, `#!${process.execPath}
// Runs firefox-esr inside network namespace ${namespace}; relays its WebDriver BiDi port to the host's loopback.
import { spawn } from 'node:child_process';
import net from 'node:net';
const ns = ${JSON.stringify(namespace)};
const ip = ${JSON.stringify(ipCommand)};
const node = ${JSON.stringify(process.execPath)};
const relay = ${JSON.stringify(RELAY)};
// Firefox checks that the Host header names its own port: the relay listens on the host's
// loopback first, and Firefox is told to listen on the same port number inside the namespace.
const server = net.createServer((socket) => {
  const helper = spawn(ip, ['netns', 'exec', ns, node, '-e', relay, String(server.address().port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  socket.pipe(helper.stdin);
  helper.stdout.pipe(socket);
  socket.on('error', () => helper.kill());
  socket.on('close', () => helper.kill());
  helper.on('exit', () => socket.destroy());
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const args = process.argv.slice(2).map((a) => (a.startsWith('--remote-debugging-port=') ? '--remote-debugging-port=' + port : a));
  const firefox = spawn(ip, ['netns', 'exec', ns, ${JSON.stringify(firefoxPath)}, ...args], { stdio: 'inherit' });
  firefox.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => firefox.kill(signal));
});
`);
  chmodSync(path, 0o755);
  return path;
}

/**
 * A page as the fleet uses it (the subset of Playwright's Page it calls).
 * @param {import('puppeteer-core').Page} page
 */
function pageFacade(page) {
  return {
    browserName: 'firefox',
    // Playwright's 'commit' does not exist in puppeteer: DOMContentLoaded is the earliest it waits for.
    goto: (url, { timeout } = {}) => page.goto(url, { waitUntil: 'domcontentloaded', timeout }),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    waitForFunction: (fn, arg, { timeout } = {}) => page.waitForFunction(fn, { timeout }, arg),
    on: (event, fn) => {
      page.on(event, event === 'console' ? (m) => fn({ type: () => m.type(), text: () => m.text() }) : fn);
    },
    screenshot: (options) => page.screenshot(options),
    close: () => page.close(),
    raw: page,
  };
}

/**
 * A browser context as the fleet uses it: init scripts registered before newPage() run in every
 * page opened after, before the page's own scripts (BiDi preload scripts).
 * @param {import('puppeteer-core').BrowserContext} context
 */
function contextFacade(context, { viewport }) {
  const initScripts = [];
  return {
    browserName: 'firefox',
    async addInitScript(fn, arg) {
      initScripts.push([fn, arg]);
    },
    async route() {
      throw new Error('request routing (--cached-hls-js, onContext routes) is only available with Chromium viewers');
    },
    async newPage() {
      const page = await context.newPage();
      if (viewport) await setViewport(page, viewport);
      for (const [fn, arg] of initScripts) await page.evaluateOnNewDocument(fn, arg);
      return pageFacade(page);
    },
    close: () => context.close(),
    raw: context,
  };
}

/**
 * Sets the page's viewport. puppeteer-core sends a screen-orientation override with it, which
 * Firefox ESR 140 does not implement ("unknown command emulation.setScreenOrientationOverride"):
 * the viewport itself is still set, so only that error is passed over.
 */
async function setViewport(page, viewport) {
  try {
    await page.setViewport(viewport);
  } catch (e) {
    if (!/unknown command emulation\.setScreenOrientationOverride/.test(String(e && e.message))) throw e;
  }
}

/**
 * Launches headless firefox-esr inside `namespace`.
 * @param {object} options
 * @param {string} options.namespace network namespace to run in
 * @param {string} options.dir directory for the wrapper script
 * @param {boolean} [options.hideLocalIps=false] keep Firefox's default mDNS host candidates
 * @param {string|null} [options.trustCaFile=null] the appliance's CA certificate (`--tls`): the
 *   browser gets a profile of its own in `dir` whose certificate store trusts it (tls.mjs), and
 *   checks the appliance's certificate as against any other site
 * @returns {Promise<{browserName: string, newContext(options?: {viewport?: object}): Promise<object>, close(): Promise<void>}>}
 */
export async function launchFirefoxInNamespace({ namespace, dir, hideLocalIps = false, trustCaFile = null }) {
  const profile = trustCaFile ? { userDataDir: firefoxProfileTrusting(join(dir, `firefox-profile-${namespace}`), trustCaFile) } : {};
  const browser = await puppeteer.launch({
    ...firefoxLaunchOptions({ executablePath: writeFirefoxWrapper(dir, namespace), hideLocalIps }), ...profile,
  });
  return {
    browserName: 'firefox',
    newContext: async ({ viewport } = {}) => contextFacade(await browser.createBrowserContext(), { viewport }),
    close: () => browser.close(),
    raw: browser,
  };
}
