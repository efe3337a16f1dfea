// HAProxy in master-worker mode, started and supervised by the controller. Reloads go through
// the master CLI; since 2.6's `reload` answers before the new worker is up, success is
// confirmed by watching `show proc` for a new current worker (or a grown failure counter).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { HaproxyOutputParser, type HaproxyRecord } from './output.js';
import { runtimeCommand } from './runtime-api.js';

export interface ProcList {
  readonly master: number;
  readonly workers: number[];
  readonly oldWorkers: number[];
  /** Reloads that failed, as the master counts them. */
  readonly failed: number;
}

export interface HaproxyMaster {
  reload(): Promise<{ ok: boolean; workerPid?: number; reason?: string }>;
  pids(): Promise<ProcList>;
  stop(): Promise<void>;
  /** Resolves with the exit code when a master we started exits. */
  readonly exited: Promise<number | null>;
  readonly masterSocket: string;
}

export function parseShowProc(text: string): ProcList {
  let master = 0;
  let failed = 0;
  const workers: number[] = [];
  const oldWorkers: number[] = [];
  // 2.6 lists current workers under "# workers" and survivors of earlier reloads under "# old workers".
  let section: 'workers' | 'old' | 'other' = 'other';
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t.startsWith('#')) {
      section = /^# workers/.test(t) ? 'workers' : /^# old workers/.test(t) ? 'old' : 'other';
      continue;
    }
    const f = t.split(/\s+/);
    const pid = Number(f[0]);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (f[1] === 'master') {
      master = pid;
      const m = /\[failed:\s*(\d+)\]/.exec(line);
      failed = m ? Number(m[1]) : 0;
    } else if (f[1] === 'worker') {
      (section === 'old' ? oldWorkers : workers).push(pid);
    }
  }
  return { master, workers, oldWorkers, failed };
}

