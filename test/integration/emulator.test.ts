// The emulator's REST shapes against spec/marathon-api.md: per-profile networking fields (§2.2,
// examples §2.10), service-port assignment (§3), embeds (§2.1/§2.4), errors (§8).

import { afterEach, describe, expect, it } from '@jest/globals';
import { startEmulator, type EmulatorWithEvents } from '../emulator/index.js';
import { getJson, request, sendJson } from '../emulator/http-client.js';

let emu: EmulatorWithEvents | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const hostApp = {
  id: '/web',
  instances: 1,
  labels: { HAPROXY_GROUP: 'external', HAPROXY_0_VHOST: 'web.example.com' },
  portDefinitions: [{ port: 0, name: 'http' }],
  healthChecks: [{ protocol: 'HTTP', path: '/health', portIndex: 0 }],
};
const bridgeApp = {
  id: '/nginx',
  container: { type: 'DOCKER' as const, docker: { image: 'nginx' }, portMappings: [{ containerPort: 80, name: 'http' }] },
  networks: [{ mode: 'container/bridge' as const }],
};
const bridgeApp14 = {
  id: '/nginx',
  container: { type: 'DOCKER' as const, docker: { image: 'nginx', network: 'BRIDGE' as const, portMappings: [{ containerPort: 80, hostPort: 0, name: 'http' }] } },
};
const userApp14 = {
  id: '/api',
  container: { type: 'DOCKER' as const, docker: { image: 'api', network: 'USER' as const, portMappings: [{ containerPort: 8080, name: 'web' }] } },
  ipAddress: { networkName: 'dcos' },
};
const containerApp15 = {
  id: '/api',
  container: { type: 'DOCKER' as const, docker: { image: 'api' }, portMappings: [{ containerPort: 8080, name: 'web' }] },
  networks: [{ mode: 'container' as const, name: 'dcos' }],
};

async function app(id: string, query = ''): Promise<any> {
  const body = await getJson(`${emu!.url}/v2/apps?embed=apps.tasks${query}`);
  return body.apps.find((a: any) => a.id === id);
}

describe('1.5 profile shapes', () => {
  it('host app: networks host, portDefinitions with service port, no 1.4 fields, delaySeconds on health checks', async () => {
    emu = await startEmulator({ version: '1.5' });
    await emu.putApp(hostApp);
    const a = await app('/web');
    expect(a.networks).toEqual([{ mode: 'host' }]);
    expect(a.portDefinitions).toEqual([{ port: 10000, protocol: 'tcp', name: 'http', labels: {} }]);
    for (const gone of ['ports', 'ipAddress', 'uris', 'storeUrls']) expect(a).not.toHaveProperty(gone);
    expect(a.healthChecks[0]).toMatchObject({ protocol: 'HTTP', path: '/health', portIndex: 0, delaySeconds: 15, gracePeriodSeconds: 300 });
    expect(a.labels).toEqual(hostApp.labels);
    expect(a.tasks).toHaveLength(1);
    const t = a.tasks[0];
    expect(t.id).toMatch(/^web\.[0-9a-f-]{36}$/);
    expect(t).toMatchObject({ appId: '/web', host: '127.0.0.1', state: 'TASK_RUNNING' });
    expect(t.ports).toHaveLength(1);
    expect(t.healthCheckResults[0]).toMatchObject({ alive: true, instanceId: t.id.replace('.', '.marathon-') });
    expect(a).toMatchObject({ tasksRunning: 1, tasksHealthy: 1, tasksUnhealthy: 0, tasksStaged: 0, deployments: [] });
  });

  it('bridge app: container.portMappings with hostPort 0 and a service port, no portDefinitions', async () => {
    emu = await startEmulator({ version: '1.5' });
    await emu.putApp(bridgeApp);
    const a = await app('/nginx');
    expect(a.networks).toEqual([{ mode: 'container/bridge' }]);
    expect(a.container.portMappings).toEqual([{ containerPort: 80, hostPort: 0, servicePort: 10000, protocol: 'tcp', name: 'http', labels: {} }]);
    expect(a.container.docker).not.toHaveProperty('network');
    expect(a.container.docker).not.toHaveProperty('portMappings');
    expect(a).not.toHaveProperty('portDefinitions');
    expect(a.tasks[0].ports).toHaveLength(1);
  });

  it('container (IP-per-task) app: no hostPort, task ports empty, container IP on loopback', async () => {
    emu = await startEmulator({ version: '1.5' });
    await emu.putApp(containerApp15);
    const a = await app('/api');
    expect(a.networks).toEqual([{ mode: 'container', name: 'dcos' }]);
    expect(a.container.portMappings[0]).not.toHaveProperty('hostPort');
    expect(a.container.portMappings[0]).toMatchObject({ containerPort: 8080, servicePort: 10000 });
    expect(a.tasks[0].ports).toEqual([]);
    expect(a.tasks[0].ipAddresses[0].ipAddress).toMatch(/^127\.1\./);
  });
});

