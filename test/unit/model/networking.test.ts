import { describe, expect, it } from '@jest/globals';
import {
  assignServicePort, declaredServicePorts, networkingMode, servicePorts, taskAddress,
  type ServicePortSlot,
} from '../../../src/model/index.js';
import type { WireApp } from '../../../src/model/wire.js';
import {
  HOSTS, bridgeApp14, bridgeApp15, containerApp15, discoveryApp14, hostApp14, hostApp15, task, userNetworkApp14,
} from './wire-fixtures.js';

const resolve = (h: string): string | undefined => HOSTS[h];
const RANGE = { min: 10050, max: 10100 };

function ports(slots: readonly ServicePortSlot[]): number[] {
  return slots.map((s) => s.servicePort);
}

describe('networking mode and service ports: marathon-api.md §2.10 shapes', () => {
  it.each<[string, () => WireApp, string, number[], { ip: string; ports: (number | undefined)[] }]>([
    ['(A) host, 1.4', () => hostApp14(), 'host', [10000], { ip: '10.0.2.148', ports: [31005] }],
    ['(A) host, 1.5', () => hostApp15(), 'host', [10000], { ip: '10.0.2.148', ports: [31005] }],
    ['(B) docker bridge, 1.4', () => bridgeApp14(), 'container/bridge', [10001], { ip: '10.0.6.25', ports: [31184] }],
    ['(C) docker USER network, 1.4', () => userNetworkApp14(), 'container', [10002], { ip: '9.0.1.7', ports: [80] }],
    ['(D) container/bridge, 1.5', () => bridgeApp15(), 'container/bridge', [10101], { ip: '10.0.2.148', ports: [1565] }],
    ['1.5 container (IP-per-task)', () => containerApp15(), 'container', [10003], { ip: '9.0.1.9', ports: [80] }],
  ])('%s', (_name, make, mode, expectedPorts, address) => {
    const app = make();
    expect(networkingMode(app)).toBe(mode);
    expect(ports(servicePorts(app.id as string, app, RANGE, new Set()))).toEqual(expectedPorts);
    const t = (app.tasks ?? [])[0];
    expect(t && taskAddress(app, t, resolve)).toEqual(address);
  });

  it('(C) discovery variant: no Marathon service port, one is invented in range, backend = task IP : discovery port', () => {
    const app = discoveryApp14();
    expect(networkingMode(app)).toBe('container');
    expect(declaredServicePorts(app)).toEqual([]);
    const slots = servicePorts('/disco', app, RANGE, new Set());
    expect(slots).toHaveLength(1);
    expect(slots[0]?.assigned).toBe(true);
    expect(slots[0]?.servicePort).toBeGreaterThanOrEqual(10050);
    expect(slots[0]?.servicePort).toBeLessThanOrEqual(10100);
    expect(taskAddress(app, (app.tasks ?? [])[0] ?? {}, resolve)).toEqual({ ip: '9.0.1.8', ports: [8080] });
  });

  it('no auto-assignment without a range, and never outside container mode', () => {
    expect(servicePorts('/disco', discoveryApp14(), undefined, new Set())).toEqual([]);
    expect(servicePorts('/x', hostApp15({ portDefinitions: [] }), RANGE, new Set())).toEqual([]);
  });
});

describe('networking mode detection', () => {
  it.each<[WireApp, string]>([
    [{}, 'host'],
    [{ ipAddress: {} }, 'host'],
    [{ ipAddress: { networkName: 'dcos' } }, 'container'],
    [{ container: { docker: { network: 'HOST' } } }, 'host'],
    [{ container: { docker: { network: 'USER' } } }, 'container'],
    [{ container: { docker: { network: 'BRIDGE' } } }, 'container/bridge'],
    [{ networks: [{ mode: 'container/bridge' }] }, 'container/bridge'],
    [{ networks: [{ name: 'dcos' }] }, 'container'],
    [{ networks: [{ mode: 'host' }], container: { docker: { network: 'BRIDGE' } } }, 'host'],
    [{ networks: [{ mode: 'container', name: 'a' }, { mode: 'container', name: 'b' }] }, 'container'],
  ])('%j -> %s', (app, mode) => {
    expect(networkingMode(app)).toBe(mode);
  });
});

