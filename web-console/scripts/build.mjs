// Builds the admin console into dist/: the bundled JavaScript (esbuild, uPlot included), the page,
// its styles and uPlot's stylesheet — all as files, since the /console CSP allows no inline
// scripts or styles. Maven copies dist/ into the appliance jar, where it is served at /console/.
import { build } from 'esbuild';
import { cp, mkdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');
const require = createRequire(import.meta.url);

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
const uplotCss = path.join(path.dirname(require.resolve('uplot')), 'uPlot.min.css');
await cp(uplotCss, path.join(dist, 'uPlot.min.css'));
const size = (await stat(path.join(dist, 'console.js'))).size;
console.log(`web-console: built ${path.relative(process.cwd(), dist)} (console.js ${Math.round(size / 1024)} KiB)`);
