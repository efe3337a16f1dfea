// Synthesizes a Marathon cluster of N apps with a realistic mix of shapes, deterministically
// (fixed seed), so benchmark numbers compare across runs and machines.
//
// The mix, per app: mostly 1 service port and 3 tasks; some with 2-3 ports; ~40% with vhosts on
// their first port (a quarter of those with several), and among vhost ports some with a path,
// basic auth, an https redirect or sticky sessions; ~55% with an HTTP health check, ~10% TCP;
// a few in another LB group (normalize skips them, as a real shared Marathon would make it do).

import type { Resolver, WireApp, WireHealthCheck, WireTask } from '../src/model/index.js';
import { wireApp } from '../test/support/wire-builders.js';
import { seededPrng, type Prng } from './prng.js';

export const DEFAULT_SEED = 0x5eed1b;

export interface Cluster {
  readonly apps: WireApp[];
  /** Agent host name -> IP, as the controller's DNS cache would answer. */
  readonly resolve: Resolver;
  readonly taskCount: number;
}

const TEAMS = ['payments', 'search', 'identity', 'catalog', 'media', 'ops', 'ads', 'checkout', 'mobile', 'data'];
const KINDS = ['api', 'web', 'worker', 'gateway', 'cache', 'db-proxy', 'frontend', 'events', 'auth', 'reports'];
const DOMAINS = ['example.com', 'example.org', 'corp.example.net'];
// A fixed crypt(3)-shaped hash: HAProxy only needs the shape; nothing here checks a password.
const AUTH_HASH = '$5$benchsalt$0dXVsbHl1bmltcG9ydGFudGhhc2hmb3JiZW5jaG1hcmtz';

function weighted<T>(rng: Prng, table: readonly (readonly [number, T])[]): T {
  let r = rng.next() * table.reduce((sum, [w]) => sum + w, 0);
  for (const [w, value] of table) {
    r -= w;
    if (r < 0) return value;
  }
  return table[table.length - 1]![1];
}

function healthChecks(rng: Prng): WireHealthCheck[] {
  const kind = weighted(rng, [[55, 'HTTP'], [10, 'TCP'], [35, 'none']] as const);
  if (kind === 'none') return [];
  const base = { portIndex: 0, gracePeriodSeconds: 300, intervalSeconds: rng.pick([5, 10, 30]), timeoutSeconds: 5, maxConsecutiveFailures: 3 };
  return kind === 'HTTP' ? [{ protocol: 'HTTP', path: rng.pick(['/health', '/ping', '/status', '/_health']), ...base }] : [{ protocol: 'TCP', ...base }];
}

/** Labels of one service port with vhost routing, in the styles operators actually use. */
function vhostLabels(rng: Prng, index: number, name: string, team: string): Record<string, string> {
  const domain = rng.pick(DOMAINS);
  const count = rng.chance(0.25) ? rng.int(2, 3) : 1;
  const vhosts = [`${name}.${domain}`, `${name}.${team}.${domain}`, `www.${name}.${domain}`].slice(0, count);
  const labels: Record<string, string> = { [`HAPROXY_${index}_VHOST`]: vhosts.join(',') };
  if (rng.chance(0.2)) labels[`HAPROXY_${index}_PATH`] = rng.pick(['/api', '/v2', '/static', '/admin']);
  if (rng.chance(0.08)) labels[`HAPROXY_${index}_AUTH`] = `${team}:admin:${AUTH_HASH}`;
  if (rng.chance(0.15)) labels[`HAPROXY_${index}_REDIRECT_TO_HTTPS`] = 'true';
  if (rng.chance(0.05)) labels[`HAPROXY_${index}_STICKY`] = 'true';
  return labels;
}

function portLabels(rng: Prng, index: number, name: string, team: string): Record<string, string> {
  const wantsVhost = index === 0 ? rng.chance(0.4) : rng.chance(0.3);
  const labels = wantsVhost ? vhostLabels(rng, index, name, team) : {};
  if (rng.chance(0.05)) labels[`HAPROXY_${index}_BALANCE`] = 'leastconn';
  return labels;
}

export function synthesizeCluster(appCount: number, seed = DEFAULT_SEED): Cluster {
  const rng = seededPrng(seed);
  // About 8 apps' worth of tasks per agent, like a moderately packed cluster.
  const agents = Array.from({ length: Math.max(8, Math.ceil(appCount / 8)) }, (_, i) => ({
    name: `agent-${String(i).padStart(5, '0')}.dc1.example.internal`,
    ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  }));
  const ipByName = new Map(agents.map((a) => [a.name, a.ip]));
  const apps: WireApp[] = [];
  let nextServicePort = 10000;
  let taskCount = 0;
  for (let n = 0; n < appCount; n += 1) {
    const team = rng.pick(TEAMS);
    const name = `${rng.pick(KINDS)}-${n}`;
    const id = `/${team}/${name}`;
    const portCount = weighted(rng, [[87, 1], [10, 2], [3, 3]] as const);
    const instances = weighted(rng, [[70, 3], [12, 1], [5, 2], [10, 5], [3, 10]] as const);
    const ports = Array.from({ length: portCount }, () => nextServicePort++);
    let labels: Record<string, string> = { HAPROXY_GROUP: rng.chance(0.03) ? 'internal' : 'external' };
    for (let i = 0; i < portCount; i += 1) labels = { ...labels, ...portLabels(rng, i, name, team) };
    const checks = healthChecks(rng);
    const app = wireApp({ id, ports, labels, healthChecks: checks, tasks: Array.from({ length: instances }, () => ports) });
    // Spread the tasks over distinct agents with random host ports, as Mesos would place them.
    const first = rng.int(0, agents.length - 1);
    const tasks: WireTask[] = (app.tasks ?? []).map((t, i) => {
      const agent = agents[(first + i * 7) % agents.length]!;
      const hostPort = rng.int(1025, 32000);
      return { ...t, host: agent.name, ports: ports.map((_, k) => hostPort + k), ipAddresses: [{ ipAddress: agent.ip, protocol: 'IPv4' }] };
    });
    taskCount += tasks.length;
    apps.push({ ...app, tasks });
  }
  return { apps, resolve: (host) => ipByName.get(host), taskCount };
}
