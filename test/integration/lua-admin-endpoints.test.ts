// The :9090 admin endpoints served by a real HAProxy 2.6 with our Lua services and the
// controller's real status server behind it, using the same `global` + `listen stats` shape the
// default HEAD renders (plus the signal lines of a HEAD written for marathon-lb).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { createMetrics, createSignalEndpoint, startStatusServer, type SignalName, type StatusServer } from '../../src/admin/index.js';
import { HEALTHY } from '../unit/admin/sample-snapshot.js';

const HAPROXY = process.env['HAPROXY_BIN'] ?? '/usr/sbin/haproxy';
const LUA_DIR = resolve('lua');

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Polls `check` until it returns a value (not undefined), at most `timeoutMs`. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let attempt = 0; attempt < 1000 && Date.now() < deadline; attempt++) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}: ${String(lastError)}`);
}

function adminConfig(dir: string, ports: { admin: number; oldHead: number; status: number }): string {
  return `global
  stats socket ${dir}/haproxy.sock mode 600 level admin expose-fd listeners
  setenv MLB_STATUS_PORT ${ports.status}
  lua-load ${LUA_DIR}/getpids.lua
  lua-load ${LUA_DIR}/getconfig.lua
  lua-load ${LUA_DIR}/getmaps.lua
  lua-load ${LUA_DIR}/signalmlb.lua
defaults
  mode http
  timeout connect 3s
  timeout client 30s
  timeout server 30s
listen stats
  bind 127.0.0.1:${ports.admin}
  mode http
  stats enable
  monitor-uri /_haproxy_health_check
  http-request use-service prometheus-exporter if { path /metrics }
  http-request use-service lua.getpids if { path /_haproxy_getpids }
  http-request use-service lua.getvhostmap if { path /_haproxy_getvhostmap }
  http-request use-service lua.getappmap if { path /_haproxy_getappmap }
  http-request use-service lua.getconfig if { path /_haproxy_getconfig }
  use_backend mlb_controller if { path_beg /_mlb_status } || { path /_mlb_metrics } || { path_beg /_mlb_signal/ }
# The signal lines of a HAPROXY_HEAD written for marathon-lb, served by the Lua shim.
listen old_head
  bind 127.0.0.1:${ports.oldHead}
  mode http
  http-request use-service lua.signalmlbhup if { path /_mlb_signal/hup }
  http-request use-service lua.signalmlbusr1 if { path /_mlb_signal/usr1 }
backend mlb_controller
  mode http
  server controller 127.0.0.1:${ports.status}
`;
}

interface Harness {
  dir: string;
  base: string;
  oldHeadBase: string;
  haproxy: ChildProcess;
  statusServer: StatusServer;
  statusPort: number;
  /** The signals the controller's endpoint ran, in order. */
  taken: SignalName[];
}

let h: Harness;

async function get(path: string, base = h.base): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(base + path);
  return { status: response.status, body: await response.text(), headers: response.headers };
}

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mlb-lua-'));
  const [admin, oldHead] = [await freePort(), await freePort()];
  // The controller's real status server, with actions that only record what they were asked.
  const taken: SignalName[] = [];
  const statusServer = await startStatusServer({
    host: '127.0.0.1', port: 0, metrics: createMetrics(), snapshot: () => HEALTHY,
    signals: createSignalEndpoint({ HUP: () => taken.push('HUP'), USR1: () => taken.push('USR1') }),
  });
  await writeFile(join(dir, 'haproxy.cfg'), adminConfig(dir, { admin, oldHead, status: statusServer.port }));

  const haproxy = spawn(HAPROXY, ['-W', '-f', join(dir, 'haproxy.cfg'), '-p', join(dir, 'haproxy.pid')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  h = { dir, base: `http://127.0.0.1:${admin}`, oldHeadBase: `http://127.0.0.1:${oldHead}`, haproxy, statusServer, statusPort: statusServer.port, taken };
  await waitFor('haproxy admin port', async () => ((await get('/_haproxy_health_check')).status === 200 ? true : undefined));
});

afterAll(async () => {
  if (h === undefined) return;
  h.haproxy.kill('SIGTERM');
  await h.statusServer.close().catch(() => undefined); // the last test closes it already
  await once(h.haproxy, 'exit');
  await rm(h.dir, { recursive: true, force: true });
});

