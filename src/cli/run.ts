// The command line as a function: argv + environment -> exit code. cli.ts calls it with the
// real process; tests call it with buffers. Exit codes: 0 help/success, 2 usage errors (as
// argparse), otherwise whatever main() returns; an exception from main() is 1.

import path from 'node:path';
import type { Settings } from '../settings.js';
import { fastParseArgs } from './fast-args.js';
import { buildSettings, type Env } from './settings.js';

export type MainFn = (settings: Settings) => Promise<number>;

export interface CliIo {
  readonly env: Env;
  readonly cwd: string;
  readonly packageRoot: () => string;
  readonly stdout: (text: string) => Promise<void>;
  readonly stderr: (text: string) => Promise<void>;
  readonly readFile: (file: string) => Promise<string>;
  /** Loads the composition root; lazy so --help and --longhelp work without it. */
  readonly loadMain: () => Promise<MainFn>;
}

export const EXIT_USAGE = 2;
const PROGRAM = 'marathon-lb';

async function usageError(io: CliIo, messages: readonly string[]): Promise<number> {
  const text = messages.map((m) => `${PROGRAM}: error: ${m}`).join('\n');
  await io.stderr(`${text}\nRun '${PROGRAM} --help' for usage.\n`);
  return EXIT_USAGE;
}

/** Run the command line; never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // yargs (and the docs behind --longhelp) are loaded only when the plain command line reader
  // cannot answer: they cost more start-up time than everything else before the first request.
  const outcome = fastParseArgs(argv) ?? (await import('./args.js')).parseArgs(argv);
  if (outcome.kind === 'error') return usageError(io, [outcome.message]);
  if (outcome.kind === 'help') {
    await io.stdout(outcome.text.endsWith('\n') ? outcome.text : `${outcome.text}\n`);
    return 0;
  }
  const { args } = outcome;
  if (args.values['longhelp'] === true) {
    const { renderLongHelp } = await import('./longhelp.js');
    await io.stdout(renderLongHelp());
    return 0;
  }

  let credentialFileText: string | undefined;
  const credentialFile = args.values['marathon-auth-credential-file'];
  if (credentialFile !== undefined) {
    const file = path.resolve(io.cwd, String(Array.isArray(credentialFile) ? credentialFile.at(-1) : credentialFile));
    try {
      credentialFileText = await io.readFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      return usageError(io, [`argument --marathon-auth-credential-file: cannot read ${file} (${code})`]);
    }
  }

  const result = buildSettings({ args, env: io.env, credentialFileText, cwd: io.cwd, packageRoot: io.packageRoot() });
  if (!result.ok) return usageError(io, result.problems.map((p) => p.message));

  try {
    const main = await io.loadMain();
    return await main(result.settings);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const { scrubUrlCredentials } = await import('../log.js');
    await io.stderr(`${PROGRAM}: fatal: ${scrubUrlCredentials(message)}\n`);
    return 1;
  }
}
