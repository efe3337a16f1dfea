// The container: the `run` entrypoint's contract (marathon-lb's `run sse|poll`), then the real
// image built with buildah from docker/Dockerfile, run on the host network against the Marathon
// emulator, with traffic sent through the HAProxy inside it to real task servers.
//
// The image part is slow (a cold build takes minutes on two cores), so it is its own step of
// .ci/run (scripts/test-container), not part of `npm test`. It needs root and the container tools
// in ../shared/tools beside the checkout; without them it is reported as skipped by name, except
// under CI=true, where it fails instead. Every image it makes is removed when it ends (buildah's
// vfs storage keeps a full copy of each, gigabytes after a few runs).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { request, waitFor } from '../emulator/http-client.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUN = join(ROOT, 'run');
/** The container tools live in shared/ beside the checkout (CI copies shared/ there too). */
const TOOLS = join(ROOT, '..', 'shared', 'tools');
const CONTAINER_BASE = join(TOOLS, 'container-base');
const CONTAINER_RUN = join(TOOLS, 'container-run');
const IMAGE = 'marathon-lb';
const SYNOPSIS = 'usage: run sse|poll|event';

interface Finished { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Run a command to completion (bounded), collecting its output. */
function runToEnd(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
  });
}

// ---------------------------------------------------------------------------------------------
// The run script, with a stand-in controller (MARATHON_LB_CLI) that reports what it was given.

