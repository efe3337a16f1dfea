// Marathon pods -> the same Services apps give. Pure.
//
// A pod is read as an app-shaped record, so the one normalize() applies the same group and label
// rules, names and server lines: pod `labels` are the app's labels; each endpoint, in container
// order, is a port whose index n is the `{n}` of HAPROXY_{n}_* labels; each instance is a task
// (its id, its agent, its state). Pods have no service ports of their own, so an endpoint is
// served on HAPROXY_{n}_PORT; one without that label is skipped (NO_SERVICE_PORT) without
// shifting the index of the endpoints after it. Host networking serves the instance's agent and
// the endpoint's allocated host port; container networking the instance's first network address
// and the endpoint's containerPort; container/bridge the agent and the allocated host port.
//
// What pods have and apps do not, per endpoint: a container that is not running is not served,
// and with --health-check an endpoint with a Marathon health check is served only while its
// `healthy` says true (the last verdict is kept in the health cache, as for apps' tasks). Pods do
// not do blue/green: HAPROXY_DEPLOYMENT_GROUP is ignored.

import { compareText, sanitizeLabels } from './app-input.js';
import { parseInteger } from './decode.js';
import { normalize, type NormalizeOptions } from './normalize.js';
import type { WirePodContainerStatus, WirePodEndpoint, WirePodHealthCheck, WirePodInstanceStatus, WirePodStatus } from './pod-wire.js';
import { isPort, networkingMode } from './service-ports.js';
import type { Model, Service, Skipped } from './types.js';
import type { WireApp, WireHealthCheck, WireTask } from './wire.js';

const POD = Symbol('marathon pod');

interface EndpointInfo {
  readonly name: string;
  readonly container: string;
  /** HAPROXY_{n}_PORT is set (valid or not: an invalid one is reported by normalize()). */
  readonly hasPortLabel: boolean;
  /** A Marathon health check (http or tcp) names this endpoint. */
  readonly checked: boolean;
}

interface EndpointState {
  readonly running: boolean;
  readonly healthy: boolean | undefined;
}

interface PodInfo {
  readonly endpoints: readonly EndpointInfo[];
  /** Instance id -> state of each endpoint (same order as `endpoints`). */
  readonly instances: ReadonlyMap<string, readonly EndpointState[]>;
}

/** A pod as an app-shaped record (see podAsApp). */
export type PodApp = WireApp & { readonly [POD]: PodInfo };

