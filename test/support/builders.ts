// Builders for domain objects in tests: a valid default, overridden field by field.

import type { Model, Server, Service } from '../../src/model/types.js';

export function server(over: Partial<Server> & { port: number }): Server {
  const ip = over.ip ?? '127.0.0.1';
  const host = over.host ?? ip;
  return {
    taskId: over.taskId ?? `task-${over.port}`,
    host,
    ip,
    port: over.port,
    name: over.name ?? `${host === ip ? '' : `${host}_`}${ip}_${over.port}`.replace(/[^a-zA-Z0-9-]/g, '_'),
    id: over.id ?? over.port % 32766 + 1,
    draining: over.draining ?? false,
    checkPort: over.checkPort,
    state: over.state ?? 'TASK_RUNNING',
  };
}

export function service(over: Partial<Service> & { appId: string; servicePort: number }): Service {
  const appPath = over.appId.replace(/^\//, '').replace(/\//g, '_');
  return {
    marathonAppId: over.appId,
    index: 0,
    backend: `${appPath}_${over.servicePort}`,
    mode: (over.vhosts?.length ?? 0) > 0 ? 'http' : 'tcp',
    balance: 'roundrobin',
    vhosts: [],
    path: undefined,
    sticky: false,
    redirectToHttps: false,
    useHsts: false,
    sslCert: undefined,
    bindAddr: '*',
    bindOptions: undefined,
    auth: undefined,
    proxypassPath: undefined,
    revproxyPath: undefined,
    redirPath: undefined,
    backendWeight: 0,
    networkAllowed: undefined,
    healthCheck: undefined,
    templates: {},
    servers: [],
    labels: {},
    ...over,
  };
}

export function model(...services: Service[]): Model {
  const sorted = [...services].sort((a, b) => (a.appId < b.appId ? -1 : a.appId > b.appId ? 1 : a.servicePort - b.servicePort));
  return { services: sorted, skipped: [] };
}

export const HTTP_CHECK = {
  protocol: 'HTTP', path: '/', portIndex: 0, port: undefined,
  timeoutSeconds: 10, intervalSeconds: 2, gracePeriodSeconds: 10, maxConsecutiveFailures: 10,
} as const;
