// The admin plane as an operator meets it: every :9090 endpoint served by the HAProxy that the
// controller configured from its own default HEAD (our Lua), the controller's status and metrics
// through :9090, signals through HTTP (answered by the controller itself), and certificates given
// in the environment.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { request } from '../emulator/http-client.js';
import { findHaproxy, freePorts, tempDir, waitFor } from '../support/haproxy.js';
import { isolatedFlags, runController, type ControllerProcess } from '../support/controller-process.js';
import { httpsGet } from '../support/tls.js';
import { keyPem, makeCertPem, makeKeyPair } from '../unit/ssl/fixtures.js';

const d = findHaproxy() ? describe : describe.skip;

d('admin endpoints on :9090 through the controller\'s HAProxy', () => {
  let emu: Emulator;
  let ctl: ControllerProcess;
  let dir: string;
  let ports: { http: number; https: number; admin: number; appid: number; status: number };
  let svc: number;
  const adminUrl = (path: string) => `http://127.0.0.1:${ports.admin}${path}`;

  beforeAll(async () => {
    emu = await startEmulator({ taskServers: 'inprocess', heartbeatMs: 500 });
    const p = await freePorts(6);
    ports = { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! };
    svc = p[5]!;
    dir = await tempDir('mlb-admin-');
    await emu.putApp({ id: '/web', instances: 2, labels: { HAPROXY_GROUP: 'external', HAPROXY_0_VHOST: 'web.example.com' }, portDefinitions: [{ port: svc }] });
    await emu.putApp({ id: '/broken', instances: 1, labels: { HAPROXY_GROUP: 'external', HAPROXY_0_PORT: 'eighty' }, portDefinitions: [{ port: 0 }] });
    const keys = makeKeyPair();
    const pem = makeCertPem({ keys, notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 86_400_000 * 30), commonName: 'given.example.com' }) + keyPem(keys);
    ctl = runController(['sse', '--group', 'external', '--marathon', emu.url, '--supervise-haproxy', '--haproxy-map', '--min-reload-interval', '0', ...isolatedFlags(dir, ports)], {
      // As in marathon-lb's container: PEM text in the environment, `\n` escapes allowed.
      HAPROXY_SSL_CERT: pem.replace(/\n/g, '\\n'),
      HAPROXY_SSL_CERT0: 'not a certificate',
    });
    await ctl.waitForLog((l) => l.msg === 'haproxy reloaded', 'first reload');
  });

  afterAll(async () => {
    await ctl?.stop();
    await emu?.close();
  });

  it('health check, stats page, stats CSV and HAProxy\'s Prometheus exporter', async () => {
    expect((await request(adminUrl('/_haproxy_health_check'))).status).toBe(200);
    const html = await request(adminUrl('/haproxy?stats'));
    expect(html.status).toBe(200);
    expect(html.body).toContain('web_');
    const csv = await request(adminUrl('/haproxy?stats;csv'));
    expect(csv.body.split('\n')[0]).toMatch(/^# pxname,svname,/);
    expect(csv.body).toContain(`web_${svc},BACKEND`);
    const metrics = await request(adminUrl('/metrics'));
    expect(metrics.body).toMatch(/^haproxy_process_/m);
    expect(metrics.body).toMatch(/^haproxy_backend_status\{proxy="web_\d+",state="UP"\} 1$/m);
  });

  it('getconfig returns the live file and the map endpoints return the maps', async () => {
    const live = await readFile(join(dir, 'haproxy.cfg'), 'utf8');
    expect((await request(adminUrl('/_haproxy_getconfig'))).body).toBe(live);
    expect((await request(adminUrl('/_haproxy_getvhostmap'))).body).toBe(`web.example.com web_${svc}\n`);
    expect((await request(adminUrl('/_haproxy_getappmap'))).body).toBe(`/web web_${svc}\n`);
    expect((await request(adminUrl('/_haproxy_getpids'))).body.trim()).toMatch(/^\d+( \d+)+$/);
  });

  it('the controller\'s status (JSON and HTML) and metrics are reachable through :9090', async () => {
    const status = JSON.parse((await request(adminUrl('/_mlb_status'))).body);
    expect(status.services).toEqual([expect.objectContaining({ appId: '/web', servicePort: svc, vhosts: ['web.example.com'] })]);
    expect(status.services[0].servers).toHaveLength(2);
    expect(status.skipped).toEqual([expect.objectContaining({ appId: '/broken', label: 'HAPROXY_0_PORT' })]);
    expect(status.stream.connected).toBe(true);
    expect(status.lastReload.result).toBe('success');
    const html = await request(adminUrl('/_mlb_status.html'));
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.body).toContain('/broken');
    const metrics = (await request(adminUrl('/_mlb_metrics'))).body;
    expect(metrics).toMatch(/^marathon_lb_reconcile_total\{result="reload"\} [1-9]/m);
    expect(metrics).toMatch(/^marathon_lb_marathon_stream_connected 1$/m);
    expect(metrics).toMatch(/^marathon_lb_apps_skipped\{reason="INVALID_LABEL"\} 1$/m);
    expect(metrics).toMatch(/^marathon_lb_config_valid 1$/m);
  });

  it('/_mlb_signal/hup makes the controller read all of Marathon again; /_mlb_signal/usr1 reloads HAProxy', async () => {
    const mark = ctl.logs.length;
    const fullReads = () => emu.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v2/apps?')).length;
    const readsBefore = fullReads();
    const hup = await request(adminUrl('/_mlb_signal/hup'));
    expect([hup.status, hup.body]).toEqual([200, 'Sent SIGHUP signal to marathon-lb']);
    // Answered by the controller in its own process (no Lua service, no process signalled).
    expect(hup.headers['x-content-type-options']).toBe('nosniff');
    await ctl.waitForLog((l) => ctl.logs.indexOf(l) >= mark && l.msg === 'resync requested' && l.source === 'http', 'resync');
    // A full resync: GET /v2/apps (every app), not the per-app reads of an event.
    await waitFor('a full read of Marathon', () => fullReads() > readsBefore, 10_000);
    const before = (await request(adminUrl('/_haproxy_getpids'))).body.trim();
    // Polls past the one-per-second limit rather than sleeping through it.
    const usr1 = await waitFor('usr1 taken', async () => {
      const r = await request(adminUrl('/_mlb_signal/usr1'));
      return r.status === 200 ? r : undefined;
    }, 10_000, 200);
    expect(usr1.body).toBe('Sent SIGUSR1 signal to marathon-lb');
    await ctl.waitForLog((l) => ctl.logs.indexOf(l) >= mark && l.msg === 'haproxy reloaded' && JSON.stringify(l.reasons).includes('/_mlb_signal/usr1'), 'usr1 reload');
    await waitFor('a new worker pid', async () => (await request(adminUrl('/_haproxy_getpids')).catch(() => undefined))?.body.trim() !== before, 20_000);
  });

  it('a flood of hup requests is answered 429 with Retry-After beyond one per second', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => request(adminUrl('/_mlb_signal/hup'))));
    const limited = answers.filter((a) => a.status === 429);
    expect(answers.every((a) => a.status === 200 || a.status === 429)).toBe(true);
    expect(limited.length).toBeGreaterThanOrEqual(8);
    expect(limited[0]!.headers['retry-after']).toBe('1');
  });

  it(':443 serves the certificate from HAPROXY_SSL_CERT; a bad HAPROXY_SSL_CERT0 is reported by name', async () => {
    const r = await httpsGet(ports.https, 'web.example.com');
    expect(r.status).toBe(200);
    expect(r.cert.subject.CN).toBe('given.example.com');
    const bad = ctl.logs.find((l) => l.msg === 'certificate from the environment rejected');
    expect(bad?.variable).toBe('HAPROXY_SSL_CERT0');
  });
});
