// --haproxy-map through a real HAProxy: plain vhost and app-id routes are one map lookup
// (domain2backend.map, app2backend.map) instead of an ACL per app, while path and auth apps
// keep their ACLs. A vhost change on a running app is a map edit at run time (no reload);
// a new app is written to the map files, served, and visible on /_haproxy_getvhostmap.

import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { request } from '../emulator/http-client.js';
import { findHaproxy, freePorts, tempDir, waitFor } from '../support/haproxy.js';
import { isolatedFlags, runController, type ControllerProcess } from '../support/controller-process.js';
import { httpsGet } from '../support/tls.js';

const d = findHaproxy() ? describe : describe.skip;
const lines = (text: string) => text.split('\n').filter((l) => l !== '').sort();

d('--haproxy-map routing through a real HAProxy', () => {
  let emu: Emulator;
  let ctl: ControllerProcess;
  let dir: string;
  let ports: { http: number; https: number; admin: number; appid: number; status: number };
  const svc: Record<string, number> = {};
  const hash = execFileSync('openssl', ['passwd', '-6', '-salt', 'abcdefgh', 'secret'], { encoding: 'utf8' }).trim();
  const auth = { Authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}` };

  const ids = (name: string) => emu.tasks(`/${name}`).map((t) => t.id);
  const readMap = (name: string) => readFile(join(dir, name), 'utf8');
  const viaHost = (host: string, path = '/', headers: Record<string, string> = {}) => request(`http://127.0.0.1:${ports.http}${path}`, { headers: { Host: host, ...headers } });
  const viaAppId = (appId: string, headers: Record<string, string> = {}) => request(`http://127.0.0.1:${ports.appid}/`, { headers: { 'X-Marathon-App-Id': appId, ...headers } });
  const workerPids = async () => (await request(`http://127.0.0.1:${ports.admin}/_haproxy_getpids`)).body.trim();
  const put = (name: string, instances: number, labels: Record<string, string>) =>
    emu.putApp({ id: `/${name}`, instances, labels: { HAPROXY_GROUP: 'external', HAPROXY_0_BIND_ADDR: '127.0.0.1', ...labels }, portDefinitions: [{ port: svc[name]! }] });
  /** Which of `names` answered `host` (undefined while nothing 200s). */
  const answeredBy = async (host: string, path = '/') => {
    const r = await viaHost(host, path).catch(() => undefined);
    return r?.status === 200 ? r.body.trim() : undefined;
  };

  beforeAll(async () => {
    emu = await startEmulator({ taskServers: 'inprocess', heartbeatMs: 500 });
    dir = await tempDir('mlb-maps-');
    const p = await freePorts(11);
    ports = { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! };
    ['alpha', 'beta', 'paths', 'secure', 'tcpish', 'gamma'].forEach((n, i) => { svc[n] = p[5 + i]!; });
    await put('alpha', 2, { HAPROXY_0_VHOST: 'alpha.example.com,www.alpha.example.com' });
    await put('beta', 1, { HAPROXY_0_VHOST: 'beta.example.com' });
    await put('paths', 1, { HAPROXY_0_VHOST: 'paths.example.com', HAPROXY_0_PATH: '/api' });
    await put('secure', 1, { HAPROXY_0_VHOST: 'secure.example.com', HAPROXY_0_AUTH: `realm:admin:${hash}` });
    await put('tcpish', 1, { HAPROXY_0_MODE: 'http' });
    ctl = runController(['sse', '--group', 'external', '--marathon', emu.url, '--supervise-haproxy', '--haproxy-map',
      '--min-reload-interval', '0', '--debounce-ms', '100', '--log-level', 'debug', ...isolatedFlags(dir, ports)]);
    await ctl.waitForLog((l) => l.msg === 'haproxy started', 'haproxy started');
    await waitFor('alpha is served', async () => (await answeredBy('alpha.example.com')) !== undefined, 20_000);
  }, 45_000);

  afterAll(async () => {
    const code = await ctl?.stop();
    await emu?.close();
    expect(code).toBe(0);
  });

  it('writes the vhost and app-id maps; plain vhosts are not ACLs any more, path and auth apps are', async () => {
    const be = (n: string) => `${n}_${svc[n]}`;
    expect(lines(await readMap('domain2backend.map'))).toEqual([
      `alpha.example.com ${be('alpha')}`, `beta.example.com ${be('beta')}`, `www.alpha.example.com ${be('alpha')}`,
    ]);
    const appMap = lines(await readMap('app2backend.map'));
    expect(appMap).toEqual(expect.arrayContaining([`/alpha ${be('alpha')}`, `/beta ${be('beta')}`, `/tcpish ${be('tcpish')}`]));
    expect(appMap.some((l) => l.startsWith('/secure '))).toBe(false); // auth keeps its own ACL so the check runs
    const cfg = await readFile(join(dir, 'haproxy.cfg'), 'utf8');
    expect(cfg).toContain(`map(${join(dir, 'domain2backend.map')})`);
    expect(cfg).toContain(`map(${join(dir, 'app2backend.map')})`);
    expect(cfg).not.toMatch(/-i (www\.)?alpha\.example\.com/);
    expect(cfg).toMatch(/path_beg \/api/);
    expect(cfg).toMatch(/http_auth\(user_secure_/);
    // The admin endpoint shows what HAProxy's directory holds.
    expect(lines((await request(`http://127.0.0.1:${ports.admin}/_haproxy_getvhostmap`)).body)).toEqual(lines(await readMap('domain2backend.map')));
    expect(lines((await request(`http://127.0.0.1:${ports.admin}/_haproxy_getappmap`)).body)).toEqual(appMap);
  });

  it('routes vhosts (Host with a port, SNI) and app ids through the maps', async () => {
    expect(ids('alpha')).toContain(await answeredBy('alpha.example.com'));
    expect(ids('alpha')).toContain(await answeredBy(`WWW.alpha.example.com:${ports.http}`));
    expect(await answeredBy('beta.example.com')).toBe(ids('beta')[0]);
    const tls = await httpsGet(ports.https, 'www.alpha.example.com');
    expect([tls.status, ids('alpha').includes(tls.body.trim())]).toEqual([200, true]);
    expect((await viaAppId('/beta')).body.trim()).toBe(ids('beta')[0]);
    expect((await viaAppId('/tcpish')).body.trim()).toBe(ids('tcpish')[0]);
    expect((await viaHost('nobody.example.com')).status).toBe(503);
    expect((await viaAppId('/nobody')).status).toBe(503);
  });

  it('path and auth apps still route by their ACLs', async () => {
    expect(await answeredBy('paths.example.com', '/api/x')).toBe(ids('paths')[0]);
    expect((await viaHost('paths.example.com', '/elsewhere')).status).toBe(503);
    const denied = await viaHost('secure.example.com');
    expect([denied.status, denied.headers['www-authenticate']]).toEqual([401, 'Basic realm="realm"']);
    expect((await viaHost('secure.example.com', '/', auth)).body.trim()).toBe(ids('secure')[0]);
    expect((await viaAppId('/secure')).status).toBe(401);
    expect((await viaAppId('/secure', auth)).body.trim()).toBe(ids('secure')[0]);
  });

  it('a vhost change on a running app is a map edit at run time: no reload, same workers', async () => {
    const pids = await workerPids();
    const mark = ctl.logs.length;
    await put('beta', 1, { HAPROXY_0_VHOST: 'beta2.example.com' });
    await waitFor('beta2 is served by the new beta task', async () => (await answeredBy('beta2.example.com')) === ids('beta')[0], 20_000);
    expect((await viaHost('beta.example.com')).status).toBe(503);
    // Traffic follows first; the map file follows when the controller's loop is idle.
    await waitFor('the map file to follow', async () => lines(await readMap('domain2backend.map')).includes(`beta2.example.com beta_${svc.beta}`), 10_000);
    expect(lines((await request(`http://127.0.0.1:${ports.admin}/_haproxy_getvhostmap`)).body)).toContain(`beta2.example.com beta_${svc.beta}`);
    const applied = ctl.logs.slice(mark).filter((l) => l.msg === 'haproxy reloaded' || l.msg === 'haproxy changed at run time');
    expect(applied.filter((l) => l.msg === 'haproxy reloaded').map((l) => l.reasons)).toEqual([]);
    expect(JSON.stringify(applied.map((l) => l.reasons))).toContain('beta2.example.com');
    expect(await workerPids()).toBe(pids);
  });

  it('a new vhost app and a scale-up are applied: map file, admin endpoint and routing', async () => {
    await put('gamma', 1, { HAPROXY_0_VHOST: 'gamma.example.com' });
    await waitFor('gamma is served', async () => (await answeredBy('gamma.example.com')) === ids('gamma')[0], 20_000);
    expect(lines(await readMap('domain2backend.map'))).toContain(`gamma.example.com gamma_${svc.gamma}`);
    expect(lines((await request(`http://127.0.0.1:${ports.admin}/_haproxy_getvhostmap`)).body)).toContain(`gamma.example.com gamma_${svc.gamma}`);
    expect((await viaAppId('/gamma')).body.trim()).toBe(ids('gamma')[0]);

    await emu.scale('/alpha', 4);
    await waitFor('all 4 alpha tasks answer through the map route', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 12; i += 1) { const who = await answeredBy('alpha.example.com'); if (who) seen.add(who); }
      return ids('alpha').length === 4 && ids('alpha').every((x) => seen.has(x));
    }, 20_000);
  });
});
