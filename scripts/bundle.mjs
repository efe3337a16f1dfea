// Second half of `npm run build`: joins tsc's output (build/tsc/) into the few files that ship in
// dist/. The controller is one CommonJS file, dist/cli.js: Node 20 resolves, reads, compiles and
// links each ES module on its own, and that cost comes before the first pass can start (at 100
// apps, ES module chunks took ~20 ms more than one CommonJS file; bench/README.md has the
// numbers). Inside it, what the sources load with import() (main and the composition root, the
// triggers, zdd) is initialized only when first asked for, as before.
//
// dist/package.json says "commonjs", so Node reads dist/*.js as CommonJS. The exceptions are the
// few places that load an npm package published only as an ES module: yargs, for argument
// parsing off the fast path and long help (args.mjs and longhelp.mjs, ES modules, loaded with
// import()), and got, which zdd loads with import() itself (src/zdd/got-loader.ts). The other
// npm packages stay in node_modules and are required where they are used.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'build', 'tsc');
const to = join(root, 'dist');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // tsc's source maps are read in, so a stack trace under --enable-source-maps names src/*.ts.
  sourcemap: 'linked',
  logLevel: 'warning',
};

/** The modules that import yargs, which CommonJS cannot require: built as ES modules below. */
const ES_MODULE_ONLY = { './args.js': './args.mjs', './longhelp.js': './longhelp.mjs' };

const yargsAsEsModules = {
  name: 'yargs-as-es-modules',
  setup(b) {
    b.onResolve({ filter: /^\.\/(args|longhelp)\.js$/ }, (args) =>
      args.importer.endsWith(join('cli', 'run.js')) ? { path: ES_MODULE_ONLY[args.path], external: true } : undefined);
  },
};

rmSync(to, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: [{ in: join(from, 'cli.js'), out: 'cli' }, { in: join(from, 'zdd-bin.js'), out: 'zdd-cli' }],
  outdir: to,
  format: 'cjs',
  define: { 'import.meta.url': 'importMetaUrl' },
  inject: [join(root, 'scripts', 'import-meta-url.js')],
  plugins: [yargsAsEsModules],
});
await build({
  ...common,
  entryPoints: [{ in: join(from, 'cli', 'args.js'), out: 'args' }, { in: join(from, 'cli', 'longhelp.js'), out: 'longhelp' }],
  outdir: to,
  format: 'esm',
  splitting: true,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
});
writeFileSync(join(to, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);

// A static import of an ES-module-only package would bundle into require(), which fails only
// when that code first runs: refuse the build instead.
for (const file of ['cli.js', 'zdd-cli.js']) {
  const required = readFileSync(join(to, file), 'utf8').match(/require\("(got|yargs)[/"]/);
  if (required) throw new Error(`dist/${file} requires ${required[1]}, an ES module only: load it with import() (see the header)`);
}
