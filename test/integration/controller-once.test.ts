// The one-shot run, end to end: the CLI reads the Marathon emulator once and writes the config;
// a real HAProxy started on that file routes real HTTP to the emulator's task servers, and the
// test checks which task answered through each entry point.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { request } from '../emulator/http-client.js';
import { findHaproxy, freePorts, tempDir, waitFor } from '../support/haproxy.js';
import { isolatedFlags, runController } from '../support/controller-process.js';
import { httpsGet } from '../support/tls.js';
import { startHaproxyMaster, type HaproxyMaster } from '../../src/haproxy/index.js';

const bin = findHaproxy();
const d = bin ? describe : describe.skip;

d('run once against the emulator, then serve through a real HAProxy', () => {
  let emu: Emulator;
  let dir: string;
  let master: HaproxyMaster | undefined;
  let ports: { http: number; https: number; admin: number; appid: number; status: number };
  let svc: number[];

  beforeAll(async () => {
    emu = await startEmulator({ taskServers: 'inprocess' });
    dir = await tempDir('mlb-once-');
    const p = await freePorts(8);
    ports = { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! };
    svc = p.slice(5);
    await emu.putApp({ id: '/nginx', instances: 3, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: svc[0]! }] });
    await emu.putApp({ id: '/web', instances: 2, labels: { HAPROXY_GROUP: 'external', HAPROXY_0_VHOST: 'web.example.com' }, portDefinitions: [{ port: svc[1]! }], healthChecks: [{ protocol: 'HTTP', path: '/health', intervalSeconds: 1, timeoutSeconds: 1 }] });
    await emu.putApp({ id: '/other', instances: 1, labels: { HAPROXY_GROUP: 'internal' }, portDefinitions: [{ port: svc[2]! }] });
  });

  afterAll(async () => {
    await master?.stop();
    await emu?.close();
  });

  it('exits 0 after writing a config and maps, then HAProxy serves every entry point', async () => {
    const before = emu.requests.length;
    const ctl = runController(['--group', 'external', '--marathon', emu.url, ...isolatedFlags(dir, ports)]);
    if ((await ctl.exited) !== 0) throw new Error(ctl.output());
    // The read made while the controller loads is the pass's read, not one more.
    expect(emu.requests.slice(before).map((r) => `${r.method} ${r.path.split('?')[0]}`).sort())
      .toEqual(['GET /v2/apps', 'GET /v2/pods/::status']);
    const cfg = await readFile(join(dir, 'haproxy.cfg'), 'utf8');
    expect(cfg).toContain(`frontend nginx_${svc[0]}`);
    expect(cfg).not.toContain('other_'); // another group's app
    expect(await readFile(join(dir, 'domain2backend.map'), 'utf8')).toBe('');

    master = await startHaproxyMaster({ bin: bin!, configPath: join(dir, 'haproxy.cfg'), masterSocket: join(dir, 'master.sock'), pidFile: join(dir, 'haproxy.pid') });
    const nginx = emu.tasks('/nginx').map((t) => t.id);
    const web = emu.tasks('/web').map((t) => t.id);

    // Service port (tcp): every task takes a turn (roundrobin).
    const seen = new Set<string>();
    await waitFor('all nginx tasks answered through the service port', async () => {
      const r = await request(`http://127.0.0.1:${svc[0]}/`);
      seen.add(r.body.trim());
      return nginx.every((id) => seen.has(id));
    });
    expect([...seen].every((id) => nginx.includes(id))).toBe(true);

    // Vhost on :80 by Host header, also with a port suffix.
    const byHost = await waitFor('vhost answer', async () => {
      const r = await request(`http://127.0.0.1:${ports.http}/`, { headers: { Host: 'web.example.com:80' } });
      return r.status === 200 ? r.body.trim() : undefined;
    });
    expect(web).toContain(byHost);
    expect((await request(`http://127.0.0.1:${ports.http}/`, { headers: { Host: 'unknown.example.com' } })).status).toBe(503);

    // :443 with SNI, on the self-signed certificate made at start.
    const tls = await httpsGet(ports.https, 'web.example.com');
    expect(tls.status).toBe(200);
    expect(web).toContain(tls.body.trim());
    expect(tls.cert.subject.CN).toBe('*');

    // :9091 by X-Marathon-App-Id.
    const byAppId = await request(`http://127.0.0.1:${ports.appid}/`, { headers: { 'X-Marathon-App-Id': '/web' } });
    expect(byAppId.status).toBe(200);
    expect(web).toContain(byAppId.body.trim());
  });

  it('a second run with nothing changed writes nothing', async () => {
    const before = await readFile(join(dir, 'haproxy.cfg'), 'utf8');
    const ctl = runController(['--group', 'external', '--marathon', emu.url, '--log-level', 'debug', ...isolatedFlags(dir, ports)]);
    expect(await ctl.exited).toBe(0);
    expect(ctl.logs.some((l) => l.msg === 'haproxy reloaded' || l.msg === 'haproxy changed at run time')).toBe(false);
    expect(await readFile(join(dir, 'haproxy.cfg'), 'utf8')).toBe(before);
  });

  it('--dry prints the config and writes nothing', async () => {
    const dry = await tempDir('mlb-dry-');
    const ctl = runController(['--group', 'external', '--marathon', emu.url, '--dry', '--log-level', 'debug', ...isolatedFlags(dry, ports)]);
    expect(await ctl.exited).toBe(0);
    // `--dry > haproxy.cfg` must give a config file: every log line goes to stderr.
    expect(ctl.stdout()).toContain(`frontend nginx_${svc[0]}`);
    expect(ctl.stdout()).not.toContain('"level"');
    expect(ctl.stdout().trimStart().startsWith('global')).toBe(true);
    expect(ctl.logs.length).toBeGreaterThan(0);
    await expect(readFile(join(dry, 'haproxy.cfg'), 'utf8')).rejects.toThrow();
  });

  it('fails with exit 1 and a clear message when Marathon cannot be reached', async () => {
    const [dead] = await freePorts(1);
    const ctl = runController(['--group', 'external', '--marathon', `http://127.0.0.1:${dead}`, ...isolatedFlags(await tempDir(), ports)]);
    expect(await ctl.exited).toBe(1);
    expect(ctl.logs.find((l) => l.msg.startsWith('pass failed'))?.error).toMatch(/127\.0\.0\.1/);
  });

  it('unknown flags exit 2 naming the flag', async () => {
    const ctl = runController(['--group', 'external', '--no-such-flag']);
    expect(await ctl.exited).toBe(2);
    expect(ctl.output()).toContain('--no-such-flag');
  });
});
