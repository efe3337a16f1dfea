// Marathon wire JSON for tests, in the 1.5+ shape unless a test builds its own.

import type { WireApp, WireHealthCheck, WireTask } from '../../src/model/wire.js';

export interface AppBuild {
  id: string;
  labels?: Record<string, string>;
  /** Service ports (host networking portDefinitions). */
  ports?: number[];
  /** Task host ports, one list per task. */
  tasks?: number[][];
  host?: string;
  healthChecks?: WireHealthCheck[];
  extra?: Partial<WireApp>;
}

export function wireApp(b: AppBuild): WireApp {
  const ports = b.ports ?? [10000];
  const safe = b.id.replace(/^\//, '').replace(/\//g, '_');
  const tasks: WireTask[] = (b.tasks ?? [ports.map((_, i) => 31000 + i)]).map((tp, i) => ({
    id: `${safe}.task-${i}`,
    appId: b.id,
    host: b.host ?? '10.0.0.1',
    state: 'TASK_RUNNING',
    ports: tp,
    ipAddresses: [{ ipAddress: b.host ?? '10.0.0.1', protocol: 'IPv4' }],
    healthCheckResults: (b.healthChecks ?? []).length > 0 ? [{ alive: true }] : undefined,
  }));
  return {
    id: b.id,
    instances: tasks.length,
    labels: { HAPROXY_GROUP: 'external', ...b.labels },
    networks: [{ mode: 'host' }],
    portDefinitions: ports.map((p) => ({ port: p, protocol: 'tcp' })),
    healthChecks: b.healthChecks ?? [],
    tasks,
    deployments: [],
    ...b.extra,
  };
}

export const HTTP_HEALTH: WireHealthCheck = {
  protocol: 'HTTP', path: '/health', portIndex: 0, gracePeriodSeconds: 10, intervalSeconds: 2, timeoutSeconds: 10, maxConsecutiveFailures: 10,
};
