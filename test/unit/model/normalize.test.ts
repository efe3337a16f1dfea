import { describe, expect, it } from '@jest/globals';
import { normalize, normalizeOptionsFrom, type Model, type Service } from '../../../src/model/index.js';
import type { WireApp, WireHealthCheck } from '../../../src/model/wire.js';
import { HTTP_HEALTH_CHECK, bridgeApp15, hostApp15, options, task } from './wire-fixtures.js';

/** marathon-lb's test app: /nginx, service port 10000, one task on agent1:1024. */
function nginx(over: WireApp = {}): WireApp {
  return hostApp15({
    id: '/nginx',
    labels: { HAPROXY_GROUP: 'external' },
    portDefinitions: [{ port: 10000 }],
    healthChecks: [{ ...HTTP_HEALTH_CHECK, intervalSeconds: 2, timeoutSeconds: 10, maxConsecutiveFailures: 10 }],
    tasks: [task({ id: 'nginx.1', appId: '/nginx', host: 'agent1', ports: [1024] })],
    ...over,
  });
}

function only(model: Model): Service {
  expect(model.services).toHaveLength(1);
  return model.services[0] as Service;
}

describe('normalize: the simple app', () => {
  it('gives marathon-lb\'s backend, mode, health check and server', () => {
    const s = only(normalize([nginx()], options()));
    expect(s).toMatchObject({
      appId: '/nginx', marathonAppId: '/nginx', index: 0, servicePort: 10000, backend: 'nginx_10000',
      mode: 'http', balance: 'roundrobin', vhosts: [], bindAddr: '*', backendWeight: 0, templates: {},
      healthCheck: { protocol: 'HTTP', path: '/', portIndex: 0, port: undefined, timeoutSeconds: 10, intervalSeconds: 2, gracePeriodSeconds: 300, maxConsecutiveFailures: 10 },
      labels: { HAPROXY_GROUP: 'external' },
    });
    expect(s.servers).toEqual([{
      taskId: 'nginx.1', host: 'agent1', ip: '1.1.1.1', port: 1024, name: 'agent1_1_1_1_1_1024', id: 28363,
      draining: false, checkPort: undefined, state: 'TASK_RUNNING',
    }]);
  });

  it('1.5 bridge app: server named by IP only when host is the IP (marathon-lb test_bridge_app_marathon15)', () => {
    const s = only(normalize([bridgeApp15()], options()));
    expect(s).toMatchObject({ backend: 'pywebserver_10101', mode: 'http', vhosts: ['myvhost.com'], healthCheck: undefined });
    expect(s.servers.map((x) => [x.name, x.id])).toEqual([['10_0_2_148_1565', 16827]]);
  });

  it('nested app ids become backend names with _', () => {
    expect(only(normalize([nginx({ id: '/team/web/api' })], options())).backend).toBe('team_web_api_10000');
  });

  it('an app without runnable tasks keeps its service with no servers', () => {
    expect(only(normalize([nginx({ tasks: [] })], options())).servers).toEqual([]);
    expect(only(normalize([nginx({ tasks: undefined })], options())).servers).toEqual([]);
  });

  it('an app without service ports is skipped as NO_SERVICE_PORT', () => {
    const m = normalize([nginx({ portDefinitions: [] })], options());
    expect(m.services).toEqual([]);
    expect(m.skipped).toEqual([expect.objectContaining({ appId: '/nginx', reason: 'NO_SERVICE_PORT' })]);
  });

  it('normalizeOptionsFrom copies the settings it needs', () => {
    const cache = new Map<string, boolean>();
    const resolve = (): undefined => undefined;
    const o = normalizeOptionsFrom({ groups: ['a'], strictMode: true, healthCheck: true, minServPortIpPerTask: 1, maxServPortIpPerTask: 2, frameworkName: 'lb' }, resolve, cache);
    expect(o).toEqual({ groups: ['a'], strictMode: true, healthCheck: true, minServPortIpPerTask: 1, maxServPortIpPerTask: 2, frameworkName: 'lb', resolve, healthCache: cache, ownPorts: [] });
  });
});

