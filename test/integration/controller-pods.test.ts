// Marathon pods through a real HAProxy: a pod with two endpoints (two containers) served on two
// service ports and a vhost, scaled and with an instance killed at run time (no reload), a health
// flip with --health-check, and removal. The emulator runs each container as a real server.

import { startEmulator, type EmulatorWithEvents } from '../emulator/index.js';
import { request } from '../emulator/http-client.js';
import { findHaproxy, freePorts, tempDir, waitFor } from '../support/haproxy.js';
import { startSseController, type ControllerProcess } from '../support/controller-process.js';

const d = findHaproxy() ? describe : describe.skip;

d('pods with a supervised HAProxy', () => {
  let emu: EmulatorWithEvents;
  let ctl: ControllerProcess;
  let api: number;
  let web: number;
  let http: number;
  let admin: number;
  let status: number;
  const VHOST = 'shop.example.test';

  /** Which containers answered `n` requests on a port (optionally with a Host header). */
  async function answering(port: number, n = 12, host?: string): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < n; i += 1) {
      const r = await request(`http://127.0.0.1:${port}/`, host ? { headers: { Host: host } } : {}).catch(() => undefined);
      if (r?.status === 200) seen.add(r.body.trim());
    }
    return seen;
  }
  const containers = (name: string) => emu.podInstances('/shop').filter((i) => i.status === 'STABLE').map((i) => `${i.id}.${name}`).sort();
  const same = (a: Set<string>, b: string[]) => a.size === b.length && b.every((x) => a.has(x));
  const reloads = () => ctl.logs.filter((l) => l.msg === 'haproxy reloaded').length;
  const workerPids = async () => (await request(`http://127.0.0.1:${admin}/_haproxy_getpids`)).body.trim();

  beforeAll(async () => {
    emu = await startEmulator({ taskServers: 'inprocess', heartbeatMs: 500 });
    const p = await freePorts(7);
    [http, , admin] = [p[0]!, p[1]!, p[2]!];
    api = p[5]!;
    web = p[6]!;
    status = p[4]!;
    const dir = await tempDir('mlb-pods-');
    ctl = await startSseController(emu.url, p, dir, ['--health-check', '--log-level', 'debug']);
  });

  afterAll(async () => {
    const code = await ctl?.stop();
    await emu?.close();
    expect(code).toBe(0);
  });

  it('a pod with two endpoints is served on both service ports and by its vhost', async () => {
    await emu.putPod({
      id: '/shop',
      labels: { HAPROXY_GROUP: 'external', HAPROXY_0_PORT: String(api), HAPROXY_1_PORT: String(web), HAPROXY_1_VHOST: VHOST },
      scaling: { kind: 'fixed', instances: 2 },
      containers: [
        { name: 'api', endpoints: [{ name: 'api', hostPort: 0 }], healthCheck: { http: { endpoint: 'api', path: '/health' } } },
        { name: 'web', endpoints: [{ name: 'web', hostPort: 0 }] },
      ],
    });
    await waitFor('both api containers answer', async () => same(await answering(api), containers('api')), 20_000);
    await waitFor('both web containers answer', async () => same(await answering(web), containers('web')), 20_000);
    await waitFor('the vhost reaches the web containers', async () => same(await answering(http, 12, VHOST), containers('web')), 20_000);
    // On the status page like an app: both services, with their servers.
    // (It follows once the pass that changed HAProxy has ended.)
    const want = JSON.stringify([[api, 2], [web, 2]].sort((a, b) => a[0]! - b[0]!));
    await waitFor('the status page shows the pod', async () => {
      const page = JSON.parse((await request(`http://127.0.0.1:${status}/_mlb_status`, { headers: { Accept: '*/*' } })).body) as { services: Array<{ appId: string; servicePort: number; servers: unknown[] }> };
      return JSON.stringify(page.services.filter((s) => s.appId === '/shop').map((s) => [s.servicePort, s.servers.length])) === want;
    }, 20_000);
  });

  it('scaled up and down, and an instance killed: servers change at run time, without a reload', async () => {
    const before = reloads();
    const pids = await workerPids();
    await emu.scalePod('/shop', 3);
    await waitFor('3 api containers answer', async () => same(await answering(api, 16), containers('api')), 20_000);
    const [victim] = emu.podInstances('/shop');
    await emu.killPodInstance(victim!.id);
    await waitFor('the replacement answers and the killed instance is gone', async () => {
      const now = containers('api');
      return !now.includes(`${victim!.id}.api`) && now.length === 3 && same(await answering(api, 16), now);
    }, 20_000);
    await emu.scalePod('/shop', 1);
    await waitFor('one instance answers on both ports', async () =>
      same(await answering(api, 6), containers('api')) && same(await answering(web, 6), containers('web')), 20_000);
    expect(ctl.logs.filter((l) => l.msg === 'haproxy reloaded').slice(before).map((l) => l.reasons)).toEqual([]);
    expect(await workerPids()).toBe(pids);
  });

  it('with --health-check, an endpoint whose check fails leaves; the other endpoint stays', async () => {
    await emu.scalePod('/shop', 2);
    await waitFor('2 instances', async () => same(await answering(api, 8), containers('api')), 20_000);
    const [sick, well] = emu.podInstances('/shop');
    emu.setPodHealth(sick!.id, false, 'api');
    await waitFor('only the healthy api answers', async () => same(await answering(api, 8), [`${well!.id}.api`]), 20_000);
    expect(same(await answering(web, 8), [`${sick!.id}.web`, `${well!.id}.web`].sort())).toBe(true);
    emu.setPodHealth(sick!.id, true, 'api');
    await waitFor('both api containers answer again', async () => same(await answering(api, 8), [`${sick!.id}.api`, `${well!.id}.api`].sort()), 20_000);
  });

  it('container networking: servers are the instance\'s address and the containerPort', async () => {
    // Marathon needs a containerPort with container networking; every instance has its own address.
    const [port, containerPort] = await freePorts(2);
    await emu.putPod({
      id: '/cart', labels: { HAPROXY_GROUP: 'external', HAPROXY_0_PORT: String(port) }, scaling: { kind: 'fixed', instances: 2 },
      networks: [{ mode: 'container', name: 'dcos' }],
      containers: [{ name: 'app', endpoints: [{ name: 'http', containerPort: containerPort! }] }],
    });
    const want = () => emu.podInstances('/cart').map((i) => `${i.id}.app`).sort();
    await waitFor('both instances answer through their own addresses', async () => want().length === 2 && same(await answering(port!, 12), want()), 20_000);
    expect(emu.podInstances('/cart').every((i) => i.endpoints[0]!.startsWith('127.3.') && i.endpoints[0]!.endsWith(`:${containerPort}`))).toBe(true);
    await emu.deletePod('/cart');
  });

  it('a deleted pod is no longer served', async () => {
    await emu.deletePod('/shop');
    await waitFor('nothing answers on the pod\'s port', async () => (await answering(api, 3)).size === 0, 20_000);
  });
});
