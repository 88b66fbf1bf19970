// Builds the admin console into dist/: bundled JavaScript (esbuild), the page and its styles.
// Maven copies dist/ into the appliance jar, where it is served at /console/.
import { build } from 'esbuild';
import { cp, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await build({
  entryPoints: [path.join(root, 'src', 'main.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  outfile: path.join(dist, 'console.js'),
  legalComments: 'none',
  logLevel: 'warning',
});
for (const file of ['index.html', 'console.css']) {
  await cp(path.join(root, 'src', file), path.join(dist, file));
}
console.log('web-console: built', path.relative(process.cwd(), dist));