describe('normalize: the load balancer\'s own ports', () => {
  const settings = { groups: ['external'], strictMode: false, healthCheck: false, minServPortIpPerTask: 10050, maxServPortIpPerTask: 10100, frameworkName: undefined,
    httpPort: 80, httpsPort: 443, adminPort: 9090, appidPort: 9091, statusPort: 9092, bindAddress: '*', adminBindAddress: '10.0.0.9' };
  const opts = () => ({ ...options(), ownPorts: normalizeOptionsFrom(settings, () => undefined, new Map()).ownPorts });

  it('are every well-known frontend\'s and the status server\'s, at their bind addresses (0 = off)', () => {
    expect(normalizeOptionsFrom(settings, () => undefined, new Map()).ownPorts).toEqual([
      { port: 80, addr: '*', flag: '--http-port' }, { port: 443, addr: '*', flag: '--https-port' },
      { port: 9090, addr: '10.0.0.9', flag: '--admin-port' }, { port: 9091, addr: '*', flag: '--appid-port' },
      { port: 9092, addr: '127.0.0.1', flag: '--status-port' },
    ]);
    expect(normalizeOptionsFrom({ ...settings, statusPort: 0 }, () => undefined, new Map()).ownPorts?.map((o) => o.port)).toEqual([80, 443, 9090, 9091]);
    // No :80 and :443 frontends to take traffic from: apps may bind those ports, as with marathon-lb.
    expect(normalizeOptionsFrom({ ...settings, dontBindHttpHttps: true }, () => undefined, new Map()).ownPorts?.map((o) => o.port)).toEqual([9090, 9091, 9092]);
  });

  it('an app that asks for one by label is skipped with that label; the app\'s other port is still served', () => {
    const m = normalize([nginx({ labels: { HAPROXY_GROUP: 'external', HAPROXY_0_PORT: '9090' }, portDefinitions: [{ port: 10000 }, { port: 10001 }] })], opts());
    expect(m.services.map((s) => s.servicePort)).toEqual([10001]);
    expect(m.skipped).toEqual([expect.objectContaining({
      appId: '/nginx', index: 0, label: 'HAPROXY_0_PORT', reason: 'INVALID_LABEL',
      message: 'app /nginx (service port index 0): port 9090 is the load balancer\'s own (--admin-port 9090); choose another with HAPROXY_0_PORT',
    })]);
    // Its tasks, for a last good config to serve on its old port.
    expect(m.skipped[0]!.servers?.map((x) => x.port)).toEqual([1024]);
  });

  it('Marathon\'s service port counts too (the app is at fault, the label is how to move it)', () => {
    const m = normalize([nginx({ portDefinitions: [{ port: 80 }] })], opts());
    expect(m.services).toEqual([]);
    expect(m.skipped).toEqual([expect.objectContaining({ label: 'HAPROXY_0_PORT', reason: 'INVALID_APP', message: expect.stringContaining('(--http-port 80)') })]);
  });

  it('a bind on another address than the listener\'s is no clash; every address clashes with any', () => {
    const on = (addr: string, port: string) => normalize([nginx({ labels: { HAPROXY_GROUP: 'external', HAPROXY_0_PORT: port, HAPROXY_0_BIND_ADDR: addr } })], opts());
    expect(on('10.0.0.8', '9090').services).toHaveLength(1);
    expect(on('10.0.0.9', '9090').services).toHaveLength(0);
    expect(on('*', '9090').services).toHaveLength(0);
    expect(on('10.0.0.8', '80').services).toHaveLength(0);
    expect(on('10.0.0.8', '9092').services).toHaveLength(1);
    expect(on('127.0.0.1', '9092').services).toHaveLength(0);
  });
});

describe('normalize: mode', () => {
  const HTTP = { ...HTTP_HEALTH_CHECK };
  it.each<[string, Record<string, string>, WireHealthCheck[], string]>([
    ['no vhost, no check -> tcp', {}, [], 'tcp'],
    ['vhost -> http', { HAPROXY_0_VHOST: 'a.com' }, [], 'http'],
    ['vhost forces http over MODE tcp', { HAPROXY_0_VHOST: 'a.com', HAPROXY_0_MODE: 'tcp' }, [], 'http'],
    ['HTTP check presets http', {}, [HTTP], 'http'],
    ['MODE tcp overrides an HTTP check', { HAPROXY_0_MODE: 'tcp' }, [HTTP], 'tcp'],
    ['MODE http without anything', { HAPROXY_0_MODE: 'HTTP' }, [], 'http'],
    ['TCP check -> tcp', {}, [{ ...HTTP, protocol: 'TCP' }], 'tcp'],
    ['MESOS_HTTP check does not preset http', {}, [{ ...HTTP, protocol: 'MESOS_HTTP' }], 'tcp'],
  ])('%s', (_name, labels, healthChecks, mode) => {
    const s = only(normalize([nginx({ labels: { HAPROXY_GROUP: 'external', ...labels }, healthChecks })], options()));
    expect(s.mode).toBe(mode);
  });
});

