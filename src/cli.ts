#!/usr/bin/env node
// The controller's entry (dist/controller.js, which dist/cli.js runs: cli-entry.ts): the only
// place that reads process.argv and process.env, but for MARATHON_LB_CODE_CACHE, read by
// cli-entry.ts. Everything it does is in cli/run.ts so tests can drive it without a process.

import { readFile } from 'node:fs/promises';
import { packageRoot } from './config/template-files.js';
import { runCli, type MainFn } from './cli/run.js';

function writer(stream: NodeJS.WriteStream): (text: string) => Promise<void> {
  return (text) => new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}

async function loadMain(): Promise<MainFn> {
  // Loaded only once the settings are good: --help and --longhelp must work even where main's
  // dependencies cannot load.
  const mod = (await import('./main.js')) as { main?: MainFn };
  if (typeof mod.main !== 'function') throw new Error('main.js does not export main()');
  return mod.main;
}

async function run(argv: readonly string[]): Promise<number> {
  // `marathon-lb zdd ...` is the blue/green deploy tool (src/zdd), not a controller mode.
  if (argv[0] === 'zdd') return (await import('./zdd-cli.js')).zddMain(argv.slice(1));
  return runCli(argv, {
    env: process.env,
    cwd: process.cwd(),
    packageRoot,
    stdout: writer(process.stdout),
    stderr: writer(process.stderr),
    readFile: (file) => readFile(file, 'utf8'),
    loadMain,
  });
}

// No top-level await: dist/cli.js is CommonJS (scripts/bundle.mjs says why).
void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // main() returns after shutting down; if a stray handle still holds the loop, do not hang.
  setTimeout(() => process.exit(code), 5000).unref();
});
