#!/usr/bin/env node
// The executable: the only place that reads process.argv and process.env. Everything it does
// is in cli/run.ts so tests can drive it without a process.

import { readFile } from 'node:fs/promises';
import { packageRoot } from './config/template-files.js';
import { runCli, type MainFn } from './cli/run.js';

function writer(stream: NodeJS.WriteStream): (text: string) => Promise<void> {
  return (text) => new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}

async function loadMain(): Promise<MainFn> {
  // A variable specifier keeps the composition root out of the static graph: --help and
  // --longhelp must work even where main's dependencies cannot load.
  const specifier = './main.js';
  const mod = (await import(specifier)) as { main?: MainFn };
  if (typeof mod.main !== 'function') throw new Error('main.js does not export main()');
  return mod.main;
}

// `marathon-lb zdd ...` is the blue/green deploy tool (src/zdd), not a controller mode.
const zdd = process.argv[2] === 'zdd' ? ((await import('./zdd-cli.js')) as { zddMain: (argv: string[]) => Promise<number> }) : undefined;
const code = zdd ? await zdd.zddMain(process.argv.slice(3)) : await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  packageRoot,
  stdout: writer(process.stdout),
  stderr: writer(process.stderr),
  readFile: (file) => readFile(file, 'utf8'),
  loadMain,
});
process.exitCode = code;
// main() returns after shutting down; if a stray handle still holds the loop, do not hang.
setTimeout(() => process.exit(code), 5000).unref();
