// Following fleet pages and the appliance's API while a browser test changes something under them
// (appliance-restart, cluster-failover, fleet-redteam): each page's swarmgate.stats(), a wait
// until every page satisfies a condition, and the REST API from inside the router namespace.
import { join } from 'node:path';

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** A page's swarmgate.stats(), or null while the page is busy or navigating (the next poll asks again). */
export async function pageStats(viewer) {
  try {
    return await viewer.page.evaluate(async () => JSON.parse(JSON.stringify(await window.swarmgate.stats())));
  } catch {
    return null;
  }
}

export function allStats(viewers) {
  return Promise.all(viewers.map(pageStats));
}

/**
 * Polls every `pollMs` until every viewer's stats satisfy `done`, or `waitMs`; returns the last
 * stats, or throws naming `what` with each page's figures.
 */
export async function untilEvery(viewers, done, what, { waitMs = 60_000, pollMs = 250 } = {}) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const all = await allStats(viewers);
    if (all.every((s) => s && done(s))) {
      return all;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} not reached within ${waitMs} ms: ${JSON.stringify(all.map((s) => s && {
        connected: s.connected, leader: s.leader, p2pBytes: s.p2pBytes, peers: s.peers, stalls: s.stalls,
      }))}`);
    }
    await sleep(pollMs);
  }
}

/**
 * GET `path` of an appliance's REST API from inside the fleet's router namespace, signed in as
 * `username` (an account the test made with rig.cli). `httpsPort` defaults to the rig's appliance.
 * curl checks the appliance's certificate against its CA (a cluster's appliances share one).
 * @returns {Promise<{status: number, body: string}>}
 */
export async function apiGet(rig, path, { username, password, httpsPort = rig.httpsPort }) {
  const base = `https://127.0.0.1:${httpsPort}`;
  const ca = join(rig.dataDir, 'pki', 'ca.crt');
  const login = (await rig.exec(['curl', '-s', '--cacert', ca, '-m', '20', '-D', '-', '-o', '/dev/null', '-H', 'content-type: application/json',
    '--data-binary', '@-', `${base}/api/v1/session`], { input: JSON.stringify({ username, password }) })).toString();
  const cookies = [...login.matchAll(/^set-cookie:\s*([^=;\s]+=[^;\r\n]*)/gim)].map((m) => m[1]);
  if (cookies.length === 0) {
    throw new Error(`cannot sign in to ${base} as ${username}:\n${login}`);
  }
  const out = (await rig.exec(['curl', '-s', '--cacert', ca, '-m', '20', '-w', '\n%{http_code}', '-H', `cookie: ${cookies.join('; ')}`, `${base}${path}`])).toString();
  const cut = out.lastIndexOf('\n');
  return { status: Number(out.slice(cut + 1)), body: out.slice(0, cut) };
}
