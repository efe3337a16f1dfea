// /_mlb_drain and the admin plane under load, on a real HAProxy 2.6 in master-worker mode.
// Drain: per-server state and sessions of one backend, summed over the current worker and old
// workers still finishing connections after a reload. Load: polling the :9090 endpoints while
// traffic flows must not fail a single request (marathon-lb's popen-based getpids did), the
// signal endpoints included: HAProxy passes those to the controller's status server.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { createMetrics, createSignalEndpoint, startStatusServer, type StatusServer } from '../../src/admin/index.js';
import { request } from '../emulator/http-client.js';
import { HEALTHY } from '../unit/admin/sample-snapshot.js';
import { findHaproxy, freePorts, httpGet, tempDir, waitFor } from '../support/haproxy.js';
import { startRequestLoop } from '../support/request-loop.js';

const LUA_DIR = resolve('lua');
const d = findHaproxy() ? describe : describe.skip;

/** Answers with its name, after `?delay=<ms>` if asked. */
async function upstream(name: string): Promise<{ port: number; server: Server }> {
  const server = createServer((req, res) => {
    const m = /[?&]delay=(\d+)/.exec(req.url ?? '');
    const t = setTimeout(() => res.end(name), m ? Number(m[1]) : 0);
    res.on('close', () => clearTimeout(t));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, server };
}

function cli(socket: string, command: string): Promise<string> {
  return new Promise((res, rej) => {
    const c = createConnection(socket);
    let out = '';
    c.on('data', (b) => { out += b.toString(); });
    c.on('end', () => res(out));
    c.on('error', rej);
    c.on('connect', () => c.end(`${command}\n`));
  });
}

d('/_mlb_drain and the :9090 endpoints under load', () => {
  let dir: string;
  let haproxy: ChildProcess;
  let admin: number;
  let front: number;
  let ups: Array<{ port: number; server: Server }>;
  let controller: StatusServer;
  const taken = { HUP: 0, USR1: 0 };
  const adminSocket = () => join(dir, 'socket');
  const drain = async (backend = 'web') => (await request(`http://127.0.0.1:${admin}/_mlb_drain?backend=${backend}`)).body;

  beforeAll(async () => {
    dir = await tempDir('mlb-drain-');
    [admin, front] = (await freePorts(2)) as [number, number];
    ups = [await upstream('s1'), await upstream('s2'), await upstream('o1')];
    // The controller's status server with its real signal endpoint (and rate limit). A resync
    // reads HAProxy's servers back, as the controller's full pass does; a reload is counted only
    // (reloads under traffic are the zdd tests' subject, and would change this file's workers).
    controller = await startStatusServer({
      host: '127.0.0.1', port: 0, metrics: createMetrics(), snapshot: () => HEALTHY,
      signals: createSignalEndpoint({
        HUP: () => { taken.HUP += 1; void cli(adminSocket(), 'show servers state').catch(() => undefined); },
        USR1: () => { taken.USR1 += 1; },
      }),
    });
    // A frontend and a backend of the same name, as the controller renders them.
    await writeFile(join(dir, 'haproxy.cfg'), `global
  stats socket ${adminSocket()} mode 600 level admin expose-fd listeners
  hard-stop-after 60s
  lua-load ${LUA_DIR}/getpids.lua
  lua-load ${LUA_DIR}/getconfig.lua
  lua-load ${LUA_DIR}/drain.lua
defaults
  mode http
  timeout connect 3s
  timeout client 30s
  timeout server 30s
  option http-server-close
listen stats
  bind 127.0.0.1:${admin}
  http-request use-service lua.getpids if { path /_haproxy_getpids }
  http-request use-service lua.getconfig if { path /_haproxy_getconfig }
  http-request use-service lua.mlbdrain if { path /_mlb_drain }
  use_backend mlb_controller if { path_beg /_mlb_signal/ }
  stats enable
backend mlb_controller
  server controller 127.0.0.1:${controller.port}
frontend web
  bind 127.0.0.1:${front}
  use_backend other if { path_beg /other }
  default_backend web
backend web
  balance roundrobin
  server s1 127.0.0.1:${ups[0]!.port} check inter 1s
  server s2 127.0.0.1:${ups[1]!.port} check inter 1s
backend other
  server o1 127.0.0.1:${ups[2]!.port}
`);
    haproxy = spawn(findHaproxy()!, ['-W', '-S', `${join(dir, 'master.sock')},mode,600`, '-f', join(dir, 'haproxy.cfg')], { stdio: 'ignore' });
    await waitFor('haproxy', async () => (await httpGet(front)).status === 200, 10_000);
  });

  afterAll(async () => {
    if (haproxy && haproxy.exitCode === null) {
      haproxy.kill('SIGTERM');
      await once(haproxy, 'exit');
    }
    for (const u of ups ?? []) { u.server.closeAllConnections(); u.server.close(); }
    await controller?.close();
  });

  it('lists the backend\'s servers (not the same-named frontend) with state and sessions', async () => {
    await waitFor('both servers up', async () => (await drain()) === '# backend web workers 1\ns1 UP 0 0\ns2 UP 0 0\n', 10_000);
    expect((await request(`http://127.0.0.1:${admin}/_mlb_drain`)).status).toBe(400);
    expect(await drain('nosuch')).toBe('# backend nosuch workers 1\n');
  });

  it('a server in maintenance shows its sessions until they end', async () => {
    // Pin a slow request to s1 by taking s2 out first.
    await cli(adminSocket(), 'set server web/s2 state maint');
    const slow = httpGet(front, '/?delay=1500');
    await waitFor('the session on s1', async () => (await drain()).includes('s1 UP 1 0'), 5_000);
    await cli(adminSocket(), 'set server web/s2 state ready');
    await cli(adminSocket(), 'set server web/s1 state maint');
    expect(await drain()).toContain('s1 MAINT 1 0');
    expect((await slow).status).toBe(200);
    await waitFor('s1 drained', async () => (await drain()).includes('s1 MAINT 0 0'), 5_000);
  });

  it('counts sessions an old worker still holds after a reload', async () => {
    await cli(adminSocket(), 'set server web/s1 state ready');
    await cli(adminSocket(), 'set server web/s2 state maint');
    const slow = httpGet(front, '/?delay=3000');
    await waitFor('the session on s1', async () => (await drain()).includes('s1 UP 1 0'), 5_000);
    haproxy.kill('SIGUSR2'); // reload: the old worker keeps the session
    // The new worker starts from the config (s2 ready again) and has no session on s1.
    await waitFor('two workers, the old one busy on s1', async () => /workers 2\ns1 UP 1 0\ns2 UP 0 0\n$/.test(await drain()), 10_000);
    expect((await slow).status).toBe(200);
    await waitFor('the old worker gone', async () => (await drain()) === '# backend web workers 1\ns1 UP 0 0\ns2 UP 0 0\n', 10_000);
  });

  it('0 failed requests at ~300 req/s while getpids, drain, getconfig and both signals are polled 5 times a second each', async () => {
    const loops = [0, 1, 2, 3, 4, 5].map((i) => startRequestLoop(front, {}, 1, 15 + i));
    let polls = 0;
    const pollFailures: string[] = [];
    const signalAnswers = { 200: 0, 429: 0 };
    let polling = true;
    const started = Date.now();
    const poller = (async () => {
      while (polling) {
        for (const path of ['/_haproxy_getpids', '/_mlb_drain?backend=web', '/_haproxy_getconfig', '/_mlb_signal/hup', '/_mlb_signal/usr1']) {
          const r = await request(`http://127.0.0.1:${admin}${path}`).catch((e: Error) => ({ status: 0, body: e.message }));
          polls += 1;
          const signal = path.startsWith('/_mlb_signal/');
          // A signal beyond one a second is refused (429): the endpoint working, not failing.
          if (signal && (r.status === 200 || r.status === 429)) signalAnswers[r.status] += 1;
          else if (r.status !== 200) pollFailures.push(`${path} ${r.status}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const sent = () => loops.reduce((n, l) => n + l.sent(), 0);
    await waitFor('3000 requests', () => sent() >= 3000, 120_000, 200);
    polling = false;
    await poller;
    const seconds = (Date.now() - started) / 1000;
    await Promise.all(loops.map((l) => l.stop()));
    expect(loops.flatMap((l) => l.failures())).toEqual([]);
    expect(pollFailures).toEqual([]);
    expect(polls).toBeGreaterThan(50);
    // Each signal ran about once a second, never more, and every other request got 429.
    for (const n of [taken.HUP, taken.USR1]) {
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    }
    expect(signalAnswers[200]).toBe(taken.HUP + taken.USR1);
    expect(signalAnswers[429]).toBeGreaterThan(0);
  }, 150_000);

  it('getpids names the master and its workers, read without spawning anything', async () => {
    const pids = (await request(`http://127.0.0.1:${admin}/_haproxy_getpids`)).body.split(' ').map(Number);
    expect(pids).toContain(haproxy.pid);
    expect(pids.length).toBe(2);
  });
});