describe('HAProxy built-in endpoints in the stats section', () => {
  test('health check answers 200 from HAProxy itself', async () => {
    const r = await get('/_haproxy_health_check');
    expect(r.status).toBe(200);
  });

  test('stats page as HTML and as CSV', async () => {
    const html = await get('/haproxy?stats');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(html.body).toContain('Statistics Report');

    const csv = await get('/haproxy?stats;csv');
    expect(csv.status).toBe(200);
    const [header, ...rows] = csv.body.trim().split('\n');
    expect(header).toMatch(/^# pxname,svname,/);
    expect(rows.some((row) => row.startsWith('stats,FRONTEND,'))).toBe(true);
    expect(rows.some((row) => row.startsWith('mlb_controller,controller,'))).toBe(true);
  });

  test('/metrics is valid Prometheus text with HAProxy families', async () => {
    const r = await get('/metrics');
    expect(r.status).toBe(200);
    const types = new Map<string, string>();
    const samples: { name: string; labels: string; value: number }[] = [];
    for (const line of r.body.split('\n')) {
      if (line === '' || line.startsWith('# HELP')) continue;
      const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (type) {
        types.set(type[1]!, type[2]!);
        continue;
      }
      const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
      if (!sample) throw new Error(`not a Prometheus sample line: ${line}`);
      const raw = sample[3]!;
      // The text format spells infinities +Inf/-Inf, which Number() does not read.
      // HAProxy writes NaN for values it cannot know (zlib memory without zlib), which is legal.
      const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : Number(raw);
      if (raw !== 'NaN' && Number.isNaN(value)) throw new Error(`not a sample value: ${line}`);
      samples.push({ name: sample[1]!, labels: sample[2] ?? '', value });
    }
    expect(samples.length).toBeGreaterThan(20);
    for (const s of samples) {
      // Histograms' samples carry _bucket/_sum/_count suffixes on their family's name.
      expect(types.has(s.name) || types.has(s.name.replace(/_(bucket|sum|count)$/, ''))).toBe(true);
    }
    expect(types.get('haproxy_process_nbthread')).toBe('gauge');
    expect(samples.some((s) => s.name === 'haproxy_frontend_http_requests_total' && s.labels.includes('proxy="stats"'))).toBe(true);
  });

  test('/_mlb_status and /_mlb_metrics are passed to the controller', async () => {
    expect(JSON.parse((await get('/_mlb_status')).body)).toMatchObject({ version: HEALTHY.version });
    expect((await get('/_mlb_status.html')).body).toContain('<title>marathon-lb status</title>');
    expect((await get('/_mlb_metrics')).body).toMatch(/^marathon_lb_reconcile_total/m);
  });
});

describe('Lua services', () => {
  test('getconfig returns the file this generation loaded, not a newer file on disk', async () => {
    const cfgPath = join(h.dir, 'haproxy.cfg');
    const loaded = await readFile(cfgPath, 'utf8');
    const r = await get('/_haproxy_getconfig');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain');
    expect(r.headers.get('content-length')).toBe(String(Buffer.byteLength(loaded)));
    expect(r.body).toBe(loaded);

    // Written but not applied: the endpoint still shows what runs.
    await writeFile(cfgPath, loaded + '# not yet loaded\n');
    expect((await get('/_haproxy_getconfig')).body).toBe(loaded);
    await writeFile(cfgPath, loaded);
  });

  test('getvhostmap/getappmap read the current map files per request, empty when missing', async () => {
    await rm(join(h.dir, 'domain2backend.map'), { force: true });
    const missing = await get('/_haproxy_getvhostmap');
    expect(missing.status).toBe(200);
    expect(missing.body).toBe('');
    expect((await get('/_haproxy_getappmap')).body).toBe('');

    await writeFile(join(h.dir, 'domain2backend.map'), 'app.example.com nginx_10000\n');
    await writeFile(join(h.dir, 'app2backend.map'), '/nginx nginx_10000\n');
    expect((await get('/_haproxy_getvhostmap')).body).toBe('app.example.com nginx_10000\n');
    expect((await get('/_haproxy_getappmap')).body).toBe('/nginx nginx_10000\n');

    await writeFile(join(h.dir, 'domain2backend.map'), 'other.example.com other_10001\n');
    expect((await get('/_haproxy_getvhostmap')).body).toBe('other.example.com other_10001\n');
  });

  test('getpids lists this instance\'s master and worker, all of them haproxy processes', async () => {
    const r = await get('/_haproxy_getpids');
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/^\d+( \d+)*$/);
    const pids = r.body.split(' ').map(Number);
    expect(pids).toContain(h.haproxy.pid);
    expect(pids.length).toBeGreaterThanOrEqual(2); // master + at least one worker
    for (const pid of pids) {
      expect((await readFile(`/proc/${pid}/comm`, 'utf8')).trim()).toBe('haproxy');
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
      expect(cmdline).toContain(join(h.dir, 'haproxy.cfg'));
    }
  });
});

