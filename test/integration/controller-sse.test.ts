// The long-running controller in sse mode, supervising its own HAProxy, while the emulator
// deploys, scales, kills and moves tasks and flips health. Routing must follow every change;
// task changes go through the runtime API without a reload. Waits poll for a state.

import { startEmulator, type Emulator } from '../emulator/index.js';
import { request } from '../emulator/http-client.js';
import { findHaproxy, freePorts, tempDir, waitFor } from '../support/haproxy.js';
import { startSseController, type ControllerProcess, type LogLine } from '../support/controller-process.js';

const d = findHaproxy() ? describe : describe.skip;
const PASS_MESSAGES = new Set(['no change', 'haproxy reloaded', 'haproxy changed at run time', 'pass failed; haproxy keeps the last good config', 'pass failed; no config applied yet']);

d('sse mode with a supervised HAProxy', () => {
  let emu: Emulator;
  let ctl: ControllerProcess;
  let svc: number;
  let admin: number;

  /** Task ids that answered `n` requests through the service port. */
  async function answering(n = 12): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < n; i += 1) {
      const r = await request(`http://127.0.0.1:${svc}/`).catch(() => undefined);
      if (r?.status === 200) seen.add(r.body.trim());
    }
    return seen;
  }
  const ids = () => emu.tasks('/app').map((t) => t.id).sort();
  const sameSet = (a: Set<string>, b: string[]) => a.size === b.length && b.every((x) => a.has(x));
  const workerPids = async () => (await request(`http://127.0.0.1:${admin}/_haproxy_getpids`)).body.trim();
  const passesSince = (n: number) => ctl.logs.slice(n).filter((l: LogLine) => PASS_MESSAGES.has(l.msg));

  beforeAll(async () => {
    emu = await startEmulator({ taskServers: 'inprocess', heartbeatMs: 500 });
    const p = await freePorts(6);
    svc = p[5]!;
    admin = p[2]!;
    const dir = await tempDir('mlb-sse-');
    ctl = await startSseController(emu.url, p, dir, ['--health-check', '--debounce-ms', '100', '--log-level', 'debug']);
  });

  afterAll(async () => {
    const code = await ctl?.stop();
    await emu?.close();
    expect(code).toBe(0);
  });

  it('deploy: a new app is served', async () => {
    await emu.putApp({ id: '/app', instances: 2, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: svc }],
      healthChecks: [{ protocol: 'HTTP', path: '/health', intervalSeconds: 1, timeoutSeconds: 1, maxConsecutiveFailures: 1 }] });
    await waitFor('both tasks answer', async () => sameSet(await answering(), ids()), 20_000);
    // A new app is a structural change: one reload, logged with its reason.
    await ctl.waitForLog((l) => l.msg === 'haproxy reloaded' && JSON.stringify(l.reasons).includes(`backend app_${svc} added`), 'reload with reason');
  });

  it('scale up and down change servers at run time, without a reload', async () => {
    const pids = await workerPids();
    const reloads = ctl.logs.filter((l) => l.msg === 'haproxy reloaded').length;
    await emu.scale('/app', 4);
    await waitFor('4 tasks answer', async () => sameSet(await answering(16), ids()), 20_000);
    await emu.scale('/app', 1);
    await waitFor('only the last task answers', async () => sameSet(await answering(6), ids()), 20_000);
    expect(ctl.logs.filter((l) => l.msg === 'haproxy reloaded').slice(reloads).map((l) => l.reasons)).toEqual([]);
    expect(ctl.logs.some((l) => l.msg === 'haproxy changed at run time')).toBe(true);
    expect(await workerPids()).toBe(pids);
  });

  it('kill (and so move) a task: the replacement takes over', async () => {
    const [old] = ids();
    await emu.killTask(old!);
    await waitFor('a new task answers and the killed one is gone', async () => {
      const now = ids();
      const seen = await answering(4);
      return !now.includes(old!) && sameSet(seen, now);
    }, 20_000);
  });

  it('health flip: an unhealthy task leaves the rotation and comes back', async () => {
    await emu.scale('/app', 2);
    await waitFor('2 tasks', async () => sameSet(await answering(8), ids()), 20_000);
    const [sick, well] = ids();
    emu.setHealth(sick!, false);
    await waitFor('only the healthy task answers', async () => sameSet(await answering(8), [well!]), 20_000);
    emu.setHealth(sick!, true);
    await waitFor('both answer again', async () => sameSet(await answering(8), ids()), 20_000);
  });

  it('an unchanged snapshot writes nothing and reloads nothing', async () => {
    await waitFor('loop idle', () => true);
    const mark = ctl.logs.length;
    emu.emit('status_update_event', { appId: '/app', taskId: ids()[0], taskStatus: 'TASK_RUNNING' });
    await ctl.waitForLog((l) => ctl.logs.indexOf(l) >= mark && l.msg === 'no change', 'a no-op pass');
    expect(passesSince(mark).every((l) => l.msg === 'no change')).toBe(true);
  });

  it('a burst of 500 events coalesces: far fewer passes than events, each re-reading only the app', async () => {
    const mark = ctl.logs.length;
    for (let i = 0; i < 500; i += 1) emu.emit('status_update_event', { appId: '/app', taskId: `t${i}`, taskStatus: 'TASK_RUNNING' });
    const events = () => ctl.logs.slice(mark).filter((l) => /^marathon event$/i.test(String(l.msg))).length;
    await waitFor('all 500 events received', () => events() >= 500, 20_000);
    // The pass that follows the last event: its own log line comes after the last event's.
    const lastEvent = () => ctl.logs.map((l, i) => (i >= mark && /^marathon event$/i.test(String(l.msg)) ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
    await ctl.waitForLog((l) => ctl.logs.indexOf(l) > lastEvent() && PASS_MESSAGES.has(l.msg), 'a pass after the last event');
    // One pass at a time, and marks made while one runs collapse into the next: a pass costs
    // about a millisecond here, so the count depends on how the events were spread, but it
    // stays a small fraction of the events.
    expect(passesSince(mark).length).toBeGreaterThanOrEqual(1);
    expect(passesSince(mark).length).toBeLessThanOrEqual(100);
  });

  it('a cut stream reconnects and resyncs what it missed', async () => {
    const connects = ctl.logs.filter((l) => l.msg === 'connected to the Marathon event stream').length;
    emu.stallStreams(true); // events are lost from here on
    await emu.scale('/app', 3);
    emu.dropStreams();
    emu.stallStreams(false);
    await ctl.waitForLog(() => ctl.logs.filter((l) => l.msg === 'connected to the Marathon event stream').length > connects, 'reconnect');
    await waitFor('the change made while cut is served', async () => sameSet(await answering(12), ids()), 20_000);
  });

  it('SIGHUP resyncs, SIGUSR1 reloads the existing config', async () => {
    const mark = ctl.logs.length;
    ctl.child.kill('SIGHUP');
    await ctl.waitForLog((l) => ctl.logs.indexOf(l) >= mark && l.msg === 'resync requested', 'hup');
    await ctl.waitForLog((l) => ctl.logs.indexOf(l) >= mark && PASS_MESSAGES.has(l.msg), 'a pass after hup');
    const pids = await workerPids();
    ctl.child.kill('SIGUSR1');
    await ctl.waitForLog((l) => ctl.logs.indexOf(l) >= mark && l.msg === 'haproxy reloaded' && JSON.stringify(l.reasons).includes('SIGUSR1'), 'usr1 reload');
    await waitFor('a new worker', async () => (await workerPids()) !== pids, 20_000);
    await waitFor('still serving', async () => sameSet(await answering(9), ids()), 20_000);
  });
});
