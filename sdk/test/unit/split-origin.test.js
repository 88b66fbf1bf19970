import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { connect as connectH2 } from 'node:http2';
import { request as requestTls } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startSplitOrigin } from '../../fleet/split-origin.mjs';

// The fleet's split origin (sdk/fleet/split-origin.mjs) between two real HTTP servers on loopback:
// each answers with its name and whether it saw an upgrade offer.
const servers = [];
let ports;
let dir;
let tlsFiles;

function backend(name) {
  const server = createServer((req, res) => {
    res.end(JSON.stringify({ name, path: req.url, upgrade: req.headers.upgrade ?? null }));
  });
  server.on('upgrade', (req, socket) => {
    socket.end(`HTTP/1.1 101 Switching Protocols\r\nupgrade: ${req.headers.upgrade}\r\nconnection: upgrade\r\nx-backend: ${name}\r\n\r\n`);
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

before(async () => {
  const appliancePort = await backend('appliance');
  const originPort = await backend('origin');
  const split = await startSplitOrigin({ listenPort: 0, appliancePort, originPort });
  servers.push(split);
  dir = mkdtempSync(join(tmpdir(), 'split-origin-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=ingress', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  tlsFiles = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  const secure = await startSplitOrigin({ listenPort: 0, appliancePort, originPort, tls: tlsFiles });
  servers.push(secure);
  ports = { split: split.address().port, secure: secure.address().port };
});

after(() => {
  for (const server of servers) server.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: ports.split, path, headers, agent: false });
    req.on('response', async (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      await once(res, 'end');
      resolve({ status: res.statusCode, body: JSON.parse(body) });
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: 101, backend: res.headers['x-backend'] });
    });
    req.on('error', reject);
    req.end();
  });
}

test('stream paths go to the origin and everything else to the appliance', async () => {
  assert.equal((await get('/demo/live/seg-1.ts')).body.name, 'origin');
  assert.equal((await get('/demo/vod/master.m3u8')).body.name, 'origin');
  assert.equal((await get('/demo/')).body.name, 'appliance');
  assert.equal((await get('/sdk/swarmgate.js')).body.name, 'appliance');
});

test('a segment request offering an h2c upgrade (as Java\'s HttpClient does) reaches the origin as plain HTTP/1.1', async () => {
  const answer = await get('/demo/live/seg-2.ts', {
    connection: 'Upgrade, HTTP2-Settings', upgrade: 'h2c', 'http2-settings': 'AAMAAABkAARAAAAAAAIAAAAA',
  });
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.body, { name: 'origin', path: '/demo/live/seg-2.ts', upgrade: null });
});

test('a WebSocket upgrade goes to the appliance', async () => {
  const answer = await get('/ws?stream=x', { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' });
  assert.deepEqual(answer, { status: 101, backend: 'appliance' });
});

test('with a key and a certificate it speaks HTTP/2 over TLS, and answers without HTTP/1.1 hop headers', async () => {
  const session = connectH2(`https://127.0.0.1:${ports.secure}`, { ca: tlsFiles.cert });
  try {
    for (const [path, name] of [['/demo/live/seg-3.ts', 'origin'], ['/sdk/swarmgate.js', 'appliance']]) {
      const stream = session.request({ ':path': path });
      const [headers] = await once(stream, 'response');
      let body = '';
      stream.setEncoding('utf8');
      stream.on('data', (c) => { body += c; });
      await once(stream, 'end');
      assert.equal(headers[':status'], 200);
      assert.equal(headers.connection, undefined);
      assert.deepEqual(JSON.parse(body), { name, path, upgrade: null });
    }
  } finally {
    session.close();
  }
});

test('over TLS a WebSocket upgrade on HTTP/1.1 goes to the appliance', async () => {
  const status = await new Promise((resolve, reject) => {
    const req = requestTls({
      host: '127.0.0.1', port: ports.secure, path: '/ws?stream=x', ca: tlsFiles.cert, agent: false, ALPNProtocols: ['http/1.1'],
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: 101, backend: res.headers['x-backend'] });
    });
    req.on('response', (res) => resolve({ status: res.statusCode }));
    req.on('error', reject);
    req.end();
  });
  assert.deepEqual(status, { status: 101, backend: 'appliance' });
});