describe('run: the container entrypoint contract', () => {
  let dir: string;
  let fakeCli: string;

  interface FakeReport { argv: string[]; execArgv: string[]; cwd: string; password: string | null; user: string | null; pollEnv: string | null }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlb-run-'));
    fakeCli = join(dir, 'fake-cli.mjs');
    await writeFile(fakeCli, [
      "const e = process.env;",
      "const report = { argv: process.argv.slice(2), execArgv: process.execArgv, cwd: process.cwd(), password: e.MARATHON_PASSWORD ?? null, user: e.MARATHON_USER ?? null, pollEnv: e.POLL_INTERVAL ?? null };",
      "process.stdout.write('FAKE ' + JSON.stringify(report) + '\\n');",
    ].join('\n'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The environment the script sees: only PATH and what the test sets (no stray PORTS etc.). */
  function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', TMPDIR: dir, MARATHON_LB_CLI: fakeCli, ...extra };
  }

  async function runScript(args: string[], extra: Record<string, string> = {}, cwd = dir): Promise<Finished & { report?: FakeReport }> {
    const r = await runToEnd(RUN, args, { env: env(extra), cwd });
    const line = r.stdout.split('\n').find((l) => l.startsWith('FAKE '));
    return line ? { ...r, report: JSON.parse(line.slice(5)) as FakeReport } : r;
  }

  test.each<[string, string[]]>([
    ['no mode', []],
    ['an unknown mode', ['bogus', '--group', 'external']],
    ['a flag where the mode belongs', ['--group', 'external']],
    ['the old --sse spelling without a mode', ['--sse']],
  ])('%s: exit 1 with the synopsis, the controller never starts', async (_name, args) => {
    const r = await runScript(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(SYNOPSIS);
    expect(r.report).toBeUndefined();
  });

  test('sse: the mode first, marathon-lb\'s defaults, then the user\'s flags (so the user\'s win)', async () => {
    const r = await runScript(['sse', '--group', 'external', '--ssl-certs', '/certs/a.pem', '--status-port', '0']);
    expect(r.code).toBe(0);
    expect(r.report?.argv).toEqual([
      'sse',
      '--haproxy-config', '/marathon-lb/haproxy.cfg',
      '--supervise-haproxy',
      '--run-dir', '/var/run/haproxy',
      '--status-port', '9092',
      '--ssl-certs', '/etc/ssl/cert.pem',
      '--group', 'external', '--ssl-certs', '/certs/a.pem', '--status-port', '0',
    ]);
    // Through bin/marathon-lb, which sizes V8's worker pool.
    expect(r.report?.execArgv).toEqual([expect.stringMatching(/^--v8-pool-size=[1-4]$/)]);
  });

  test('event passes through as the legacy callback mode', async () => {
    const r = await runScript(['event', '--group', 'external', '--listening', 'http://127.0.0.1:8090']);
    expect(r.code).toBe(0);
    expect(r.report?.argv[0]).toBe('event');
    expect(r.report?.argv.slice(-4)).toEqual(['--group', 'external', '--listening', 'http://127.0.0.1:8090']);
  });

  test('PORTS is not required (marathon-lb refused to start without it) and is only logged', async () => {
    const without = await runScript(['sse', '--group', 'external']);
    expect(without.code).toBe(0);
    expect(without.stdout).not.toContain('PORTS');
    const withPorts = await runScript(['sse', '--group', 'external'], { PORTS: '80,443' });
    expect(withPorts.code).toBe(0);
    expect(withPorts.stdout).toContain('PORTS=80,443');
    expect(withPorts.report?.argv.join(' ')).not.toContain('80,443');
  });

  test('MARATHON_USER/MARATHON_PASSWORD become a 0600 credential file; the password is never in argv, logs or the controller\'s env', async () => {
    const password = 's3cr:et with spaces';
    const r = await runScript(['sse', '--group', 'external'], { MARATHON_USER: 'alice', MARATHON_PASSWORD: password });
    expect(r.code).toBe(0);
    const argv = r.report?.argv ?? [];
    const i = argv.indexOf('--marathon-auth-credential-file');
    expect(i).toBeGreaterThan(0);
    const file = argv[i + 1]!;
    expect(file.startsWith(dir)).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe(`alice:${password}\n`);
    // The user's own flags come after it, so an explicit --marathon-auth-credential-file wins.
    expect(argv.indexOf('--group')).toBeGreaterThan(i);
    expect(argv.join(' ')).not.toContain('s3cr');
    expect(r.stdout + r.stderr).not.toContain('s3cr');
    expect(r.report?.password).toBeNull();
    expect(r.report?.user).toBe('alice');
  });

  test('only one of MARATHON_USER/MARATHON_PASSWORD: no credentials at all', async () => {
    const r = await runScript(['sse', '--group', 'external'], { MARATHON_USER: 'alice' });
    expect(r.code).toBe(0);
    expect(r.report?.argv).not.toContain('--marathon-auth-credential-file');
  });

  test('POLL_INTERVAL sets --poll-interval in poll mode only, before the user\'s flags', async () => {
    const poll = await runScript(['poll', '--group', 'external', '--poll-interval', '3'], { POLL_INTERVAL: '7' });
    expect(poll.code).toBe(0);
    const argv = poll.report?.argv ?? [];
    expect(argv.indexOf('7')).toBe(argv.indexOf('--poll-interval') + 1);
    expect(argv.lastIndexOf('--poll-interval')).toBeGreaterThan(argv.indexOf('7'));
    const sse = await runScript(['sse', '--group', 'external'], { POLL_INTERVAL: '7' });
    expect(sse.report?.argv).not.toContain('--poll-interval');
  });

  test('$MESOS_SANDBOX/templates are copied into ./templates, where the controller reads overrides', async () => {
    const work = join(dir, 'work');
    const sandbox = join(dir, 'sandbox');
    await mkdir(join(sandbox, 'templates'), { recursive: true });
    await mkdir(work, { recursive: true });
    await writeFile(join(sandbox, 'templates', 'HAPROXY_HTTP_FRONTEND_HEAD'), 'frontend custom\n');
    const r = await runScript(['sse', '--group', 'external'], { MESOS_SANDBOX: sandbox }, work);
    expect(r.code).toBe(0);
    expect(r.report?.cwd).toBe(work);
    expect(await readFile(join(work, 'templates', 'HAPROXY_HTTP_FRONTEND_HEAD'), 'utf8')).toBe('frontend custom\n');
  });

  test('a MESOS_SANDBOX without templates/ changes nothing', async () => {
    const work = join(dir, 'work-empty');
    await mkdir(work, { recursive: true });
    const r = await runScript(['sse', '--group', 'external'], { MESOS_SANDBOX: join(dir, 'no-such-sandbox') }, work);
    expect(r.code).toBe(0);
    expect(existsSync(join(work, 'templates'))).toBe(false);
  });

  test('HAPROXY_SYSCTL_PARAMS: a failing sysctl aborts the start, unless HAPROXY_SYSCTL_NONSTRICT', async () => {
    const strict = await runScript(['sse', '--group', 'external'], { HAPROXY_SYSCTL_PARAMS: 'mlb.no.such.key=1' });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('sysctl failed');
    expect(strict.report).toBeUndefined();
    const lenient = await runScript(['sse', '--group', 'external'], { HAPROXY_SYSCTL_PARAMS: 'mlb.no.such.key=1', HAPROXY_SYSCTL_NONSTRICT: 'true' });
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain('HAPROXY_SYSCTL_NONSTRICT');
    expect(lenient.report?.argv[0]).toBe('sse');
  });

  test('with the real controller: `run poll --dry` prints the config for the emulator\'s apps', async () => {
    const cli = join(ROOT, 'dist', 'cli.js');
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
    const emu = await startEmulator({ taskServers: 'none' });
    try {
      const svc = await freePort();
      await emu.putApp({ id: '/dry', instances: 1, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: svc }] });
      const r = await runToEnd(RUN, [
        'poll', '--dry', '--group', 'external', '--marathon', emu.url,
        '--haproxy-config', join(dir, 'dry', 'haproxy.cfg'), '--run-dir', join(dir, 'dry', 'run'),
        '--ssl-certs', join(dir, 'dry', 'cert.pem'), '--status-port', '0', '--log-level', 'ERROR',
      ], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', TMPDIR: dir, POLL_INTERVAL: '5' }, cwd: dir, timeoutMs: 60_000 });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`bind *:${svc}`);
      expect(r.stdout).toMatch(/backend dry_\d+/);
      expect(existsSync(join(dir, 'dry', 'haproxy.cfg'))).toBe(false);
    } finally {
      await emu.close();
    }
  }, 90_000);
});

// ---------------------------------------------------------------------------------------------
// The image itself.

const inCi = process.env['CI'] === 'true';
const haveTools = process.getuid?.() === 0 && existsSync(CONTAINER_BASE) && existsSync(CONTAINER_RUN);
const describeImage = haveTools || inCi ? describe : describe.skip;
const imageSuite = haveTools || inCi
  ? 'container image (buildah)'
  : `container image (SKIPPED: needs root and ${TOOLS}; CI=true makes this fail instead)`;

const buildah = (args: readonly string[], timeoutMs?: number) =>
  runToEnd('buildah', ['--storage-driver', 'vfs', ...args], timeoutMs === undefined ? {} : { timeoutMs });

/** Every image id in buildah's vfs storage (intermediate ones included). */
async function imageIds(): Promise<Set<string>> {
  const r = await buildah(['images', '--all', '--quiet', '--no-trunc']);
  return new Set(r.code === 0 ? r.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '') : []);
}

