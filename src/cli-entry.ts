// dist/cli.js, the executable bin/marathon-lb starts: runs the controller's bundle,
// dist/controller.js (cli.ts and everything it loads), through V8's code cache beside it
// (code-cache.ts). Node 20 has no compile cache of its own for CommonJS files, so the bundle is
// compiled here the way Node would (the same wrapper, file name and require), with the cache.
//
// MARATHON_LB_CODE_CACHE=off runs the bundle without the cache; =write is the build's training
// run (scripts/code-cache.mjs), which writes the cache when the process exits. With source maps
// on (--enable-source-maps) Node loads the bundle itself, since only then are they applied.

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { packCodeCache, setCodeCacheReport, unpackCodeCache, type CodeCacheState } from './code-cache.js';

const dir = dirname(fileURLToPath(import.meta.url));
const bundle = join(dir, 'controller.js');
const cacheFile = `${bundle}.cache`;
const require = createRequire(bundle);

/**
 * The CommonJS wrapper Node puts around a file, so the bundle runs as if Node had loaded it. A
 * `#!` line (esbuild keeps cli.ts's) becomes a comment, as Node makes it, keeping line numbers.
 */
function wrapped(source: string): string {
  const body = source.startsWith('#!') ? `//${source}` : source;
  return `(function (exports, require, module, __filename, __dirname) { ${body}\n});`;
}

interface CacheRead {
  readonly data?: Buffer;
  readonly state: CodeCacheState;
}

function readCache(text: string): CacheRead {
  let file: Buffer;
  try {
    file = readFileSync(cacheFile);
  } catch {
    return { state: 'absent' };
  }
  const data = unpackCodeCache(text, file);
  return data === undefined ? { state: 'stale' } : { data, state: 'used' };
}

function writeCache(text: string, script: Script): void {
  const temp = `${cacheFile}.${process.pid}`;
  writeFileSync(temp, packCodeCache(text, script.createCachedData()));
  renameSync(temp, cacheFile);
}

function runBundle(mode: string | undefined): void {
  if (mode === 'off' || process.sourceMapsEnabled) {
    setCodeCacheReport({ state: 'off', writing: false });
    require(bundle);
    return;
  }
  const writing = mode === 'write';
  const text = wrapped(readFileSync(bundle, 'utf8'));
  const cache: CacheRead = writing ? { state: 'absent' } : readCache(text);
  const script = new Script(text, { filename: bundle, cachedData: cache.data });
  setCodeCacheReport({ state: script.cachedDataRejected === true ? 'rejected' : cache.state, writing });
  // After the run, the cache holds every function it compiled, not just the bundle's top level.
  if (writing) process.once('exit', () => writeCache(text, script));
  const module = { exports: {}, id: bundle, filename: bundle, loaded: false };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, require, module, bundle, dir);
}

runBundle(process.env['MARATHON_LB_CODE_CACHE']);
