// Server ids are unique within a backend by construction (issue 9: "two servers of one backend
// got the same id", HAProxy's "custom id already used"). Ids come from a hash of the server's
// name, so two names can share one; and a server leaving at run time is retired, not deleted, so
// it keeps its id in HAProxy until the next reload, while the next config may give that id to a
// newcomer. Property: through the real cluster model, renderer, plan and reconcile pass, with an
// HAProxy fake that numbers and refuses ids as HAProxy 2.6 does, no backend ever has two servers
// of one id: not in the config text, and not in HAProxy after the runtime changes.
//
// Generated: apps with many tasks, tasks sharing one host:port, addresses whose names hash to the
// same id (and to ids HAProxy would pick for servers added without one), blue/green deployment
// groups merging two apps into one backend, pods; each followed by churn (tasks leave, come
// back, newcomers arrive) applied by incremental passes (at run time) and full ones.

import fc from 'fast-check';
import { reconcileOnce, type AppliedState } from '../../../src/controller/reconcile.js';
import { podAsApp, serverId, serverName, type WirePodStatus } from '../../../src/model/index.js';
import type { WireApp, WireTask } from '../../../src/model/wire.js';
import { reconcileFakes } from '../../support/reconcile-fakes.js';

interface Address { readonly ip: string; readonly port: number }

const nameOf = (a: Address) => serverName(a.ip, a.ip, a.port);
const naturalId = (a: Address) => serverId(nameOf(a), new Set())!;

/**
 * Addresses that make ids clash: pairs whose names hash to one id, and names whose id is one
 * HAProxy gives a server added without an id (1, 2, 3...). Found by search, once.
 */
function clashingAddresses(): { pairs: Address[][]; small: Address[] } {
  const byId = new Map<number, Address>();
  const pairs: Address[][] = [];
  const small: Address[] = [];
  for (let host = 1; host <= 4 && (pairs.length < 60 || small.length < 4); host += 1) {
    for (let port = 31000; port < 50000; port += 1) {
      const a = { ip: `10.0.0.${host}`, port };
      const id = naturalId(a);
      if (id <= 4) small.push(a);
      const other = byId.get(id);
      if (other && pairs.length < 60) pairs.push([other, a]);
      else byId.set(id, a);
    }
  }
  return { pairs, small };
}

const CLASH = clashingAddresses();

/** Where a scenario's tasks may be: a few clashing pairs, some small-id names, some plain addresses. */
const universe: fc.Arbitrary<Address[]> = fc.tuple(
  fc.subarray(CLASH.pairs, { minLength: 1, maxLength: 6 }),
  fc.subarray(CLASH.small, { maxLength: 3 }),
  fc.uniqueArray(fc.record({ ip: fc.constantFrom('10.0.0.1', '10.0.0.2'), port: fc.integer({ min: 50000, max: 50080 }) }), { maxLength: 60, selector: nameOf }),
).map(([pairs, small, plain]) => {
  const seen = new Set<string>();
  return [...pairs.flat(), ...small, ...plain].filter((a) => !seen.has(nameOf(a)) && seen.add(nameOf(a)));
});

type Kind = 'app' | 'group' | 'pod';

interface Step {
  /** Indexes into the universe: the tasks now (an index twice: two task records at one address). */
  readonly tasks: readonly number[];
  /** Blue/green: which colour each task belongs to. */
  readonly green: readonly boolean[];
  readonly full: boolean;
}

interface Scenario { readonly kind: Kind; readonly addresses: readonly Address[]; readonly steps: readonly Step[] }

const scenario: fc.Arbitrary<Scenario> = fc.tuple(fc.constantFrom<Kind>('app', 'group', 'pod'), universe).chain(([kind, addresses]) => {
  const index = fc.integer({ min: 0, max: addresses.length - 1 });
  const step = fc.record({
    // Mostly distinct addresses, sometimes one repeated (a stale task record next to the live one).
    tasks: fc.tuple(fc.uniqueArray(index, { maxLength: Math.min(addresses.length, 50) }), fc.array(index, { maxLength: 2 })).map(([a, dup]) => [...a, ...dup.filter(() => a.length > 0)]),
    green: fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
    full: fc.integer({ min: 0, max: 9 }).map((x) => x < 3),
  });
  return fc.record({ kind: fc.constant(kind), addresses: fc.constant(addresses), steps: fc.array(step, { minLength: 2, maxLength: 10 }) });
});

function task(appId: string, n: number, a: Address): WireTask {
  return { id: `${appId.slice(1)}.t${n}-${a.ip}-${a.port}`, appId, host: a.ip, state: 'TASK_RUNNING', ports: [a.port], ipAddresses: [{ ipAddress: a.ip, protocol: 'IPv4' }] };
}

function app(id: string, tasks: readonly Address[], labels: Record<string, string> = {}): WireApp {
  return {
    id, instances: tasks.length, labels: { HAPROXY_GROUP: 'external', ...labels }, networks: [{ mode: 'host' }],
    portDefinitions: [{ port: 10000, protocol: 'tcp' }], healthChecks: [], tasks: tasks.map((a, i) => task(id, i, a)), deployments: [],
  };
}

function pod(tasks: readonly Address[]): WireApp {
  const status: WirePodStatus = {
    id: '/shop', status: 'STABLE',
    spec: { id: '/shop', labels: { HAPROXY_GROUP: 'external', HAPROXY_0_PORT: '10000' }, networks: [{ mode: 'host' }], containers: [{ name: 'api', endpoints: [{ name: 'api', containerPort: 8080, hostPort: 0 }] }] },
    instances: tasks.map((a, i) => ({
      id: `shop.instance-${i}-${a.port}`, status: 'STABLE', agentHostname: a.ip, agentId: 'agent-1', networks: [],
      containers: [{ name: 'api', status: 'TASK_RUNNING', endpoints: [{ name: 'api', allocatedHostPort: a.port }] }],
    })),
  };
  return podAsApp(status)!;
}

