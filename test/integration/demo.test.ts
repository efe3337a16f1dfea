// scripts/demo, as a new user runs it: every port comes from the environment (here random free
// ones), a busy port stops it before anything starts, a part that dies stops everything with a
// loud message, and a second run skips the build when nothing changed.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { request } from '../emulator/http-client.js';
import { findHaproxy, freePorts, portAnswers, tempDir, waitFor } from '../support/haproxy.js';
import { REPO } from '../support/controller-process.js';

const d = findHaproxy() ? describe : describe.skip;

interface Demo { child: ChildProcess; out: () => string; exited: Promise<number | null> }

function runDemo(env: Record<string, string>): Demo {
  const child = spawn(join(REPO, 'scripts', 'demo'), [], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, out: () => out, exited };
}

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

d('scripts/demo', () => {
  let env: Record<string, string>;
  let dir: string;
  let demo: Demo | undefined;

  beforeAll(async () => {
    dir = await tempDir('mlb-demo-');
    const p = await freePorts(8);
    env = {
      MLB_HTTP_PORT: String(p[0]), MLB_HTTPS_PORT: String(p[1]), MLB_ADMIN_PORT: String(p[2]), MLB_APPID_PORT: String(p[3]),
      MLB_STATUS_PORT: String(p[4]), MARATHON_PORT: String(p[5]), MLB_NGINX_PORT: String(p[6]), MLB_WEB_PORT: String(p[7]),
      DEMO_DIR: dir,
    };
  });

  afterEach(async () => {
    // Never leave a demo behind: its whole process group goes.
    if (demo?.child.pid !== undefined && demo.child.exitCode === null) {
      try { process.kill(-demo.child.pid, 'SIGTERM'); } catch { /* gone */ }
      await demo.exited;
    }
    demo = undefined;
  });

  test('runs on the ports it is given; when the controller dies it says so and stops everything', async () => {
    demo = runDemo(env);
    await waitFor('the demo to run', async () => demo!.out().includes('== Running') || demo!.child.exitCode !== null, 180_000);
    expect(demo.out()).toContain('== Running');
    const nginx = await request(`http://127.0.0.1:${env['MLB_NGINX_PORT']}/`);
    expect(nginx.body).toMatch(/^nginx\./);
    const web = await request(`http://127.0.0.1:${env['MLB_HTTP_PORT']}/`, { headers: { host: 'web.example.com' } });
    expect(web.body).toMatch(/^web\./);
    expect((await request(`http://127.0.0.1:${env['MLB_ADMIN_PORT']}/_mlb_status`)).status).toBe(200);

    const controllerPid = Number(readFileSync(join(dir, 'run', 'marathon-lb.pid'), 'utf8'));
    const haproxyPid = Number(readFileSync(join(dir, 'run', 'haproxy.pid'), 'utf8'));
    process.kill(controllerPid, 'SIGKILL');
    expect(await demo.exited).toBe(1);
    expect(demo.out()).toMatch(/== ERROR: the controller \(pid \d+\) exited with status 137/);
    expect(alive(haproxyPid)).toBe(false);
    expect(await portAnswers(Number(env['MARATHON_PORT']))).toBe(false);
    expect(await portAnswers(Number(env['MLB_NGINX_PORT']))).toBe(false);
  }, 240_000);

  test('Ctrl-C (SIGINT to the whole process group, as a terminal sends it) is a clean stop', async () => {
    demo = runDemo(env);
    await waitFor('the demo to run', async () => demo!.out().includes('== Running') || demo!.child.exitCode !== null, 180_000);
    expect(demo.out()).toContain('== Running');
    const haproxyPid = Number(readFileSync(join(dir, 'run', 'haproxy.pid'), 'utf8'));
    process.kill(-demo.child.pid!, 'SIGINT');
    expect(await demo.exited).toBe(0);
    expect(demo.out()).toContain('== stopping');
    expect(demo.out()).not.toContain('ERROR');
    const log = readFileSync(join(dir, 'controller.log'), 'utf8');
    expect(log.split('\n').filter((l) => / (WARN|ERROR|FATAL) /.test(l))).toEqual([]);
    expect(log).toContain('INFO haproxy stopped');
    expect(alive(haproxyPid)).toBe(false);
  }, 240_000);

  test('a busy port stops it before anything starts, naming the variable; the build is skipped', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(Number(env['MLB_STATUS_PORT']), '0.0.0.0', r));
    try {
      demo = runDemo(env);
      expect(await demo.exited).toBe(1);
      expect(demo.out()).toContain(`port ${(blocker.address() as AddressInfo).port} (MLB_STATUS_PORT) is not free`);
      expect(demo.out()).toContain('== build is up to date (skipped)');
      expect(demo.out()).not.toContain('== Running');
      expect(demo.out()).not.toContain('== Marathon emulator');
    } finally {
      blocker.close();
    }
  }, 120_000);
});
