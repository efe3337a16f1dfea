// Marathon app shapes of marathon-api.md §2.10 (trimmed to the fields the model reads), as fresh
// objects per call so a test can change one without touching the others.

import type { NormalizeOptions } from '../../../src/model/index.js';
import type { WireApp, WireTask } from '../../../src/model/wire.js';

export const HTTP_HEALTH_CHECK = {
  path: '/', protocol: 'HTTP', portIndex: 0, gracePeriodSeconds: 300,
  intervalSeconds: 60, timeoutSeconds: 20, maxConsecutiveFailures: 3, ignoreHttp1xx: false,
};

export function task(over: WireTask = {}): WireTask {
  return {
    id: 'web.1', appId: '/web', host: '10.0.2.148', state: 'TASK_RUNNING', ports: [31005],
    ipAddresses: [{ ipAddress: '10.0.2.148', protocol: 'IPv4' }],
    ...over,
  };
}

/** (A) host networking, portDefinitions, 1.4 shape (with legacy `ports`). */
export function hostApp14(over: WireApp = {}): WireApp {
  return {
    id: '/web', instances: 1, container: null,
    healthChecks: [{ ...HTTP_HEALTH_CHECK }],
    labels: { HAPROXY_GROUP: 'external', HAPROXY_0_VHOST: 'web.example.com' },
    ipAddress: null, ports: [10000],
    portDefinitions: [{ port: 10000, protocol: 'tcp', name: 'http', labels: {} }],
    tasks: [task({ healthCheckResults: [{ alive: true, instanceId: 'web.marathon-1' }] })],
    ...over,
  };
}

/** (A) in the 1.5 shape: networks host, no `ports`. */
export function hostApp15(over: WireApp = {}): WireApp {
  const app = hostApp14(over);
  delete app.ports;
  delete app.ipAddress;
  return { ...app, networks: [{ mode: 'host' }], ...over };
}

/** (B) Docker BRIDGE with docker.portMappings, 1.4 shape. */
export function bridgeApp14(over: WireApp = {}): WireApp {
  return {
    id: '/nginx', instances: 1,
    container: {
      type: 'DOCKER',
      docker: {
        image: 'nginx', network: 'BRIDGE',
        portMappings: [{ containerPort: 80, hostPort: 0, servicePort: 10001, protocol: 'tcp', name: 'http', labels: {} }],
      },
    },
    healthChecks: [], labels: { HAPROXY_GROUP: 'external' }, ipAddress: null,
    ports: [10001], portDefinitions: [{ port: 10001, protocol: 'tcp', labels: {} }],
    tasks: [task({ id: 'nginx.1', appId: '/nginx', host: '10.0.6.25', ports: [31184], ipAddresses: [{ ipAddress: '172.17.0.2' }] })],
    ...over,
  };
}

/** (C) IP-per-task on a Docker USER network, 1.4 shape. */
export function userNetworkApp14(over: WireApp = {}): WireApp {
  return {
    id: '/api', instances: 1,
    container: {
      type: 'DOCKER',
      docker: {
        image: 'nginx', network: 'USER',
        portMappings: [{ containerPort: 80, servicePort: 10002, protocol: 'tcp', name: 'web', labels: {} }],
      },
    },
    healthChecks: [], labels: { HAPROXY_GROUP: 'external' },
    ipAddress: { groups: [], labels: {}, discovery: { ports: [] }, networkName: 'dcos' },
    tasks: [task({ id: 'api.1', appId: '/api', host: '10.0.1.20', ports: [], ipAddresses: [{ ipAddress: '9.0.1.7', protocol: 'IPv4' }] })],
    ...over,
  };
}

/** (C) variant: Mesos containerizer, ipAddress.discovery ports, no service port at all (1.3/1.4). */
export function discoveryApp14(over: WireApp = {}): WireApp {
  return {
    id: '/disco', instances: 1, container: null, healthChecks: [],
    labels: { HAPROXY_GROUP: 'external' },
    ipAddress: { groups: [], labels: {}, discovery: { ports: [{ number: 8080, name: 'http', protocol: 'tcp' }] }, networkName: 'dcos' },
    tasks: [task({ id: 'disco.1', appId: '/disco', host: '10.0.1.21', ports: [], ipAddresses: [{ ipAddress: '9.0.1.8' }] })],
    ...over,
  };
}

/** (D) 1.5+ container/bridge with container.portMappings. */
export function bridgeApp15(over: WireApp = {}): WireApp {
  return {
    id: '/pywebserver', instances: 1,
    container: {
      type: 'DOCKER', docker: { image: 'python:3' },
      portMappings: [{ containerPort: 80, hostPort: 0, labels: {}, name: 'test', protocol: 'tcp', servicePort: 10101 }],
    },
    labels: { HAPROXY_GROUP: 'external', HAPROXY_0_VHOST: 'myvhost.com' },
    networks: [{ mode: 'container/bridge' }],
    tasks: [task({ id: 'pywebserver.1', appId: '/pywebserver', host: '10.0.2.148', ports: [1565], ipAddresses: [{ ipAddress: '172.17.0.2' }] })],
    ...over,
  };
}

/** 1.5+ container (IP-per-task) with container.portMappings, no hostPort. */
export function containerApp15(over: WireApp = {}): WireApp {
  return {
    id: '/ipt', instances: 1,
    container: {
      type: 'DOCKER', docker: { image: 'nginx' },
      portMappings: [{ containerPort: 80, servicePort: 10003, protocol: 'tcp', name: 'web', labels: {} }],
    },
    labels: { HAPROXY_GROUP: 'external' },
    networks: [{ mode: 'container', name: 'dcos' }],
    tasks: [task({ id: 'ipt.1', appId: '/ipt', host: '10.0.1.22', ports: [], ipAddresses: [{ ipAddress: '9.0.1.9' }] })],
    ...over,
  };
}

export const HOSTS: Readonly<Record<string, string>> = {
  agent1: '1.1.1.1',
  agent2: '2.2.2.2',
  'agent3.example.com': '3.3.3.3',
};

export function options(over: Partial<NormalizeOptions> = {}): NormalizeOptions {
  return {
    groups: ['external'],
    strictMode: false,
    healthCheck: false,
    minServPortIpPerTask: 10050,
    maxServPortIpPerTask: 10100,
    frameworkName: undefined,
    resolve: (h) => HOSTS[h],
    healthCache: new Map(),
    ...over,
  };
}
