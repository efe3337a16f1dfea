// `haproxy -c`: is this file a config HAProxy accepts? The [ALERT] lines are parsed with their
// file and line number so a rejected line can be traced back to the app that produced it.

import { spawn } from 'node:child_process';

export interface ValidationAlert {
  readonly file?: string | undefined;
  readonly line?: number | undefined;
  readonly message: string;
}

export type ValidationResult =
  | { readonly ok: true; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly alerts: readonly ValidationAlert[]; readonly output: string };

export interface ProcessResult {
  readonly code: number | null;
  readonly output: string;
}

/** Runs a command without a shell and collects stdout+stderr; never rejects on a non-zero exit. */
export function runProcess(cmd: string, args: readonly string[], timeoutMs = 60_000): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    child.on('error', (err) => { clearTimeout(timer); resolve({ code: null, output: `${output}${err.message}` }); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, output }); });
  });
}

const ALERT = /^\[ALERT\]\s+(?:\(\d+\)\s+)?:\s*(?:config\s*:\s*)?(.*)$/;
const WHERE = /parsing \[([^\]:]+):(\d+)\]\s*:?\s*(.*)$/;

export function parseAlerts(output: string): ValidationAlert[] {
  const alerts: ValidationAlert[] = [];
  for (const raw of output.split('\n')) {
    const m = ALERT.exec(raw.trim());
    if (!m) continue;
    const text = m[1]!.trim();
    if (/^Error\(s\) found in configuration file/.test(text) || /^Fatal errors found in configuration/.test(text)) continue;
    const w = WHERE.exec(text);
    alerts.push(w ? { file: w[1], line: Number(w[2]), message: w[3]!.trim() } : { message: text });
  }
  return alerts;
}

export async function validateConfig(opts: { bin: string; file: string }): Promise<ValidationResult> {
  const r = await runProcess(opts.bin, ['-c', '-q', '-f', opts.file]);
  if (r.code === 0) {
    const warnings = r.output.split('\n').filter((l) => l.startsWith('[WARNING]'));
    return { ok: true, warnings };
  }
  // -q hides the notices but not the alerts; with no alert at all, say what happened.
  const alerts = parseAlerts(r.output);
  return { ok: false, alerts: alerts.length > 0 ? alerts : [{ message: r.output.trim() || `haproxy exited with ${r.code}` }], output: r.output };
}