describe('normalize: health checks (spec §5.5)', () => {
  it.each<[string, WireHealthCheck[], Partial<ReturnType<typeof Object>> | undefined]>([
    ['Marathon defaults fill missing fields', [{ protocol: 'HTTP' }],
      { protocol: 'HTTP', path: '/', portIndex: 0, timeoutSeconds: 20, intervalSeconds: 60, gracePeriodSeconds: 300, maxConsecutiveFailures: 3 }],
    ['COMMAND check without portIndex is ignored', [{ protocol: 'COMMAND', command: { value: 'true' } }], undefined],
    ['an empty object is no check', [{}], undefined],
    ['a check for another port index is not this one', [{ ...HTTP_HEALTH_CHECK, portIndex: 1 }], undefined],
    ['the first matching check wins', [{ ...HTTP_HEALTH_CHECK, path: '/a' }, { ...HTTP_HEALTH_CHECK, path: '/b' }], { path: '/a' }],
    ['a fixed port applies whatever the index', [{ protocol: 'TCP', port: 8081, portIndex: 5 }], { protocol: 'TCP', port: 8081 }],
  ])('%s', (_name, healthChecks, expected) => {
    const s = only(normalize([nginx({ healthChecks })], options()));
    if (expected === undefined) expect(s.healthCheck).toBeUndefined();
    else expect(s.healthCheck).toMatchObject(expected);
  });

  it('an explicit check port becomes the server check port (test_config_simple_app_healthcheck_port)', () => {
    const s = only(normalize([nginx({ healthChecks: [{ ...HTTP_HEALTH_CHECK, portIndex: undefined, port: 1024 }] })], options()));
    expect(s.servers[0]?.checkPort).toBe(1024);
  });

  function twoPorts(labels: Record<string, string>, healthChecks: WireHealthCheck[] = [{ ...HTTP_HEALTH_CHECK }]): Model {
    return normalize([nginx({
      labels: { HAPROXY_GROUP: 'external', ...labels },
      portDefinitions: [{ port: 10000 }, { port: 10001 }],
      healthChecks,
      tasks: [task({ id: 'nginx.1', host: 'agent1', ports: [1024, 1025] })],
    })], options());
  }

  it('BACKEND_HEALTHCHECK_PORT_INDEX checks the sibling port of the same task', () => {
    const m = twoPorts({ HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX: '1' });
    expect(m.services.map((s) => s.servers[0]?.checkPort)).toEqual([1025, undefined]);
  });

  it('BACKEND_HEALTHCHECK_PORT_INDEX out of range falls back to the own port', () => {
    const m = twoPorts({ HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX: '3' });
    expect(m.services[0]?.servers[0]?.checkPort).toBe(1024);
  });

  it('without an own check, the sibling\'s HTTP-like check is used and forces http over MODE', () => {
    const m = twoPorts(
      { HAPROXY_1_BACKEND_HEALTHCHECK_PORT_INDEX: '0', HAPROXY_1_MODE: 'tcp' },
      [{ ...HTTP_HEALTH_CHECK, protocol: 'MESOS_HTTP', portIndex: 0 }],
    );
    const second = m.services[1] as Service;
    expect(second.healthCheck?.protocol).toBe('MESOS_HTTP');
    expect(second.mode).toBe('http');
    expect(second.servers[0]?.checkPort).toBe(1024);
  });

  it('siblings in different groups still resolve (test_..._diff_portindex_and_group)', () => {
    const m = twoPorts({ HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX: '1', HAPROXY_0_GROUP: 'external', HAPROXY_1_GROUP: 'internal' });
    expect(m.services.map((s) => s.servers[0]?.checkPort)).toEqual([1025]);
  });
});

