// A prefetch through fetch() (core/player-session.js, the dash.js and Video.js pages' prefetches)
// against a real HTTP server on loopback: the body is read as it arrives, so the neighbours can be
// told the fetch again while it makes progress (own-fetches.js).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import { PlayerSession } from '../../src/core/player-session.js';
import { segmentBytes, sleep, until } from './fakes.js';

const servers = [];
after(() => { for (const s of servers) { s.closeAllConnections(); s.close(); } });

test('a prefetch through fetch() says how much of the body is in while it arrives, and returns it whole', async () => {
  const bytes = segmentBytes(200_000, 9);
  let sendRest;
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'video/mp2t', 'content-length': String(bytes.length) });
    res.write(bytes.subarray(0, 50_000));
    sendRest = () => res.end(bytes.subarray(50_000));
  });
  servers.push(server);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/live/seg-1.ts`;
  const session = new PlayerSession({ enabled: true });
  const progress = {};
  const fetching = session.fetchHttp(url, { progress });
  await until(() => typeof progress.loaded === 'function' && progress.loaded() >= 50_000, 5000, 'the first part to arrive');
  await sleep(50);
  assert.equal(progress.loaded(), 50_000, 'only what arrived');
  sendRest();
  const r = await fetching;
  assert.deepEqual(r.bytes, bytes);
  assert.equal(progress.loaded(), bytes.length);
  // without a progress object the body is read whole, as before
  sendRest = undefined;
  const plain = new PlayerSession({ enabled: true }).fetchHttp(url);
  await until(() => sendRest !== undefined);
  sendRest();
  assert.deepEqual((await plain).bytes, bytes);
});
