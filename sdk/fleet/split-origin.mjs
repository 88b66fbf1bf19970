// The fleet's stand-in for a site whose video origin is not the appliance: one address, as an
// ingress or load balancer would present it, that sends the stream's paths (/demo/live/,
// /demo/vod/) to an origin and everything else (the page, the SDK, /ws) to the appliance. The
// appliance can then stop and start while the stream goes on, as in a real deployment.
//
//   node sdk/fleet/split-origin.mjs LISTEN_PORT APPLIANCE_PORT ORIGIN_PORT
//
// Runs inside the fleet's router namespace (fleet.mjs, originApart). Forwards to 127.0.0.1 and
// adds X-Forwarded-For, so an appliance that trusts 127.0.0.1 as a proxy sees each viewer's own
// address. A backend that is down answers 502 (HTTP) or closes the socket (WebSocket), as a
// balancer with no healthy server does.
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

/** The paths the origin serves: the demo's live and VOD streams. */
export function isOriginPath(url) {
  return /^\/demo\/(live|vod)\//.test(url);
}

function forwardedFor(req) {
  const prior = req.headers['x-forwarded-for'];
  return prior ? `${prior}, ${req.socket.remoteAddress}` : req.socket.remoteAddress;
}

/**
 * @param {{listenPort: number, appliancePort: number, originPort: number}} ports
 * @returns {Promise<import('node:http').Server>}
 */
export function startSplitOrigin({ listenPort, appliancePort, originPort }) {
  const server = createServer((req, res) => {
    const port = isOriginPath(req.url) ? originPort : appliancePort;
    const upstream = request({
      host: '127.0.0.1', port, method: req.method, path: req.url,
      headers: { ...req.headers, 'x-forwarded-for': forwardedFor(req) },
    }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
      }
      res.end('no server available\n');
    });
    req.pipe(upstream);
  });
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
  const [listenPort, appliancePort, originPort] = process.argv.slice(2).map(Number);
  if (![listenPort, appliancePort, originPort].every((p) => Number.isInteger(p) && p > 0 && p < 65536)) {
    process.stderr.write('usage: node sdk/fleet/split-origin.mjs LISTEN_PORT APPLIANCE_PORT ORIGIN_PORT\n');
    process.exit(2);
  }
  startSplitOrigin({ listenPort, appliancePort, originPort }).then(() => {
    process.stdout.write(`split-origin: listening on ${listenPort}\n`);
  }, (error) => {
    process.stderr.write(`split-origin: ${error.message}\n`);
    process.exit(1);
  });
}
