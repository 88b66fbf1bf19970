// Builds sdk/dist/, which Maven copies into the appliance jar under classpath web/
// (so dist/demo/index.html is served at /demo/). Run with `npm run build`.
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);

async function copyInto(targetDir, files) {
  await mkdir(targetDir, { recursive: true });
  for (const [from, name] of files) {
    await copyFile(from, join(targetDir, name));
  }
}

// ---- Demo page (/demo/): its own files plus the hls.js build that intranet pages load. ----
async function buildDemo() {
  const sourceDir = join(root, 'demo');
  const targetDir = join(dist, 'demo');
  await rm(targetDir, { recursive: true, force: true });
  const pageFiles = (await readdir(sourceDir)).map((name) => [join(sourceDir, name), name]);
  // Resolved through node_modules so the version is the one package-lock.json pins.
  const hlsMin = join(dirname(require.resolve('hls.js/package.json')), 'dist', 'hls.min.js');
  await copyInto(targetDir, [...pageFiles, [hlsMin, 'hls.min.js']]);
  return targetDir;
}

// ---- Viewer SDK (/sdk/swarmgate.js): bundled from src/ with esbuild by the SDK change. ----
// Not built yet: this is where the esbuild step for dist/sdk/swarmgate.js goes.

const built = [await buildDemo()];
for (const dir of built) {
  console.log(`built ${dir.slice(root.length + 1)}/`);
}
