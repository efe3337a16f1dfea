// A reload HAProxy refuses without naming an app, through a real HAProxy (issue 9, points 1 and 3).
//
// The HAProxy master is started by the test (as a container's run script does) and the controller
// attaches to it, so what the master prints on a failed reload is not the controller's to read:
// all it learns is "the reload failed". Two faults the controller's checks before the reload
// cannot see: the master also reads an operator's file whose backend has the name an app's
// backend gets; and an app's certificate removed after the controller's `haproxy -c` accepted its
// config and before the reload (held back by --min-reload-interval). Both make HAProxy refuse the
// reload while parsing, which does not pause the running worker's listeners (a reload that fails
// to bind does, for about 2 s on every port, measured on 2.6.12), so a steady request loop to
// another app sees no failure at all, provided the controller never sends that config again.

import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHaproxyMaster, type HaproxyMaster } from '../../src/haproxy/index.js';
import { runProcess } from '../../src/haproxy/validate.js';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { request } from '../emulator/http-client.js';
import { isolatedFlags, runController, type ControllerProcess } from '../support/controller-process.js';
import { findHaproxy, freePorts, httpGet, tempDir, waitFor } from '../support/haproxy.js';
import { startRequestLoop, type RequestLoop } from '../support/request-loop.js';
import { selfSignedLoopbackCert } from '../support/tls.js';

const bin = findHaproxy();
const d = bin ? describe : describe.skip;

interface Status { skipped: Array<{ appId: string; reason: string; label?: string; message: string }> }

/** Seconds between reloads: long enough for the test to remove a certificate while a reload waits. */
const RELOAD_INTERVAL = 5;

