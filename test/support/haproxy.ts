// Test harness for tests that run the real HAProxy: find the binary, a temp dir, free loopback
// ports, a supervised master, and cleanup that kills every process even when a test fails.
// In CI (CI=true) a missing HAProxy is an error, never a silent skip.

import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { runtimeCommand, startHaproxyMaster, type HaproxyMaster } from '../../src/haproxy/index.js';

/** The haproxy binary: $HAPROXY_BIN, else the first `haproxy` on PATH (or /usr/sbin). Throws in CI if missing. */
export function findHaproxy(): string | undefined {
  const candidates = [process.env.HAPROXY_BIN, ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'haproxy')), '/usr/sbin/haproxy'];
  for (const c of candidates) {
    if (!c) continue;
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch { /* next */ }
  }
  if (process.env.CI === 'true') throw new Error('HAProxy not found (set HAPROXY_BIN or put haproxy on PATH); CI must run the HAProxy tests');
  return undefined;
}

/** `describe` when HAProxy is present; otherwise a describe that says loudly why it is skipped. */
export function describeWithHaproxy(name: string, fn: (bin: string) => void): void {
  const bin = findHaproxy();
  if (bin) describe(name, () => fn(bin));
  else describe.skip(`${name} (SKIPPED: no haproxy binary; CI=true makes this an error)`, () => { it('needs haproxy', () => undefined); });
}

export async function tempDir(prefix = 'mlb-haproxy-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Ports the kernel just handed out on 127.0.0.1 (released before return, so a small race remains). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<ReturnType<typeof createNetServer>>((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
}

export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export const waitForPort = (port: number, timeoutMs = 10_000) => waitFor(`127.0.0.1:${port} to accept connections`, () => portAnswers(port), timeoutMs);

/** One HTTP GET to 127.0.0.1 on a fresh connection; resolves status and body (never rejects: status 0 on errors). */
export function httpGet(port: number, path = '/', headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (err) => resolve({ status: 0, body: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.end();
  });
}

/** A tiny upstream that answers every request with its name, so a test can see who answered. */
export async function startUpstream(name: string, port = 0, host = '127.0.0.1'): Promise<{ port: number; server: Server; close: () => Promise<void> }> {
  const server = createServer((_req, res) => { res.setHeader('connection', 'close'); res.end(name); });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, host, resolve); });
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

function pidsFromFile(pidFile: string): number[] {
  if (!existsSync(pidFile)) return [];
  return readFileSync(pidFile, 'utf8').split(/\s+/).map(Number).filter((n) => Number.isInteger(n) && n > 0);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of processes whose parent is `pid` (HAProxy workers of a master), read from /proc. */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split(/\s+/).map(Number).filter((n) => n > 0);
  } catch {
    return [];
  }
}

export interface HaproxyFixture {
  readonly bin: string;
  readonly dir: string;
  readonly configPath: string;
  readonly masterSocket: string;
  readonly adminSocket: string;
  readonly pidFile: string;
  readonly output: string[];
  master: HaproxyMaster | undefined;
  /** Writes `haproxy.cfg` and starts the master on it. */
  start(config: string): Promise<HaproxyMaster>;
  admin(command: string): Promise<string>;
  /** Kills the master and all its workers (old and new). Safe to call twice. */
  cleanup(): Promise<void>;
}

/** A temp dir with socket paths; `start()` runs HAProxy there. Call `cleanup()` in afterEach/afterAll. */
export async function haproxyFixture(bin: string): Promise<HaproxyFixture> {
  const dir = await tempDir();
  const known = new Set<number>();
  const f: HaproxyFixture = {
    bin,
    dir,
    configPath: join(dir, 'haproxy.cfg'),
    masterSocket: join(dir, 'master.sock'),
    adminSocket: join(dir, 'admin.sock'),
    pidFile: join(dir, 'haproxy.pid'),
    output: [],
    master: undefined,
    async start(config) {
      await writeFile(f.configPath, config);
      f.master = await startHaproxyMaster({
        bin, configPath: f.configPath, masterSocket: f.masterSocket, pidFile: f.pidFile, onOutput: (l) => f.output.push(l),
      });
      const p = await f.master.pids();
      known.add(p.master);
      for (const w of p.workers) known.add(w);
      return f.master;
    },
    admin: (command) => runtimeCommand(f.adminSocket, command),
    async cleanup() {
      const pids = new Set<number>([...known, ...pidsFromFile(f.pidFile)]);
      if (f.master) {
        try {
          const p = await f.master.pids();
          for (const x of [p.master, ...p.workers, ...p.oldWorkers]) pids.add(x);
        } catch { /* master gone */ }
      }
      for (const pid of [...pids]) for (const c of childrenOf(pid)) pids.add(c);
      for (const pid of pids) if (pid > 0 && alive(pid)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
      if (f.master) await Promise.race([f.master.exited, new Promise((r) => setTimeout(r, 5_000).unref())]);
      f.master = undefined;
      await rm(dir, { recursive: true, force: true });
    },
  };
  return f;
}

/** A minimal valid config: admin socket, short hard-stop-after, one HTTP frontend -> backend `be`. */
export function basicConfig(o: {
  adminSocket: string; frontendPort: number; servers?: Record<string, number>; balance?: string; extraBackend?: string; extraGlobal?: string;
}): string {
  const servers = Object.entries(o.servers ?? {}).map(([name, port]) => `  server ${name} 127.0.0.1:${port}\n`).join('');
  return `global
  stats socket ${o.adminSocket} mode 600 level admin
  hard-stop-after 3s
${o.extraGlobal ?? ''}
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
  retries 0

frontend fe
  bind 127.0.0.1:${o.frontendPort}
  default_backend be

backend be
  balance ${o.balance ?? 'roundrobin'}
${o.extraBackend ?? ''}${servers}`;
}