describe('declared service ports (spec §5.2)', () => {
  it.each<[string, WireApp, number[], number[]]>([
    ['portDefinitions win over ports', { portDefinitions: [{ port: 10000 }, { port: 10001 }], ports: [1] }, [10000, 10001], [0, 1]],
    ['legacy ports when there are no portDefinitions', { ports: [10000, 10005] }, [10000, 10005], [0, 1]],
    ['empty portDefinitions: no ports (ports not consulted)', { portDefinitions: [], ports: [10000] }, [], []],
    ['bridge mappings without servicePort are dropped; positions kept',
      { networks: [{ mode: 'container/bridge' }], container: { portMappings: [{ containerPort: 80 }, { containerPort: 81, servicePort: 10007 }] } },
      [10007], [1]],
    ['docker mappings win over container mappings',
      { container: { docker: { network: 'BRIDGE', portMappings: [{ servicePort: 1 }] }, portMappings: [{ servicePort: 2 }] } }, [1], [0]],
    ['empty docker mappings fall back to container mappings',
      { container: { docker: { network: 'BRIDGE', portMappings: [] }, portMappings: [{ servicePort: 2 }] } }, [2], [0]],
    ['null docker mappings + portDefinitions -> portDefinitions',
      { container: { docker: { network: 'BRIDGE', portMappings: null } }, portDefinitions: [{ port: 10000 }] }, [10000], [0]],
    ['null 1.5 mappings -> no ports', { networks: [{ mode: 'container' }], container: { portMappings: null } }, [], []],
    ['host mode ignores port mappings', { container: { portMappings: [{ servicePort: 3 }] }, portDefinitions: [{ port: 4 }] }, [4], [0]],
  ])('%s', (_name, app, expectedPorts, positions) => {
    const slots = declaredServicePorts(app);
    expect(ports(slots)).toEqual(expectedPorts);
    expect(slots.map((s) => s.position)).toEqual(positions);
  });
});

describe('service port auto-assignment for IP-per-task apps', () => {
  it('is deterministic and independent of the order apps are processed in when nothing clashes', () => {
    const a = servicePorts('/a', discoveryApp14({ id: '/a' }), RANGE, new Set());
    const b = servicePorts('/b', discoveryApp14({ id: '/b' }), RANGE, new Set());
    const taken = new Set<number>();
    const b2 = servicePorts('/b', discoveryApp14({ id: '/b' }), RANGE, taken);
    const a2 = servicePorts('/a', discoveryApp14({ id: '/a' }), RANGE, taken);
    expect(a2).toEqual(a);
    expect(b2).toEqual(b);
  });

  it('skips ports already taken', () => {
    const first = assignServicePort('/a', 80, RANGE, new Set()) as number;
    const second = assignServicePort('/a', 80, RANGE, new Set([first]));
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
  });

  it('falls back to a linear scan from min when hashing keeps clashing, and stops when the range is full', () => {
    const range = { min: 10000, max: 10002 };
    const taken = new Set<number>();
    const got = [1, 2, 3, 4].map((p) => assignServicePort('/x', p, range, taken));
    expect(got.slice(0, 3).sort()).toEqual([10000, 10001, 10002]);
    expect(got[3]).toBeUndefined();
  });

  it('multiple discovery ports get distinct ports', () => {
    const app = discoveryApp14({ ipAddress: { discovery: { ports: [{ number: 80 }, { number: 81 }, { number: 82 }] } } });
    const got = ports(servicePorts('/disco', app, RANGE, new Set()));
    expect(new Set(got).size).toBe(3);
  });

  it('1.5 container app without servicePorts uses containerPorts', () => {
    const app = containerApp15({ container: { portMappings: [{ containerPort: 8080 }] } });
    const slots = servicePorts('/ipt', app, RANGE, new Set());
    expect(slots).toHaveLength(1);
    expect(taskAddress(app, (app.tasks ?? [])[0] ?? {}, resolve)?.ports).toEqual([8080]);
  });
});

describe('task address (spec §5.3)', () => {
  it.each<[string, WireApp, ReturnType<typeof task>, { ip: string; ports: (number | undefined)[] } | undefined]>([
    ['host: agent name is resolved', hostApp15(), task({ host: 'agent1', ports: [31000, 31001] }), { ip: '1.1.1.1', ports: [31000, 31001] }],
    ['host: unresolvable agent -> not served', hostApp15(), task({ host: 'nowhere', ports: [31000] }), undefined],
    ['host: no task ports -> portDefinitions ports', hostApp15(), task({ host: 'agent1', ports: [] }), { ip: '1.1.1.1', ports: [10000] }],
    ['host: no ports at all -> not served', hostApp15({ portDefinitions: [] }), task({ host: 'agent1', ports: [] }), undefined],
    ['bridge: no task ports, 1.5 -> containerPorts', bridgeApp15(), task({ host: 'agent2', ports: [] }), { ip: '2.2.2.2', ports: [80] }],
    ['container: task IP, not the agent', containerApp15(), task({ host: 'agent1', ipAddresses: [{ ipAddress: '9.9.9.9' }] }), { ip: '9.9.9.9', ports: [80] }],
    ['container: no task IP -> not served', containerApp15(), task({ host: 'agent1', ipAddresses: [] }), undefined],
    ['container: ipAddresses missing -> not served', userNetworkApp14(), task({ host: 'agent1', ipAddresses: null }), undefined],
    ['IPv6 literal host passes through', hostApp15(), task({ host: 'fd00::1', ports: [31000] }), { ip: 'fd00::1', ports: [31000] }],
  ])('%s', (_name, app, t, expected) => {
    expect(taskAddress(app, t, resolve)).toEqual(expected);
  });
});