describe('normalize: task filtering (spec §5.4)', () => {
  it.each<[string | undefined, boolean]>([
    ['TASK_RUNNING', true], ['TASK_LOST', true], ['TASK_UNREACHABLE', true], [undefined, true],
    ['TASK_STAGING', false], ['TASK_STARTING', false], ['TASK_KILLING', false], ['TASK_FINISHED', false],
    ['TASK_FAILED', false], ['TASK_KILLED', false], ['TASK_ERROR', false], ['TASK_DROPPED', false],
    ['TASK_GONE', false], ['TASK_GONE_BY_OPERATOR', false], ['TASK_UNKNOWN', false],
  ])('state %s served: %s', (state, served) => {
    const s = only(normalize([nginx({ tasks: [task({ id: 'n.1', host: 'agent1', ports: [1024], state })] })], options()));
    expect(s.servers.length).toBe(served ? 1 : 0);
  });

  it.each<[string, Parameters<typeof task>[0]]>([
    ['empty host', { host: '' }],
    ['no host', { host: null }],
    ['no id', { id: null }],
    ['unresolvable host', { host: 'unknown.example' }],
  ])('a task with %s is not served', (_name, over) => {
    const app = nginx({ tasks: [task({ id: 'n.1', host: 'agent1', ports: [1024], ...over }), task({ id: 'n.2', host: 'agent2', ports: [1024] })] });
    expect(only(normalize([app], options())).servers.map((x) => x.taskId)).toEqual(['n.2']);
  });

  it('host mode: a task without ports falls back to the declared port', () => {
    const app = nginx({ tasks: [task({ id: 'n.1', host: 'agent1', ports: [] })] });
    expect(only(normalize([app], options())).servers.map((x) => x.port)).toEqual([10000]);
  });

  it('task ports pair with service ports by position; extra ports on either side are ignored', () => {
    const m = normalize([nginx({
      portDefinitions: [{ port: 10000 }, { port: 10001 }, { port: 10002 }],
      tasks: [task({ id: 'n.1', host: 'agent1', ports: [1024, 1025] })],
      healthChecks: [],
    })], options());
    expect(m.services.map((s) => s.servers.map((x) => x.port))).toEqual([[1024], [1025], []]);
  });

  it('servers are sorted by (host, port) and get ids in that order', () => {
    const tasks = [
      task({ id: 'c', host: 'agent2', ports: [1000] }),
      task({ id: 'a', host: 'agent1', ports: [2000] }),
      task({ id: 'b', host: 'agent1', ports: [1000] }),
    ];
    const s = only(normalize([nginx({ tasks })], options()));
    expect(s.servers.map((x) => x.taskId)).toEqual(['b', 'a', 'c']);
    expect(new Set(s.servers.map((x) => x.id)).size).toBe(3);
  });

  it('two tasks on one address make one server', () => {
    const tasks = [task({ id: 'old', host: 'agent1', ports: [1024] }), task({ id: 'new', host: 'agent1', ports: [1024] })];
    expect(only(normalize([nginx({ tasks })], options())).servers.map((x) => x.taskId)).toEqual(['new']);
  });
});

describe('normalize: --health-check and the health cache', () => {
  const alive = (a: boolean) => [{ alive: a, instanceId: 'x' }];

  it.each<[string, Parameters<typeof task>[0], boolean]>([
    ['alive result', { healthCheckResults: alive(true) }, true],
    ['dead result', { healthCheckResults: alive(false) }, false],
    ['any alive result', { healthCheckResults: [...alive(false), ...alive(true)] }, true],
    ['no result and nothing cached', { healthCheckResults: undefined }, false],
  ])('%s -> served %s', (_name, over, served) => {
    const s = only(normalize([nginx({ tasks: [task({ id: 'n.1', host: 'agent1', ports: [1024], ...over })] })], options({ healthCheck: true })));
    expect(s.servers.length).toBe(served ? 1 : 0);
  });

  it('a task without results reuses its last verdict from the cache', () => {
    const healthCache = new Map<string, boolean>();
    const withResult = nginx({ tasks: [task({ id: 'n.1', host: 'agent1', ports: [1024], healthCheckResults: alive(true) })] });
    const without = nginx({ tasks: [task({ id: 'n.1', host: 'agent1', ports: [1024] })] });
    expect(only(normalize([withResult], options({ healthCheck: true, healthCache }))).servers).toHaveLength(1);
    expect(healthCache.get('n.1')).toBe(true);
    expect(only(normalize([without], options({ healthCheck: true, healthCache }))).servers).toHaveLength(1);
    healthCache.set('n.1', false);
    expect(only(normalize([without], options({ healthCheck: true, healthCache }))).servers).toHaveLength(0);
  });

  it('apps without health checks are not gated; without --health-check nothing is', () => {
    const dead = [task({ id: 'n.1', host: 'agent1', ports: [1024], healthCheckResults: alive(false) })];
    expect(only(normalize([nginx({ healthChecks: [], tasks: dead })], options({ healthCheck: true }))).servers).toHaveLength(1);
    expect(only(normalize([nginx({ tasks: dead })], options({ healthCheck: false }))).servers).toHaveLength(1);
  });
});