export function isPodApp(app: unknown): app is PodApp {
  return typeof app === 'object' && app !== null && POD in app;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function list<T>(v: readonly T[] | null | undefined): readonly T[] {
  return Array.isArray(v) ? v.filter((x) => typeof x === 'object' && x !== null) : [];
}

/** Container states that mean "the process is up" (1.4's words and Mesos task states). */
const RUNNING_CONTAINER = new Set(['TASK_RUNNING', 'RUNNING', 'STABLE', 'DEGRADED']);

/** An instance's status as the task state the task filter knows. */
function taskState(status: unknown): string | undefined {
  switch (status) {
    case 'STABLE':
    case 'DEGRADED':
      return 'TASK_RUNNING';
    case 'PENDING':
    case 'STAGING':
      return 'TASK_STAGING';
    case 'TERMINAL':
      return 'TASK_KILLING';
    default:
      return undefined;
  }
}

function healthCheckOf(check: WirePodHealthCheck, index: number): WireHealthCheck {
  const http = check.http ?? undefined;
  return {
    protocol: http ? (String(http.scheme ?? '').toUpperCase() === 'HTTPS' ? 'HTTPS' : 'HTTP') : 'TCP',
    ...(http && text(http.path) ? { path: http.path! } : {}),
    portIndex: index,
    gracePeriodSeconds: check.gracePeriodSeconds ?? null,
    intervalSeconds: check.intervalSeconds ?? null,
    timeoutSeconds: check.timeoutSeconds ?? null,
    maxConsecutiveFailures: check.maxConsecutiveFailures ?? null,
  };
}

function containerStatus(instance: WirePodInstanceStatus, container: string): WirePodContainerStatus | undefined {
  return list(instance.containers).find((c) => c.name === container);
}

/**
 * A PodStatus (GET /v2/pods/::status) as an app-shaped record that normalize() serves like an
 * app. Undefined when the entry is not an object or names no pod.
 */
export function podAsApp(status: WirePodStatus): PodApp | undefined {
  if (typeof status !== 'object' || status === null || Array.isArray(status)) return undefined;
  const spec = typeof status.spec === 'object' && status.spec !== null ? status.spec : {};
  const id = text(spec.id) ?? text(status.id);
  if (id === undefined) return undefined;
  const labels = sanitizeLabels(spec.labels);
  delete labels['HAPROXY_DEPLOYMENT_GROUP'];

  const endpoints: Array<{ ep: WirePodEndpoint; container: string; name: string }> = [];
  for (const c of list(spec.containers)) {
    for (const ep of list(c.endpoints)) endpoints.push({ ep, container: String(c.name ?? ''), name: String(ep.name ?? '') });
  }
  const checks: WireHealthCheck[] = [];
  const checked = new Set<number>();
  for (const c of list(spec.containers)) {
    const hc = c.healthCheck;
    if (typeof hc !== 'object' || hc === null) continue;
    const target = text(hc.http?.endpoint) ?? text(hc.tcp?.endpoint);
    const index = endpoints.findIndex((e) => e.container === String(c.name ?? '') && e.name === target);
    if (index < 0) continue;
    checks.push(healthCheckOf(hc, index));
    checked.add(index);
  }

  // Service ports: the label's, else a placeholder no label uses (the endpoint is then skipped
  // after normalize(), but it keeps its place, so the next endpoint keeps its index).
  const labelPorts = endpoints.map((_, n) => {
    const v = labels[`HAPROXY_${n}_PORT`];
    const p = v === undefined ? undefined : parseInteger(v);
    return isPort(p) ? p : undefined;
  });
  const used = new Set(labelPorts.filter((p): p is number => p !== undefined));
  let next = 65535;
  const servicePorts = labelPorts.map((p) => {
    if (p !== undefined) return p;
    while (used.has(next)) next -= 1;
    used.add(next);
    return next;
  });

  const mode = networkingMode({ networks: spec.networks ?? null });
  const networkName = list(spec.networks).find((n) => n.mode === 'container')?.name;
  const tasks: WireTask[] = [];
  const instances = new Map<string, EndpointState[]>();
  for (const inst of list(status.instances)) {
    const instanceId = text(inst.id);
    if (instanceId === undefined || instances.has(instanceId)) continue;
    const states = endpoints.map(({ container, name }): EndpointState => {
      const cs = containerStatus(inst, container);
      const es = list(cs?.endpoints).find((e) => e.name === name);
      return {
        running: cs !== undefined && typeof cs.status === 'string' && RUNNING_CONTAINER.has(cs.status),
        healthy: typeof es?.healthy === 'boolean' ? es.healthy : undefined,
      };
    });
    instances.set(instanceId, states);
    const task: WireTask = { id: instanceId, host: text(inst.agentHostname) ?? text(inst.agent) ?? null, state: taskState(inst.status) ?? null };
    if (mode === 'container') {
      const address = list(inst.networks).flatMap((n) => (Array.isArray(n.addresses) ? n.addresses : [])).find((a) => text(a) !== undefined);
      task.ipAddresses = address ? [{ ipAddress: address, protocol: address.includes(':') ? 'IPv6' : 'IPv4' }] : [];
    } else {
      // No allocated port (not launched yet): no port at that position, so no server there.
      const ports = endpoints.map(({ container, name }) => {
        const p = list(containerStatus(inst, container)?.endpoints).find((e) => e.name === name)?.allocatedHostPort;
        return isPort(p) ? p : 0;
      });
      if (!ports.some((p) => p > 0)) continue;
      task.ports = ports;
    }
    tasks.push(task);
  }

  const app: WireApp = { id, labels, healthChecks: checks, tasks };
  if (mode === 'host') {
    app.portDefinitions = endpoints.map(({ name }, n) => ({ port: servicePorts[n]!, name }));
  } else {
    app.networks = mode === 'container' ? [{ mode, ...(networkName ? { name: networkName } : {}) }] : [{ mode }];
    app.container = {
      portMappings: endpoints.map(({ ep, name }, n) => ({
        containerPort: isPort(ep.containerPort) ? ep.containerPort : null,
        hostPort: typeof ep.hostPort === 'number' ? ep.hostPort : null,
        servicePort: servicePorts[n]!,
        name,
      })),
    };
  }
  const info: PodInfo = {
    endpoints: endpoints.map(({ name, container }, n) => ({
      name, container, hasPortLabel: labels[`HAPROXY_${n}_PORT`] !== undefined, checked: checked.has(n),
    })),
    instances,
  };
  return Object.assign(app, { [POD]: info }) as PodApp;
}

function serves(info: PodInfo, instanceId: string, index: number, opts: NormalizeOptions): boolean {
  const state = info.instances.get(instanceId)?.[index];
  const endpoint = info.endpoints[index];
  if (!state || !endpoint || !state.running) return false;
  if (!opts.healthCheck || !endpoint.checked) return true;
  const key = `${instanceId}/${endpoint.container}/${endpoint.name}`;
  if (state.healthy !== undefined) {
    opts.healthCache.set(key, state.healthy);
    return state.healthy;
  }
  // Marathon has no verdict yet (or left it out this time): the last one stands.
  return opts.healthCache.get(key) ?? false;
}

function inPodWords(s: Skipped): Skipped {
  return { ...s, message: s.message.replace(/^app /, 'pod ') };
}

/** The services of one pod (given as podAsApp made it), as normalize() gives an app's. */
export function normalizePod(app: PodApp, opts: NormalizeOptions): Model {
  const info = app[POD];
  const model = normalize([app], { ...opts, healthCheck: false });
  const skipped = model.skipped.map(inPodWords);
  const services: Service[] = [];
  for (const s of model.services) {
    const endpoint = info.endpoints[s.index];
    if (endpoint && !endpoint.hasPortLabel) {
      skipped.push({
        appId: s.appId, index: s.index, label: `HAPROXY_${s.index}_PORT`, reason: 'NO_SERVICE_PORT',
        message: `pod ${s.appId} (endpoint ${s.index}, ${endpoint.name}): pods have no service ports; set HAPROXY_${s.index}_PORT`,
      });
      continue;
    }
    const servers = s.servers.filter((srv) => serves(info, srv.taskId, s.index, opts));
    services.push(servers.length === s.servers.length ? s : { ...s, servers });
  }
  skipped.sort((a, b) => compareText(a.appId, b.appId) || (a.index ?? -1) - (b.index ?? -1) || compareText(a.message, b.message));
  return { services, skipped };
}

/** normalize() for a mix of apps and pods: apps together (blue/green pairs), each pod alone. */
export function normalizeRunSpecs(specs: readonly WireApp[], opts: NormalizeOptions): Model {
  // Nearly always apps alone (the cluster model calls this once per app): no lists to split.
  if (!specs.some(isPodApp)) return normalize(specs, opts);
  const apps = specs.filter((s) => !isPodApp(s));
  const pods = specs.filter(isPodApp);
  const parts = [normalize(apps, opts), ...pods.map((p) => normalizePod(p, opts))];
  return { services: parts.flatMap((p) => p.services), skipped: parts.flatMap((p) => p.skipped) };
}
