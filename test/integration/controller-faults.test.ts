// One app's fault never reaches another (issue 9), through a real HAProxy: an app HAProxy
// rejects is pinned, named with its label on /_mlb_status, and everyone else's changes still go
// through, in the same pass and in every later one.

import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { request } from '../emulator/http-client.js';
import { findHaproxy, freePorts, tempDir, waitFor } from '../support/haproxy.js';
import { runProcess } from '../../src/haproxy/validate.js';
import { isolatedFlags, runController, type ControllerProcess } from '../support/controller-process.js';
import { selfSignedLoopbackCert } from '../support/tls.js';

const d = findHaproxy() ? describe : describe.skip;

interface Status {
  services: Array<{ appId: string; servicePort: number; servers: Array<{ address: string; state: string }>; stale?: { reason: string }; notices?: string[] }>;
  otherGroups?: number;
  skipped: Array<{ appId: string; reason: string; label?: string; message: string }>;
  lastPass?: { at: string; result: string };
}

d('one app\'s fault never reaches another', () => {
  let emu: Emulator;
  let ctl: ControllerProcess;
  let dir: string;
  let ports: number[];
  let status: number;
  let next = 0;
  const svcPort = () => ports[6 + (next++)]!;
  const group = { HAPROXY_GROUP: 'external' };

  const answers = async (port: number, app: string, host?: string) => {
    const r = await request(`http://127.0.0.1:${port}/`, host ? { headers: { host } } : {}).catch(() => undefined);
    const ids = emu.tasks(app).map((t) => t.id);
    return r?.status === 200 && ids.includes(r.body.trim());
  };
  const statusNow = async (): Promise<Status> =>
    JSON.parse((await request(`http://127.0.0.1:${status}/_mlb_status`, { headers: { accept: 'application/json' } })).body) as Status;
  /** A new app that must be served: proof that changes keep going through. */
  const newAppServed = async (id: string) => {
    const port = svcPort();
    await emu.putApp({ id, instances: 1, labels: group, portDefinitions: [{ port }] });
    await waitFor(`${id} is served`, () => answers(port, id), 20_000);
  };

  beforeAll(async () => {
    emu = await startEmulator({ taskServers: 'inprocess', heartbeatMs: 500 });
    ports = await freePorts(20);
    status = ports[4]!;
    dir = await tempDir('mlb-faults-');
    ctl = runController(['sse', '--group', 'external', '--marathon', emu.url, '--supervise-haproxy', '--min-reload-interval', '0',
      ...isolatedFlags(dir, { http: ports[0]!, https: ports[1]!, admin: ports[2]!, appid: ports[3]!, status })]);
    await ctl.waitForLog((l) => l.msg === 'haproxy started', 'haproxy started');
    await newAppServed('/first');
  });

  afterAll(async () => {
    const code = await ctl?.stop();
    await emu?.close();
    expect(code).toBe(0);
  });

  it('an ACL override naming a backend that does not exist (no line number) is pinned to its app and label; others keep changing', async () => {
    await emu.putApp({ id: '/acl', instances: 1, portDefinitions: [{ port: svcPort() }], labels: {
      ...group, HAPROXY_0_VHOST: 'acl.example',
      HAPROXY_0_HTTP_FRONTEND_ACL: '  acl host_{cleanedUpHostname} hdr(host) -i {hostname}\n  use_backend no_such_backend if host_{cleanedUpHostname}\n',
    } });
    await waitFor('/acl is named on the status page', async () => (await statusNow()).skipped.find((s) => s.appId === '/acl'), 20_000);
    const skip = (await statusNow()).skipped.find((s) => s.appId === '/acl')!;
    expect(skip).toMatchObject({ reason: 'CONFIG_REJECTED', label: 'HAPROXY_0_HTTP_FRONTEND_ACL' });
    expect(skip.message).toContain('no_such_backend');
    await newAppServed('/after-acl');
    expect(await answers(ports[6]!, '/first')).toBe(true);
  });

  it('an app whose new and last good lines are both rejected (certificate rotated, old file deleted) is dropped; others keep changing', async () => {
    const { keyPem, certPem } = await selfSignedLoopbackCert();
    const a = join(dir, 'a.pem');
    await writeFile(a, `${certPem}${keyPem}`);
    const port = svcPort();
    const app = (cert: string) => ({ id: '/certs', instances: 1, portDefinitions: [{ port }], labels: { ...group, HAPROXY_0_VHOST: 'certs.example', HAPROXY_0_SSL_CERT: cert } });
    await emu.putApp(app(a));
    await waitFor('/certs is served', () => answers(ports[0]!, '/certs', 'certs.example'), 20_000);
    await rm(a);
    await emu.putApp(app(join(dir, 'b.pem')));
    await waitFor('/certs is named on the status page', async () => (await statusNow()).skipped.find((s) => s.appId === '/certs' && s.reason === 'CONFIG_REJECTED'), 20_000);
    const st = await statusNow();
    expect(st.skipped.find((s) => s.appId === '/certs')!.label).toBe('HAPROXY_0_SSL_CERT');
    await newAppServed('/after-certs');
    // Dropped, not carried: its last good lines name a file that is gone.
    await waitFor('/certs dropped, /after-certs listed', async () => {
      const st = await statusNow();
      return !st.services.some((s) => s.appId === '/certs') && st.services.some((s) => s.appId === '/after-certs');
    }, 20_000);
  });

  it('a new app whose service port another process holds is skipped before any reload; no port stops answering, others keep changing', async () => {
    const held = svcPort();
    const squatter = createServer(() => undefined);
    await new Promise<void>((r) => squatter.listen(held, r));
    // A steady, bounded request loop through HAProxy to an app that has nothing to do with it.
    let stop = false;
    const failures: string[] = [];
    let ok = 0;
    const loop = (async () => {
      const deadline = Date.now() + 60_000;
      for (let i = 0; i < 20_000 && !stop && Date.now() < deadline; i += 1) {
        if (await answers(ports[6]!, '/first')) ok += 1; else failures.push(new Date().toISOString());
      }
    })();
    try {
      await emu.putApp({ id: '/squat', instances: 1, labels: group, portDefinitions: [{ port: held }] });
      await waitFor('/squat is named on the status page', async () => (await statusNow()).skipped.find((s) => s.appId === '/squat'), 20_000);
      const skip = (await statusNow()).skipped.find((s) => s.appId === '/squat')!;
      expect(skip.message).toContain(String(held));
      expect(skip.label).toBe('HAPROXY_0_PORT');
      await newAppServed('/after-squat');
      await emu.putApp({ id: '/after-squat', instances: 2, labels: group, portDefinitions: [{ port: ports[6 + next - 1]! }] });
      await waitFor('/after-squat scaled', async () => (await statusNow()).services.find((s) => s.appId === '/after-squat')?.servers.length === 2, 20_000);
      // The config on disk starts HAProxy: it passes haproxy -c and does not bind the held port.
      const cfg = await readFile(join(dir, 'haproxy.cfg'), 'utf8');
      expect(cfg).not.toContain(`:${held}\n`);
      expect((await runProcess(findHaproxy()!, ['-c', '-f', join(dir, 'haproxy.cfg')])).code).toBe(0);
    } finally {
      stop = true;
      await loop;
      await new Promise((r) => squatter.close(r));
    }
    expect(ok).toBeGreaterThan(10);
    expect(failures).toEqual([]);
  });

  it('an app asking for the load balancer\'s own admin port is skipped, named with its label; the admin endpoints stay the load balancer\'s', async () => {
    const admin = ports[2]!;
    await emu.putApp({ id: '/own-port', instances: 1, portDefinitions: [{ port: svcPort() }], labels: { ...group, HAPROXY_0_PORT: String(admin) } });
    await waitFor('/own-port is named on the status page', async () => (await statusNow()).skipped.find((s) => s.appId === '/own-port'), 20_000);
    const skip = (await statusNow()).skipped.find((s) => s.appId === '/own-port')!;
    expect(skip).toMatchObject({ reason: 'INVALID_LABEL', label: 'HAPROXY_0_PORT' });
    expect(skip.message).toContain(`--admin-port ${admin}`);
    await newAppServed('/after-own-port');
    // HAProxy would have split the port's connections between the two binds: none reach the app.
    const task = emu.tasks('/own-port')[0]!.id;
    for (let i = 0; i < 12; i += 1) {
      const r = await request(`http://127.0.0.1:${admin}/_haproxy_health_check`);
      expect(r.status).toBe(200);
      expect(r.body).not.toContain(task);
    }
  });

  it('the app serving a port keeps it against a newcomer, also after a controller restart', async () => {
    const p = await freePorts(6);
    const own = await tempDir('mlb-ports-');
    // Its own group: the other controller of this file must not serve these apps too.
    const start = () => runController(['sse', '--group', 'ports', '--marathon', emu.url, '--supervise-haproxy', '--min-reload-interval', '0',
      ...isolatedFlags(own, { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! })]);
    const port = p[5]!;
    const ownStatus = async (): Promise<Status> =>
      JSON.parse((await request(`http://127.0.0.1:${p[4]!}/_mlb_status`, { headers: { accept: 'application/json' } })).body) as Status;
    const holderServes = async () => {
      const st = await ownStatus().catch(() => undefined);
      return st !== undefined && await answers(port, '/zeta-holder') && st.skipped.some((s) => s.appId === '/alpha-newcomer' && s.message.includes(`port ${port}`) && s.message.includes('/zeta-holder'));
    };
    let c = start();
    try {
      await emu.putApp({ id: '/zeta-holder', instances: 1, labels: { HAPROXY_GROUP: 'ports' }, portDefinitions: [{ port }] });
      await waitFor('the holder is served', async () => await answers(port, '/zeta-holder') && (await ownStatus()).services.some((s) => s.appId === '/zeta-holder'), 20_000);
      await emu.putApp({ id: '/alpha-newcomer', instances: 1, labels: { HAPROXY_GROUP: 'ports' }, portDefinitions: [{ port }] });
      await waitFor('the holder keeps the port, the newcomer is named', holderServes, 20_000);
      expect(await c.stop()).toBe(0);
      c = start();
      await waitFor('after a restart, the holder still keeps the port', holderServes, 20_000);
      // Every request goes to the holder: the port's traffic is not split.
      for (let i = 0; i < 20; i += 1) expect(await answers(port, '/zeta-holder')).toBe(true);
    } finally {
      expect(await c.stop()).toBe(0);
      await emu.deleteApp('/alpha-newcomer');
      await emu.deleteApp('/zeta-holder');
    }
  });

  it('an app with a broken label keeps serving from its current tasks; the status page says it is stale, with HAProxy\'s server states, and is not green', async () => {
    const port = svcPort();
    const app = (labels: Record<string, string>) => ({ id: '/stale', instances: 1, portDefinitions: [{ port }], labels: { ...group, ...labels },
      healthChecks: [{ protocol: 'HTTP', path: '/health', intervalSeconds: 1, timeoutSeconds: 1, maxConsecutiveFailures: 1 }] });
    await emu.putApp(app({}));
    await waitFor('/stale served', () => answers(port, '/stale'), 20_000);
    const before = emu.tasks('/stale').map((t) => t.id);
    // A broken label; Marathon restarts the app's tasks (a new definition), at new addresses.
    await emu.putApp(app({ HAPROXY_0_MODE: 'udp' }));
    await waitFor('the new task answers through HAProxy', async () => !emu.tasks('/stale').some((t) => before.includes(t.id)) && answers(port, '/stale'), 20_000);
    await waitFor('the status page marks it stale, with HAProxy\'s live server state', async () => {
      const sv = (await statusNow()).services.find((s) => s.appId === '/stale');
      return sv?.stale?.reason.includes('HAPROXY_0_MODE') && sv.servers.length === 1 && sv.servers[0]!.state === 'up'
        && sv.servers[0]!.address === emu.tasks('/stale')[0]!.endpoints[0];
    }, 20_000);
    const html = (await request(`http://127.0.0.1:${status}/_mlb_status.html`)).body;
    expect(html).toContain('id="warn-apps-stale"');
    expect(html).not.toContain('id="all-ok"');
    const skip = (await statusNow()).skipped.find((s) => s.appId === '/stale')!;
    expect(skip.label).toBe('HAPROXY_0_MODE');
  });

  it('an app whose new template names an unknown placeholder keeps its last good config and its named error through a later full read, beside another stale app', async () => {
    // Another app served from its last good services (its port label is not a number).
    const other = svcPort();
    const otherApp = (labels: Record<string, string>) => ({ id: '/bad-port', instances: 1, portDefinitions: [{ port: other }], labels: { ...group, ...labels } });
    await emu.putApp(otherApp({}));
    await waitFor('/bad-port served', () => answers(other, '/bad-port'), 20_000);
    await emu.putApp(otherApp({ HAPROXY_0_PORT: 'ten' }));
    await waitFor('/bad-port named', async () => (await statusNow()).skipped.some((s) => s.appId === '/bad-port' && s.label === 'HAPROXY_0_PORT'), 20_000);

    const port = svcPort();
    const app = (labels: Record<string, string>) => ({ id: '/placeholder', instances: 1, portDefinitions: [{ port }], labels: { ...group, ...labels } });
    await emu.putApp(app({}));
    await waitFor('/placeholder served', () => answers(port, '/placeholder'), 20_000);
    await emu.putApp(app({ HAPROXY_0_BACKEND_HEAD: 'backend {backend}\n  balance {balancee}\n' }));
    const staleAndNamed = async () => {
      const st = await statusNow();
      return st.services.find((s) => s.appId === '/placeholder')?.stale !== undefined
        && st.skipped.some((s) => s.appId === '/placeholder' && s.label === 'HAPROXY_0_BACKEND_HEAD' && s.message.includes('{balancee}'));
    };
    await waitFor('/placeholder stale, named with its label', staleAndNamed, 20_000);
    await waitFor('its new task answers through HAProxy', () => answers(port, '/placeholder'), 20_000);

    // A full read of Marathon, as SIGHUP, a reconnect and every --resync-interval make.
    const mark = ctl.logs.length;
    ctl.child.kill('SIGHUP');
    const asked = await ctl.waitForLog((l) => ctl.logs.indexOf(l) >= mark && l.msg === 'resync requested', 'the resync requested');
    const sent = String(asked.time);
    // The pass that follows starts at the same millisecond or later (the status has milliseconds).
    await waitFor('the pass after SIGHUP', async () => ((await statusNow()).lastPass?.at ?? '') >= sent, 20_000);
    expect(await staleAndNamed()).toBe(true);
    expect(await answers(port, '/placeholder')).toBe(true);
    expect(await answers(other, '/bad-port')).toBe(true);
    expect(await readFile(join(dir, 'haproxy.cfg'), 'utf8')).toContain(`backend placeholder_${port}\n`);
    expect(ctl.logs.slice(mark).filter((l) => /drift/.test(l.msg))).toEqual([]);
  });

  it('HAPROXY_0_MODE=tcp overridden to http by a vhost is reported on the status page and in the log; other groups are counted apart', async () => {
    await emu.putApp({ id: '/tcp-vhost', instances: 1, portDefinitions: [{ port: svcPort() }], labels: { ...group, HAPROXY_0_MODE: 'tcp', HAPROXY_0_VHOST: 'tv.example' } });
    await emu.putApp({ id: '/elsewhere', instances: 1, portDefinitions: [{ port: svcPort() }], labels: { HAPROXY_GROUP: 'internal' } });
    await waitFor('the override is on the status page', async () =>
      (await statusNow()).services.find((s) => s.appId === '/tcp-vhost')?.notices?.some((n) => n.includes('HAPROXY_0_MODE=tcp is overridden to http because of HAPROXY_0_VHOST')), 20_000);
    await ctl.waitForLog((l) => l.msg === 'label overridden' && l.appId === '/tcp-vhost', 'the override logged');
    await waitFor('other groups counted', async () => ((await statusNow()).otherGroups ?? 0) >= 1, 20_000);
    expect((await statusNow()).skipped.some((s) => s.appId === '/elsewhere')).toBe(false);
    for (const s of (await statusNow()).skipped) expect(s.label).toBeTruthy();
  });

  it('at start-up, an app whose port HAProxy cannot bind is pinned from HAProxy\'s own output; HAProxy starts with everyone else', async () => {
    const p = await freePorts(7);
    const held = p[5]!;
    const squatter = createServer(() => undefined);
    await new Promise<void>((r) => squatter.listen(held, r));
    const own = await tempDir('mlb-startfail-');
    const labels = { HAPROXY_GROUP: 'startfail' };
    await emu.putApp({ id: '/sf-squat', instances: 1, labels, portDefinitions: [{ port: held }] });
    await emu.putApp({ id: '/sf-fine', instances: 1, labels, portDefinitions: [{ port: p[6]! }] });
    // Nothing is applied yet, so no bind check runs first: HAProxy's failed start is what tells.
    const c = runController(['sse', '--group', 'startfail', '--marathon', emu.url, '--supervise-haproxy', '--min-reload-interval', '0',
      ...isolatedFlags(own, { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! })]);
    try {
      await waitFor('/sf-fine served', () => answers(p[6]!, '/sf-fine'), 20_000);
      const ownStatus = async () => JSON.parse((await request(`http://127.0.0.1:${p[4]!}/_mlb_status`, { headers: { accept: 'application/json' } })).body) as Status;
      await waitFor('/sf-squat named, with what HAProxy said', async () => (await ownStatus()).skipped.find((s) => s.appId === '/sf-squat')?.message.includes('cannot bind'), 20_000);
      expect((await runProcess(findHaproxy()!, ['-c', '-f', join(own, 'haproxy.cfg')])).code).toBe(0);
      expect(await readFile(join(own, 'haproxy.cfg'), 'utf8')).not.toContain(`:${held}\n`);
    } finally {
      expect(await c.stop()).toBe(0);
      await new Promise((r) => squatter.close(r));
      await emu.deleteApp('/sf-squat');
      await emu.deleteApp('/sf-fine');
    }
  });
});
