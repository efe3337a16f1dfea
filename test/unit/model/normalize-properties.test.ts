import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { normalize } from '../../../src/model/index.js';
import type { WireApp, WireTask } from '../../../src/model/wire.js';
import { HTTP_HEALTH_CHECK, options } from './wire-fixtures.js';

const HOSTS = ['agent1', 'agent2', 'agent3.example.com', '10.0.0.7'];
const STATES = ['TASK_RUNNING', 'TASK_STAGING', 'TASK_KILLING', 'TASK_UNREACHABLE', undefined];

const taskArb = (appIndex: number): fc.Arbitrary<WireTask> =>
  fc.record({
    n: fc.integer({ min: 0, max: 50 }),
    host: fc.constantFrom(...HOSTS),
    state: fc.constantFrom(...STATES),
    ports: fc.array(fc.integer({ min: 31000, max: 31010 }), { maxLength: 3 }),
    alive: fc.option(fc.boolean(), { nil: undefined }),
    ip: fc.constantFrom('9.0.0.1', '9.0.0.2'),
  }).map(({ n, host, state, ports, alive, ip }) => ({
    id: `app${appIndex}.${n}`, host, state, ports, ipAddresses: [{ ipAddress: ip }],
    ...(alive === undefined ? {} : { healthCheckResults: [{ alive }] }),
  }));

const labelsArb = fc.record({
  HAPROXY_GROUP: fc.constantFrom('external', 'internal', 'external,internal'),
  HAPROXY_0_VHOST: fc.constantFrom('a.com', 'B.com,c.com'),
  HAPROXY_0_PORT: fc.constantFrom('9000', 'bad', '9001'),
  HAPROXY_1_GROUP: fc.constantFrom('internal', 'external'),
  HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX: fc.constantFrom('1', '-1', '5'),
  HAPROXY_DEPLOYMENT_GROUP: fc.constantFrom('bg'),
  HAPROXY_DEPLOYMENT_STARTED_AT: fc.constantFrom('2016-01-01T00:00:00Z', '2016-02-01T00:00:00Z'),
}, { requiredKeys: [] });

const appArb = (appIndex: number): fc.Arbitrary<WireApp> =>
  fc.record({
    shape: fc.constantFrom('host', 'bridge', 'discovery', 'container15'),
    labels: labelsArb,
    servicePorts: fc.uniqueArray(fc.integer({ min: 10000, max: 10010 }), { maxLength: 3 }),
    tasks: fc.array(taskArb(appIndex), { maxLength: 5 }),
    checks: fc.boolean(),
  }).map(({ shape, labels, servicePorts, tasks, checks }) => {
    const base: WireApp = {
      id: `/app${appIndex % 4}${appIndex >= 4 ? '/x' : ''}`, instances: tasks.length, labels, tasks,
      healthChecks: checks ? [{ ...HTTP_HEALTH_CHECK }] : [],
    };
    switch (shape) {
      case 'host': return { ...base, portDefinitions: servicePorts.map((port) => ({ port })) };
      case 'bridge': return { ...base, container: { docker: { network: 'BRIDGE', portMappings: servicePorts.map((servicePort) => ({ containerPort: 80, servicePort })) } } };
      case 'discovery': return { ...base, ipAddress: { discovery: { ports: servicePorts.map((number) => ({ number })) } } };
      default: return { ...base, networks: [{ mode: 'container' }], container: { portMappings: servicePorts.map((p) => ({ containerPort: p })) } };
    }
  });

const appsArb = fc.integer({ min: 0, max: 7 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => appArb(i))));

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('normalize properties', () => {
  it('shuffling apps and their tasks gives a deeply equal model', () => {
    fc.assert(fc.property(appsArb, fc.integer({ min: 0, max: 1_000_000 }), fc.boolean(), fc.boolean(), (apps, seed, healthCheck, star) => {
      const opts = () => options({ healthCheck, groups: star ? ['*'] : ['external'] });
      const reordered = shuffled(apps, seed).map((a, i) => ({ ...a, tasks: shuffled(a.tasks ?? [], seed + i) }));
      expect(normalize(reordered, opts())).toEqual(normalize(apps, opts()));
    }), { numRuns: 300 });
  });

  it('output invariants: services sorted, server ids unique per backend, backends and bound ports unique', () => {
    fc.assert(fc.property(appsArb, (apps) => {
      const m = normalize(apps, options({ groups: ['*'] }));
      const keys = m.services.map((s) => [s.appId, s.servicePort] as const);
      const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
      expect(keys).toEqual(sorted);
      expect(new Set(m.services.map((s) => s.backend)).size).toBe(m.services.length);
      expect(new Set(m.services.map((s) => s.servicePort)).size).toBe(m.services.length);
      for (const s of m.services) {
        expect(new Set(s.servers.map((x) => x.id)).size).toBe(s.servers.length);
        expect(new Set(s.servers.map((x) => x.name)).size).toBe(s.servers.length);
        for (const x of s.servers) expect(x.id >= 1 && x.id <= 32766).toBe(true);
      }
    }), { numRuns: 200 });
  });

  it('never throws on arbitrary JSON', () => {
    fc.assert(fc.property(fc.array(fc.jsonValue(), { maxLength: 5 }), (apps) => {
      expect(() => normalize(apps as WireApp[], options({ groups: ['*'] }))).not.toThrow();
    }), { numRuns: 300 });
  });

  it('never throws on app-shaped objects with wrong-typed fields', () => {
    const junk = fc.oneof(fc.jsonValue(), fc.constant(null), fc.constant(undefined));
    const appLike = fc.record({
      id: fc.oneof(fc.constant('/a'), fc.constant('/b'), junk), labels: fc.oneof(fc.dictionary(fc.string(), junk), junk),
      ports: junk, portDefinitions: fc.oneof(fc.array(fc.record({ port: junk })), junk), container: junk, networks: junk,
      ipAddress: junk, healthChecks: fc.oneof(fc.array(fc.record({ port: junk, portIndex: junk, protocol: junk })), junk),
      tasks: fc.oneof(fc.array(fc.record({ id: junk, host: junk, ports: junk, state: junk, ipAddresses: junk, healthCheckResults: junk })), junk),
      instances: junk, versionInfo: junk,
    }, { requiredKeys: [] });
    fc.assert(fc.property(fc.array(appLike, { maxLength: 4 }), (apps) => {
      expect(() => normalize(apps as WireApp[], options({ groups: ['*'] }))).not.toThrow();
    }), { numRuns: 500 });
  });
});
