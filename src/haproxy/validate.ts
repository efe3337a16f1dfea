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

// Alerts look like (2.6.12):
//   [ALERT]    (4270) : config : parsing [bad.cfg:14] : unknown keyword 'bogus' in 'backend' section
//   [ALERT]    (4291) : config : Parsing [/etc/haproxy/haproxy.cfg:7]: failed to parse use_backend rule ...
//   [ALERT]    (4272) : config : [bad2.cfg:14] : 'server b/s1' : unknown keyword 'chekc'; did you mean ...
// and may be followed by continuation lines starting with "   | ".
const LEVEL = /^\[(ALERT|WARNING)\]\s+(?:\(\d+\)\s+)?:\s*(?:config\s*:\s*)?(.*)$/;
const WHERE = /^(?:parsing\s+)?\[([^\]]+):(\d+)\]\s*:?\s*(.*)$/is;
/** Summary alerts that repeat what the specific alerts already said. */
const SUMMARY = /^(Error\(s\) found in configuration file|Fatal errors found in configuration)/;

interface Message { readonly level: 'ALERT' | 'WARNING'; text: string }

function messages(output: string): Message[] {
  const out: Message[] = [];
  let last: Message | undefined;
  for (const raw of output.split('\n')) {
    const m = LEVEL.exec(raw.trim());
    if (m) {
      last = { level: m[1] as Message['level'], text: m[2]!.trim() };
      out.push(last);
    } else if (last && /^\s+\|/.test(raw)) {
      last.text += ` ${raw.replace(/^\s+\|\s?/, '').trim()}`;
    } else {
      last = undefined;
    }
  }
  return out;
}

export function parseAlerts(output: string): ValidationAlert[] {
  const alerts: ValidationAlert[] = [];
  for (const { level, text } of messages(output)) {
    if (level !== 'ALERT' || SUMMARY.test(text)) continue;
    const w = WHERE.exec(text);
    alerts.push(w ? { file: w[1], line: Number(w[2]), message: w[3]!.trim() } : { message: text });
  }
  return alerts;
}

export function parseWarnings(output: string): string[] {
  return messages(output).filter((m) => m.level === 'WARNING').map((m) => m.text);
}

export async function validateConfig(opts: { bin: string; file: string }): Promise<ValidationResult> {
  // No -q: on 2.6 it silences the alerts too, and the alerts are what we need.
  const r = await runProcess(opts.bin, ['-c', '-f', opts.file]);
  if (r.code === 0) return { ok: true, warnings: parseWarnings(r.output) };
  const alerts = parseAlerts(r.output);
  return { ok: false, alerts: alerts.length > 0 ? alerts : [{ message: r.output.trim() || `haproxy exited with ${r.code}` }], output: r.output };
}
