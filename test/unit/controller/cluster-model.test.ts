// The incremental model equals normalize() of the whole snapshot after any sequence of
// single-app updates: adds, changes, deletions, blue/green groups, port and backend clashes,
// invented ports.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ClusterModel } from '../../../src/controller/cluster-model.js';
import { normalize } from '../../../src/model/index.js';
import type { Service } from '../../../src/model/types.js';
import type { WireApp } from '../../../src/model/wire.js';
import { HTTP_HEALTH_CHECK, options } from '../model/wire-fixtures.js';

const IDS = ['/a', '/b', '/c', '/d/x', '/bg-blue', '/bg-green'];

const appArb = (id: string): fc.Arbitrary<WireApp> =>
  fc.record({
    shape: fc.constantFrom('host', 'bridge', 'host', 'invented'),
    servicePorts: fc.uniqueArray(fc.integer({ min: 10000, max: 10004 }), { minLength: 1, maxLength: 2 }),
    group: fc.constantFrom('external', 'external', 'internal'),
    portLabel: fc.constantFrom(undefined, '9000', 'bad'),
    deployment: fc.constantFrom(undefined, undefined, 'bg'),
    started: fc.constantFrom('2016-01-01T00:00:00Z', '2016-02-01T00:00:00Z'),
    tasks: fc.array(fc.record({ n: fc.integer({ min: 0, max: 9 }), port: fc.integer({ min: 31000, max: 31003 }), alive: fc.boolean() }), { maxLength: 3 }),
    checks: fc.boolean(),
  }).map((g) => {
    const labels: Record<string, string> = { HAPROXY_GROUP: g.group };
    if (g.portLabel) labels['HAPROXY_0_PORT'] = g.portLabel;
    if (g.deployment) { labels['HAPROXY_DEPLOYMENT_GROUP'] = g.deployment; labels['HAPROXY_DEPLOYMENT_STARTED_AT'] = g.started; }
    const tasks = g.tasks.map((t) => ({
      id: `${id.slice(1).replace('/', '_')}.${t.n}`, host: '10.0.0.1', state: 'TASK_RUNNING', ports: [t.port, t.port + 10],
      ipAddresses: [{ ipAddress: '9.0.0.1' }], ...(g.checks ? { healthCheckResults: [{ alive: t.alive }] } : {}),
    }));
    const base: WireApp = { id, instances: tasks.length, labels, tasks, healthChecks: g.checks ? [{ ...HTTP_HEALTH_CHECK }] : [] };
    if (g.shape === 'bridge') return { ...base, container: { docker: { network: 'BRIDGE', portMappings: g.servicePorts.map((servicePort) => ({ containerPort: 80, servicePort })) } } };
    if (g.shape === 'invented') return { ...base, networks: [{ mode: 'container' }], container: { portMappings: [{ containerPort: 8080 }] } };
    return { ...base, portDefinitions: g.servicePorts.map((port) => ({ port })) };
  });

const updateArb = fc.constantFrom(...IDS).chain((id) => fc.option(appArb(id), { nil: undefined, freq: 4 }).map((app) => ({ id, app })));
const scenario = fc.tuple(fc.subarray(IDS).chain((ids) => fc.tuple(...ids.map(appArb))), fc.array(fc.array(updateArb, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 6 }));

