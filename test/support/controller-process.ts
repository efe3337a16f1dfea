// Runs the real CLI (dist/cli.js, built by the test command) as a child process, the way an
// operator runs it, and reads its JSON log lines (on stderr). Kills it and the HAProxy it supervises on stop.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(REPO, 'dist', 'cli.js');

export interface LogLine { msg: string; level: number; [k: string]: unknown }

export interface ControllerProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  readonly output: () => string;
  /** Only what the controller wrote to stdout. */
  readonly stdout: () => string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  waitForLog(pred: (l: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function ensureBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
}

/** `cli`: another build's entry (default dist/cli.js); `nodeFlags`: node's own options before it. */
export function runController(args: string[], env: Record<string, string> = {}, opts: { cli?: string; nodeFlags?: string[] } = {}): ControllerProcess {
  ensureBuilt();
  const child = spawn(process.execPath, [...(opts.nodeFlags ?? []), opts.cli ?? CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  let raw = '';
  let buf = '';
  const waiters: Array<() => void> = [];
  let stdout = '';
  // Logs are on stderr; stdout carries only what was asked for (--dry's config).
  child.stderr!.on('data', (d: Buffer) => {
    raw += d.toString();
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try { logs.push(JSON.parse(line) as LogLine); } catch { /* not a log line (e.g. a fatal usage message) */ }
    }
    for (const w of waiters.splice(0)) w();
  });
  child.stdout!.on('data', (d: Buffer) => { raw += d.toString(); stdout += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { for (const w of waiters.splice(0)) w(); resolve(code); }));
  return {
    child, logs, exited, output: () => raw, stdout: () => stdout,
    async waitForLog(pred, what, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = logs.find(pred);
        if (hit) return hit;
        if (child.exitCode !== null) throw new Error(`controller exited (${child.exitCode}) before: ${what}\n${raw.slice(-3000)}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}\n${raw.slice(-3000)}`);
        await new Promise<void>((r) => { const t = setTimeout(r, 100); waiters.push(() => { clearTimeout(t); r(); }); });
      }
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) {
        child.kill(signal);
        const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(t);
      }
      return child.exitCode;
    },
  };
}

/** Flags that move every well-known port to free loopback ones and keep files in `dir`. */
export function isolatedFlags(dir: string, ports: { http: number; https: number; admin: number; appid: number; status: number }): string[] {
  return [
    '--haproxy-config', join(dir, 'haproxy.cfg'), '--run-dir', join(dir, 'run'), '--ssl-certs', join(dir, 'cert.pem'),
    '--http-port', String(ports.http), '--https-port', String(ports.https), '--admin-port', String(ports.admin),
    '--appid-port', String(ports.appid), '--status-port', String(ports.status), '--bind-address', '127.0.0.1',
  ];
}

/**
 * The controller in sse mode supervising its own HAProxy on the first five of `ports` (http,
 * https, admin, appid, status) with its files in `dir`; resolves once HAProxy has started.
 */
export async function startSseController(marathonUrl: string, ports: readonly number[], dir: string, extra: readonly string[] = []): Promise<ControllerProcess> {
  const ctl = runController(['sse', '--group', 'external', '--marathon', marathonUrl, '--supervise-haproxy', '--min-reload-interval', '0', ...extra,
    ...isolatedFlags(dir, { http: ports[0]!, https: ports[1]!, admin: ports[2]!, appid: ports[3]!, status: ports[4]! })]);
  await ctl.waitForLog((l) => l.msg === 'haproxy started', 'haproxy started');
  return ctl;
}
