// Chromium inside a site namespace, driven by playwright-core.
//
// playwright-core's chromium.launch() cannot enter a network namespace itself, so it launches a
// small wrapper script instead of the binary: the wrapper runs `ip netns exec <ns>` and execs
// the real Chromium with the same arguments and file descriptors (Playwright talks to it over
// --remote-debugging-pipe on fds 3 and 4, which exec keeps). The wrapper also merges every
// --disable-features / --enable-features flag into one each: Chromium honours only the last,
// so Playwright's own list and ours (WebRtcHideLocalIpsWithMdns, needed for peers on different
// subnets) would otherwise replace each other. With `hideLocalIps` Chromium keeps its default, as
// on an employee's desktop: host candidates are random `<uuid>.local` mDNS names, which resolve
// only where multicast reaches (one subnet).
//
// The flags come from sdk/test/browser/chromium.mjs (the rig facts in architecture.md); that
// helper launches on the host, this one inside a namespace.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { chromiumPath, rigFlags } from '../test/browser/chromium.mjs';
import { firefoxPath, launchFirefoxInNamespace } from './firefox.mjs';
import { chromiumHomeTrusting } from './tls.mjs';
import { withTimeout } from './appliance-rig.mjs';

export { chromiumPath, firefoxPath };

/** What `--browser` accepts: every viewer in Chromium, every viewer in Firefox, or both. */
export const BROWSER_CHOICES = ['chromium', 'firefox', 'mixed'];

