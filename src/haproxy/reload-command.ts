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

/** What marathon-lb ran without --command, by the first of these files that exists (else no reload). */
const SYSTEM_RELOADS: ReadonlyArray<{ readonly file: string; readonly command: string }> = [
  { file: '/etc/init/haproxy.conf', command: 'reload haproxy' },
  { file: '/usr/lib/systemd/system/haproxy.service', command: 'systemctl reload haproxy' },
  { file: '/lib/systemd/system/haproxy.service', command: 'systemctl reload haproxy' },
  { file: '/etc/systemd/system/haproxy.service', command: 'systemctl reload haproxy' },
  { file: '/etc/init.d/haproxy', command: '/etc/init.d/haproxy reload' },
];

/**
 * The reload marathon-lb would have chosen on this machine without --command. Not run: the
 * controller reloads only what it is told to (a unit file says nothing about which HAProxy
 * reads this config), but the warning names it, so a drop-in user adds it as --command.
 */
export function marathonLbDefaultReload(exists: (file: string) => boolean): { readonly file: string; readonly command: string } | undefined {
  return SYSTEM_RELOADS.find((r) => exists(r.file));
}
