// A colour's tasks as zdd sees them: their health in Marathon and the HAProxy server each one
// is (named exactly as the controller names it, from the model's own functions). Pure.

import { declaredServicePorts, networkingMode } from '../model/service-ports.js';
import { serverName } from '../model/server-naming.js';
import { taskAddress, type Resolver } from '../model/task-address.js';
import type { WireApp, WireTask } from '../model/wire.js';
import type { AppJson } from './labels.js';

export function tasksOf(app: AppJson): WireTask[] {
  const t = (app as { tasks?: unknown }).tasks;
  return Array.isArray(t) ? t.filter((x): x is WireTask => typeof x === 'object' && x !== null && typeof (x as WireTask).id === 'string') : [];
}

export function hasHealthChecks(app: AppJson): boolean {
  const h = (app as { healthChecks?: unknown }).healthChecks;
  return Array.isArray(h) && h.length > 0;
}

/** Running, and alive by a health check result (the controller's rule) when the app has health checks. */
export function isHealthyInMarathon(app: AppJson, task: WireTask): boolean {
  if (task.state !== undefined && task.state !== 'TASK_RUNNING') return false;
  if (!hasHealthChecks(app)) return true;
  const results = Array.isArray(task.healthCheckResults) ? task.healthCheckResults : [];
  return results.some((r) => r?.alive === true);
}

/** task id -> HAProxy server name in the backend of service port index 0. */
export function serverNames(app: AppJson, resolve: Resolver): Map<string, string> {
  const wire = app as WireApp;
  const mode = networkingMode(wire);
  const slot = declaredServicePorts(wire, mode)[0];
  const out = new Map<string, string>();
  for (const task of tasksOf(app)) {
    const address = taskAddress(wire, task, resolve, mode);
    const port = address?.ports[slot?.position ?? 0];
    if (address && port !== undefined && typeof task.host === 'string') out.set(task.id!, serverName(task.host, address.ip, port));
  }
  return out;
}

/** The backend the controller serves the group under: `<group>_<HAPROXY_0_PORT>`. */
export function backendName(group: string, port0: number): string {
  return `${group.replace(/^\//, '').replace(/\//g, '_')}_${port0}`;
}
