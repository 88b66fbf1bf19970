// The fleet's --wan-rate shaping, without browsers: a 1-site topology with its WAN link shaped to
// 1 Mbit/s. Over the WAN link (viewer namespace ↔ router namespace) both a download and an upload
// stay near that rate; between two namespaces on the site's own bridge the LAN is not shaped.
// Bounds are generous (behaviour, not the machine's speed): WAN < 3× the rate, LAN > 5× the rate.
// Needs: root
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LINK_PAYLOAD_SHARE } from '../../fleet/measure.mjs';
import { createTopology, removeDir } from '../../fleet/topology.mjs';
import { linkTotal, sampleWanLinks } from '../../fleet/wan-link.mjs';

const RATE_KBIT = 1000;
const RATE_BYTES_PER_S = (RATE_KBIT * 1000) / 8;
const PORT = 8099;

// GET /bytes?n=N answers N zero bytes; POST reads the whole body, then answers "ok".
const SERVER = `
const http = require('node:http');
http.createServer((req, res) => {
  if (req.method === 'POST') {
    req.on('data', () => {});
    req.on('end', () => res.end('ok'));
    return;
  }
  const n = Number(new URL(req.url, 'http://x').searchParams.get('n')) || 0;
  res.writeHead(200, { 'content-length': n });
  res.end(Buffer.alloc(n));
}).listen(${PORT}, '0.0.0.0');
`;

let topology;
let linkTopology;
const dir = mkdtempSync(join(tmpdir(), 'sgf-shaping-'));
after(() => {
  topology?.destroy();
  linkTopology?.destroy();
  removeDir(dir);
});

function inNamespace(namespace, argv, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    execFile('ip', ['netns', 'exec', namespace, ...argv], { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) =>
      (error ? reject(new Error(`${argv.join(' ')} in ${namespace}: ${stderr || error.message}`)) : resolve(stdout)));
  });
}

function startServer(namespace) {
  // Killed with its namespace when the topology goes (deleteNamespace kills what runs inside).
  const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, '-e', SERVER], { stdio: 'ignore' });
  child.unref();
}

async function waitForServer(namespace, url) {
  for (let i = 0; i < 50; i += 1) {
    try {
      await inNamespace(namespace, ['curl', '-sf', '-m', '1', '-o', '/dev/null', url], 5000);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`no server at ${url} seen from ${namespace}`);
}

/** Bytes per second of a download of `bytes` from `url`, run inside `namespace`. */
async function download(namespace, url, bytes) {
  const out = await inNamespace(namespace, ['curl', '-sf', '-m', '25', '-o', '/dev/null', '-w', '%{size_download} %{speed_download}', `${url}/bytes?n=${bytes}`]);
  const [size, speed] = out.trim().split(' ').map(Number);
  assert.equal(size, bytes, `downloaded all ${bytes} bytes from ${url}`);
  return speed;
}

/** Bytes per second of an upload (POST) of `file` to `url`, run inside `namespace`. */
async function upload(namespace, url, file) {
  const out = await inNamespace(namespace, ['curl', '-sf', '-m', '25', '-o', '/dev/null', '-H', 'Expect:',
    '--data-binary', `@${file}`, '-w', '%{size_upload} %{speed_upload}', `${url}/upload`]);
  return out.trim().split(' ').map(Number);
}

test('--wan-rate shapes the site\'s WAN link both ways and leaves the site\'s LAN unshaped', { timeout: 60_000 }, async () => {
  topology = createTopology({ sites: 1, wanRateKbit: RATE_KBIT });
  const viewer = topology.viewerNamespace(1);
  const neighbour = topology.addHost(1); // a second machine on the same site bridge
  startServer(topology.router);
  startServer(neighbour.namespace);
  const wanUrl = `http://${topology.routerAddress(1)}:${PORT}`;
  const lanUrl = `http://${neighbour.address}:${PORT}`;
  await waitForServer(viewer, wanUrl);
  await waitForServer(viewer, lanUrl);

  // 500 kB takes about 4 s at 1 Mbit/s.
  const wanDown = await download(viewer, wanUrl, 500_000);
  assert.ok(wanDown < 3 * RATE_BYTES_PER_S, `WAN download ${Math.round(wanDown)} B/s should be limited to about ${RATE_BYTES_PER_S} B/s`);

  const file = join(dir, 'upload.bin');
  writeFileSync(file, Buffer.alloc(500_000, 7));
  const [sent, wanUp] = await upload(viewer, wanUrl, file);
  assert.equal(sent, 500_000, 'uploaded the whole file');
  assert.ok(wanUp < 3 * RATE_BYTES_PER_S, `WAN upload ${Math.round(wanUp)} B/s should be limited to about ${RATE_BYTES_PER_S} B/s`);

  const lanDown = await download(viewer, lanUrl, 5_000_000);
  assert.ok(lanDown > 5 * RATE_BYTES_PER_S, `LAN download ${Math.round(lanDown)} B/s should not be shaped (> ${5 * RATE_BYTES_PER_S} B/s)`);
  console.log(`WAN down ${Math.round(wanDown)} B/s, WAN up ${Math.round(wanUp)} B/s, LAN ${Math.round(lanDown)} B/s (rate ${RATE_BYTES_PER_S} B/s)`);
});

test('the link counter says what crossed the shaped link: a download given up on counts what it received, not what the server wrote', { timeout: 60_000 }, async () => {
  linkTopology = createTopology({ sites: 1, wanRateKbit: RATE_KBIT });
  const viewer = linkTopology.viewerNamespace(1);
  startServer(linkTopology.router);
  const wanUrl = `http://${linkTopology.routerAddress(1)}:${PORT}`;
  await waitForServer(viewer, wanUrl);
  const links = sampleWanLinks(linkTopology, { intervalMs: 100 });

  await download(viewer, wanUrl, 200_000);
  // 3 MB asked for, given up on after 1 s (about 125 kB at the rate): the server wrote it all.
  const out = await inNamespace(viewer, ['sh', '-c', `curl -s -m 1 -o /dev/null -w '%{size_download}' ${wanUrl}/bytes?n=3000000; true`]);
  const received = Number(out.trim());
  assert.ok(received > 0 && received < 1_000_000, `the abandoned download received part of it: ${received} bytes`);
  // What the shaping queue held when the connection closed still goes out, then the link is quiet.
  await new Promise((r) => setTimeout(r, 1000));
  const carried = linkTotal(await links.stop());

  const payload = 200_000 + received;
  assert.ok(carried >= payload, `the link carried at least what the viewer received: ${carried} < ${payload}`);
  // The queue (300 ms at the rate, 37.5 kB), retransmissions, headers and handshakes (54 kB over
  // the payload's packets when measured): far from the 3 MB written.
  assert.ok(carried <= payload / LINK_PAYLOAD_SHARE + 150_000, `the link carried ${carried} bytes for ${payload} received`);
  console.log(`link carried ${carried} bytes; viewer received ${payload}; the server wrote 3,200,000`);
});
