// The emulator's pods API (Marathon 1.4+): routes, PodStatus shapes, real servers per container,
// and the events a pod's life publishes.

import { startEmulator, type EmulatorWithEvents } from '../emulator/index.js';
import { getJson, request, sendJson } from '../emulator/http-client.js';
import { waitFor } from '../support/haproxy.js';
import { createMarathonClient } from '../../src/marathon/index.js';

describe('emulated pods', () => {
  let emu: EmulatorWithEvents;
  beforeAll(async () => { emu = await startEmulator({ taskServers: 'inprocess' }); });
  afterAll(async () => { await emu.close(); });

  const spec = {
    id: '/shop', labels: { HAPROXY_GROUP: 'external' }, scaling: { kind: 'fixed', instances: 2 },
    containers: [
      { name: 'api', endpoints: [{ name: 'api', hostPort: 0 }], healthCheck: { http: { endpoint: 'api', path: '/health' } } },
      { name: 'web', endpoints: [{ name: 'web', hostPort: 0 }] },
    ],
  };

  it('POST creates (201, then 409), and ::status lists instances with allocated ports and health', async () => {
    const created = await sendJson('POST', `${emu.url}/v2/pods`, spec);
    expect(created.status).toBe(201);
    expect(created.headers['marathon-deployment-id']).toBeDefined();
    expect((await sendJson('POST', `${emu.url}/v2/pods`, spec)).status).toBe(409);
    await emu.settled();
    const all = await getJson<Array<Record<string, any>>>(`${emu.url}/v2/pods/::status`);
    expect(all.map((p) => [p.id, p.status, p.spec.id, p.instances.length])).toEqual([['/shop', 'STABLE', '/shop', 2]]);
    const one = await getJson<Record<string, any>>(`${emu.url}/v2/pods/shop::status`);
    const inst = one.instances[0];
    expect(inst).toMatchObject({ status: 'STABLE', agentHostname: '127.0.0.1', networks: [] });
    expect(inst.containers.map((c: any) => [c.name, c.status, c.endpoints.map((e: any) => [e.name, typeof e.allocatedHostPort, e.healthy])])).toEqual([
      ['api', 'TASK_RUNNING', [['api', 'number', true]]],
      ['web', 'TASK_RUNNING', [['web', 'number', undefined]]],
    ]);
    // Each container's server answers with its container id; the checked path follows the health.
    const port = inst.containers[0].endpoints[0].allocatedHostPort as number;
    expect((await request(`http://127.0.0.1:${port}/`)).body.trim()).toBe(`${inst.id}.api`);
    emu.setPodHealth(inst.id, false, 'api');
    expect((await request(`http://127.0.0.1:${port}/health`)).status).toBe(503);
    const degraded = await getJson<Record<string, any>>(`${emu.url}/v2/pods/shop::status`);
    expect(degraded.instances.find((i: any) => i.id === inst.id).status).toBe('DEGRADED');
    emu.setPodHealth(inst.id, true, 'api');
  });

  it('the Marathon client reads them: every PodStatus, one by id, undefined for an unknown pod', async () => {
    const client = createMarathonClient({ urls: [emu.url] });
    expect((await client.listPods()).map((p) => [p.id, p.instances?.length])).toEqual([['/shop', 2]]);
    expect((await client.getPod('/shop'))?.spec?.id).toBe('/shop');
    expect(await client.getPod('/nope')).toBeUndefined();
  });

  it('unknown pods are 404 with Marathon\'s message; GET /v2/pods lists definitions', async () => {
    const missing = await request(`${emu.url}/v2/pods/nope::status`);
    expect([missing.status, JSON.parse(missing.body)]).toEqual([404, { message: 'pod with /nope does not exist' }]);
    expect((await getJson<Array<{ id: string }>>(`${emu.url}/v2/pods`)).map((p) => p.id)).toEqual(['/shop']);
  });

  it('an instance killed over the API is replaced; events name the pod', async () => {
    const mark = emu.events.length;
    const [victim] = emu.podInstances('/shop');
    expect((await request(`${emu.url}/v2/pods/shop::instances/${victim!.id}`, { method: 'DELETE' })).status).toBe(200);
    await waitFor('a replacement', () => emu.podInstances('/shop').length === 2 && !emu.podInstances('/shop').some((i) => i.id === victim!.id), 10_000);
    const events = emu.events.slice(mark);
    expect(events.filter((e) => e.eventType === 'instance_changed_event' && e.payload['instanceId'] === victim!.id).map((e) => e.payload['condition'])).toEqual(['Killing', 'Killed']);
    expect(events.some((e) => e.eventType === 'instance_changed_event' && e.payload['condition'] === 'Running' && e.payload['runSpecId'] === '/shop')).toBe(true);
  });

  it('PUT updates (pod_updated_event with the pod\'s URI), DELETE answers 202 (pod_deleted_event)', async () => {
    const mark = emu.events.length;
    const put = await sendJson('PUT', `${emu.url}/v2/pods/shop`, { ...spec, scaling: { kind: 'fixed', instances: 1 } });
    expect(put.status).toBe(200);
    await emu.settled();
    expect(emu.podInstances('/shop')).toHaveLength(1);
    expect((await request(`${emu.url}/v2/pods/shop`, { method: 'DELETE' })).status).toBe(202);
    await emu.settled();
    const types = emu.events.slice(mark).map((e) => e.eventType);
    expect(types).toEqual(expect.arrayContaining(['pod_updated_event', 'pod_deleted_event', 'deployment_success']));
    expect(emu.events.slice(mark).find((e) => e.eventType === 'pod_deleted_event')?.payload['uri']).toBe('/v2/pods/shop');
    expect(emu.events.slice(mark).find((e) => e.eventType === 'deployment_success' && JSON.stringify(e.payload).includes('StopPod'))).toBeDefined();
    expect(await getJson(`${emu.url}/v2/pods/::status`)).toEqual([]);
  });
});