function shellQuote(value) {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

/** Writes the netns wrapper for `namespace` into `dir` and returns its path. */
export function writeNetnsWrapper(dir, namespace) {
  const path = join(dir, `chromium-${namespace}.sh`);
  writeFileSync(path, `#!/bin/bash
# Runs Chromium inside network namespace ${namespace}; merges repeated feature flags.
disable=(); enable=(); args=()
for arg in "$@"; do
  case "$arg" in
    --disable-features=*) disable+=("\${arg#--disable-features=}") ;;
    --enable-features=*) enable+=("\${arg#--enable-features=}") ;;
    *) args+=("$arg") ;;
  esac
done
join() { local IFS=,; echo "$*"; }
[ \${#disable[@]} -gt 0 ] && args+=("--disable-features=$(join "\${disable[@]}")")
[ \${#enable[@]} -gt 0 ] && args+=("--enable-features=$(join "\${enable[@]}")")
exec ${shellQuote(process.env.IP_COMMAND || 'ip')} netns exec ${shellQuote(namespace)} ${shellQuote(chromiumPath)} "\${args[@]}"
`);
  chmodSync(path, 0o755);
  return path;
}

/**
 * Launches headless Chromium inside `namespace`.
 *
 * @param {object} options
 * @param {string} options.namespace network namespace to run in
 * @param {string} options.dir directory for the wrapper script
 * @param {string[]} [options.args] extra Chromium flags
 * @param {boolean} [options.hideLocalIps=false] keep Chromium's default of mDNS host candidates
 * @param {string|null} [options.trustCaFile] the CA the viewer trusts, in the NSS store of a home
 *   directory of its own (tls.mjs)
 */
export function launchInNamespace({ namespace, dir, args = [], hideLocalIps = false, trustCaFile = null }) {
  const home = trustCaFile ? { env: { ...process.env, HOME: chromiumHomeTrusting(join(dir, `chromium-home-${namespace}`), trustCaFile) } } : {};
  return chromium.launch({
    ...home,
    executablePath: writeNetnsWrapper(dir, namespace),
    headless: true,
    // The fleet installs its own signal handlers and tears everything down itself.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    // Only the test range and loopback resolve; everything else fails, so nothing leaves the rig.
    // Every Chromium window preloads its address bar's WebUI popup in a renderer of its own
    // (chrome://omnibox-popup.top-chrome/, about 1.4 s of CPU as each viewer opens); headless
    // viewers never show it, and on a shared machine it delays the pages starting meanwhile.
    args: [...rigFlags(['10.99.*']), '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup',
      ...(hideLocalIps ? [] : ['--disable-features=WebRtcHideLocalIpsWithMdns']), ...args],
  });
}

/**
 * The browser viewer `index` runs in. `mixed` alternates inside each site (viewers are spread
 * round-robin over sites first), so every site holds both browsers.
 * @param {'chromium'|'firefox'|'mixed'} choice
 * @returns {'chromium'|'firefox'}
 */
export function browserOf(choice, index, sites = 1) {
  if (choice !== 'mixed') return choice;
  return Math.floor(index / sites) % 2 === 0 ? 'chromium' : 'firefox';
}

/** Why the browsers of `choice` cannot run here, or null. */
export function browserUnavailableReason(choice) {
  if (!BROWSER_CHOICES.includes(choice)) {
    return `browser must be one of ${BROWSER_CHOICES.join(', ')}, got '${choice}'`;
  }
  if (choice !== 'firefox' && !existsSync(chromiumPath)) {
    return `${chromiumPath} is missing: apt-get install chromium`;
  }
  if (choice !== 'chromium' && !existsSync(firefoxPath)) {
    return `${firefoxPath} is missing: apt-get install firefox-esr`;
  }
  return null;
}

/**
 * Launches the browser `kind` inside `namespace`. Both give the fleet the same calls
 * (newContext({viewport}) → addInitScript, newPage → goto, evaluate, on; close); only Chromium
 * has request routing (context.route).
 * @param {'chromium'|'firefox'} kind
 */
export async function launchViewerBrowser(kind, { namespace, dir, hideLocalIps = false, trustCaFile = null }) {
  if (kind === 'firefox') {
    return launchFirefoxInNamespace({ namespace, dir, hideLocalIps, trustCaFile });
  }
  const browser = await launchInNamespace({ namespace, dir, hideLocalIps, trustCaFile });
  return Object.assign(browser, { browserName: 'chromium' });
}

/**
 * The browsers of a run: one of each kind per viewer namespace (site, subnet) that gets a viewer
 * of that kind, closed with the topology. `placement(index)` says where viewer `index` goes
 * ({site, subnet, kind}: viewers round-robin over sites, then subnets) and `browserFor(place)`
 * gives that place's browser; `kinds` counts processes by browser name, `versions` their builds;
 * `closeAll(timeoutMs, log)` closes them, each given at most that long (a close that takes longer is
 * logged).
 */
export async function launchViewerBrowsers(topology, { viewers, sites, subnetsPerSite, browser, dir, hideLocalIps, trustCaFile }) {
  const browsers = new Map();
  topology.onDestroy(() => {
    // Browsers die with their namespace anyway; this just stops Playwright waiting on them.
    for (const b of browsers.values()) {
      b.close().catch(() => {});
    }
  });
  const placement = (index) => ({
    site: (index % sites) + 1, subnet: (Math.floor(index / sites) % subnetsPerSite) + 1, kind: browserOf(browser, index, sites),
  });
  const key = ({ site, subnet, kind }) => `${kind}/${site}/${subnet}`;
  for (let index = 0; index < viewers; index += 1) {
    const place = placement(index);
    if (!browsers.has(key(place))) {
      browsers.set(key(place), await launchViewerBrowser(place.kind, {
        namespace: topology.viewerNamespace(place.site, place.subnet), dir, hideLocalIps, trustCaFile,
      }));
    }
  }
  const kinds = [...browsers.values()].reduce((n, b) => ({ ...n, [b.browserName]: (n[b.browserName] ?? 0) + 1 }), {});
  // Which browser build ran: start-up figures move with it (and with the machine) between runs.
  const versions = {};
  for (const b of browsers.values()) {
    if (!(b.browserName in versions)) versions[b.browserName] = await Promise.resolve(b.version?.()).catch(() => null) ?? null;
  }
  const closeAll = async (timeoutMs, log) => {
    for (const b of browsers.values()) {
      await withTimeout(b.close(), timeoutMs, 'browser close').catch((e) => log(e.message));
    }
  };
  return { placement, browserFor: (place) => browsers.get(key(place)), kinds, versions, closeAll };
}