async function showProc(socket: string): Promise<ProcList> {
  return parseShowProc(await runtimeCommand(socket, 'show proc', 5_000));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A timer that does not keep the process alive (for races against a child's exit). */
const idleSleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

/** Recent output lines of a master we started, so a failed reload can say what HAProxy said. */
class OutputTail {
  private lines: string[] = [];
  private total = 0;
  push(line: string): void {
    this.lines.push(line);
    this.total += 1;
    if (this.lines.length > 200) this.lines.shift();
  }
  /** A position to read from later. */
  mark(): number { return this.total; }
  since(mark: number): string[] {
    const count = this.total - mark;
    return count <= 0 ? [] : this.lines.slice(-Math.min(count, this.lines.length));
  }
}

interface AttachOptions {
  readonly child?: ChildProcess | undefined;
  readonly exited: Promise<number | null>;
  readonly tail?: OutputTail | undefined;
  readonly reloadTimeoutMs?: number | undefined;
}

function attach(masterSocket: string, a: AttachOptions): HaproxyMaster {
  const { child, exited, tail } = a;
  const reloadTimeoutMs = a.reloadTimeoutMs ?? 30_000;
  const whatHaproxySaid = (mark: number | undefined) => {
    const lines = mark === undefined || !tail ? [] : tail.since(mark).filter((l) => /\[(ALERT|WARNING)\]/.test(l));
    return lines.length > 0 ? `: ${lines.join(' / ')}` : '';
  };
  return {
    masterSocket,
    exited,
    pids: () => showProc(masterSocket),
    async reload() {
      let before: ProcList;
      try {
        before = await showProc(masterSocket);
      } catch (err) {
        return { ok: false, reason: `master socket unreachable: ${(err as Error).message}` };
      }
      const mark = tail?.mark();
      try {
        await runtimeCommand(masterSocket, 'reload', 5_000);
      } catch { /* the master closes the CLI connection on reload; that is expected */ }
      const deadline = Date.now() + reloadTimeoutMs;
      while (Date.now() < deadline) {
        await sleep(100);
        let now: ProcList;
        try {
          now = await showProc(masterSocket);
        } catch {
          continue; // the master is re-executing
        }
        if (now.failed > before.failed) {
          // Give the master a moment to flush its alerts to our pipe before quoting them.
          if (tail) await sleep(100);
          return { ok: false, reason: `haproxy master reports the reload failed, the previous workers keep serving${whatHaproxySaid(mark)}` };
        }
        const fresh = now.workers.find((p) => !before.workers.includes(p));
        if (fresh !== undefined) return { ok: true, workerPid: fresh };
      }
      return { ok: false, reason: `no new haproxy worker within ${reloadTimeoutMs} ms${whatHaproxySaid(mark)}` };
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      child.kill('SIGUSR1'); // soft stop: finish connections
      const timeout = idleSleep(10_000).then(() => 'timeout');
      if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGTERM');
      const hard = idleSleep(5_000).then(() => 'timeout');
      if ((await Promise.race([exited, hard])) === 'timeout') child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface StartMasterOptions {
  readonly bin: string;
  readonly configPath: string;
  readonly masterSocket: string;
  readonly pidFile: string;
  readonly extraArgs?: readonly string[] | undefined;
  /** Every line HAProxy prints (its startup and reload alerts go to stderr). */
  readonly onOutput?: ((line: string) => void) | undefined;
  /** One record per event HAProxy reports, at its level, without the `log stdout` copies. */
  readonly onRecord?: ((record: HaproxyRecord) => void) | undefined;
  readonly startTimeoutMs?: number | undefined;
  readonly reloadTimeoutMs?: number | undefined;
}

/**
 * Starts `haproxy -W -S <socket> -f <config> -p <pidfile>` as a foreground child and resolves
 * once the master answers `show proc` with a worker. Rejects (with HAProxy's output) if it exits.
 */
export async function startHaproxyMaster(opts: StartMasterOptions): Promise<HaproxyMaster> {
  await rm(opts.masterSocket, { force: true });
  const tail = new OutputTail();
  const child = spawn(opts.bin, ['-W', '-S', `${opts.masterSocket},mode,600`, '-f', opts.configPath, '-p', opts.pidFile, ...(opts.extraArgs ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C in a terminal reaches the controller, which stops HAProxy
    // cleanly, instead of interrupting HAProxy behind its back (exit 130, logged as a crash).
    detached: true,
  });
  let spawnError: Error | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', (err) => { spawnError = err; resolve(null); });
  });
  const parser = new HaproxyOutputParser();
  const forward = (d: Buffer) => {
    for (const l of d.toString().split('\n')) {
      if (!l.trim()) continue;
      tail.push(l);
      opts.onOutput?.(l);
      const record = parser.push(l);
      if (record !== undefined) opts.onRecord?.(record);
    }
  };
  // stdout carries the `log stdout` copies of what stderr says with its level: let stderr's
  // version arrive first so the copy is the one dropped (the parser copes with either order).
  child.stdout!.on('data', (d: Buffer) => { setTimeout(() => forward(d), 50); });
  child.stderr!.on('data', forward);
  let exitCode: number | null | undefined;
  void exited.then((c) => { exitCode = c; });
  const deadline = Date.now() + (opts.startTimeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`cannot start ${opts.bin}: ${spawnError.message}`);
    if (exitCode !== undefined) {
      await sleep(100); // let the pipes drain (stdout is forwarded 50 ms late)
      throw new Error(`haproxy exited with ${exitCode} at start: ${tail.since(0).join(' / ')}`);
    }
    if (existsSync(opts.masterSocket)) {
      try {
        const procs = await showProc(opts.masterSocket);
        if (procs.workers.length > 0) return attach(opts.masterSocket, { child, exited, tail, reloadTimeoutMs: opts.reloadTimeoutMs });
      } catch { /* not ready */ }
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`haproxy did not start a worker within ${opts.startTimeoutMs ?? 15_000} ms: ${tail.since(0).join(' / ')}`);
}

/**
 * Attaches to a master that is already running (started by the container's run script or a
 * previous controller). Resolves undefined when nothing answers on the socket. `exited` never
 * resolves and `stop()` does nothing: we do not own that process.
 */
export async function connectHaproxyMaster(
  target: string | { readonly masterSocket: string; readonly reloadTimeoutMs?: number },
): Promise<HaproxyMaster | undefined> {
  const o = typeof target === 'string' ? { masterSocket: target } : target;
  try {
    const procs = await showProc(o.masterSocket);
    if (procs.master === 0) return undefined;
    return attach(o.masterSocket, { exited: new Promise(() => undefined), reloadTimeoutMs: 'reloadTimeoutMs' in o ? o.reloadTimeoutMs : undefined });
  } catch {
    return undefined;
  }
}