describe('1.4 profile shapes', () => {
  it('host app: ports + portDefinitions, ipAddress null, no networks, no delaySeconds on HTTP checks', async () => {
    emu = await startEmulator({ version: '1.4' });
    await emu.putApp(hostApp);
    const a = await app('/web');
    expect(a).not.toHaveProperty('networks');
    expect(a.ipAddress).toBeNull();
    expect(a.container).toBeNull();
    expect(a.ports).toEqual([10000]);
    expect(a.portDefinitions).toEqual([{ port: 10000, protocol: 'tcp', name: 'http', labels: {} }]);
    expect(a.requirePorts).toBe(false);
    expect(a.uris).toEqual([]);
    expect(a.cmd).toBeNull();
    expect(a.healthChecks[0]).not.toHaveProperty('delaySeconds');
  });

  it('bridge app: docker.network BRIDGE, docker.portMappings, ports carry the service ports', async () => {
    emu = await startEmulator({ version: '1.4' });
    await emu.putApp(bridgeApp14);
    const a = await app('/nginx');
    expect(a.container.docker.network).toBe('BRIDGE');
    expect(a.container.docker.portMappings).toEqual([{ containerPort: 80, hostPort: 0, servicePort: 10000, protocol: 'tcp', name: 'http', labels: {} }]);
    expect(a.container).not.toHaveProperty('portMappings');
    expect(a.ports).toEqual([10000]);
    expect(a.portDefinitions.map((d: any) => d.port)).toEqual([10000]);
    expect(a).not.toHaveProperty('networks');
  });

  it('USER network app: ipAddress set, no ports/portDefinitions/requirePorts', async () => {
    emu = await startEmulator({ version: '1.4' });
    await emu.putApp(userApp14);
    const a = await app('/api');
    expect(a.ipAddress).toEqual({ groups: [], labels: {}, discovery: { ports: [] }, networkName: 'dcos' });
    expect(a.container.docker.network).toBe('USER');
    expect(a.container.docker.portMappings[0]).toMatchObject({ containerPort: 8080, servicePort: 10000 });
    for (const gone of ['ports', 'portDefinitions', 'requirePorts']) expect(a).not.toHaveProperty(gone);
  });

  it('a 1.5-style input is emitted in the 1.4 shape', async () => {
    emu = await startEmulator({ version: '1.4' });
    await emu.putApp(bridgeApp);
    const a = await app('/nginx');
    expect(a.container.docker.network).toBe('BRIDGE');
    expect(a.container.docker.portMappings[0].servicePort).toBe(10000);
  });
});

describe('service ports', () => {
  it('assigns 10000 upward, skips ports in use, keeps them across updates and scaling', async () => {
    emu = await startEmulator();
    await emu.putApp({ id: '/fixed', portDefinitions: [{ port: 10001 }], instances: 0 });
    await emu.putApp({ id: '/a', portDefinitions: [{ port: 0 }, { port: 0 }], instances: 0 });
    await emu.putApp({ id: '/b', instances: 0 }); // no ports given: one default port
    const ports = async (id: string) => (await app(id)).portDefinitions.map((d: any) => d.port);
    expect(await ports('/fixed')).toEqual([10001]);
    expect(await ports('/a')).toEqual([10000, 10002]);
    expect(await ports('/b')).toEqual([10003]);
    expect((await app('/b')).portDefinitions[0].name).toBe('default');
    await emu.scale('/a', 1);
    expect(await ports('/a')).toEqual([10000, 10002]);
    await emu.putApp({ id: '/a', portDefinitions: [{ port: 0 }, { port: 0 }] });
    expect(await ports('/a')).toEqual([10000, 10002]);
    const t = emu.tasks('/a');
    expect(t).toHaveLength(1);
    expect(t[0]!.ports).toHaveLength(2);
  });
});

