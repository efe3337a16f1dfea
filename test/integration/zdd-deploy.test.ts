// zdd end to end: the emulator as Marathon, the controller (sse, supervised HAProxy) as the load
// balancer (two of them, each with its own HAProxy), real task servers, and the zdd CLI as a
// child process given both load balancers. Steady request loops run through the service port and
// through the vhost on each load balancer's :80 during every deployment; not one request may fail.
// Waits poll for states; nothing sleeps.

import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, UNHEALTHY_ENV, type Emulator } from '../emulator/index.js';
import { request } from '../emulator/http-client.js';
import { findHaproxy, freePorts, httpGet, tempDir, waitFor } from '../support/haproxy.js';
import { isolatedFlags, REPO, runController, type ControllerProcess } from '../support/controller-process.js';
import { startRequestLoop, type RequestLoop } from '../support/request-loop.js';

const ZDD = join(REPO, 'dist', 'zdd-cli.js');
const d = findHaproxy() ? describe : describe.skip;
const VHOST = 'web.zdd.test';

interface Run { code: number | null; out: string; err: string }

function runZdd(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ZDD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); if (process.env.ZDD_TEST_TRACE) process.stderr.write(b); });
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

d('zdd through a real HAProxy', () => {
  let emu: Emulator;
  let ctl: ControllerProcess;
  /** A second load balancer on the same Marathon (its own HAProxy; both bind the service port, the kernel spreads connections). */
  let ctl2: ControllerProcess;
  let http2: number;
  let admin2: number;
  let dir: string;
  let svc: number;
  let alt: number;
  let other: number;
  let http: number;
  let admin: number;
  let loops: RequestLoop[] = [];

  const definition = (instances: number, env: Record<string, string> = {}) => ({
    id: '/web', instances, env,
    labels: {
      HAPROXY_GROUP: 'external', HAPROXY_0_VHOST: VHOST,
      HAPROXY_DEPLOYMENT_GROUP: 'web', HAPROXY_DEPLOYMENT_ALT_PORT: String(alt),
    },
    portDefinitions: [{ port: svc, name: 'http' }],
    healthChecks: [{ protocol: 'HTTP', path: '/health', intervalSeconds: 1, timeoutSeconds: 1, maxConsecutiveFailures: 1 }],
  });

  async function deploy(def: unknown, extra: string[] = []): Promise<Run> {
    const file = join(dir, `app-${Date.now()}.json`);
    await writeFile(file, JSON.stringify(def));
    return runZdd(['-j', file, '-m', emu.url, '-l', `http://127.0.0.1:${admin}`, `http://127.0.0.1:${admin2}`, '-f', '--step-delay', '0.2', '--max-wait', '30', '--log-level', 'DEBUG', ...extra]);
  }

  const colours = () => emu.apps().filter((id) => id.startsWith('/web-')).sort();
  const startLoops = () => {
    loops = [startRequestLoop(svc), startRequestLoop(http, { Host: VHOST }), startRequestLoop(http2, { Host: VHOST })];
  };
  async function stopLoops(): Promise<{ sent: number; failures: string[]; answeredBy: Set<string> }> {
    await Promise.all(loops.map((l) => l.stop()));
    const out = {
      sent: loops.reduce((n, l) => n + l.sent(), 0),
      failures: loops.flatMap((l) => l.failures()),
      answeredBy: new Set(loops.flatMap((l) => [...l.answeredBy()])),
    };
    loops = [];
    return out;
  }
  /** Runs zdd while the request loops run; it must succeed and no request may fail. */
  async function deployUnderLoad(def: unknown, extra: string[] = []): Promise<{ sent: number }> {
    startLoops();
    const r = await deploy(def, extra);
    const result = await stopLoops();
    expect({ code: r.code, err: r.code === 0 ? '' : r.err }).toEqual({ code: 0, err: '' });
    expect(result.failures).toEqual([]);
    return result;
  }

  /**
   * Every task of `appId` answers through the service port and through the vhost on both load
   * balancers (the routes the request loops use), and nothing else does.
   */
  const servedBy = async (appId: string) => {
    let last = '';
    try {
      await waitFor(`only ${appId} serves`, async () => {
        const ids = new Set(emu.tasks(appId).map((t) => t.id));
        for (const [port, headers] of [[svc, {}], [http, { Host: VHOST }], [http2, { Host: VHOST }]] as const) {
          const probe = startRequestLoop(port, headers, 1, 0);
          await waitFor('a few answers', () => probe.sent() >= ids.size * 4, 10_000);
          await probe.stop();
          const seen = probe.answeredBy();
          if (!(ids.size > 0 && seen.size === ids.size && [...seen].every((id) => ids.has(id)) && probe.failures().length === 0)) {
            last = `port ${port}: tasks ${[...ids].join(' ')}; answered by ${[...seen].join(' ')}; failures ${probe.failures().slice(0, 2).join(' | ')}`;
            return false;
          }
        }
        return true;
      }, 30_000, 100);
    } catch (err) {
      // What each load balancer said, for a failure that shows only under load.
      const said = (lb: ControllerProcess) => lb.logs.filter((l) => l.level >= 40).slice(-8).map((l) => JSON.stringify(l)).join('\n');
      throw new Error(`${(err as Error).message}\nlast probe: ${last}\nlb1 warnings:\n${said(ctl)}\nlb2 warnings:\n${said(ctl2)}`);
    }
  };

  beforeAll(async () => {
    emu = await startEmulator({ taskServers: 'inprocess', heartbeatMs: 500 });
    const p = await freePorts(13);
    other = p[7]!;
    [http, , admin] = p as [number, number, number];
    svc = p[5]!;
    alt = p[6]!;
    [http2, , admin2] = p.slice(8) as [number, number, number];
    dir = await tempDir('mlb-zdd-');
    const lb = (sub: string, q: number[]) => runController(['sse', '--group', 'external', '--marathon', emu.url, '--supervise-haproxy', '--health-check',
      '--min-reload-interval', '0', '--debounce-ms', '100',
      ...isolatedFlags(join(dir, sub), { http: q[0]!, https: q[1]!, admin: q[2]!, appid: q[3]!, status: q[4]! })]);
    await Promise.all(['lb1', 'lb2'].map((sub) => mkdir(join(dir, sub))));
    ctl = lb('lb1', p.slice(0, 5));
    ctl2 = lb('lb2', p.slice(8, 13));
    await ctl.waitForLog((l) => l.msg === 'haproxy started', 'haproxy started');
    await ctl2.waitForLog((l) => l.msg === 'haproxy started', 'haproxy 2 started');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(loops.map((l) => l.stop()));
    await ctl?.stop();
    await ctl2?.stop();
    await emu?.close();
  });

  it('first deployment: creates the blue colour on the app\'s own service port', async () => {
    const r = await deploy(definition(3));
    expect(r).toMatchObject({ code: 0 });
    expect(colours()).toEqual(['/web-blue']);
    await servedBy('/web-blue');
  }, 60_000);

  it('deploys a new version (3 instances) with 0 failed requests, then deletes the old colour', async () => {
    // The pre-kill hook gets the old app, the task ids and the new app, as JSON arguments.
    const hook = join(dir, 'hook.mjs');
    await writeFile(hook, `#!${process.execPath}\nimport { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(join(dir, 'hook.log'))}, JSON.stringify(process.argv.slice(2)) + '\\n');\n`);
    await chmod(hook, 0o755);
    const blueTasks = emu.tasks('/web-blue').map((t) => t.id);
    const result = await deployUnderLoad(definition(3, { VERSION: '2' }), ['--pre-kill-hook', hook]);
    expect(result.sent).toBeGreaterThan(50);
    const calls = (await readFile(join(dir, 'hook.log'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as string[]).map((a) => JSON.parse(a) as unknown));
    expect(calls.length).toBeGreaterThanOrEqual(1);
    for (const [oldApp, ids, newApp] of calls) {
      expect(oldApp).toMatchObject({ id: '/web-blue' });
      expect(newApp).toMatchObject({ id: '/web-green' });
      for (const id of ids as string[]) expect(blueTasks).toContain(id);
    }
    expect(calls.flatMap((c) => c[1] as string[]).sort()).toEqual([...blueTasks].sort());
    expect(colours()).toEqual(['/web-green']);
    expect(emu.tasks('/web-green')).toHaveLength(3);
    await servedBy('/web-green');
  }, 180_000);

  it('deploys again, growing to 10 instances, with 0 failed requests', async () => {
    await deployUnderLoad(definition(10, { VERSION: '3' }));
    expect(colours()).toEqual(['/web-blue']);
    expect(emu.tasks('/web-blue')).toHaveLength(10);
    await servedBy('/web-blue');
  }, 240_000);

  it('waits for slow requests in flight on old tasks; a long request to another app does not hold it up', async () => {
    await emu.putApp({ id: '/other', instances: 1, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: other }] });
    await waitFor('the other app answers', async () => (await httpGet(other)).status === 200, 30_000);
    const long = request(`http://127.0.0.1:${other}/?delay=15000`, { timeoutMs: 60_000 });
    let longDone = false;
    void long.then(() => { longDone = true; });
    // One slow request per old task (round robin), each held open 2.5 s.
    const slow = emu.tasks('/web-blue').map(() => httpGet(svc, '/?delay=2500'));
    await deployUnderLoad(definition(10, { VERSION: '5' }));
    expect(longDone).toBe(false); // zdd finished while the other app's request was still open
    expect((await Promise.all(slow)).map((x) => x.status)).toEqual(slow.map(() => 200));
    expect(colours()).toEqual(['/web-green']);
    expect((await long).status).toBe(200);
  }, 240_000);

  it('hybrid: 2 new instances beside the old ones, then --complete-cur, with 0 failed requests', async () => {
    await deployUnderLoad(definition(10, { VERSION: '6' }), ['--new-instances', '2', '--initial-instances', '2']);
    expect(colours()).toEqual(['/web-blue', '/web-green']);
    expect([emu.tasks('/web-blue').length, emu.tasks('/web-green').length]).toEqual([2, 8]);
    const started = Date.now();
    await deployUnderLoad(definition(10, { VERSION: '6' }), ['--complete-cur']);
    expect(Date.now() - started).toBeLessThan(30_000); // did not wait out --max-wait
    expect(colours()).toEqual(['/web-blue']);
    expect(emu.tasks('/web-blue')).toHaveLength(10);
    await servedBy('/web-blue');
  }, 240_000);

  it('rolls back a version that never becomes healthy, with 0 failed requests', async () => {
    startLoops();
    const r = await deploy(definition(10, { VERSION: '4', [UNHEALTHY_ENV]: 'true' }), ['--max-wait', '4']);
    const result = await stopLoops();
    expect(r.code).toBe(2);
    expect(r.err).toContain('did not become healthy');
    expect(r.err).toContain('rolled back');
    expect(result.failures).toEqual([]);
    await waitFor('the broken colour is gone', () => colours().length === 1 && colours()[0] === '/web-blue', 20_000);
    expect(emu.tasks('/web-blue')).toHaveLength(10);
    await servedBy('/web-blue');
  }, 180_000);

  it('rolls back when the pre-kill hook declines after new tasks already serve: drained through both LBs, then deleted; exit 1, 0 failed requests', async () => {
    const hook = join(dir, 'decline.mjs');
    await writeFile(hook, `#!${process.execPath}\nprocess.stderr.write('not today\\n');\nprocess.exit(1);\n`);
    await chmod(hook, 0o755);
    // Whichever colour runs now stays; the other one is the version the hook refuses.
    const [running] = colours();
    expect(running).toBeDefined();
    const refused = running === '/web-blue' ? '/web-green' : '/web-blue';
    const runningTasks = emu.tasks(running!).map((t) => t.id).sort();
    startLoops();
    const r = await deploy(definition(runningTasks.length, { VERSION: '7' }), ['--pre-kill-hook', hook]);
    const result = await stopLoops();
    expect({ code: r.code, declined: r.err.includes('the pre-kill hook declined'), rolledBack: r.err.includes('rolled back') }).toEqual({ code: 1, declined: true, rolledBack: true });
    // The new version did serve before the hook said no: its tasks had to be drained, not just deleted.
    expect([...result.answeredBy].some((id) => id.startsWith(`${refused.slice(1)}.`))).toBe(true);
    expect(r.err).toContain(`${refused}: 0/1 tasks drained on every load balancer`);
    // Each load balancer was asked, and drained the colour itself.
    for (const lb of [ctl, ctl2]) expect(lb.logs.some((l) => l.msg === 'colour withdrawn from rotation (zdd rollback): its tasks drain' && l.app === refused)).toBe(true);
    expect(result.failures).toEqual([]);
    expect(colours()).toEqual([running]);
    expect(emu.tasks(running!).map((t) => t.id).sort()).toEqual(runningTasks); // nothing of the old colour was killed
    await servedBy(running!);
  }, 180_000);
});
