// HAProxy's live state, read through its admin socket, equals Marathon's after every kind of
// change: scale, kill, health flip, a server-argument change, a forced reload; and what an
// operator changes behind the controller's back is found and corrected. A steady request loop
// through HAProxy counts failed requests the whole time.

import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { request } from '../emulator/http-client.js';
import { parseServersState, runtimeCommand } from '../../src/haproxy/index.js';
import { findHaproxy, freePorts, tempDir, waitFor } from '../support/haproxy.js';
import { startSseController, type ControllerProcess } from '../support/controller-process.js';

const d = findHaproxy() ? describe : describe.skip;

d('live HAProxy state follows Marathon', () => {
  let emu: Emulator;
  let ctl: ControllerProcess;
  let svc: number;
  let status: number;
  let socket: string;
  const failures: string[] = [];
  let okCount = 0;
  let stopLoop = false;
  let loop: Promise<void>;

  /** The servers HAProxy serves for the app right now: `addr:port` -> admin state. */
  async function live(): Promise<Map<string, number>> {
    const rows = parseServersState(await runtimeCommand(socket, `show servers state app_${svc}`));
    return new Map(rows.map((r) => [`${r.addr}:${r.port}`, r.adminState]));
  }
  /** What Marathon says should be served: every running task (health aside). */
  const wanted = (healthy: (id: string) => boolean = () => true) =>
    emu.tasks('/app').filter((t) => t.state === 'TASK_RUNNING' && healthy(t.id)).map((t) => t.endpoints[0]!).sort();
  /**
   * Every wanted task is a server in service (admin state 0), and every other server is retired
   * (in maintenance: the controller never deletes servers at run time, see apply-runtime.ts).
   */
  const liveEqualsMarathon = async (healthy?: (id: string) => boolean) => {
    const l = await live();
    const want = wanted(healthy);
    const inService = [...l].filter(([, st]) => (st & 0x01) === 0).map(([a]) => a).sort();
    return want.length > 0 && inService.join() === want.join() && want.every((a) => l.get(a) === 0);
  };
  const reloads = () => ctl.logs.filter((l) => l.msg === 'haproxy reloaded').length;

  beforeAll(async () => {
    // Marathon with task_killing: a killed task reports TASK_KILLING and serves 1.5 s more (a
    // short taskKillGracePeriodSeconds), the window a load balancer has to drain it, even when the
    // change is a reload (see the emulator's taskKilling option).
    emu = await startEmulator({ taskServers: 'inprocess', heartbeatMs: 500, taskKilling: { graceMs: 1500 } });
    const p = await freePorts(6);
    svc = p[5]!;
    status = p[4]!;
    const dir = await tempDir('mlb-live-');
    socket = join(dir, 'run', 'socket');
    ctl = await startSseController(emu.url, p, dir, ['--log-level', 'debug']);
    await emu.putApp({ id: '/app', instances: 2, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: svc }],
      healthChecks: [{ protocol: 'HTTP', path: '/health', intervalSeconds: 1, timeoutSeconds: 1, maxConsecutiveFailures: 1 }] });
    await waitFor('the app is served by both tasks', () => liveEqualsMarathon(), 20_000);
    await ctl.waitForLog((l) => l.msg === 'haproxy reloaded' && JSON.stringify(l.reasons).includes(`backend app_${svc} added`), 'the reload that added the app');
    // A steady request loop through HAProxy for the whole file (bounded in count and time).
    loop = (async () => {
      const deadline = Date.now() + 120_000;
      for (let i = 0; i < 50_000 && !stopLoop && Date.now() < deadline; i += 1) {
        const r = await request(`http://127.0.0.1:${svc}/`).catch((e: Error) => ({ status: 0, body: e.message }));
        if (r.status === 200) okCount += 1; else failures.push(`${r.status} ${r.body.slice(0, 80)}`);
      }
    })();
  });

  afterAll(async () => {
    stopLoop = true;
    await loop;
    const code = await ctl?.stop();
    await emu?.close();
    expect(code).toBe(0);
  });

  it('scale up and down: the admin socket shows exactly Marathon\'s tasks, without a reload', async () => {
    const before = reloads();
    await emu.scale('/app', 5);
    await waitFor('5 live servers', () => liveEqualsMarathon(), 20_000);
    await emu.scale('/app', 2);
    await waitFor('2 live servers', () => liveEqualsMarathon(), 20_000);
    expect(reloads()).toBe(before);
  });

  it('kill: the replacement is added and the killed task removed, without a reload', async () => {
    const before = reloads();
    const [victim] = emu.tasks('/app').map((t) => t.id);
    await emu.killTask(victim!);
    await waitFor('the replacement live, the victim gone', async () => !emu.tasks('/app').some((t) => t.id === victim) && liveEqualsMarathon(), 20_000);
    expect(reloads()).toBe(before);
  });

  it('health flip (with --health-check off): an unhealthy task stays a server, HAProxy\'s own check takes it out', async () => {
    const [sick] = emu.tasks('/app').map((t) => t.id);
    emu.setHealth(sick!, false);
    await waitFor('the app still has both servers configured', () => liveEqualsMarathon(), 20_000);
    emu.setHealth(sick!, true);
    await waitFor('still equal', () => liveEqualsMarathon(), 20_000);
  });

  it('a health check interval change (Marathon restarts the tasks) moves every server without emptying the backend', async () => {
    const served = okCount;
    const oldTasks = emu.tasks('/app').map((t) => t.id);
    await emu.putApp({ id: '/app', instances: 2, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: svc }],
      healthChecks: [{ protocol: 'HTTP', path: '/health', intervalSeconds: 3, timeoutSeconds: 1, maxConsecutiveFailures: 1 }] });
    await waitFor('the new tasks live, the old ones gone', async () => !emu.tasks('/app').some((t) => oldTasks.includes(t.id)) && liveEqualsMarathon(), 20_000);
    const rows = parseServersState(await runtimeCommand(socket, `show servers state app_${svc}`));
    expect(rows.filter((r) => r.adminState === 0)).toHaveLength(2);
    await waitFor('requests keep flowing', () => okCount > served + 50, 20_000);
    expect(failures).toEqual([]);
  });

  it('a forced reload (SIGUSR1) keeps the live state equal to Marathon', async () => {
    const before = reloads();
    ctl.child.kill('SIGUSR1');
    await waitFor('the reload', () => reloads() > before, 20_000);
    await waitFor('live equals Marathon', () => liveEqualsMarathon(), 20_000);
  });

  it('a server put in maintenance behind the controller\'s back is found and put back', async () => {
    const rows = parseServersState(await runtimeCommand(socket, `show servers state app_${svc}`));
    const victim = rows.find((r) => r.adminState === 0)!;
    expect(await runtimeCommand(socket, `set server app_${svc}/${victim.server} state maint`)).toBe('\n');
    expect((await live()).get(`${victim.addr}:${victim.port}`)).not.toBe(0);
    // A resync (SIGHUP, as /_mlb_signal/hup sends) reads HAProxy back and corrects it.
    ctl.child.kill('SIGHUP');
    await waitFor('the server is back in service', () => liveEqualsMarathon(), 20_000);
    const st = JSON.parse((await request(`http://127.0.0.1:${status}/_mlb_status`, { headers: { accept: 'application/json' } })).body) as {
      consistency: { differences: number; lastDifferences: string[] };
    };
    expect(st.consistency.differences).toBeGreaterThan(0);
    expect(st.consistency.lastDifferences.join('\n')).toContain(`${victim.server} held in maintenance`);
  });

  it('no request failed through any of it', () => {
    expect(okCount).toBeGreaterThan(100);
    expect(failures).toEqual([]);
  });
});
