// --group-https-by-vhost through a real HAProxy: :443 switches on SNI without terminating TLS
// and hands each vhost to its own TLS frontend, so a vhost whose app brings HAPROXY_0_SSL_CERT
// presents that certificate while the others present the default self-signed one (CN `*`).

import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { request } from '../emulator/http-client.js';
import { findHaproxy, freePorts, tempDir, waitFor } from '../support/haproxy.js';
import { isolatedFlags, runController, type ControllerProcess } from '../support/controller-process.js';
import { httpsGet } from '../support/tls.js';

const d = findHaproxy() ? describe : describe.skip;

/** A self-signed certificate followed by its key, made by openssl (independent of our own generator). */
async function opensslPem(dir: string, cn: string): Promise<string> {
  const key = join(dir, `${cn}.key`);
  const crt = join(dir, `${cn}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn}`, '-keyout', key, '-out', crt], { stdio: 'ignore' });
  const pem = join(dir, `${cn}.pem`);
  await writeFile(pem, (await readFile(crt, 'utf8')) + (await readFile(key, 'utf8')));
  return pem;
}

d('--group-https-by-vhost through a real HAProxy', () => {
  let emu: Emulator;
  let ctl: ControllerProcess;
  let dir: string;
  let ports: { http: number; https: number; admin: number; appid: number; status: number };
  let svc: { tls: number; plain: number };
  const ids = (app: string) => emu.tasks(app).map((t) => t.id);

  beforeAll(async () => {
    emu = await startEmulator({ taskServers: 'inprocess' });
    dir = await tempDir('mlb-grouped-');
    const p = await freePorts(7);
    ports = { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! };
    svc = { tls: p[5]!, plain: p[6]! };
    const pem = await opensslPem(dir, 'tls.example.com');
    const common = { HAPROXY_GROUP: 'external', HAPROXY_0_BIND_ADDR: '127.0.0.1' };
    await emu.putApp({ id: '/tls', instances: 1, labels: { ...common, HAPROXY_0_VHOST: 'tls.example.com', HAPROXY_0_SSL_CERT: pem }, portDefinitions: [{ port: svc.tls }] });
    await emu.putApp({ id: '/plain', instances: 2, labels: { ...common, HAPROXY_0_VHOST: 'plain.example.com' }, portDefinitions: [{ port: svc.plain }] });
    ctl = runController(['sse', '--group', 'external', '--marathon', emu.url, '--supervise-haproxy', '--group-https-by-vhost',
      '--min-reload-interval', '0', '--debounce-ms', '100', ...isolatedFlags(dir, ports)]);
    await ctl.waitForLog((l) => l.msg === 'haproxy started', 'haproxy started');
    await waitFor('tls vhost answers on :443', async () => (await httpsGet(ports.https, 'tls.example.com').catch(() => undefined))?.status === 200, 20_000);
  }, 45_000);

  afterAll(async () => {
    const code = await ctl?.stop();
    await emu?.close();
    expect(code).toBe(0);
  });

  it('the vhost with its own certificate presents it and reaches its app', async () => {
    const r = await httpsGet(ports.https, 'tls.example.com');
    expect(r.cert.subject.CN).toBe('tls.example.com');
    expect([r.status, r.body.trim()]).toEqual([200, ids('/tls')[0]]);
  });

  it('the other vhost presents the default self-signed certificate and reaches its app', async () => {
    const r = await httpsGet(ports.https, 'plain.example.com');
    expect(r.cert.subject.CN).toBe('*');
    expect(r.status).toBe(200);
    expect(ids('/plain')).toContain(r.body.trim());
  });

  it('the SNI switch is a TCP frontend; an unknown name gets no TLS session', async () => {
    const cfg = await readFile(join(dir, 'haproxy.cfg'), 'utf8');
    expect(cfg).toMatch(/frontend marathon_https_in\n\s+bind 127\.0\.0\.1:\d+\n\s+mode tcp/);
    await expect(httpsGet(ports.https, 'nobody.example.com')).rejects.toThrow();
  });

  it(':80 and the TLS service port still serve both apps', async () => {
    for (const [host, app] of [['tls.example.com', '/tls'], ['plain.example.com', '/plain']] as const) {
      const r = await request(`http://127.0.0.1:${ports.http}/`, { headers: { Host: host } });
      expect([host, r.status, ids(app).includes(r.body.trim())]).toEqual([host, 200, true]);
    }
    // HAPROXY_0_SSL_CERT also terminates TLS on the app's own service port.
    const own = await httpsGet(svc.tls, 'anything.example.com');
    expect([own.cert.subject.CN, own.body.trim()]).toEqual(['tls.example.com', ids('/tls')[0]]);
  });
});
