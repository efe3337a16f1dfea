// Event -> traffic latency, end to end: the Marathon emulator with N apps (real task servers, all
// in one process of their own like a Mesos agent's), the controller (dist/cli.js, sse mode,
// supervising a real HAProxy), and a prober (its own process, bench/prober.ts) sending requests
// through HAProxy to one app's service port without pause.
//
//   npm run build && npx tsc -p bench/tsconfig.json
//   node dist-bench/bench/event-latency.js [--sizes 200,2000,10000] [--rounds 30]
//   (PROBE_LOOPS=N: the prober's request loops, default 4; BENCH_LOG=file BENCH_LOG_LEVEL=info:
//   the controller's log goes to that file;
//   BENCH_CONTROLLER_NODE_FLAGS='--cpu-prof --cpu-prof-dir=DIR': profile the controller)
//
// Each round scales the probed app from 1 to 2 tasks, then back to 1:
// - scale-up latency: from the emulator publishing the new task's TASK_RUNNING event to the
//   first response the prober gets from the new task through HAProxy;
// - kill latency: from the TASK_KILLING event (the emulator models Marathon's task_killing, a
//   300 ms grace) to the last response from the leaving task (0 when none came after the event).
// Two warm-up rounds are not counted (the controller's start-up full read may still be running).
// It also prints the controller's CPU time per event (from /proc) and failed probe requests (the
// first few with their answer). The controller, HAProxy, the task servers and the prober run in
// their own processes; the emulator in this one. It asserts nothing.

import { openSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { startEmulator, type EmulatorWithEvents } from '../test/emulator/index.js';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import type { ProbeAnswer } from './prober.js';
import { createServer, type AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';

const arg = (flag: string, fallback: string) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: readonly number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? NaN;
const PROBE_PORT = 20500;
const BULK_FIRST_PORT = 10000;
/** Task host ports: above the service ports, below the kernel's ephemeral range (32768+). */
const TASK_PORTS = { min: 21000, max: 32767 };

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function get(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.trim() }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: e.message }));
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** The repository root, from dist-bench/bench/. */
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** The controller as an operator runs it (its log goes to a file in `dir`). */
function startController(dir: string, marathon: string): ChildProcess {
  // BENCH_CONTROLLER_NODE_FLAGS: extra node flags for the controller (e.g. --cpu-prof).
  const nodeFlags = (process.env['BENCH_CONTROLLER_NODE_FLAGS'] ?? '').split(' ').filter((f) => f !== '');
  return spawn(process.execPath, [...nodeFlags, join(REPO, 'dist', 'cli.js'), 'sse', '--group', 'external', '--marathon', marathon, '--supervise-haproxy',
    '--min-reload-interval', '0', '--log-level', process.env['BENCH_LOG_LEVEL'] ?? 'info', '--haproxy-config', join(dir, 'haproxy.cfg'), '--run-dir', join(dir, 'run'),
    '--ssl-certs', join(dir, 'cert.pem'), '--bind-address', '127.0.0.1', ...portFlags], {
    stdio: ['ignore', 'ignore', openSync(logPath(dir), 'w')],
  });
}
let portFlags: string[] = [];
const logPath = (dir: string) => process.env['BENCH_LOG'] ?? join(dir, 'controller.log');

/**
 * When the controller handed a server to HAProxy, from its log (wall clock, ms): the pass's
 * start (the line's time less durationMs) plus appliedMs. Undefined when no line says so.
 */
function addedAt(dir: string, server: string): number | undefined {
  for (const line of readFileSync(logPath(dir), 'utf8').split('\n')) {
    if (!line.includes(`server added ${server}`)) continue;
    const r = JSON.parse(line) as { time: string | number; durationMs?: number; timings?: { appliedMs?: number } };
    const t = typeof r.time === 'number' ? r.time : Date.parse(r.time);
    if (r.timings?.appliedMs !== undefined && r.durationMs !== undefined) return t - r.durationMs + r.timings.appliedMs;
  }
  return undefined;
}

