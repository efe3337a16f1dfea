// How an emulated task becomes real: HTTP servers inside this process, one child process per
// task (test/emulator/task-server.mjs), one child process for all of them (task-agent.mjs, like
// a Mesos agent), or nothing at all. All answer the same way: 200 + "<task id>\n" + X-Task-Id on
// any request, 503 on a health path while unhealthy.

import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Listener } from './task-model.js';

export interface TaskRunner {
  /** Resolves once every listener accepts connections; rejects if one cannot bind. */
  start(taskId: string, listeners: readonly Listener[], alive: boolean): Promise<void>;
  setHealth(taskId: string, alive: boolean): void;
  stop(taskId: string): Promise<void>;
  close(): Promise<void>;
}

export class NoTaskRunner implements TaskRunner {
  async start(): Promise<void> {}
  setHealth(): void {}
  async stop(): Promise<void> {}
  async close(): Promise<void> {}
}

interface InProcessTask {
  servers: http.Server[];
  alive: boolean;
}

export class InProcessTaskRunner implements TaskRunner {
  private readonly tasks = new Map<string, InProcessTask>();

  async start(taskId: string, listeners: readonly Listener[], alive: boolean): Promise<void> {
    const task: InProcessTask = { servers: [], alive };
    this.tasks.set(taskId, task);
    try {
      for (const l of listeners) {
        const srv = http.createServer((req, res) => {
          const p = (req.url ?? '/').split('?')[0] ?? '/';
          const status = l.healthPaths.includes(p) && !task.alive ? 503 : 200;
          req.resume();
          // `?delay=<ms>`: a slow request, held open that long (tests of draining use it).
          const timer = setTimeout(() => {
            res.writeHead(status, { 'Content-Type': 'text/plain', 'X-Task-Id': taskId });
            res.end(`${taskId}\n`);
          }, delayOf(req.url));
          res.on('close', () => clearTimeout(timer));
        });
        srv.keepAliveTimeout = 1000;
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen({ host: l.ip, port: l.port, exclusive: true }, () => resolve());
        });
        task.servers.push(srv);
        if (this.tasks.get(taskId) !== task) throw new Error('task stopped while starting');
      }
    } catch (err) {
      if (this.tasks.get(taskId) === task) this.tasks.delete(taskId);
      await closeServers(task.servers);
      throw err;
    }
  }

  setHealth(taskId: string, alive: boolean): void {
    const t = this.tasks.get(taskId);
    if (t) t.alive = alive;
  }

  async stop(taskId: string): Promise<void> {
    const t = this.tasks.get(taskId);
    if (!t) return;
    this.tasks.delete(taskId);
    await closeServers(t.servers);
  }

  async close(): Promise<void> {
    await Promise.all([...this.tasks.keys()].map((id) => this.stop(id)));
  }
}

/** Milliseconds asked for by `?delay=<ms>` (at most a minute), else 0. */
export function delayOf(url: string | undefined): number {
  const m = /[?&]delay=(\d+)/.exec(url ?? '');
  return m ? Math.min(60_000, Number(m[1])) : 0;
}

function closeServers(servers: readonly http.Server[]): Promise<unknown> {
  return Promise.all(
    servers.map(
      (srv) =>
        new Promise<void>((resolve) => {
          // Like a process given SIGTERM that exits promptly: stop accepting, let requests in
          // flight finish briefly, then drop what is left.
          srv.close(() => resolve());
          srv.closeIdleConnections();
          setTimeout(() => srv.closeAllConnections(), 100).unref();
        }),
    ),
  );
}

/** Finds a plain-JS script of the emulator next to this module, or in test/emulator/ when running compiled JS. */
export function emulatorScript(name: 'task-server.mjs' | 'task-agent.mjs'): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, name)];
  for (let dir = here, i = 0; i < 8; i++, dir = path.dirname(dir)) {
    candidates.push(path.join(dir, 'test', 'emulator', name));
  }
  candidates.push(path.join(process.cwd(), 'test', 'emulator', name));
  const found = candidates.find((c) => fs.existsSync(c));
  if (found === undefined) throw new Error(`${name} not found near ${here}`);
  return found;
}

const STOP_GRACE_MS = 3000;

export class ProcessTaskRunner implements TaskRunner {
  private readonly children = new Map<string, ChildProcess>();
  private readonly script = emulatorScript('task-server.mjs');
  // Children also exit on their own when their stdin closes, i.e. when this process dies hard.
  private readonly onExit = (): void => {
    for (const c of this.children.values()) c.kill('SIGKILL');
  };

  constructor() {
    process.on('exit', this.onExit);
  }

  async start(taskId: string, listeners: readonly Listener[], alive: boolean): Promise<void> {
    const child = spawn(process.execPath, [this.script, JSON.stringify({ taskId, alive, listeners })], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.children.set(taskId, child);
    child.stdin?.on('error', () => {}); // writing to an exited child must not crash the emulator
    const lines = readline.createInterface({ input: child.stdout! });
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`task server exited with ${code}`)));
        child.once('error', reject);
        lines.once('line', (line) => {
          const msg = JSON.parse(line) as { ready?: boolean; error?: string };
          if (msg.ready) resolve();
          else reject(new Error(msg.error ?? 'task server failed'));
        });
      });
    } catch (err) {
      await this.stop(taskId);
      throw err;
    }
  }

  setHealth(taskId: string, alive: boolean): void {
    const child = this.children.get(taskId);
    if (child?.stdin?.writable) child.stdin.write(JSON.stringify({ alive }) + '\n');
  }

  async stop(taskId: string): Promise<void> {
    const child = this.children.get(taskId);
    if (!child) return;
    this.children.delete(taskId);
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.children.keys()].map((id) => this.stop(id)));
    process.off('exit', this.onExit);
  }
}

/** Every task in one child process (task-agent.mjs), driven over IPC. */
export class AgentTaskRunner implements TaskRunner {
  private readonly agent: ChildProcess;
  private readonly pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private seq = 0;
  private exited = false;

  constructor() {
    this.agent = fork(emulatorScript('task-agent.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.agent.on('message', (msg: { seq: number; error?: string }) => {
      const p = this.pending.get(msg.seq);
      this.pending.delete(msg.seq);
      if (msg.error === undefined) p?.resolve();
      else p?.reject(new Error(msg.error));
    });
    this.agent.once('exit', (code) => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error(`task agent exited with ${code}`));
      this.pending.clear();
    });
  }

  private ask(msg: Record<string, unknown>): Promise<void> {
    if (this.exited) return Promise.reject(new Error('task agent is gone'));
    const seq = (this.seq += 1);
    return new Promise<void>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.agent.send({ ...msg, seq });
    });
  }

  start(taskId: string, listeners: readonly Listener[], alive: boolean): Promise<void> {
    return this.ask({ op: 'start', taskId, alive, listeners });
  }

  setHealth(taskId: string, alive: boolean): void {
    if (!this.exited) this.agent.send({ op: 'health', taskId, alive });
  }

  stop(taskId: string): Promise<void> {
    return this.exited ? Promise.resolve() : this.ask({ op: 'stop', taskId });
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((r) => this.agent.once('exit', r));
    this.agent.disconnect();
    await gone;
  }
}
