// Second half of `npm run build`: joins tsc's output (build/tsc/) into the few files that ship in
// dist/. Node 20 resolves, reads and compiles each ES module on its own, so the ~110 modules a
// run loads cost ~40 ms before the first pass can start (at 100 apps a third of the whole run;
// bench/README.md has the numbers). The entries are the files something runs by path: cli.js
// (the bin, `run`, the tests), main.js (cli.js loads it by a computed name so --help works
// without it) and zdd-cli.js. Code split at the sources' own `import()`s stays in chunks loaded
// only when a mode needs them (the triggers, yargs' argument parser, long help). npm packages
// stay outside: they are loaded from node_modules when needed, as before.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'build', 'tsc');
const to = join(root, 'dist');

rmSync(to, { recursive: true, force: true });
await build({
  entryPoints: ['cli.js', 'main.js', 'zdd-cli.js'].map((f) => join(from, f)),
  outdir: to,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  // tsc's source maps are read in, so a stack trace under --enable-source-maps names src/*.ts.
  sourcemap: 'linked',
  logLevel: 'warning',
});
