// The zdd tool's process-facing part (the `zdd` executable is zdd-bin.ts; `marathon-lb zdd`
// comes here through cli.ts): gives src/zdd argv, env and the standard streams.

import { readFile } from 'node:fs/promises';
import { runZddCli } from './zdd/index.js';

const write = (stream: NodeJS.WriteStream) => (text: string) => new Promise<void>((resolve) => { stream.write(text, () => resolve()); });

export async function zddMain(argv: readonly string[]): Promise<number> {
  return runZddCli(argv, { env: process.env, stdout: write(process.stdout), stderr: write(process.stderr), readFile: (f) => readFile(f, 'utf8') });
}
