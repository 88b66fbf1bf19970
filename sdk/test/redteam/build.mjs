// Builds the red-team SDK (entry.js) into test/redteam/dist/swarmgate-redteam.js with the
// production bundle's esbuild options, so the attacker runs the same code as everyone else plus
// its patches. Only the red-team browser tests (fleet-redteam*.test.mjs) use it; `npm run build`
// never builds it.
//
//   node test/redteam/build.mjs      (the browser test calls buildRedteamSdk() itself)
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { sdkBuildOptions } from '../../scripts/build.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the bundle is written (git-ignored). */
export const redteamBundle = join(here, 'dist', 'swarmgate-redteam.js');

/**
 * Builds the red-team bundle and returns its path.
 * @returns {Promise<string>}
 */
export async function buildRedteamSdk() {
  await mkdir(dirname(redteamBundle), { recursive: true });
  await build({
    ...(await sdkBuildOptions(redteamBundle)),
    entryPoints: [join(here, 'entry.js')],
    sourcemap: false,
    banner: { js: '/* Swarmgate red-team SDK: test rig only, misbehaves on purpose */' },
  });
  return redteamBundle;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  console.log(`built ${await buildRedteamSdk()}`);
}
