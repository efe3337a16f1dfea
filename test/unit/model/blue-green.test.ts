import { describe, expect, it } from '@jest/globals';
import { colourKey, normalize, type Service } from '../../../src/model/index.js';
import type { WireApp } from '../../../src/model/wire.js';
import { HTTP_HEALTH_CHECK, hostApp15, options, task } from './wire-fixtures.js';

const alive = [{ alive: true, instanceId: 'x' }];

function colour(id: string, startedAt: string | undefined, servicePort: number, taskIds: string[], over: WireApp = {}, extra: Record<string, string> = {}): WireApp {
  return hostApp15({
    id,
    instances: taskIds.length,
    labels: {
      HAPROXY_GROUP: 'external', HAPROXY_DEPLOYMENT_GROUP: 'nginx',
      ...(startedAt === undefined ? {} : { HAPROXY_DEPLOYMENT_STARTED_AT: startedAt }),
      HAPROXY_0_PORT: '10000', HAPROXY_DEPLOYMENT_COLOUR: id.endsWith('blue') ? 'blue' : 'green', ...extra,
    },
    portDefinitions: [{ port: servicePort }],
    healthChecks: [{ ...HTTP_HEALTH_CHECK }],
    tasks: taskIds.map((t, i) => task({ id: t, host: 'agent1', ports: [31000 + i + (id.endsWith('blue') ? 0 : 100)], healthCheckResults: alive })),
    ...over,
  });
}

function drained(s: Service): string[] {
  return s.servers.filter((x) => x.draining).map((x) => x.taskId);
}

