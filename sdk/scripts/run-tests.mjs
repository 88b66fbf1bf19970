// Runs the SDK's tests with node's test runner: every *.test.js / *.test.mjs under test/
// (or under the folders given as arguments), so helper modules beside the tests are not run.
import { readdir } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

async function find(dir) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') found.push(...await find(path));
    else if (/\.test\.m?js$/.test(entry.name)) found.push(path);
  }
  return found;
}

const roots = process.argv.length > 2 ? process.argv.slice(2) : ['test'];
const files = (await Promise.all(roots.map(find))).flat().sort();
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
