#!/usr/bin/env node
// The `zdd` executable (also `marathon-lb zdd`): reads argv and env, runs src/zdd.

import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runZddCli } from './zdd/index.js';

const write = (stream: NodeJS.WriteStream) => (text: string) => new Promise<void>((resolve) => { stream.write(text, () => resolve()); });

export async function zddMain(argv: readonly string[]): Promise<number> {
  return runZddCli(argv, { env: process.env, stdout: write(process.stdout), stderr: write(process.stderr), readFile: (f) => readFile(f, 'utf8') });
}

// Run when executed directly (not when cli.ts imports it for `marathon-lb zdd`).
const invoked = process.argv[1] !== undefined ? realpathSync(process.argv[1]) : undefined;
if (invoked === fileURLToPath(import.meta.url)) {
  process.exitCode = await zddMain(process.argv.slice(2));
}