describe('REST endpoints', () => {
  it('/v2/apps always embeds counts and deployments; tasks only on request; /v2/apps/{id} always has tasks', async () => {
    emu = await startEmulator();
    await emu.putApp({ id: '/g/web', instances: 2, labels: { team: 'x' } });
    const plain = (await getJson(`${emu.url}/v2/apps`)).apps[0];
    expect(plain).toMatchObject({ id: '/g/web', tasksRunning: 2, deployments: [] });
    expect(plain).not.toHaveProperty('tasks');
    const one = (await getJson(`${emu.url}/v2/apps/g/web`)).app;
    expect(one.tasks).toHaveLength(2);
    const tasks = (await getJson(`${emu.url}/v2/tasks`)).tasks;
    expect(tasks).toHaveLength(2);
    expect(tasks[0].servicePorts).toEqual([10000]);
    expect((await getJson(`${emu.url}/v2/apps?label=team==x`)).apps).toHaveLength(1);
    expect((await getJson(`${emu.url}/v2/apps?label=team==y`)).apps).toHaveLength(0);
    expect((await getJson(`${emu.url}/v2/apps?id=WEB`)).apps).toHaveLength(1);
  });

  it('POST/PUT/DELETE and task kill over HTTP, with Marathon status codes and error bodies', async () => {
    emu = await startEmulator();
    const created = await sendJson('POST', `${emu.url}/v2/apps`, { id: 'svc', instances: 1 });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`${emu.url}/v2/apps/svc`);
    expect(JSON.parse(created.body).deployments).toHaveLength(1);
    const dup = await sendJson('POST', `${emu.url}/v2/apps`, { id: '/svc' });
    expect(dup.status).toBe(409);
    expect(JSON.parse(dup.body)).toEqual({ message: 'An app with id [/svc] already exists.' });
    const bad = await sendJson('POST', `${emu.url}/v2/apps`, { instances: 1 });
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.body).message).toBe('Object is not valid');
    const notJson = await request(`${emu.url}/v2/apps`, { method: 'POST', body: '{nope', headers: { 'Content-Type': 'application/json' } });
    expect(notJson.status).toBe(400);

    await emu.settled();
    const put = await sendJson('PUT', `${emu.url}/v2/apps/svc`, { instances: 3 });
    expect(put.status).toBe(200);
    expect(Object.keys(JSON.parse(put.body)).sort()).toEqual(['deploymentId', 'version']);
    await emu.settled();
    expect(emu.tasks('/svc')).toHaveLength(3);

    const victim = emu.tasks('/svc')[0]!.id;
    const kill = await sendJson('POST', `${emu.url}/v2/tasks/delete?scale=true`, { ids: [victim] });
    expect(kill.status).toBe(200);
    await emu.settled();
    expect(emu.tasks('/svc').map((t) => t.id)).not.toContain(victim);
    expect(emu.tasks('/svc')).toHaveLength(2);
    expect((await getJson(`${emu.url}/v2/apps/svc`)).app.instances).toBe(2);

    const del = await request(`${emu.url}/v2/apps/svc`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    const gone = await request(`${emu.url}/v2/apps/svc`);
    expect(gone.status).toBe(404);
    expect(JSON.parse(gone.body)).toEqual({ message: "App '/svc' does not exist" });
    await emu.settled();
    expect(emu.tasks('/svc')).toHaveLength(0);
    expect(emu.events.map((e) => e.eventType)).toContain('app_terminated_event');
  });

  it('info, leader, ping, leader header, 404 route, injected failures', async () => {
    emu = await startEmulator({ version: '1.4', eventCallbacks: true });
    const port = new URL(emu.url).port;
    const info = await getJson(`${emu.url}/v2/info`);
    expect(info).toMatchObject({ name: 'marathon', elected: true, leader: `127.0.0.1:${port}`, event_subscriber: { type: 'http_callback' } });
    expect(info.marathon_config).toMatchObject({ local_port_min: 10000, local_port_max: 20000 });
    expect(await getJson(`${emu.url}/v2/leader`)).toEqual({ leader: `127.0.0.1:${port}` });
    const ping = await request(`${emu.url}/ping`);
    expect(ping).toMatchObject({ status: 200, body: 'pong\n' });
    expect(ping.headers['x-marathon-leader']).toBe(emu.url);
    const unknown = await request(`${emu.url}/v2/xyz`);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toEqual({ message: 'URI not found: /v2/xyz' });

    emu.failNext('/v2/apps', 503, 2);
    expect((await request(`${emu.url}/v2/apps?embed=apps.tasks`)).status).toBe(503);
    expect((await request(`${emu.url}/v2/apps`)).status).toBe(503);
    expect((await request(`${emu.url}/v2/apps`)).status).toBe(200);
    expect(emu.requests.filter((r) => r.path.startsWith('/v2/apps'))).toHaveLength(3);
    expect(emu.requests[emu.requests.length - 1]!.headers['accept']).toBeUndefined();
  });
});
