// Every routing label, proven through a real HAProxy: one long-running controller (sse mode,
// supervising its HAProxy) serves a set of apps, and each feature is checked by real requests:
// which app and task answered, the status code, the headers, and what the task itself saw.
//
// The emulator runs without task servers ('none'); this file starts its own echo server on each
// task's endpoint, which answers with the task id AND the request it received (path, Host,
// X-Forwarded-*), so path stripping and forwarded headers can be asserted where they land.

import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { startEmulator, type AppSpec, type Emulator } from '../emulator/index.js';
import { request, type RawResponse } from '../emulator/http-client.js';
import { findHaproxy, freePorts, tempDir, waitFor } from '../support/haproxy.js';
import { isolatedFlags, runController, type ControllerProcess } from '../support/controller-process.js';
import { httpsGet } from '../support/tls.js';

const d = findHaproxy() ? describe : describe.skip;

/** What an echo task saw. */
interface Seen { task: string; path: string; host: string | undefined; xff: string | undefined; xfport: string | undefined; xfproto: string | undefined }

/** Starts an echo server on every endpoint of every task of `appIds` that has none yet. */
class EchoTasks {
  private readonly servers = new Map<string, http.Server>();
  constructor(private readonly emu: Emulator) {}

  async serve(appIds: readonly string[]): Promise<void> {
    for (const appId of appIds) {
      for (const t of this.emu.tasks(appId)) {
        for (const ep of t.endpoints) {
          const key = `${t.id}@${ep}`;
          if (this.servers.has(key)) continue;
          const i = ep.lastIndexOf(':');
          const srv = http.createServer((req, res) => {
            const h = (n: string) => req.headers[n] as string | undefined;
            const seen: Seen = { task: t.id, path: req.url ?? '', host: h('host'), xff: h('x-forwarded-for'), xfport: h('x-forwarded-port'), xfproto: h('x-forwarded-proto') };
            res.writeHead(200, { 'Content-Type': 'application/json', 'X-Task-Id': t.id });
            res.end(JSON.stringify(seen));
            req.resume();
          });
          srv.keepAliveTimeout = 1000;
          await new Promise<void>((resolve, reject) => { srv.once('error', reject); srv.listen({ host: ep.slice(0, i), port: Number(ep.slice(i + 1)), exclusive: true }, resolve); });
          this.servers.set(key, srv);
        }
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.servers.values()].map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
  }
}

const seen = (r: RawResponse): Seen => JSON.parse(r.body) as Seen;

d('routing features through a real HAProxy', () => {
  let emu: Emulator;
  let echo: EchoTasks;
  let ctl: ControllerProcess;
  let dir: string;
  let ports: { http: number; https: number; admin: number; appid: number; status: number };
  const svc: Record<string, number> = {};
  const hash = execFileSync('openssl', ['passwd', '-6', '-salt', 'abcdefgh', 'secret'], { encoding: 'utf8' }).trim();
  const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

  const apps: Array<{ name: string; instances?: number; labels: Record<string, string> }> = [
    { name: 'web', instances: 2, labels: { HAPROXY_0_VHOST: 'web.example.com' } },
    { name: 'multi', labels: { HAPROXY_0_VHOST: 'a.example.com,b.example.com' } },
    // Alphabetically first, and its path `/` would swallow /api: only the weight puts /api first.
    { name: 'a-shop-root', labels: { HAPROXY_0_VHOST: 'shop.example.com', HAPROXY_0_PATH: '/' } },
    { name: 'z-shop-api', labels: { HAPROXY_0_VHOST: 'shop.example.com', HAPROXY_0_PATH: '/api', HAPROXY_0_BACKEND_WEIGHT: '10' } },
    { name: 'secure', labels: { HAPROXY_0_VHOST: 'secure.example.com', HAPROXY_0_AUTH: `private zone:admin:${hash}` } },
    { name: 'redir', labels: { HAPROXY_0_VHOST: 'redir.example.com', HAPROXY_0_REDIRECT_TO_HTTPS: 'true' } },
    { name: 'sticky', instances: 3, labels: { HAPROXY_0_VHOST: 'sticky.example.com', HAPROXY_0_STICKY: 'true' } },
    { name: 'hsts', labels: { HAPROXY_0_VHOST: 'hsts.example.com', HAPROXY_0_USE_HSTS: 'true' } },
    { name: 'proxy', labels: { HAPROXY_0_VHOST: 'proxy.example.com', HAPROXY_0_HTTP_BACKEND_PROXYPASS_PATH: '/proxy' } },
    { name: 'home', labels: { HAPROXY_0_VHOST: 'home.example.com', HAPROXY_0_HTTP_BACKEND_REDIR: '/landing' } },
    { name: 'allowed', labels: { HAPROXY_0_MODE: 'http', HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL: '127.0.0.1' } },
    { name: 'denied', labels: { HAPROXY_0_MODE: 'http', HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL: '10.0.0.0/8 192.168.0.0/16' } },
    { name: 'denied-tcp', labels: { HAPROXY_0_MODE: 'tcp', HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL: '10.0.0.0/8' } },
  ];
  const taskIds = (name: string) => emu.tasks(`/${name}`).map((t) => t.id);
  const get = (port: number, path: string, headers: Record<string, string> = {}) => request(`http://127.0.0.1:${port}${path}`, { headers });
  const viaHost = (host: string, path = '/', headers: Record<string, string> = {}) => get(ports.http, path, { Host: host, ...headers });
  /** The config HAProxy is running, for the failure message. */
  const config = () => readFile(join(dir, 'haproxy.cfg'), 'utf8').catch(() => '(no config)');

  beforeAll(async () => {
    emu = await startEmulator({ taskServers: 'none', heartbeatMs: 500 });
    echo = new EchoTasks(emu);
    dir = await tempDir('mlb-routing-');
    const p = await freePorts(5 + apps.length);
    ports = { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! };
    apps.forEach((a, i) => { svc[a.name] = p[5 + i]!; });
    // Service ports bind loopback only (HAPROXY_0_BIND_ADDR), like the well-known ports.
    for (const a of apps) {
      await emu.putApp({ id: `/${a.name}`, instances: a.instances ?? 1, labels: { HAPROXY_GROUP: 'external', HAPROXY_0_BIND_ADDR: '127.0.0.1', ...a.labels }, portDefinitions: [{ port: svc[a.name]! }] } satisfies AppSpec);
    }
    await echo.serve(apps.map((a) => `/${a.name}`));
    ctl = runController(['sse', '--group', 'external', '--marathon', emu.url, '--supervise-haproxy', '--min-reload-interval', '0', '--debounce-ms', '100', ...isolatedFlags(dir, ports)]);
    await ctl.waitForLog((l) => l.msg === 'haproxy started', 'haproxy started');
    await waitFor('the web vhost is served', async () => (await viaHost('web.example.com').catch(() => undefined))?.status === 200, 20_000);
  }, 45_000);

  afterAll(async () => {
    const code = await ctl?.stop();
    await echo?.close();
    await emu?.close();
    expect(code).toBe(0);
  });

  it('routes by Host header, with or without a port, and a multi-vhost app by each name', async () => {
    const web = taskIds('web');
    const plain = await viaHost('web.example.com');
    expect(plain.status).toBe(200);
    expect(web).toContain(seen(plain).task);
    const withPort = await viaHost(`web.example.com:${ports.http}`);
    expect(withPort.status).toBe(200);
    expect(web).toContain(seen(withPort).task);
    expect(seen(await viaHost('WEB.example.com')).task).toMatch(/^web\./); // Host is case-insensitive
    for (const host of ['a.example.com', 'b.example.com:80']) {
      const r = await viaHost(host);
      expect([r.status, taskIds('multi').includes(seen(r).task)]).toEqual([200, true]);
    }
    expect((await viaHost('nobody.example.com')).status).toBe(503);
  });

  it('the task sees X-Forwarded-For, -Port and -Proto', async () => {
    const s = seen(await viaHost('web.example.com', '/x'));
    expect(s).toMatchObject({ path: '/x', host: 'web.example.com', xff: '127.0.0.1', xfport: String(ports.http) });
    expect(s.xfproto).toBeUndefined(); // plain HTTP: no proto header is added
    const tls = await httpsGet(ports.https, 'web.example.com', '/y');
    expect(JSON.parse(tls.body)).toMatchObject({ path: '/y', xff: '127.0.0.1', xfport: String(ports.https), xfproto: 'https' });
  });

  it('routes by SNI on the :443 frontend', async () => {
    const web = await httpsGet(ports.https, 'web.example.com');
    expect(web.status).toBe(200);
    expect(taskIds('web')).toContain(JSON.parse(web.body).task);
    expect(web.cert.subject.CN).toBe('*'); // the self-signed default made at start
    const multi = await httpsGet(ports.https, 'b.example.com');
    expect(taskIds('multi')).toContain(JSON.parse(multi.body).task);
    expect((await httpsGet(ports.https, 'nobody.example.com')).status).toBe(503);
  });

  it('HAPROXY_0_PATH splits one vhost between two apps, higher BACKEND_WEIGHT first', async () => {
    const api = await viaHost('shop.example.com', '/api/items');
    expect([api.status, seen(api).task]).toEqual([200, taskIds('z-shop-api')[0]]);
    const root = await viaHost('shop.example.com', '/cart');
    expect([root.status, seen(root).task]).toEqual([200, taskIds('a-shop-root')[0]]);
    const tlsApi = await httpsGet(ports.https, 'shop.example.com', '/api');
    expect(JSON.parse(tlsApi.body).task).toBe(taskIds('z-shop-api')[0]);
    const cfg = await config();
    expect(cfg.indexOf('use_backend z-shop-api_')).toBeLessThan(cfg.indexOf('use_backend a-shop-root_'));
  });

  it('HAPROXY_0_AUTH: 401 with the realm without credentials, 200 with them, on :80, :443, :9091 and the service port', async () => {
    const task = taskIds('secure')[0];
    const good = { Authorization: basic('admin', 'secret') };
    const bad = { Authorization: basic('admin', 'wrong') };
    const entries: Array<[string, (h: Record<string, string>) => Promise<{ status: number; headers?: http.IncomingHttpHeaders; body: string }>]> = [
      [':80', (h) => viaHost('secure.example.com', '/', h)],
      [':9091', (h) => get(ports.appid, '/', { 'X-Marathon-App-Id': '/secure', ...h })],
      ['service port', (h) => get(svc.secure!, '/', h)],
    ];
    for (const [where, send] of entries) {
      const none = await send({});
      expect([where, none.status, none.headers?.['www-authenticate']]).toEqual([where, 401, 'Basic realm="private zone"']);
      expect([where, (await send(bad)).status]).toEqual([where, 401]);
      const ok = await send(good);
      expect([where, ok.status, seen(ok as RawResponse).task]).toEqual([where, 200, task]);
    }
    expect((await httpsGet(ports.https, 'secure.example.com')).status).toBe(401);
    const tls = await httpsGet(ports.https, 'secure.example.com', '/', good);
    expect([tls.status, JSON.parse(tls.body).task]).toEqual([200, task]);
  });

  it('HAPROXY_0_REDIRECT_TO_HTTPS: 301 to https on :80, served on :443', async () => {
    const r = await viaHost('redir.example.com', '/page?q=1');
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe('https://redir.example.com/page?q=1');
    const tls = await httpsGet(ports.https, 'redir.example.com', '/page');
    expect([tls.status, JSON.parse(tls.body).task]).toEqual([200, taskIds('redir')[0]]);
    // Other vhosts on :80 are not redirected.
    expect((await viaHost('web.example.com')).status).toBe(200);
  });

  it('HAPROXY_0_STICKY: the mesosphere_server_id cookie pins a client to one task', async () => {
    const ids = taskIds('sticky');
    const spread = new Set<string>();
    for (let i = 0; i < 6; i += 1) spread.add(seen(await viaHost('sticky.example.com')).task);
    expect(spread.size).toBeGreaterThan(1); // without the cookie: round robin

    const first = await viaHost('sticky.example.com');
    const setCookie = first.headers['set-cookie']?.find((c) => c.startsWith('mesosphere_server_id='));
    expect(setCookie).toBeDefined();
    const cookie = setCookie!.split(';')[0]!;
    const pinned = seen(first).task;
    expect(ids).toContain(pinned);
    for (let i = 0; i < 6; i += 1) {
      const r = await viaHost('sticky.example.com', '/', { Cookie: cookie });
      expect(seen(r).task).toBe(pinned);
    }
  });

  it('HAPROXY_0_USE_HSTS sends Strict-Transport-Security; other apps do not', async () => {
    const r = await viaHost('hsts.example.com');
    expect(r.status).toBe(200);
    expect(r.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect((await viaHost('web.example.com')).headers['strict-transport-security']).toBeUndefined();
  });

  it('HTTP_BACKEND_PROXYPASS_PATH strips the prefix before the task sees the path, and sets Host', async () => {
    const r = await viaHost(`proxy.example.com:${ports.http}`, '/proxy/deep/page?x=1');
    expect(r.status).toBe(200);
    expect(seen(r)).toMatchObject({ task: taskIds('proxy')[0], path: '/deep/page?x=1', host: 'proxy.example.com' });
    expect(seen(await viaHost('proxy.example.com', '/proxy')).path).toBe('/');
  });

  it('HTTP_BACKEND_REDIR sends / to the path with a 301, other paths reach the app', async () => {
    const r = await viaHost('home.example.com', '/');
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe('/landing');
    const landing = await viaHost('home.example.com', '/landing');
    expect([landing.status, seen(landing).task]).toEqual([200, taskIds('home')[0]]);
  });

  it('BACKEND_NETWORK_ALLOWED_ACL lets 127.0.0.1 in and keeps it out when only other networks are listed', async () => {
    const ok = await get(svc.allowed!, '/');
    expect([ok.status, seen(ok).task]).toEqual([200, taskIds('allowed')[0]]);
    expect((await get(svc.denied!, '/')).status).toBe(403);
    // Through :9091 the same backend rule applies.
    expect((await get(ports.appid, '/', { 'X-Marathon-App-Id': '/denied' })).status).toBe(403);
    // tcp mode: the connection is closed without an answer.
    await expect(get(svc['denied-tcp']!, '/')).rejects.toThrow();
  });

  it('X-Marathon-App-Id routes on :9091, 503 for an unknown id', async () => {
    for (const name of ['web', 'allowed', 'multi']) {
      const r = await get(ports.appid, '/', { 'X-Marathon-App-Id': `/${name}` });
      expect([name, r.status, taskIds(name).includes(seen(r).task)]).toEqual([name, 200, true]);
    }
    expect((await get(ports.appid, '/', { 'X-Marathon-App-Id': '/nope' })).status).toBe(503);
    expect((await get(ports.appid, '/')).status).toBe(503);
  });
});
