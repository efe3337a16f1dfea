// HAProxy in master-worker mode, started and supervised by the controller. Reloads go through
// the master CLI; since 2.6's `reload` answers before the new worker is up, success is
// confirmed by watching `show proc` for a new current worker (or a grown failure counter).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
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

function attach(masterSocket: string, child: ChildProcess | undefined, exited: Promise<number | null>): HaproxyMaster {
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
      try {
        await runtimeCommand(masterSocket, 'reload', 5_000);
      } catch { /* the master closes the CLI connection on reload; that is expected */ }
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        await sleep(100);
        let now: ProcList;
        try {
          now = await showProc(masterSocket);
        } catch {
          continue; // the master is re-executing
        }
        if (now.failed > before.failed) return { ok: false, reason: 'haproxy master reports the reload failed (it keeps the previous workers)' };
        const fresh = now.workers.find((p) => !before.workers.includes(p));
        if (fresh !== undefined) return { ok: true, workerPid: fresh };
      }
      return { ok: false, reason: 'no new haproxy worker within 30 s' };
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      child.kill('SIGUSR1'); // soft stop: finish connections
      const timeout = sleep(10_000).then(() => 'timeout');
      if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function startHaproxyMaster(opts: {
  bin: string; configPath: string; masterSocket: string; pidFile: string; extraArgs?: string[];
  onOutput?: (line: string) => void;
}): Promise<HaproxyMaster> {
  await rm(opts.masterSocket, { force: true });
  const child = spawn(opts.bin, ['-W', '-db', '-S', `${opts.masterSocket},mode,600`, '-f', opts.configPath, '-p', opts.pidFile, ...(opts.extraArgs ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const forward = (d: Buffer) => { for (const l of d.toString().split('\n')) if (l.trim()) opts.onOutput?.(l); };
  child.stdout!.on('data', forward);
  child.stderr!.on('data', forward);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode} at start`);
    if (existsSync(opts.masterSocket)) {
      try {
        const procs = await showProc(opts.masterSocket);
        if (procs.workers.length > 0) return attach(opts.masterSocket, child, exited);
      } catch { /* not ready */ }
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error('haproxy did not start a worker within 15 s');
}

/** Attach to a master that is already running (started by the container or a previous controller). */
export async function connectHaproxyMaster(masterSocket: string): Promise<HaproxyMaster | undefined> {
  try {
    const procs = await showProc(masterSocket);
    if (procs.master === 0) return undefined;
    return attach(masterSocket, undefined, new Promise(() => undefined));
  } catch {
    return undefined;
  }
}
