import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLUSTER_NAME, HAPROXY, HAPROXY_EXAMPLE, haproxyConfig } from '../../fleet/cluster.mjs';

// The HAProxy configuration the cluster fleet runs (sdk/fleet/cluster.mjs): the shipped example
// with only the test's ports, addresses and files, plain or with the example's TLS kept.
const example = readFileSync(HAPROXY_EXAMPLE, 'utf8');
const PLAIN = { port: 8090, statsPort: 8091, servers: [8081, 8083] };
const TLS = { port: 8443, statsPort: 8091, servers: [8444, 8446], tls: { pem: '/run/t/haproxy.pem', caFile: '/run/t/ca.crt' }, originPort: 8082 };

const lines = (config, word) => config.split('\n').filter((l) => l.trim().startsWith(word));

test('plain: loopback only, no TLS left on the listener or the servers', () => {
  const config = haproxyConfig(example, PLAIN);
  assert.deepEqual(lines(config, 'bind '), ['    bind 127.0.0.1:8090', '    bind 127.0.0.1:8091']);
  for (const line of lines(config, 'default-server')) {
    assert.doesNotMatch(line, /ssl|verify/, line);
  }
  assert.match(config, /server appliance1 127\.0\.0\.1:8081 check/);
  assert.match(config, /server appliance2 127\.0\.0\.1:8083 check/);
  assert.doesNotMatch(config, /stream_origin|192\.0\.2\./);
});

test('tls: the example\'s TLS on both sides with the test\'s files, the stream\'s paths to the origin', () => {
  const config = haproxyConfig(example, TLS);
  assert.equal(lines(config, 'bind ')[0], '    bind :8443 ssl crt /run/t/haproxy.pem alpn h2,http/1.1');
  const servers = lines(config, 'default-server');
  assert.equal(servers.length, 2);
  for (const line of servers) {
    assert.match(line, new RegExp(` ssl verify required ca-file /run/t/ca\\.crt verifyhost ${CLUSTER_NAME.replaceAll('.', '\\.')}$`), line);
  }
  assert.match(config, /ssl-default-bind-ciphers ECDHE\+AESGCM:ECDHE\+CHACHA20/);
  assert.match(config, /use_backend stream_origin if stream_origin\n {4}default_backend viewers/);
  assert.match(config, /backend stream_origin\n {4}server origin 127\.0\.0\.1:8082/);
  assert.match(config, /server appliance1 127\.0\.0\.1:8444 check/);
});

test('an example without a line the rewrite relies on is refused, not silently used', () => {
  const changed = example.replace(' verifyhost swarmgate.corp.example', '');
  assert.throws(() => haproxyConfig(changed, TLS), /a line this rewrite does not know: 'default-server .* ca-file \/etc\/haproxy\/swarmgate-ca\.crt'/);
  assert.throws(() => haproxyConfig(example.replace('alpn h2,http/1.1', 'alpn http/1.1'), PLAIN), /no longer contains 'bind :443/);
});

test('both configurations are valid for the installed HAProxy', (t) => {
  if (!existsSync(HAPROXY)) {
    t.skip(`${HAPROXY} is not installed`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'fleet-haproxy-'));
  try {
    // A certificate and key for the listener, and the CA file the servers are checked against.
    const pem = join(dir, 'haproxy.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-subj', `/CN=${CLUSTER_NAME}`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    writeFileSync(pem, readFileSync(join(dir, 'cert.pem'), 'utf8') + readFileSync(join(dir, 'key.pem'), 'utf8'));
    for (const [name, options] of [['plain', PLAIN], ['tls', { ...TLS, tls: { pem, caFile: join(dir, 'cert.pem') } }]]) {
      const file = join(dir, `${name}.cfg`);
      writeFileSync(file, haproxyConfig(example, options));
      assert.match(execFileSync(HAPROXY, ['-c', '-f', file], { encoding: 'utf8' }), /Configuration file is valid/, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
