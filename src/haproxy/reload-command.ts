// marathon-lb's way of reloading: run the operator's --command (e.g. `sv reload haproxy`), split
// into words like a POSIX shell would (marathon-lb used Python's shlex) but run WITHOUT a shell.
// Never throws: a failing command is a result to log, count and report.

import { runProcess } from './validate.js';
import { splitShellWords } from './shell-words.js';

export interface ReloadCommandResult {
  readonly ok: boolean;
  /** Exit code; null when the command could not start, was killed, or could not be parsed. */
  readonly code: number | null;
  readonly output: string;
}

export async function runReloadCommand(command: string, timeoutMs = 120_000): Promise<ReloadCommandResult> {
  let words: string[];
  try {
    words = splitShellWords(command);
  } catch (err) {
    return { ok: false, code: null, output: (err as Error).message };
  }
  const [cmd, ...args] = words;
  if (!cmd) return { ok: false, code: null, output: 'empty reload command' };
  const r = await runProcess(cmd, args, timeoutMs);
  return { ok: r.code === 0, code: r.code, output: r.output };
}