describe('signals to the controller', () => {
  test('no Lua service spawns a process or runs a shell (marathon-lb forked pkill and pidof from workers)', async () => {
    const files = (await readdir(LUA_DIR)).filter((f) => f.endsWith('.lua'));
    expect(files).toEqual(expect.arrayContaining(['getpids.lua', 'signalmlb.lua', 'drain.lua']));
    for (const file of files) {
      const code = (await readFile(join(LUA_DIR, file), 'utf8')).split('\n').filter((line) => !/^\s*--/.test(line)).join('\n');
      expect({ file, spawns: /\bio\.popen\b|\bos\.execute\b/.test(code) }).toEqual({ file, spawns: false });
    }
  });

  test('hup and usr1 on :9090 are answered by the controller, which runs them itself', async () => {
    const hup = await get('/_mlb_signal/hup');
    expect([hup.status, hup.body]).toEqual([200, 'Sent SIGHUP signal to marathon-lb']);
    // The controller's own server answered (its security headers), not a Lua service.
    expect(hup.headers.get('x-content-type-options')).toBe('nosniff');
    const usr1 = await get('/_mlb_signal/usr1');
    expect([usr1.status, usr1.body]).toEqual([200, 'Sent SIGUSR1 signal to marathon-lb']);
    expect(h.taken).toEqual(['HUP', 'USR1']);
  });

  test('a flood of 50 hup requests runs only a few; the rest get 429 + Retry-After', async () => {
    h.taken.length = 0;
    const started = Date.now();
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await get('/_mlb_signal/hup');
      statuses.push(r.status);
      if (r.status === 429) expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    const elapsedSeconds = (Date.now() - started) / 1000;
    const sent = statuses.filter((s) => s === 200).length;
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    // At most one per second (plus the window the flood started in).
    expect(sent).toBeLessThanOrEqual(Math.ceil(elapsedSeconds) + 1);
    expect(h.taken).toEqual(statuses.filter((s) => s === 200).map(() => 'HUP'));
  });

  test('a HEAD written for marathon-lb (lua.signalmlbhup) still works: the Lua shim relays to the controller', async () => {
    h.taken.length = 0;
    // Polls past the rate limit the flood left behind.
    const ok = await waitFor('a hup through the shim', async () => {
      const r = await get('/_mlb_signal/hup', h.oldHeadBase);
      return r.status === 200 ? r : undefined;
    });
    expect(ok.body).toBe('Sent SIGHUP signal to marathon-lb');
    const limited = await get('/_mlb_signal/hup', h.oldHeadBase);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.body).toBe('Too many HUP requests; retry in 1s');
    expect((await get('/_mlb_signal/usr1', h.oldHeadBase)).body).toBe('Sent SIGUSR1 signal to marathon-lb');
    expect(h.taken).toEqual(['HUP', 'USR1']);
  });

  test('no controller listening: the shim answers 503 and says why', async () => {
    await h.statusServer.close();
    const r = await get('/_mlb_signal/hup', h.oldHeadBase);
    expect(r.status).toBe(503);
    expect(r.body).toContain(`does not answer on 127.0.0.1:${h.statusPort}`);
  });
});

describe('after a reload through the master', () => {
  test('getconfig shows the new generation and getpids the new worker', async () => {
    const cfgPath = join(h.dir, 'haproxy.cfg');
    const before = (await get('/_haproxy_getpids')).body.split(' ').map(Number);
    const next = (await readFile(cfgPath, 'utf8')) + '# generation 2\n';
    await writeFile(cfgPath, next);
    h.haproxy.kill('SIGUSR2'); // master-worker reload
    await waitFor('new generation config', async () => ((await get('/_haproxy_getconfig')).body === next ? true : undefined));
    const after = (await get('/_haproxy_getpids')).body.split(' ').map(Number);
    expect(after).toContain(h.haproxy.pid);
    expect(after.some((pid) => !before.includes(pid))).toBe(true);
  });
});
