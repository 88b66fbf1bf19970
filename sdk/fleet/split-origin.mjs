// The fleet's stand-in for a site whose video origin is not the appliance: one address, as an
// ingress or load balancer would present it, that sends the stream's paths (/demo/live/,
// /demo/vod/) to an origin and everything else (the page, the SDK, /ws) to the appliance. The
// appliance can then stop and start while the stream goes on, as in a real deployment.
//
//   node sdk/fleet/split-origin.mjs LISTEN_PORT APPLIANCE_PORT ORIGIN_PORT [KEY_FILE CERT_FILE]
//
// Runs inside the fleet's router namespace (fleet.mjs, originApart). Forwards to 127.0.0.1 over
// plain HTTP and adds X-Forwarded-For, so an appliance that trusts 127.0.0.1 as a proxy sees each
// viewer's own address. A backend that is down answers 502 (HTTP) or closes the socket
// (WebSocket), as a balancer with no healthy server does. With a key and a certificate it speaks
// TLS, as an ingress does: HTTP/2 and HTTP/1.1 (ALPN), WebSockets as HTTP/1.1 upgrades (it offers
// no WebSockets over HTTP/2, so browsers open those on a connection of their own).
import { readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { createSecureServer } from 'node:http2';
import { connect } from 'node:net';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

/** Headers that belong to one hop of HTTP/1.1 and that an HTTP/2 answer must not carry. */
const HOP_HEADERS = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'];

/** The paths the origin serves: the demo's live and VOD streams. */
export function isOriginPath(url) {
  return /^\/demo\/(live|vod)\//.test(url);
}

function forwardedFor(req) {
  const prior = req.headers['x-forwarded-for'];
  return prior ? `${prior}, ${req.socket.remoteAddress}` : req.socket.remoteAddress;
}

/** A request's headers as an HTTP/1.1 upstream takes them: HTTP/2's pseudo-headers become Host. */
function upstreamHeaders(req) {
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !name.startsWith(':')));
  if (req.headers[':authority'] && !headers.host) headers.host = req.headers[':authority'];
  headers['x-forwarded-for'] = forwardedFor(req);
  return headers;
}

/**
 * @param {{listenPort: number, appliancePort: number, originPort: number, tls?: {key: string|Buffer, cert: string|Buffer}}} ports
 * @returns {Promise<import('node:http').Server|import('node:http2').Http2SecureServer>}
 */
export function startSplitOrigin({ listenPort, appliancePort, originPort, tls = null }) {
  const handle = (req, res) => {
    const port = isOriginPath(req.url) ? originPort : appliancePort;
    const upstream = request({
      host: '127.0.0.1', port, method: req.method, path: req.url, headers: upstreamHeaders(req),
    }, (answer) => {
      const headers = req.httpVersionMajor >= 2
        ? Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !HOP_HEADERS.includes(name)))
        : answer.headers;
      res.writeHead(answer.statusCode, headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
      }
      res.end('no server available\n');
    });
    req.pipe(upstream);
  };
  const server = tls ? createSecureServer({ ...tls, allowHTTP1: true }, handle) : createServer(handle);
  // Node hands every request with an Upgrade header here, not only WebSockets: Java's HttpClient
  // (the appliance fetching segments to hash them) offers `Upgrade: h2c` on plain HTTP. Such a
  // request goes where its path says, without the offer, as one plain HTTP/1.1 exchange.
  server.on('upgrade', (req, socket, head) => {
    const websocket = String(req.headers.upgrade).toLowerCase() === 'websocket';
    const port = !websocket && isOriginPath(req.url) ? originPort : appliancePort;
    const upstream = connect(port, '127.0.0.1', () => {
      const headers = { ...req.headers, 'x-forwarded-for': forwardedFor(req) };
      if (!websocket) {
        delete headers.upgrade;
        delete headers['http2-settings'];
        headers.connection = 'close';
      }
      const lines = [`${req.method} ${req.url} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head && head.length) {
        upstream.write(head);
      }
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    const end = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', end);
    upstream.on('close', end);
    socket.on('error', end);
    socket.on('close', end);
  });
  return new Promise((resolveStart, rejectStart) => {
    server.once('error', rejectStart);
    server.listen(listenPort, '0.0.0.0', () => resolveStart(server));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const [listenPort, appliancePort, originPort] = args.slice(0, 3).map(Number);
  if (![listenPort, appliancePort, originPort].every((p) => Number.isInteger(p) && p > 0 && p < 65536)
    || (args.length !== 3 && args.length !== 5)) {
    process.stderr.write('usage: node sdk/fleet/split-origin.mjs LISTEN_PORT APPLIANCE_PORT ORIGIN_PORT [KEY_FILE CERT_FILE]\n');
    process.exit(2);
  }
  let tls = null;
  try {
    tls = args.length === 5 ? { key: readFileSync(args[3]), cert: readFileSync(args[4]) } : null;
  } catch (e) {
    process.stderr.write(`split-origin: cannot read the TLS key or certificate: ${e.message}\n`);
    process.exit(2);
  }
  startSplitOrigin({ listenPort, appliancePort, originPort, tls }).then(() => {
    process.stdout.write(`split-origin: listening on ${listenPort}${tls ? ' (TLS)' : ''}\n`);
  }, (error) => {
    process.stderr.write(`split-origin: ${error.message}\n`);
    process.exit(1);
  });
}
