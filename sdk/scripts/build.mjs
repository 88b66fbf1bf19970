// Builds sdk/dist/, which Maven copies into the appliance jar under classpath web/
// (so dist/demo/index.html is served at /demo/). Run with `npm run build`.
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
  // dash.js for the page's player selector: its UMD build defines window.dashjs.
  // (dashjs exports no package.json: found beside hls.js in the same node_modules.)
  const dashMin = join(root, 'node_modules', 'dashjs', 'dist', 'modern', 'umd', 'dash.all.min.js');
  const shakaMin = join(root, 'node_modules', 'shaka-player', 'dist', 'shaka-player.compiled.js');
  await copyInto(targetDir, [...pageFiles, [hlsMin, 'hls.min.js'], [dashMin, 'dash.all.min.js'], [shakaMin, 'shaka-player.compiled.js'],
    [join(root, 'node_modules', 'video.js', 'dist', 'video.min.js'), 'video.min.js']]);
  return targetDir;
}

// ---- Viewer SDK (/sdk/swarmgate.js): src/index.js bundled by esbuild into one classic script. ----
/** The size budget of the issue: the script must stay small enough for every intranet page. */
const MAX_GZIP_BYTES = 40 * 1024;

/**
 * esbuild options of the production SDK bundle written to `outfile` (the bundle test builds
 * with the same options, so what it checks is what the appliance serves).
 * @param {string} outfile
 * @returns {Promise<object>}
 */
export async function sdkBuildOptions(outfile) {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  return {
    entryPoints: [join(root, 'src', 'index.js')],
    outfile,
    bundle: true,
    // A classic <script>: no module syntax, nothing leaks into the page's globals but `swarmgate`.
    format: 'iife',
    platform: 'browser',
    target: ['es2019', 'chrome80', 'firefox78', 'safari15', 'edge80'],
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    banner: { js: `/* Swarmgate viewer SDK ${pkg.version} */` },
    logLevel: 'warning',
  };
}

async function buildSdk() {
  const { build } = await import('esbuild');
  const targetDir = join(dist, 'sdk');
  await rm(targetDir, { recursive: true, force: true });
  const outfile = join(targetDir, 'swarmgate.js');
  await build(await sdkBuildOptions(outfile));
  const gz = gzipSync(await readFile(outfile), { level: 9 }).length;
  console.log(`dist/sdk/swarmgate.js: ${(gz / 1024).toFixed(1)} KiB gzipped (limit ${MAX_GZIP_BYTES / 1024} KiB)`);
  if (gz > MAX_GZIP_BYTES) {
    throw new Error(`swarmgate.js is ${gz} bytes gzipped, over the ${MAX_GZIP_BYTES}-byte budget`);
  }
  return targetDir;
}

// Run as `npm run build`; importing this module (the bundle test) builds nothing.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const built = [await buildDemo(), await buildSdk()];
  for (const dir of built) {
    console.log(`built ${dir.slice(root.length + 1)}/`);
  }
}
