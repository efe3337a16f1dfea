// marathon-lb's way of reloading: run the operator's --command (e.g. `systemctl reload haproxy`).

import { runProcess } from './validate.js';
import { splitShellWords } from './shell-words.js';

export async function runReloadCommand(command: string, timeoutMs = 120_000): Promise<{ ok: boolean; code: number | null; output: string }> {
  const [cmd, ...args] = splitShellWords(command);
  if (!cmd) return { ok: false, code: null, output: 'empty reload command' };
  const r = await runProcess(cmd, args, timeoutMs);
  return { ok: r.code === 0, code: r.code, output: r.output };
}