/** The run specs of one step (one app, the two colours of a group, or one pod). */
function specsOf(kind: Kind, addresses: readonly Address[], s: Step): WireApp[] {
  const at = s.tasks.map((i) => addresses[i]!);
  if (kind === 'app') return [app('/web', at)];
  if (kind === 'pod') return [pod(at)];
  const colour = (green: boolean) => at.filter((_, i) => s.green[i % s.green.length] === green);
  const group = (colourName: string, startedAt: string) => ({ HAPROXY_DEPLOYMENT_GROUP: 'web', HAPROXY_DEPLOYMENT_COLOUR: colourName, HAPROXY_DEPLOYMENT_STARTED_AT: startedAt, HAPROXY_0_PORT: '10000' });
  return [app('/web-blue', colour(false), group('blue', '2016-01-01T00:00:00Z')), app('/web-green', colour(true), group('green', '2016-02-01T00:00:00Z'))];
}

/** Backend -> the ids of its server lines, from config text. */
function idsInConfig(config: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  let backend: number[] | undefined;
  for (const line of config.split('\n')) {
    const b = /^backend (\S+)/.exec(line);
    if (b) { out.set(b[1]!, (backend = [])); continue; }
    if (/^\S/.test(line)) { backend = undefined; continue; }
    const id = /^\s+server \S+ .*?\bid (\d+)(?:\s|$)/.exec(line);
    if (id && backend) backend.push(Number(id[1]));
  }
  return out;
}

const duplicates = (ids: readonly number[]) => ids.filter((id, i) => ids.indexOf(id) !== i);

describe('server ids are unique within a backend', () => {
  it('in the config text and in HAProxy after runtime changes, through churn, groups, pods and clashing names', async () => {
    const counts = { app: 0, group: 0, pod: 0, passes: 0, runtimePasses: 0, repeatedAddress: 0, revived: 0, idTakenByLiveServer: 0, clashingPairServed: 0 };
    await fc.assert(fc.asyncProperty(scenario, async ({ kind, addresses, steps }) => {
      counts[kind] += 1;
      const f = reconcileFakes();
      let applied: AppliedState | undefined;
      for (const [n, s] of steps.entries()) {
        const specs = specsOf(kind, addresses, s);
        for (const spec of specs) f.marathon.put(spec);
        if (new Set(s.tasks).size < s.tasks.length) counts.repeatedAddress += 1;
        // What HAProxy holds before the pass (retired servers included): an arrival whose config id
        // one of them still has is the case HAProxy refuses.
        const before = new Map([...f.haproxy.live].map(([b, m]) => [b, new Map([...m].map(([name, x]) => [name, { ...x }]))]));
        const full = n === 0 || s.full;
        const r = await reconcileOnce(f.deps, applied, { full, apps: specs.map((x) => x.id!), reasons: ['property'] });
        counts.passes += 1;
        if (r.outcome.result === 'runtime') counts.runtimePasses += 1;
        expect(['reload', 'runtime', 'noop']).toContain(r.outcome.result);
        applied = r.applied;

        const config = f.haproxy.lastConfig;
        for (const [backend, ids] of idsInConfig(config)) {
          expect({ backend, duplicates: duplicates(ids) }).toEqual({ backend, duplicates: [] });
        }
        for (const [backend, servers] of f.haproxy.live) {
          const ids = [...servers.values()].map((x) => x.id!);
          expect({ backend, duplicates: duplicates(ids) }).toEqual({ backend, duplicates: [] });
          if (r.outcome.result !== 'runtime') continue;
          const had = before.get(backend) ?? new Map();
          const heldIds = new Set([...had.values()].map((x) => x.id));
          for (const [name, x] of servers) {
            const old = had.get(name);
            if (old && (old.admin & 0x01) !== 0 && x.admin === 0) counts.revived += 1;
            if (!old && heldIds.has(textIdOf(config, name))) counts.idTakenByLiveServer += 1;
          }
        }
        expect(f.haproxy.idRefusals).toEqual([]);
        const served = new Set(config.split('\n').map((l) => /^\s+server (\S+)/.exec(l)?.[1]).filter((x) => x !== undefined));
        if (CLASH.pairs.some(([a, b]) => served.has(nameOf(a!)) && served.has(nameOf(b!)))) counts.clashingPairServed += 1;
      }
    }), { numRuns: 300, seed: 20261201 });
    // The generator reaches every kind and every situation that ever gave two servers one id.
    expect(counts.app).toBeGreaterThan(50);
    expect(counts.group).toBeGreaterThan(50);
    expect(counts.pod).toBeGreaterThan(50);
    expect(counts.runtimePasses).toBeGreaterThan(300);
    expect(counts.repeatedAddress).toBeGreaterThan(100);
    expect(counts.clashingPairServed).toBeGreaterThan(100);
    expect(counts.idTakenByLiveServer).toBeGreaterThan(20);
    expect(counts.revived).toBeGreaterThan(20);
  });
});

/** The id a server has in the config text. */
function textIdOf(config: string, name: string): number | undefined {
  const m = new RegExp(`^\\s+server ${name} .*?\\bid (\\d+)`, 'm').exec(config);
  return m ? Number(m[1]) : undefined;
}