describe('ClusterModel', () => {
  it('equals normalize() of the whole snapshot after every update', () => {
    const opts = { ...options(), minServPortIpPerTask: 10100, maxServPortIpPerTask: 10110 };
    const seen = { deletes: 0, adds: 0, changes: 0, clashes: 0, groups: 0, invented: 0, skipped: 0 };
    fc.assert(fc.property(scenario, ([initial, batches]) => {
      const cluster = new ClusterModel(opts);
      const wire = new Map(initial.map((a) => [a.id!, a]));
      cluster.replaceAll(initial);
      expect(cluster.model()).toEqual(normalize([...wire.values()], opts));
      for (const batch of batches) {
        const changes = new Map<string, WireApp | undefined>();
        for (const u of batch) {
          if (u.app === undefined) seen.deletes += wire.has(u.id) ? 1 : 0;
          else seen[wire.has(u.id) ? 'changes' : 'adds'] += 1;
          changes.set(u.id, u.app);
          if (u.app) wire.set(u.id, u.app); else wire.delete(u.id);
        }
        cluster.update(changes);
        const full = normalize([...wire.values()], opts);
        expect(cluster.model()).toEqual(full);
        if (full.skipped.some((s) => / is already used by app /.test(s.message))) seen.clashes += 1;
        if ([...wire.values()].filter((a) => a.labels?.['HAPROXY_DEPLOYMENT_GROUP']).length > 1) seen.groups += 1;
        if ([...wire.values()].some((a) => a.networks !== undefined)) seen.invented += 1;
        if (full.skipped.some((s) => s.reason !== 'GROUP_MISMATCH')) seen.skipped += 1;
      }
    }), { numRuns: 400, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) });
    // The generator must produce every case it is about.
    for (const [kind, count] of Object.entries(seen)) expect([kind, count > 20]).toEqual([kind, true]);
  });

  it('reports the served apps an update touched, including an app that wins back a port', () => {
    const opts = options();
    const app = (id: string, port: number): WireApp => ({
      id, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port }],
      tasks: [{ id: `${id.slice(1)}.1`, host: '10.0.0.1', state: 'TASK_RUNNING', ports: [31000] }],
    });
    const cluster = new ClusterModel(opts);
    cluster.replaceAll([app('/a', 10000), app('/b', 10000)]);
    expect(cluster.servicesOf('/b')).toEqual([]);
    const change = cluster.update(new Map([['/a', undefined]]));
    expect([...change.apps].sort()).toEqual(['/a', '/b']);
    expect(change.full).toBe(false);
    expect(cluster.servicesOf('/b').map((s) => s.servicePort)).toEqual([10000]);
  });
  it('a full read keeps the services of apps that did not change, unless an agent of theirs moved', () => {
    const table: Record<string, string | undefined> = {};
    const opts = { ...options(), minServPortIpPerTask: 10100, maxServPortIpPerTask: 10110, resolve: (h: string) => table[h] };
    const AGENTS = ['agent-a', 'agent-b'];
    // Two versions of each app (tasks on named agents); every read picks one (or none) per app,
    // usually the same as before, and what each agent resolves to.
    const onAgents = (app: WireApp): WireApp => ({ ...app, tasks: (app.tasks ?? []).map((t, i) => ({ ...t, host: AGENTS[i % 2]! })) });
    const versions = fc.tuple(...IDS.map((id) => fc.tuple(appArb(id), appArb(id)).map(([a, b]) => [onAgents(a), onAgents(b)] as const)));
    const read = fc.record({
      pick: fc.tuple(...IDS.map(() => fc.constantFrom(0, 0, 0, 0, 1, 2))),
      answers: fc.tuple(...AGENTS.map(() => fc.constantFrom<string | undefined>('10.1.0.1', '10.1.0.1', '10.1.0.1', '10.1.0.2', undefined))),
    });
    const seen = { kept: 0, renormalized: 0 };
    fc.assert(fc.property(versions, fc.array(read, { minLength: 2, maxLength: 5 }), (apps, reads) => {
      const cluster = new ClusterModel(opts);
      let before: { services: Set<Service>; backends: Set<string>; json: Map<string, string>; answers: readonly (string | undefined)[] } | undefined;
      for (const r of reads) {
        AGENTS.forEach((a, i) => { table[a] = r.answers[i]; });
        // Copies, so that only equal JSON (never the same object) can be kept.
        const snapshot = IDS.flatMap((_, i) => (r.pick[i] === 2 ? [] : [structuredClone(apps[i]![r.pick[i] as 0 | 1])]));
        cluster.replaceAll(snapshot);
        const model = cluster.model();
        expect(model).toEqual(normalize(snapshot, opts));
        const json = new Map(snapshot.map((a) => [a.id!, JSON.stringify(a)]));
        if (before) {
          const movedAgents = AGENTS.filter((_, i) => before!.answers[i] !== r.answers[i]);
          for (const s of model.services) {
            // Blue/green groups (withdrawals) and apps inventing ports (the whole cluster) are never kept.
            const text = json.get(s.marathonAppId)!;
            const same = before.json.get(s.marathonAppId) === text && !text.includes('HAPROXY_DEPLOYMENT_GROUP') && !text.includes('"networks"');
            if (!same) continue;
            const moved = movedAgents.some((a) => text.includes(a));
            // Kept exactly when nothing it was made from changed (unless it lost a clash last time,
            // so the last model did not show it).
            if (moved) expect([s.appId, before.services.has(s)]).toEqual([s.appId, false]);
            else if (before.backends.has(s.backend)) expect([s.appId, before.services.has(s)]).toEqual([s.appId, true]);
            else continue;
            seen[moved ? 'renormalized' : 'kept'] += 1;
          }
        }
        before = { services: new Set(model.services), backends: new Set(model.services.map((x) => x.backend)), json, answers: r.answers };
      }
    }), { numRuns: 300, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) });
    for (const [kind, count] of Object.entries(seen)) expect([kind, count > 20]).toEqual([kind, true]);
  });
  it('a full read normalizes again an app on an agent that moved after an update met it', () => {
    const table: Record<string, string | undefined> = { 'agent-x': '10.1.0.1', 'agent-y': '10.2.0.1' };
    const opts = { ...options(), resolve: (h: string) => table[h] };
    const app = (id: string, port: number, host: string, taskPort = 31000): WireApp => ({
      id, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port }],
      tasks: [{ id: `${id.slice(1)}.1`, host, state: 'TASK_RUNNING', ports: [taskPort] }],
    });
    const ipsOf = (cluster: ClusterModel, id: string) => cluster.servicesOf(id).flatMap((s) => s.servers.map((v) => v.ip));
    const check = (cluster: ClusterModel, snapshot: WireApp[]) => {
      cluster.replaceAll(snapshot.map((a) => structuredClone(a)));
      expect(cluster.model()).toEqual(normalize(snapshot, opts));
    };

    // An app an update brought, on an agent the last full read did not know.
    const first = new ClusterModel(opts);
    first.replaceAll([app('/a', 10000, 'agent-x')]);
    first.update(new Map([['/b', app('/b', 10001, 'agent-y')]]));
    table['agent-y'] = '10.2.0.2';
    check(first, [app('/a', 10000, 'agent-x'), app('/b', 10001, 'agent-y')]);
    expect(ipsOf(first, '/b')).toEqual(['10.2.0.2']);

    // An agent that moved before an update re-read one of its two apps: the other still has the old address.
    table['agent-x'] = '10.1.0.1';
    const second = new ClusterModel(opts);
    second.replaceAll([app('/a', 10000, 'agent-x'), app('/b', 10001, 'agent-x')]);
    table['agent-x'] = '10.1.0.9';
    second.update(new Map([['/a', app('/a', 10000, 'agent-x', 31001)]]));
    expect([ipsOf(second, '/a'), ipsOf(second, '/b')]).toEqual([['10.1.0.9'], ['10.1.0.1']]);
    check(second, [app('/a', 10000, 'agent-x', 31001), app('/b', 10001, 'agent-x')]);
    expect(ipsOf(second, '/b')).toEqual(['10.1.0.9']);
  });
});
