// How the benchmarks start the controller: by default as an operator's machine does, through
// bin/marathon-lb (which sizes V8's worker pool to the CPUs); `--cli some/dist/cli.js` (another
// build, e.g. an older commit's) runs that file under this node as it is.

import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(fileURLToPath(import.meta.url), '../../..');
export const LAUNCHER = join(REPO, 'bin', 'marathon-lb');

/** The command (program and leading arguments) that runs `cli`. */
export function launchCommand(cli: string): string[] {
  return /\.[cm]?js$/.test(cli) ? [process.execPath, cli] : [cli];
}