/** pid -> parent pid for every process, from /proc. */
function processTable(): Map<number, { ppid: number; cmdline: string; state: string }> {
  const table = new Map<number, { ppid: number; cmdline: string; state: string }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const statText = readFileSync(`/proc/${name}/stat`, 'utf8');
      const rest = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      table.set(Number(name), { state: rest[0] ?? '?', ppid: Number(rest[1]), cmdline });
    } catch {
      // the process ended while we looked
    }
  }
  return table;
}

function descendants(root: number): Map<number, string> {
  const table = processTable();
  const out = new Map<number, string>();
  const queue = [root];
  while (queue.length > 0 && out.size < 1000) {
    const pid = queue.shift()!;
    for (const [child, info] of table) {
      if (info.ppid === pid && !out.has(child)) { out.set(child, info.cmdline); queue.push(child); }
    }
  }
  return out;
}

function alive(pid: number): boolean {
  const info = processTable().get(pid);
  return info !== undefined && info.state !== 'Z';
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`container-run did not exit within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal }); });
  });
}

function httpsThrough(port: number, servername: string, host: string): Promise<{ status: number; body: string; cert: PeerCertificate }> {
  return new Promise((resolve, reject) => {
    const req = httpsGet({ host: '127.0.0.1', port, path: '/', servername, headers: { Host: host }, rejectUnauthorized: false, agent: false, timeout: 5000 }, (res) => {
      const cert = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cert }));
    });
    req.on('timeout', () => req.destroy(new Error('https timeout')));
    req.on('error', reject);
  });
}

function peerCertificate(port: number, servername: string): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      resolve(cert);
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('tls timeout')));
    socket.on('error', reject);
  });
}

describeImage(imageSuite, () => {
  let WEB_PORT = 0;
  let dir: string;
  let imagesBefore: Set<string> | undefined;
  let emu: Emulator | undefined;
  let container: ChildProcess | undefined;
  let output = '';
  const ports = { http: 0, https: 0, admin: 0, appid: 0, status: 0, site: 0 };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlb-image-'));
    const base = await runToEnd(CONTAINER_BASE, [], { timeoutMs: 5 * 60_000 });
    if (base.code !== 0) throw new Error(`container-base failed (${base.code}):\n${base.stdout}\n${base.stderr}`);
    // container-base installs buildah when missing: only now can the images be listed.
    imagesBefore = await imageIds();
    // As ../shared/tools/README.md, plus the registry's CA as a build secret when Node is told
    // about an extra CA (TLS-inspecting egress). No --layers: the images are removed afterwards,
    // so cached layers would only fill the disk.
    const ca = process.env['NODE_EXTRA_CA_CERTS'];
    const secret = ca && existsSync(ca) ? ['--secret', `id=npm_ca,src=${ca}`] : [];
    const build = await runToEnd('buildah', [
      '--storage-driver', 'vfs', 'bud', '--isolation', 'chroot', '--network', 'host', '--pull-never',
      ...secret, '-f', 'docker/Dockerfile', '-t', IMAGE, '.',
    ], { cwd: ROOT, timeoutMs: 13 * 60_000 });
    await writeFile(join(dir, 'build.log'), build.stdout + build.stderr);
    if (build.code !== 0) throw new Error(`image build failed (${build.code}):\n${(build.stdout + build.stderr).slice(-4000)}`);
  }, 15 * 60_000);

  afterAll(async () => {
    if (container && container.exitCode === null && container.signalCode === null && container.pid) {
      // The test failed before a clean stop: take the whole tree down.
      for (const pid of [...descendants(container.pid).keys()].reverse()) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
      try { process.kill(-container.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    await emu?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    // Remove every image this build made (the tagged one and any intermediate stage). The base
    // that container-base makes once stays: it stands in for a registry's node:20-bookworm-slim.
    if (imagesBefore !== undefined) {
      const made = [...(await imageIds())].filter((id) => !imagesBefore!.has(id));
      await buildah(['rmi', '--force', IMAGE]);
      for (const id of made) await buildah(['rmi', '--force', id]);
      const left = [...(await imageIds())].filter((id) => !imagesBefore!.has(id));
      expect(left).toEqual([]);
    }
  }, 120_000);

  test('a bad mode: the image\'s entrypoint prints the synopsis and exits 1', async () => {
    const r = await runToEnd(CONTAINER_RUN, [IMAGE, 'bogus'], { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(SYNOPSIS);
  }, 150_000);

  test('sse against Marathon: HTTP by service port and vhost, :443 with the self-signed cert, health check; SIGTERM stops everything', async () => {
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    WEB_PORT = await freePort();
    if (!(await portIsFree(WEB_PORT))) throw new Error(`port ${WEB_PORT} is in use; the web app's service port must be free`);

    emu = await startEmulator({ taskServers: 'inprocess' });
    await emu.putApp({ id: '/web', instances: 2, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: WEB_PORT, name: 'http' }] });
    await emu.putApp({ id: '/site', instances: 1, labels: { HAPROXY_GROUP: 'external', HAPROXY_0_VHOST: 'site.example.com' }, portDefinitions: [{ port: ports.site, name: 'http' }] });
    const webTasks = new Set(emu.tasks('/web').map((t) => t.id));
    const siteTask = emu.tasks('/site')[0]!.id;
    expect(webTasks.size).toBe(2);

    // detached: its own process group, so a failed test can still take the whole tree down.
    container = spawn(CONTAINER_RUN, [
      IMAGE, 'sse', '--group', 'external', '--marathon', emu.url,
      '--http-port', String(ports.http), '--https-port', String(ports.https),
      '--admin-port', String(ports.admin), '--appid-port', String(ports.appid), '--status-port', String(ports.status),
      '--log-level', 'DEBUG',
    ], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    container.stdout?.on('data', (c: Buffer) => { output += c.toString(); });
    container.stderr?.on('data', (c: Buffer) => { output += c.toString(); });
    const logTail = (): string => output.slice(-3000);

    // Service port: both tasks answer in turn.
    const seen = new Set<string>();
    try {
      await waitFor(async () => {
        if (container?.exitCode !== null) throw new Error(`container exited (${container?.exitCode})`);
        const r = await request(`http://127.0.0.1:${WEB_PORT}/`, { timeoutMs: 2000 });
        if (r.status === 200) seen.add(r.body.trim());
        return seen.size >= 2;
      }, `both /web tasks answering through the container on :${WEB_PORT}`, 180_000, 250);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- container output ---\n${logTail()}`);
    }
    expect(seen).toEqual(webTasks);

    // Vhost on the HTTP frontend.
    const byHost = await request(`http://127.0.0.1:${ports.http}/`, { headers: { Host: 'site.example.com' } });
    expect(byHost.status).toBe(200);
    expect(byHost.body.trim()).toBe(siteTask);

    // :443 terminates TLS with the self-signed certificate the controller made, and routes by SNI/Host.
    const cert = await peerCertificate(ports.https, 'site.example.com');
    expect(cert.subject?.CN).toBe('*');
    expect(cert.issuer?.CN).toBe('*');
    const tls = await httpsThrough(ports.https, 'site.example.com', 'site.example.com');
    expect(tls.status).toBe(200);
    expect(tls.body.trim()).toBe(siteTask);

    // HAProxy's monitor URI on the admin port (Marathon's health check for the LB app).
    const health = await request(`http://127.0.0.1:${ports.admin}/_haproxy_health_check`);
    expect(health.status).toBe(200);

    // Stop like `docker stop`: SIGTERM to the container's init. tini forwards it to the controller,
    // which stops HAProxy and exits; then buildah and container-run exit and remove the container.
    // (Signalling container-run itself would only end its bash: it does not forward signals.)
    const tree = descendants(container.pid!);
    const tini = [...tree].find(([, cmd]) => cmd.startsWith('/usr/bin/tini'))?.[0];
    expect(tini).toBeDefined();
    expect([...tree.values()].some((cmd) => /haproxy.* -f \/marathon-lb\/haproxy\.cfg/.test(cmd))).toBe(true);
    process.kill(tini!, 'SIGTERM');
    const exit = await waitForExit(container, 60_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(output).toContain('"msg":"shutting down"');
    // The image's build made V8's code cache with the image's own Node, and the controller took it.
    expect(output).toContain('"codeCache":"used"');

    // Nothing the container started is left: not the controller, not an HAProxy master or worker.
    const left = await waitFor(() => [...tree.keys()].every((pid) => !alive(pid)) || undefined, 'every container process to end', 10_000, 100)
      .catch(() => [...tree].filter(([pid]) => alive(pid)));
    expect(left).toBe(true);
    const strays = [...processTable().values()].filter((p) => p.cmdline.includes(emu!.url) || p.cmdline.includes('/marathon-lb/haproxy.cfg'));
    expect(strays).toEqual([]);
  }, 300_000);
});
