// The last step of `npm run build`: makes dist/controller.js.cache, V8's code cache for the
// controller's bundle (src/code-cache.ts, src/cli-entry.ts). It runs the controller once as a
// one-shot against a small Marathon served from here (300 apps in the shapes operators label
// them with: vhosts, paths, redirects, sticky sessions, TCP, health checks, several ports), and
// the run writes the cache when it exits: the bytecode of every function that run compiled.
// Then it starts the controller again and checks that V8 takes the cache.
//
// The cache is only for the Node that made it (V8 refuses another version's, and the controller
// then compiles as it always did): the image builds its own, with the Node it runs.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const APPS = 300;

function healthChecks(i) {
  const base = { portIndex: 0, gracePeriodSeconds: 300, intervalSeconds: 10, timeoutSeconds: 5, maxConsecutiveFailures: 3 };
  if (i % 2 === 0) return [{ protocol: 'HTTP', path: '/health', ...base }];
  if (i % 5 === 1) return [{ protocol: 'TCP', ...base }];
  return [];
}

function labels(i, name) {
  const l = { HAPROXY_GROUP: i % 17 === 0 ? 'internal' : 'external' };
  if (i % 3 === 0) {
    l.HAPROXY_0_VHOST = i % 9 === 0 ? `${name}.example.com,www.${name}.example.com` : `${name}.example.com`;
    if (i % 4 === 0) l.HAPROXY_0_PATH = '/api';
    if (i % 10 === 0) l.HAPROXY_0_REDIRECT_TO_HTTPS = 'true';
    if (i % 13 === 0) l.HAPROXY_0_STICKY = 'true';
  }
  if (i % 11 === 0) l.HAPROXY_0_BALANCE = 'leastconn';
  if (i % 7 === 5) l.HAPROXY_0_MODE = 'tcp';
  if (i % 5 === 0) l.HAPROXY_1_VHOST = `admin.${name}.example.com`;
  return l;
}

/** Marathon's /v2/apps?embed=apps.tasks answer for `count` apps, tasks on hosts named by their IPs. */
function apps(count) {
  return Array.from({ length: count }, (_, i) => {
    const name = `app-${i}`;
    const id = `/team-${i % 7}/${name}`;
    const ports = i % 5 === 0 ? [10000 + 2 * i, 10001 + 2 * i] : [10000 + 2 * i];
    const checks = healthChecks(i);
    const tasks = Array.from({ length: 1 + (i % 4) }, (_, t) => {
      const ip = `10.0.${i % 50}.${1 + t}`;
      return {
        id: `${id.slice(1).replace(/\//g, '_')}.task-${t}`, appId: id, host: ip, state: 'TASK_RUNNING',
        ports: ports.map((_, k) => 20000 + 10 * i + k), ipAddresses: [{ ipAddress: ip, protocol: 'IPv4' }],
        startedAt: '2026-01-01T00:00:00.000Z', version: '2026-01-01T00:00:00.000Z',
        ...(checks.length > 0 ? { healthCheckResults: [{ alive: true }] } : {}),
      };
    });
    return {
      id, instances: tasks.length, labels: labels(i, name), networks: [{ mode: 'host' }],
      portDefinitions: ports.map((port) => ({ port, protocol: 'tcp' })), healthChecks: checks, tasks, deployments: [],
    };
  });
}

/** One one-shot run of the controller (not spawnSync: this process serves its Marathon); its log. */
async function runController(url, dir, level, env) {
  const args = [
    join(root, 'dist', 'cli.js'), '--marathon', url, '--group', 'external', '--skip-validation',
    '--haproxy-config', join(dir, 'haproxy.cfg'), '--ssl-certs', join(dir, 'cert.pem'), '--status-port', '0',
    '--log-level', level,
  ];
  try {
    return (await promisify(execFile)(process.execPath, args, { env: { ...process.env, ...env }, timeout: 60_000 })).stderr; // the log
  } catch (err) {
    throw new Error(`the controller's run for the code cache failed (${err.message}):\n${err.stderr ?? ''}${err.stdout ?? ''}`);
  }
}

const body = JSON.stringify({ apps: apps(APPS) });
const server = createServer((req, res) => {
  if (req.url?.startsWith('/v2/apps')) res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  else res.writeHead(404).end();
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const dir = mkdtempSync(join(tmpdir(), 'mlb-code-cache-'));
try {
  const url = `http://127.0.0.1:${server.address().port}`;
  // NODE_OPTIONS would key the cache to flags a plain start does not have.
  await runController(url, dir, 'WARNING', { MARATHON_LB_CODE_CACHE: 'write', NODE_OPTIONS: '' });
  const check = await runController(url, dir, 'DEBUG', { MARATHON_LB_CODE_CACHE: '', NODE_OPTIONS: '' });
  const state = check.match(/"codeCache":"(\w+)"/)?.[1];
  if (state !== 'used') throw new Error(`V8 did not take the code cache just made (state ${state ?? 'not logged'})`);
} finally {
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
