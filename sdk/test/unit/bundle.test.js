// The production bundle (what the appliance serves at /sdk/swarmgate.js) holds no way for a page
// to make it serve altered bytes: built here with the options of `npm run build`, and the
// dist/ copy checked too when a build left one.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { sdkBuildOptions } from '../../scripts/build.mjs';

const sdkRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Strings that only a page-selectable corruption path or the red-team SDK would put in the bundle. */
const FORBIDDEN = [/corrupt/i, /redteam/i, /203\.0\.113\./];

function assertClean(text, what) {
  assert.ok(text.length > 10_000, `${what} is a real bundle (${text.length} characters)`);
  for (const pattern of FORBIDDEN) {
    const at = text.search(pattern);
    assert.equal(at, -1, `${what} contains ${pattern}: …${text.slice(Math.max(0, at - 80), at + 80)}…`);
  }
}

test('the production SDK bundle contains no corrupt-upload code path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-bundle-'));
  try {
    const outfile = join(dir, 'swarmgate.js');
    await build({ ...(await sdkBuildOptions(outfile)), sourcemap: false });
    assertClean(readFileSync(outfile, 'utf8'), 'the freshly built bundle');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const dist = join(sdkRoot, 'dist', 'sdk', 'swarmgate.js');
  if (existsSync(dist)) assertClean(readFileSync(dist, 'utf8'), 'dist/sdk/swarmgate.js');
});