describe('blue/green deployment groups (spec §5.6)', () => {
  const blue = (): WireApp => colour('/nginx-blue', '2016-01-01T00:00:00Z', 10000, ['b3', 'b1', 'b2']);
  const green = (): WireApp => colour('/nginx-green', '2016-02-01T00:00:00Z', 10001, ['g1']);

  it('merges both colours under /<group> with the old colour\'s definition, draining old tasks as new ones are healthy', () => {
    const m = normalize([blue(), green()], options());
    expect(m.services).toHaveLength(1);
    const s = m.services[0] as Service;
    expect(s).toMatchObject({ appId: '/nginx', marathonAppId: '/nginx-blue', servicePort: 10000, backend: 'nginx_10000' });
    expect(s.servers.map((x) => x.taskId).sort()).toEqual(['b1', 'b2', 'b3', 'g1']);
    // target 1: drainable = 1 healthy new + 3 old - 1 = 3; drained = min(3 old, 1 healthy, 3) = 1, lowest id first.
    expect(drained(s)).toEqual(['b1']);
  });

  it('does not depend on input order and does not mutate its input (spec §11.13)', () => {
    const input = [green(), blue()];
    const before = JSON.stringify(input);
    const first = normalize(input, options());
    expect(JSON.stringify(input)).toBe(before);
    expect(normalize(input, options())).toEqual(first);
    expect(normalize([blue(), green()], options())).toEqual(first);
  });

  it('HAPROXY_DEPLOYMENT_TARGET_INSTANCES with NEW_INSTANCES sets the draining target', () => {
    const newer = colour('/nginx-green', '2016-02-01T00:00:00Z', 10001, ['g1', 'g2'], {}, {
      HAPROXY_DEPLOYMENT_NEW_INSTANCES: '0', HAPROXY_DEPLOYMENT_TARGET_INSTANCES: '3',
    });
    const s = normalize([blue(), newer], options()).services[0] as Service;
    // drainable = 2 + 3 - 3 = 2; drained = min(3, 2, 2) = 2.
    expect(drained(s)).toEqual(['b1', 'b2']);
  });

  it('counts only the new colour\'s healthy tasks', () => {
    const newer = colour('/nginx-green', '2016-02-01T00:00:00Z', 10001, ['g1', 'g2']);
    (newer.tasks ?? []).forEach((t) => { t.healthCheckResults = [{ alive: false }]; });
    const s = normalize([blue(), newer], options()).services[0] as Service;
    expect(drained(s)).toEqual([]);
  });

  it('a new colour without health checks counts its instances as healthy', () => {
    const newer = colour('/nginx-green', '2016-02-01T00:00:00Z', 10001, ['g1', 'g2'], { healthChecks: [] });
    expect(drained(normalize([blue(), newer], options()).services[0] as Service)).toEqual(['b1', 'b2']);
  });

  it.each<[string, string, string[]]>([
    ['NEW_INSTANCES non-zero and the older colour scaled later: roles swap', '1', ['g1']],
    ['NEW_INSTANCES 0: no swap', '0', ['b1']],
  ])('%s', (_name, newInstances, expected) => {
    const older = colour('/nginx-blue', '2016-01-01T00:00:00Z', 10000, ['b1', 'b2', 'b3'], { versionInfo: { lastScalingAt: '2016-03-01T00:00:00Z' } });
    const newer = colour('/nginx-green', '2016-02-01T00:00:00Z', 10001, ['g1'], { versionInfo: { lastScalingAt: '2016-02-01T00:00:00Z' } }, {
      HAPROXY_DEPLOYMENT_NEW_INSTANCES: newInstances, HAPROXY_DEPLOYMENT_TARGET_INSTANCES: '1',
    });
    expect(drained(normalize([older, newer], options()).services[0] as Service)).toEqual(expected);
  });

  it('a missing STARTED_AT is the oldest; equal ones are ordered by app id', () => {
    const a = colour('/nginx-blue', undefined, 10000, ['b1']);
    const b = colour('/nginx-green', '2016-02-01T00:00:00Z', 10001, ['g1']);
    expect(drained(normalize([a, b], options()).services[0] as Service)).toEqual(['b1']);
    const c = colour('/nginx-blue', '2016-02-01T00:00:00Z', 10000, ['b1']);
    expect(normalize([c, b], options()).services[0]?.marathonAppId).toBe('/nginx-blue');
  });

  it('an unpaired group app is served under /<group> without draining', () => {
    const s = normalize([green()], options()).services[0] as Service;
    expect(s).toMatchObject({ appId: '/nginx', marathonAppId: '/nginx-green', backend: 'nginx_10000' });
    expect(drained(s)).toEqual([]);
  });

  it('each colour\'s tasks are addressed by their own app\'s networking', () => {
    const older = blue();
    const newer = colour('/nginx-green', '2016-02-01T00:00:00Z', 10001, [], {
      networks: [{ mode: 'container', name: 'dcos' }], portDefinitions: undefined,
      container: { portMappings: [{ containerPort: 8080, servicePort: 10001 }] },
      tasks: [task({ id: 'g1', host: 'agent1', ports: [], ipAddresses: [{ ipAddress: '9.0.0.5' }], healthCheckResults: alive })],
    });
    const s = normalize([older, newer], options()).services[0] as Service;
    expect(s.servers.find((x) => x.taskId === 'g1')).toMatchObject({ ip: '9.0.0.5', port: 8080 });
  });

  describe('a withdrawn colour (zdd rolling it back)', () => {
    const newer = (): WireApp => colour('/nginx-green', '2016-02-01T00:00:00Z', 10001, ['g1', 'g2'], {}, {
      HAPROXY_DEPLOYMENT_NEW_INSTANCES: '0', HAPROXY_DEPLOYMENT_TARGET_INSTANCES: '3',
    });

    const green = colourKey('/nginx-green', newer());

    it('drains every task of the withdrawn colour and none of the other\'s, keeping the old definition', () => {
      const s = normalize([blue(), newer()], options({ withdrawn: (c) => c === green })).services[0] as Service;
      expect(s).toMatchObject({ appId: '/nginx', marathonAppId: '/nginx-blue', servicePort: 10000 });
      expect(s.servers.map((x) => x.taskId).sort()).toEqual(['b1', 'b2', 'b3', 'g1', 'g2']);
      expect(drained(s).sort()).toEqual(['g1', 'g2']);
    });

    it('is not honoured when no other colour has a healthy task (the backend would be left with none)', () => {
      const sick = colour('/nginx-blue', '2016-01-01T00:00:00Z', 10000, ['b1'], {}, {});
      const unhealthy = { ...sick, tasks: (sick.tasks ?? []).map((t) => ({ ...t, healthCheckResults: [{ alive: false }] })) } as WireApp;
      // The usual rule applies, as if nothing were withdrawn; likewise when every colour is.
      expect(normalize([unhealthy, newer()], options({ withdrawn: (c) => c === green }))).toEqual(normalize([unhealthy, newer()], options()));
      expect(normalize([blue(), newer()], options({ withdrawn: () => true }))).toEqual(normalize([blue(), newer()], options()));
    });

    it('names one deployment: the next app under the same id (a later STARTED_AT) is not withdrawn', () => {
      const next = colour('/nginx-green', '2016-03-01T00:00:00Z', 10001, ['g3'], {}, { HAPROXY_DEPLOYMENT_NEW_INSTANCES: '0', HAPROXY_DEPLOYMENT_TARGET_INSTANCES: '3' });
      expect(green).toBe('/nginx-green 2016-02-01T00:00:00Z');
      expect(normalize([blue(), next], options({ withdrawn: (c) => c === green }))).toEqual(normalize([blue(), next], options()));
    });

    it('an app outside a deployment group is never withdrawn', () => {
      const plain = hostApp15({ id: '/plain', instances: 1, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: 10005 }], tasks: [task({ id: 'p1', host: 'agent1', ports: [31500] })] });
      const s = normalize([plain], options({ withdrawn: () => true })).services[0] as Service;
      expect(drained(s)).toEqual([]);
    });
  });
});
