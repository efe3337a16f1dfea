// Second step of `npm run build`: joins tsc's output (build/tsc/) into the few files that ship in
// dist/. The controller is one CommonJS file, dist/controller.js: Node 20 resolves, reads,
// compiles and links each ES module on its own, and that cost comes before the first pass can
// start (at 100 apps, ES module chunks took ~20 ms more than one CommonJS file; bench/README.md
// has the numbers). Inside it, what the sources load with import() (main and the composition
// root, the triggers, zdd) is initialized only when first asked for, as before. dist/cli.js, the
// executable, is a small file that runs dist/controller.js through V8's code cache
// (src/cli-entry.ts); scripts/code-cache.mjs, the last step of the build, makes that cache.
//
// dist/package.json says "commonjs", so Node reads dist/*.js as CommonJS. The exceptions are the
// few places that load an npm package published only as an ES module: yargs, for argument
// parsing off the fast path and long help (args.mjs and longhelp.mjs, ES modules, loaded with
// import()), and got, which zdd loads with import() itself (src/zdd/got-loader.ts). The other
// npm packages stay in node_modules and are required where they are used, but for pino, which
// is bundled (it is CommonJS, and every start loads it).
//
// Those import() calls go through dist/import-esm.js, a file Node loads itself: code compiled
// with a V8 code cache has no import() of its own (Node 20 loses the callback that resolves it:
// ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'build', 'tsc');
const to = join(root, 'dist');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // tsc's source maps are read in, so a stack trace under --enable-source-maps names src/*.ts.
  sourcemap: 'linked',
  logLevel: 'warning',
};

/**
 * What the sources load with import() from outside the bundle, and the file or package that is
 * in dist/: the modules that import yargs, which CommonJS cannot require (built as ES modules
 * below), and got. Each such import() becomes importEsm() (scripts/import-esm.js).
 */
const ES_MODULE_ONLY = { './args.js': './args.mjs', './longhelp.js': './longhelp.mjs', got: 'got' };
const EXTERNAL_IMPORT = /\bimport\((['"])(\.\/args\.js|\.\/longhelp\.js|got)\1\)/g;

const esModulesThroughNode = {
  name: 'es-modules-through-node',
  setup(b) {
    b.onResolve({ filter: /^\.\/import-esm\.js$/ }, (args) => ({ path: args.path, external: true }));
    b.onLoad({ filter: /[\\/]build[\\/]tsc[\\/].*\.js$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(EXTERNAL_IMPORT, (_, q, spec) => `importEsm(${q}${ES_MODULE_ONLY[spec]}${q})`),
      loader: 'js',
    }));
  },
};

/**
 * npm packages stay in node_modules, but for pino (and what it requires), which every start
 * loads: inside the bundle it is compiled from the code cache too (~10 ms at 100 apps).
 */
const npmOutsideButPino = {
  name: 'npm-outside-but-pino',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      (args.importer.includes(`${sep}build${sep}tsc${sep}`) && args.path !== 'pino' ? { path: args.path, external: true } : undefined));
  },
};

rmSync(to, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: [
    { in: join(from, 'cli-entry.js'), out: 'cli' },
    { in: join(from, 'cli.js'), out: 'controller' },
    { in: join(from, 'zdd-bin.js'), out: 'zdd-cli' },
  ],
  outdir: to,
  format: 'cjs',
  define: { 'import.meta.url': 'importMetaUrl' },
  inject: [join(root, 'scripts', 'import-meta-url.js'), join(root, 'scripts', 'import-esm.js')],
  plugins: [esModulesThroughNode, npmOutsideButPino],
});
writeFileSync(join(to, 'import-esm.js'), '// import() for the bundles (scripts/bundle.mjs says why).\nmodule.exports = (specifier) => import(specifier);\n');
await build({
  ...common,
  entryPoints: [{ in: join(from, 'cli', 'args.js'), out: 'args' }, { in: join(from, 'cli', 'longhelp.js'), out: 'longhelp' }],
  outdir: to,
  format: 'esm',
  packages: 'external',
  splitting: true,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
});
writeFileSync(join(to, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);

// A static import of an ES-module-only package would bundle into require(), which fails only
// when that code first runs: refuse the build instead.
// An import() left in a bundle would fail once the code cache is used: refuse that too.
for (const file of ['cli.js', 'controller.js', 'zdd-cli.js']) {
  const text = readFileSync(join(to, file), 'utf8');
  const required = text.match(/require\("(got|yargs)[/"]/);
  if (required) throw new Error(`dist/${file} requires ${required[1]}, an ES module only: load it with import() (see the header)`);
  const imported = text.match(/\bimport\(.{0,40}/);
  if (imported) throw new Error(`dist/${file} still calls import() (${imported[0]}): it must go through dist/import-esm.js`);
}