describe('normalize: groups, strict mode, ENABLED, FRAMEWORK_NAME', () => {
  function served(labels: Record<string, string>, over: Parameters<typeof options>[0] = {}): number[] {
    const app = nginx({ labels, portDefinitions: [{ port: 10000 }, { port: 10001 }], tasks: [] });
    return normalize([app], options(over)).services.map((s) => s.servicePort);
  }

  it.each<[string, Record<string, string>, string[], number[]]>([
    ['app group matches', { HAPROXY_GROUP: 'external' }, ['external'], [10000, 10001]],
    ['one of several app groups matches (test_config_haproxy_group_fallback)', { HAPROXY_GROUP: 'external,internal' }, ['external'], [10000, 10001]],
    ['app group does not match', { HAPROXY_GROUP: 'internal' }, ['external'], []],
    ['no app group', {}, ['external'], []],
    ['* serves apps without groups', {}, ['*'], [10000, 10001]],
    ['per-port groups (test_config_haproxy_group_per_service)', { HAPROXY_0_GROUP: 'external', HAPROXY_1_GROUP: 'internal' }, ['external'], [10000]],
    ['hybrid (test_config_haproxy_group_hybrid)', { HAPROXY_GROUP: 'external', HAPROXY_0_GROUP: 'internal' }, ['external'], [10001]],
    ['group lists are not trimmed', { HAPROXY_GROUP: 'internal, external' }, ['external'], []],
  ])('%s', (_name, labels, groups, ports) => {
    expect(served(labels, { groups })).toEqual(ports);
  });

  it('a group mismatch is reported per port', () => {
    const m = normalize([nginx({ labels: { HAPROXY_GROUP: 'internal' } })], options());
    expect(m.skipped).toEqual([expect.objectContaining({ appId: '/nginx', index: 0, reason: 'GROUP_MISMATCH' })]);
  });

  it.each<[boolean, Record<string, string>, number[]]>([
    [false, {}, [10000, 10001]],
    [true, {}, []],
    [true, { HAPROXY_0_ENABLED: 'true' }, [10000]],
    [false, { HAPROXY_1_ENABLED: 'false' }, [10000]],
  ])('strict mode %s with %j serves %j', (strictMode, labels, ports) => {
    expect(served({ HAPROXY_GROUP: 'external', ...labels }, { strictMode })).toEqual(ports);
  });

  it('disabled services are reported as DISABLED', () => {
    const m = normalize([nginx({ labels: { HAPROXY_GROUP: 'external', HAPROXY_0_ENABLED: 'no' } })], options());
    expect(m.skipped).toEqual([expect.objectContaining({ appId: '/nginx', index: 0, reason: 'DISABLED' })]);
  });

  it.each(['marathon-lb', '/marathon-lb'])('FRAMEWORK_NAME %s skips the LB\'s own app', (frameworkName) => {
    const m = normalize([nginx({ id: '/marathon-lb' }), nginx()], options({ frameworkName }));
    expect(m.services.map((s) => s.appId)).toEqual(['/nginx']);
    expect(m.skipped).toEqual([expect.objectContaining({ appId: '/marathon-lb', reason: 'FRAMEWORK_SELF' })]);
  });
});