d('a reload HAProxy refuses without naming an app', () => {
  let emu: Emulator;
  let ctl: ControllerProcess;
  let master: HaproxyMaster;
  let dir: string;
  let ports: number[];
  let loop: RequestLoop;
  let next = 0;
  const svcPort = () => ports[7 + (next++)]!;
  const labels = { HAPROXY_GROUP: 'external' };

  const answers = async (port: number, app: string) => {
    const r = await httpGet(port);
    return r.status === 200 && emu.tasks(app).some((t) => t.id === r.body.trim());
  };
  const status = async (): Promise<Status> =>
    JSON.parse((await request(`http://127.0.0.1:${ports[4]!}/_mlb_status`, { headers: { accept: 'application/json' } })).body) as Status;
  /** Apps served, by service port: a fresh HAProxy started from the files must serve them all. */
  const servedPorts = new Map<string, number>();
  const served = async (id: string, port = svcPort()) => {
    await emu.putApp({ id, instances: 1, labels, portDefinitions: [{ port }] });
    await waitFor(`${id} is served`, () => answers(port, id), 30_000);
    servedPorts.set(id, port);
    return port;
  };
  /** What the master printed (the controller, attached, reads none of it). */
  const masterOutput: string[] = [];
  /** Reloads the master failed: it says "Loading failure!" for each (its `show proc` count restarts at every good reload). */
  const failedReloads = () => masterOutput.filter((l) => l.includes('Loading failure!')).length;
  const startMaster = () => startHaproxyMaster({
    bin: bin!, configPath: join(dir, 'haproxy.cfg'), masterSocket: join(dir, 'run', 'haproxy-master.sock'), pidFile: join(dir, 'run', 'test-haproxy.pid'),
    extraArgs: ['-f', join(dir, 'operator.cfg')], onOutput: (l) => masterOutput.push(l),
  });
  /** The config and map files on disk. */
  const files = async () => {
    const names = (await readdir(dir)).filter((n) => n === 'haproxy.cfg' || n.endsWith('.map')).sort();
    return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await readFile(join(dir, n), 'utf8')] as const)));
  };
  /**
   * Puts an app whose certificate exists when the controller checks its config and is gone when
   * HAProxy reloads: right after a reload (so the next one is held back), it waits for the
   * controller to say it holds the reload back, then removes the file.
   */
  const certificateGoneBeforeReload = async (id: string) => {
    const { keyPem, certPem } = await selfSignedLoopbackCert();
    const pem = join(dir, `${id.slice(1)}.pem`);
    await writeFile(pem, `${certPem}${keyPem}`);
    await served(`${id}-trigger`);
    const lastGood = await files();
    const held = ctl.logs.filter((l) => l.msg === 'reload held back by --min-reload-interval').length;
    const port = svcPort();
    await emu.putApp({ id, instances: 1, labels: { ...labels, HAPROXY_0_SSL_CERT: pem }, portDefinitions: [{ port }] });
    await waitFor('the reload held back', () => ctl.logs.filter((l) => l.msg === 'reload held back by --min-reload-interval').length > held, 20_000);
    expect(await readFile(join(dir, 'haproxy.cfg'), 'utf8')).toContain(pem);
    await rm(pem);
    return { port, lastGood };
  };

  beforeAll(async () => {
    emu = await startEmulator({ taskServers: 'inprocess', heartbeatMs: 500 });
    ports = await freePorts(20);
    dir = await tempDir('mlb-reload-failure-');
    // A master the controller did not start: a config that only keeps it up until the controller writes its own.
    await writeFile(join(dir, 'haproxy.cfg'), `global\ndefaults\n  mode http\n  timeout connect 5s\n  timeout client 5s\n  timeout server 5s\nfrontend boot\n  bind 127.0.0.1:${ports[5]!}\n  http-request return status 200\n`);
    await mkdir(join(dir, 'run'), { recursive: true });
    // The operator's own file, read by HAProxy after the controller's: its backend has the name an app on CLASH_PORT gets.
    await writeFile(join(dir, 'operator.cfg'), `backend clash_${ports[6]!}\n  server elsewhere 127.0.0.1:1\n`);
    master = await startMaster();
    ctl = runController(['sse', '--group', 'external', '--marathon', emu.url, '--supervise-haproxy', '--min-reload-interval', String(RELOAD_INTERVAL),
      ...isolatedFlags(dir, { http: ports[0]!, https: ports[1]!, admin: ports[2]!, appid: ports[3]!, status: ports[4]! })]);
    await ctl.waitForLog((l) => l.msg === 'attached to a running haproxy master', 'attached to the master', 30_000);
    const steady = await served('/steady');
    loop = startRequestLoop(steady);
  }, 90_000);

  afterAll(async () => {
    await loop?.stop();
    await ctl?.stop();
    await master?.stop();
    await emu?.close();
  });

  it('HAProxy refuses a reload that every check accepts: the changed app is held back and named, that config is never sent again; the others keep changing and no request to another app fails', async () => {
    const before = failedReloads();
    const clash = ports[6]!;
    await emu.putApp({ id: '/clash', instances: 1, labels, portDefinitions: [{ port: clash }] });
    await waitFor('/clash named on the status page', async () => (await status()).skipped.find((s) => s.appId === '/clash'), 30_000);
    const skip = (await status()).skipped.find((s) => s.appId === '/clash')!;
    expect(skip.reason).toBe('CONFIG_REJECTED');
    expect(skip.message).toMatch(/held back: HAProxy could not load the config with it/);
    expect(failedReloads()).toBe(before + 1);
    // What HAProxy said, which the controller could not read.
    expect(masterOutput.some((l) => l.includes(`backend 'clash_${clash}' has the same name`))).toBe(true);
    // Others keep changing: a new app, then a scale-up of it (at run time).
    const after = await served('/after');
    await emu.putApp({ id: '/after', instances: 2, labels, portDefinitions: [{ port: after }] });
    await waitFor('/after scaled', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 8; i += 1) ids.add((await httpGet(after)).body.trim());
      return ids.size === 2 && [...ids].every((t) => emu.tasks('/after').some((x) => x.id === t));
    }, 30_000);
    // HAProxy was asked once: neither that config nor /clash's unchanged lines were sent again.
    expect(failedReloads()).toBe(before + 1);
    expect((await status()).skipped.find((s) => s.appId === '/clash')).toBeDefined();
    // Its definition changed (another port): it is tried again, and served.
    const moved = svcPort();
    await emu.putApp({ id: '/clash', instances: 1, labels, portDefinitions: [{ port: moved }] });
    await waitFor('/clash served on its new port', () => answers(moved, '/clash'), 30_000);
    servedPorts.set('/clash', moved);
    expect(failedReloads()).toBe(before + 1);
    expect(loop.sent()).toBeGreaterThan(100);
    expect(loop.failures()).toEqual([]);
  }, 120_000);

  it('after a refused reload (a certificate gone between the check and the reload) the files on disk are the last good ones: haproxy -c passes and a fresh HAProxy started from them serves the good apps', async () => {
    const { port, lastGood } = await certificateGoneBeforeReload('/certs2');
    // Pinned in the same pass by checking the config again (the file is gone now), with its label.
    await waitFor('/certs2 named on the status page', async () => (await status()).skipped.find((s) => s.appId === '/certs2'), 30_000);
    expect((await status()).skipped.find((s) => s.appId === '/certs2')).toMatchObject({ reason: 'CONFIG_REJECTED', label: 'HAPROXY_0_SSL_CERT' });
    // Byte for byte what HAProxy last loaded (with the trigger app, without /certs2).
    expect(await files()).toEqual(lastGood);
    expect(lastGood['haproxy.cfg']).toContain('certs2-trigger');
    expect(lastGood['haproxy.cfg']).not.toContain('certs2.pem');
    expect((await runProcess(bin!, ['-c', '-f', join(dir, 'haproxy.cfg')])).code).toBe(0);
    await loop.stop();
    expect(loop.failures()).toEqual([]);

    // A restart reads them: stop everything, start HAProxy from the files on disk alone.
    expect(await ctl.stop()).toBe(0);
    await master.stop();
    master = await startMaster();
    for (const [app, p] of servedPorts) await waitFor(`${app} served by a fresh HAProxy`, () => answers(p, app), 10_000);
    expect((await httpGet(port)).status).toBe(0);
  }, 120_000);
});
