// The emulator's tasks are real servers (in-process or child processes): they answer with their
// id, their health path follows setHealth, and kills/state changes behave like Marathon (§9).

import { afterEach, describe, expect, it } from '@jest/globals';
import { startEmulator, type EmulatorWithEvents } from '../emulator/index.js';
import { getJson, request, waitFor } from '../emulator/http-client.js';

let emu: EmulatorWithEvents | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function appJson(id: string): Promise<any> {
  return (await getJson(`${emu!.url}/v2/apps${id}`)).app;
}

describe.each(['inprocess', 'process', 'agent'] as const)('task servers (%s)', (taskServers) => {
  it('every port of every task answers 200 with the task id', async () => {
    emu = await startEmulator({ taskServers });
    await emu.putApp({ id: '/two', instances: 2, portDefinitions: [{ port: 0 }, { port: 0 }] });
    const tasks = emu.tasks('/two');
    expect(tasks).toHaveLength(2);
    for (const t of tasks) {
      expect(t.ports).toHaveLength(2);
      for (const port of t.ports) {
        const res = await request(`http://127.0.0.1:${port}/anything?x=1`);
        expect(res.status).toBe(200);
        expect(res.body).toBe(`${t.id}\n`);
        expect(res.headers['x-task-id']).toBe(t.id);
      }
    }
  });

  it('health flips change the task JSON, the counts and the health path answer', async () => {
    emu = await startEmulator({ taskServers });
    await emu.putApp({ id: '/hc', instances: 1, healthChecks: [{ protocol: 'HTTP', path: '/health', portIndex: 0 }] });
    const t = emu.tasks('/hc')[0]!;
    const url = `http://127.0.0.1:${t.ports[0]}`;
    expect((await request(`${url}/health`)).status).toBe(200);
    emu.setHealth(t.id, false);
    // The process runner hears about it over a pipe, so poll.
    await waitFor(async () => (await request(`${url}/health`)).status === 503, 'health path 503');
    expect((await request(`${url}/other`)).status).toBe(200);
    const sick = await appJson('/hc');
    expect(sick.tasks[0].healthCheckResults[0]).toMatchObject({ alive: false, consecutiveFailures: 1, lastFailureCause: expect.any(String) });
    expect(sick).toMatchObject({ tasksHealthy: 0, tasksUnhealthy: 1, tasksRunning: 1 });
    emu.setHealth(t.id, true);
    await waitFor(async () => (await request(`${url}/health`)).status === 200, 'health path 200');
    expect((await appJson('/hc')).tasks[0].healthCheckResults[0].alive).toBe(true);
  });

  it('killTask replaces the task unless scale; close stops every server', async () => {
    emu = await startEmulator({ taskServers });
    await emu.putApp({ id: '/k', instances: 2 });
    const [first, second] = emu.tasks('/k');
    await emu.killTask(first!.id);
    const after = emu.tasks('/k');
    expect(after).toHaveLength(2);
    expect(after.map((t) => t.id)).not.toContain(first!.id);
    await expect(request(`http://127.0.0.1:${first!.ports[0]}/`, { timeoutMs: 1000 })).rejects.toThrow();
    await emu.killTask(second!.id, { scale: true });
    expect(emu.tasks('/k')).toHaveLength(1);
    expect((await appJson('/k')).instances).toBe(1);
    const last = emu.tasks('/k')[0]!;
    await emu.close();
    emu = undefined;
    await expect(request(`http://127.0.0.1:${last.ports[0]}/`, { timeoutMs: 1000 })).rejects.toThrow();
  });
});

describe('networking modes', () => {
  it('bridge tasks answer on host ports; IP-per-task tasks answer on their container IP and containerPort', async () => {
    emu = await startEmulator();
    await emu.putApp({ id: '/br', networks: [{ mode: 'container/bridge' }], container: { type: 'DOCKER', docker: { image: 'x' }, portMappings: [{ containerPort: 80 }] } });
    await emu.putApp({ id: '/ct', networks: [{ mode: 'container', name: 'dcos' }], container: { type: 'DOCKER', docker: { image: 'x' }, portMappings: [{ containerPort: 8080 }] } });
    const br = emu.tasks('/br')[0]!;
    expect(br.endpoints).toEqual([`127.0.0.1:${br.ports[0]}`]);
    expect((await request(`http://${br.endpoints[0]}/`)).body).toBe(`${br.id}\n`);
    const brJson = (await appJson('/br')).tasks[0];
    expect(brJson.ipAddresses[0].ipAddress).toMatch(/^127\.2\./); // the Docker-bridge IP: nothing listens there
    const ct = emu.tasks('/ct')[0]!;
    expect(ct.ports).toEqual([]);
    expect(ct.endpoints[0]).toBe(`${ct.ipAddress}:8080`);
    expect((await request(`http://${ct.endpoints[0]}/`)).body).toBe(`${ct.id}\n`);
  });
});

describe('task states', () => {
  it('non-terminal states stay listed (TASK_LOST shows as TASK_UNREACHABLE); terminal ones are replaced', async () => {
    emu = await startEmulator({ taskServers: 'none' });
    await emu.putApp({ id: '/s', instances: 2 });
    const [a, b] = emu.tasks('/s');
    emu.setTaskState(a!.id, 'TASK_KILLING');
    emu.setTaskState(b!.id, 'TASK_LOST');
    const states = Object.fromEntries((await appJson('/s')).tasks.map((t: any) => [t.id, t.state]));
    expect(states).toEqual({ [a!.id]: 'TASK_KILLING', [b!.id]: 'TASK_UNREACHABLE' });
    expect(emu.events.filter((e) => e.eventType === 'status_update_event').map((e) => e.payload['taskStatus'])).toContain('TASK_LOST');

    emu.setTaskState(a!.id, 'TASK_FAILED');
    await emu.settled();
    const now = emu.tasks('/s');
    expect(now).toHaveLength(2);
    expect(now.map((t) => t.id)).not.toContain(a!.id);
    expect(now.find((t) => t.id !== b!.id)!.state).toBe('TASK_RUNNING');
    const app = await appJson('/s');
    expect(app.lastTaskFailure).toMatchObject({ taskId: a!.id, state: 'TASK_FAILED', appId: '/s' });
  });

  it('a config change restarts tasks on the new version; a scale keeps them', async () => {
    emu = await startEmulator({ taskServers: 'none' });
    await emu.putApp({ id: '/r', instances: 2, labels: { a: '1' } });
    const before = emu.tasks('/r').map((t) => t.id);
    const created = await appJson('/r');
    await emu.scale('/r', 3);
    expect(emu.tasks('/r').map((t) => t.id)).toEqual(expect.arrayContaining(before));
    const scaled = await appJson('/r');
    expect(scaled.versionInfo.lastConfigChangeAt).toBe(created.versionInfo.lastConfigChangeAt);
    await emu.putApp({ id: '/r', labels: { a: '2' } });
    const after = emu.tasks('/r');
    expect(after).toHaveLength(3);
    expect(after.filter((t) => before.includes(t.id))).toEqual([]);
    const app = await appJson('/r');
    expect(app.labels).toEqual({ a: '2' });
    expect(app.tasks.every((t: any) => t.version === app.version)).toBe(true);
  });
});