async function stopController(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(t);
}

interface Result { size: number; up: number[]; down: number[]; controllerUp: number[]; cpuMsPerEvent: number; events: number; failed: string[]; requests: number }

const WARM_UP_ROUNDS = 2;
/** The emulator stamps events with this process's performance.now(); the prober with the wall clock. */
const wall = (at: number) => performance.timeOrigin + at;

async function measure(size: number, rounds: number): Promise<Result> {
  const emu: EmulatorWithEvents = await startEmulator({ taskServers: 'agent', heartbeatMs: 5000, taskKilling: { graceMs: 300 }, hostPorts: TASK_PORTS });
  const dir = await mkdtemp(join(tmpdir(), 'mlb-latency-'));
  let ctl: ChildProcess | undefined;
  let prober: ChildProcess | undefined;
  try {
    // N-1 other apps with one task each, then the probed app.
    for (let i = 0; i < size - 1; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, size - 1 - i) }, (_, j) => emu.putApp({
        id: `/bulk/app-${i + j}`, instances: 1, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: BULK_FIRST_PORT + i + j }],
      })));
    }
    await emu.putApp({ id: '/probe', instances: 1, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: PROBE_PORT }] });
    await until('every task running', () => emu.tasks('/probe').length === 1, 120_000);

    const p = await freePorts(5);
    portFlags = ['--http-port', String(p[0]), '--https-port', String(p[1]), '--admin-port', String(p[2]), '--appid-port', String(p[3]), '--status-port', String(p[4])];
    ctl = startController(dir, emu.url);
    await until('the probed app to answer through HAProxy', async () => (await get(PROBE_PORT)).status === 200, 900_000);

    // The prober: one request after another, each answer stamped, in its own process.
    const answers: Array<{ at: number; task: string }> = [];
    const failed: string[] = [];
    /** Which task event a failed answer came nearest to, to tell a kill's failure from a start's. */
    const nearestEvent = (at: number): string => {
      let best: { d: number; text: string } | undefined;
      for (let i = emu.events.length - 1; i >= 0 && i >= emu.events.length - 200; i -= 1) {
        const e = emu.events[i]!;
        if (e.eventType !== 'status_update_event') continue;
        const d = at - wall(e.at);
        if (!best || Math.abs(d) < Math.abs(best.d)) best = { d, text: `${d.toFixed(1)} ms after ${String(e.payload['taskStatus'])} of ${String(e.payload['taskId'])}` };
      }
      return best?.text ?? 'no task event near';
    };
    let requests = 0;
    prober = fork(join(REPO, 'dist-bench', 'bench', 'prober.js'), [String(PROBE_PORT), process.env['PROBE_LOOPS'] ?? '4'], { stdio: 'inherit' });
    prober.on('message', (batch: ProbeAnswer[]) => {
      for (const a of batch) {
        requests += 1;
        if (a.task !== undefined) answers.push({ at: a.at, task: a.task });
        else failed.push(`${a.failure ?? 'unknown'} (${nearestEvent(a.at)})`);
      }
      if (answers.length > 200_000) answers.splice(0, 100_000);
    });

    const up: number[] = [];
    const down: number[] = [];
    const added: Array<{ server: string; t0: number }> = [];
    let firstEvent = emu.events.length;
    let cpuBefore = cpuSeconds(ctl.pid!);
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    for (let round = -WARM_UP_ROUNDS; round < rounds; round += 1) {
      if (round === 0) {
        loopDelay.enable();
        up.length = 0;
        down.length = 0;
        failed.length = 0;
        requests = 0;
        firstEvent = emu.events.length;
        cpuBefore = cpuSeconds(ctl.pid!);
      }
      // Only what came after this point is searched: the setup left tens of thousands of
      // events and answers behind, and this process must stay quick to serve the emulator.
      const eventsFrom = emu.events.length;
      const answersFrom = answers.length;
      const statusOf = (taskId: string, status: string) => {
        for (let i = eventsFrom; i < emu.events.length; i += 1) {
          const e = emu.events[i]!;
          if (e.eventType === 'status_update_event' && e.payload['taskId'] === taskId && e.payload['taskStatus'] === status) return e;
        }
        return undefined;
      };
      const before = new Set(emu.tasks('/probe').map((t) => t.id));
      await emu.scale('/probe', 2);
      const fresh = emu.tasks('/probe').find((t) => !before.has(t.id))!.id;
      await until('the new task\'s TASK_RUNNING event', () => statusOf(fresh, 'TASK_RUNNING') !== undefined, 10_000);
      const t0 = wall(statusOf(fresh, 'TASK_RUNNING')!.at);
      const firstAnswer = () => answers.slice(answersFrom).find((a) => a.task === fresh && a.at >= t0);
      await until('the new task to answer', () => firstAnswer() !== undefined, 10_000);
      up.push(firstAnswer()!.at - t0);
      const port = emu.tasks('/probe').find((t) => t.id === fresh)?.ports?.[0];
      if (port !== undefined && round >= 0) added.push({ server: `127_0_0_1_${port}`, t0 });

      // Scale back to one: Marathon kills the youngest task, which is the one just added.
      await emu.scale('/probe', 1);
      const killing = () => statusOf(fresh, 'TASK_KILLING');
      await until('the TASK_KILLING event', () => killing() !== undefined, 10_000);
      const k0 = wall(killing()!.at);
      await until('the task to be gone', () => !emu.tasks('/probe').some((t) => t.id === fresh), 10_000);
      const last = answers.slice(answersFrom).reverse().find((a) => a.task === fresh);
      down.push(last && last.at > k0 ? last.at - k0 : 0);
    }
    const events = emu.events.length - firstEvent;
    const cpuMsPerEvent = ((cpuSeconds(ctl.pid!) - cpuBefore) * 1000) / Math.max(1, events);
    loopDelay.disable();
    console.log(`  (this process, which hosts the emulator: event loop delay p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms)`);
    const controllerUp = added.map((a) => (addedAt(dir, a.server) ?? NaN) - a.t0).filter((x) => !Number.isNaN(x));
    return { size, up, down, controllerUp, cpuMsPerEvent, events, failed: [...failed], requests };
  } finally {
    prober?.disconnect();
    await stopController(ctl);
    await emu.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sizes = arg('--sizes', '200,2000,10000').split(',').map(Number);
  const rounds = Number(arg('--rounds', '30'));
  const f = (x: number) => x.toFixed(1).padStart(7);
  console.log(`event -> traffic latency, ${rounds} rounds per size after ${WARM_UP_ROUNDS} warm-up (ms; controller, HAProxy and prober in their own processes), node ${process.version}`);
  console.log('   apps |  up p50 |  up p90 |  up max | kill p50 | kill p90 | kill max | CPU ms/event | events | failed/requests');
  for (const size of sizes) {
    const r = await measure(size, rounds);
    console.log(`${String(r.size).padStart(7)} | ${f(median(r.up))} | ${f(pct(r.up, 0.9))} | ${f(Math.max(...r.up))} | ${f(median(r.down)).padStart(8)} | ${f(pct(r.down, 0.9)).padStart(8)} | ${f(Math.max(...r.down)).padStart(8)} | ${r.cpuMsPerEvent.toFixed(2).padStart(12)} | ${String(r.events).padStart(6)} | ${r.failed.length}/${r.requests}`);
    for (const x of r.failed.slice(0, 3)) console.log(`        failed: ${x}`);
    console.log(`        of which the controller (event -> runtime ops done, from its log, ms resolution): p50 ${median(r.controllerUp).toFixed(1)}, p90 ${pct(r.controllerUp, 0.9).toFixed(1)} over ${r.controllerUp.length} rounds`);
  }
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
