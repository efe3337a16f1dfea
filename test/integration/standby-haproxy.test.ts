// Marathon unreachable when the controller starts (a Marathon outage during the LB's restart):
// HAProxy must still start, so :9090/_haproxy_health_check answers and Marathon does not kill
// the LB in a loop. With no config on disk it serves the admin plane only; with the last good
// config on disk it serves that. When Marathon comes back, the apps are served as usual.

import { existsSync } from 'node:fs';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { request } from '../emulator/http-client.js';
import { findHaproxy, freePorts, tempDir, waitFor, waitForPort } from '../support/haproxy.js';
import { isolatedFlags, runController, type ControllerProcess } from '../support/controller-process.js';
import { join } from 'node:path';

const d = findHaproxy() ? describe : describe.skip;

d('HAProxy while Marathon is unreachable at start', () => {
  let dir: string;
  let marathonPort: number;
  let ports: { http: number; https: number; admin: number; appid: number; status: number };
  let svc: number;
  let ctl: ControllerProcess | undefined;
  let emu: Emulator | undefined;

  const start = () => runController(['sse', '--group', 'external', '--marathon', `http://127.0.0.1:${marathonPort}`, '--supervise-haproxy',
    '--min-reload-interval', '0', '--debounce-ms', '100', '--max-backoff', '1', '--log-level', 'debug', ...isolatedFlags(dir, ports)]);
  const healthCheck = () => request(`http://127.0.0.1:${ports.admin}/_haproxy_health_check`).then((r) => r.status, () => 0);

  beforeAll(async () => {
    dir = await tempDir('mlb-standby-');
    const p = await freePorts(7);
    ports = { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! };
    marathonPort = p[5]!;
    svc = p[6]!;
  });

  afterEach(async () => {
    await ctl?.stop();
    await emu?.close();
    ctl = undefined;
    emu = undefined;
  });

  test('no config on disk: the admin plane answers at once, the apps once Marathon is back', async () => {
    expect(existsSync(join(dir, 'haproxy.cfg'))).toBe(false);
    ctl = start();
    const standby = await ctl.waitForLog((l) => /haproxy serves only the admin plane/.test(l.msg), 'the admin-only standby');
    expect(standby.level).toBe(40);
    await waitFor('the health check answers', async () => (await healthCheck()) === 200, 10_000);

    emu = await startEmulator({ taskServers: 'inprocess', port: marathonPort });
    await emu.putApp({ id: '/app', instances: 1, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: svc }] });
    await waitFor('the app is served once Marathon answers', () => request(`http://127.0.0.1:${svc}/`).then((r) => r.status === 200, () => false), 30_000);
    expect(await healthCheck()).toBe(200);
  }, 60_000);

  test('the last good config on disk: served again while Marathon is still away', async () => {
    // The previous test left its config (with /app on the service port) on disk.
    ctl = start();
    await ctl.waitForLog((l) => /haproxy serves the last good config from disk/.test(l.msg), 'the last-good standby');
    await waitFor('the health check answers', async () => (await healthCheck()) === 200, 10_000);
    // The app's frontend is bound again (its task is gone with the emulator), and :9090 shows that config.
    await waitForPort(svc);
    expect((await request(`http://127.0.0.1:${ports.admin}/_haproxy_getconfig`)).body).toContain(`frontend app_${svc}`);
  }, 60_000);
});