describe('normalize: labels land in the service', () => {
  it('every per-port label reaches its field', () => {
    const s = only(normalize([nginx({
      labels: {
        HAPROXY_GROUP: 'external', HAPROXY_0_VHOST: 'A.com,b.com', HAPROXY_0_PATH: '/api', HAPROXY_0_BALANCE: 'leastconn',
        HAPROXY_0_STICKY: 'true', HAPROXY_0_REDIRECT_TO_HTTPS: 'true', HAPROXY_0_USE_HSTS: 'true',
        HAPROXY_0_SSL_CERT: '/c.pem', HAPROXY_0_BIND_OPTIONS: 'verify required', HAPROXY_0_BIND_ADDR: '10.0.0.1',
        HAPROXY_0_PORT: '8080', HAPROXY_0_AUTH: 'r:u:h', HAPROXY_0_HTTP_BACKEND_PROXYPASS_PATH: '/p',
        HAPROXY_0_HTTP_BACKEND_REVPROXY_PATH: '/r', HAPROXY_0_HTTP_BACKEND_REDIR: '/d', HAPROXY_0_BACKEND_WEIGHT: '4',
        HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL: '10.0.0.0/8', HAPROXY_0_BACKEND_HEAD: 'backend {backend}\r\n',
      },
    })], options()));
    expect(s).toMatchObject({
      servicePort: 8080, backend: 'nginx_8080', mode: 'http', vhosts: ['a.com', 'b.com'], path: '/api', balance: 'leastconn',
      sticky: true, redirectToHttps: true, useHsts: true, sslCert: '/c.pem', bindOptions: 'verify required', bindAddr: '10.0.0.1',
      auth: { realm: 'r', user: 'u', passwd: 'h' }, proxypassPath: '/p', revproxyPath: '/r', redirPath: '/d', backendWeight: 4,
      networkAllowed: '10.0.0.0/8', templates: { BACKEND_HEAD: 'backend {backend}\n' },
    });
  });
});

describe('normalize: bad labels exclude only the service at fault', () => {
  it.each<[string, string, string, string]>([
    ['HAPROXY_0_PORT', 'eighty', 'INVALID_LABEL', 'expected an integer'],
    ['HAPROXY_0_AUTH', 'realm-user-pass', 'INVALID_LABEL', 'expected realm:user:password'],
    ['HAPROXY_0_BACKEND_WEIGHT', 'heavy', 'INVALID_LABEL', 'expected an integer'],
    ['HAPROXY_0_VHOST', 'a.com\n  use_backend evil', 'UNSAFE_VALUE', 'line break'],
    ['HAPROXY_0_FRONTEND_HEAD', 'x\0', 'UNSAFE_VALUE', 'NUL'],
  ])('%s=%j -> %s, message names app and label', (label, value, reason, text) => {
    const bad = nginx({ id: '/bad', labels: { HAPROXY_GROUP: 'external', [label]: value }, portDefinitions: [{ port: 10000 }, { port: 10001 }] });
    const good = nginx({ id: '/good', portDefinitions: [{ port: 10002 }] });
    const m = normalize([bad, good], options());
    expect(m.services.map((s) => [s.appId, s.servicePort])).toEqual([['/bad', 10001], ['/good', 10002]]);
    expect(m.skipped).toHaveLength(1);
    expect(m.skipped[0]).toMatchObject({ appId: '/bad', index: 0, label, reason });
    expect(m.skipped[0]?.message).toContain('/bad');
    expect(m.skipped[0]?.message).toContain(label);
    expect(m.skipped[0]?.message).toContain(text);
  });

  it('a bad app-level label excludes the app, naming it', () => {
    const m = normalize([nginx({ labels: { HAPROXY_GROUP: 'external', HAPROXY_DEPLOYMENT_STARTED_AT: 'soon' } })], options());
    expect(m.services).toEqual([]);
    expect(m.skipped).toEqual([expect.objectContaining({ appId: '/nginx', label: 'HAPROXY_DEPLOYMENT_STARTED_AT', reason: 'INVALID_LABEL' })]);
  });

  it('bad labels of apps for other groups are not our business', () => {
    const m = normalize([nginx({ labels: { HAPROXY_GROUP: 'internal', HAPROXY_0_PORT: 'x' } })], options());
    expect(m.skipped.map((s) => s.reason)).toEqual(['GROUP_MISMATCH']);
  });

  it('a PORT label clashing with another service is excluded, naming the label and the other app', () => {
    const a = nginx({ id: '/a', portDefinitions: [{ port: 10000 }] });
    const b = nginx({ id: '/b', labels: { HAPROXY_GROUP: 'external', HAPROXY_0_PORT: '10000' }, portDefinitions: [{ port: 10005 }] });
    const m = normalize([b, a], options());
    expect(m.services.map((s) => s.appId)).toEqual(['/a']);
    expect(m.skipped).toEqual([expect.objectContaining({ appId: '/b', label: 'HAPROXY_0_PORT', reason: 'INVALID_LABEL' })]);
    expect(m.skipped[0]?.message).toContain('/a');
  });

  it.each([['0.0.0.0', '*'], ['*', '0.0.0.0'], ['0.0.0.0', '10.0.0.2'], ['10.0.0.2', '0.0.0.0']])(
    'binds %s and %s of one port clash: the later app is excluded, naming the first', (addrA, addrB) => {
      const a = nginx({ id: '/a', labels: { HAPROXY_GROUP: 'external', HAPROXY_0_BIND_ADDR: addrA } });
      const b = nginx({ id: '/b', labels: { HAPROXY_GROUP: 'external', HAPROXY_0_BIND_ADDR: addrB } });
      const m = normalize([b, a], options());
      expect(m.services.map((s) => s.appId)).toEqual(['/a']);
      expect(m.skipped).toEqual([expect.objectContaining({ appId: '/b', reason: 'INVALID_APP' })]);
      expect(m.skipped[0]?.message).toContain('is already used by app /a');
    });

  it('the same port on different bind addresses is fine', () => {
    const a = nginx({ id: '/a', labels: { HAPROXY_GROUP: 'external', HAPROXY_0_BIND_ADDR: '10.0.0.1' } });
    const b = nginx({ id: '/b', labels: { HAPROXY_GROUP: 'external', HAPROXY_0_BIND_ADDR: '10.0.0.2' } });
    expect(normalize([a, b], options()).services).toHaveLength(2);
  });
});

describe('normalize: malformed input never throws', () => {
  it.each<[string, unknown, string]>([
    ['not an object', 42, '(no id)'],
    ['null', null, '(no id)'],
    ['no id', { labels: {} }, '(no id)'],
    ['id not a string', { id: 7 }, '(no id)'],
    ['tasks not a list', { id: '/x', tasks: 'many' }, '/x'],
  ])('%s -> INVALID_APP', (_name, app, appId) => {
    const m = normalize([app as WireApp, nginx()], options());
    expect(m.services.map((s) => s.appId)).toEqual(['/nginx']);
    expect(m.skipped).toEqual([expect.objectContaining({ appId, reason: 'INVALID_APP' })]);
  });

  it.each<[string, WireApp]>([
    ['labels null', nginx({ labels: null })],
    ['labels with a non-string value', nginx({ labels: { HAPROXY_GROUP: 'external', HAPROXY_0_PORT: 5 as unknown as string } })],
    ['portDefinitions with nulls', nginx({ portDefinitions: [null as never, { port: 10000 }] })],
    ['tasks with nulls', nginx({ tasks: [null as never] })],
    ['healthChecks with junk', nginx({ healthChecks: [null as never, { protocol: 5 as never, port: 'x' as never }] })],
    ['networks junk', nginx({ networks: [null as never] })],
    ['task ports junk', nginx({ tasks: [task({ host: 'agent1', ports: ['a' as never, -1, 1e9] })] })],
  ])('%s', (_name, app) => {
    expect(() => normalize([app], options({ groups: ['*'] }))).not.toThrow();
  });

  it.each(['/a\nb', '/a\rb', '/a\u0000b', '/a\tb'])('an id no config line can carry (%j) is skipped as UNSAFE_VALUE', (id) => {
    const m = normalize([nginx({ id }), nginx()], options());
    expect(m.services.map((s) => s.appId)).toEqual(['/nginx']);
    expect(m.skipped).toEqual([expect.objectContaining({ appId: id, reason: 'UNSAFE_VALUE', message: expect.stringContaining('control character') })]);
  });

  it('duplicate app ids: one is served, the other reported', () => {
    const m = normalize([nginx(), nginx({ instances: 2 })], options());
    expect(m.services).toHaveLength(1);
    expect(m.skipped).toEqual([expect.objectContaining({ appId: '/nginx', reason: 'INVALID_APP' })]);
  });
});
