// The emulator's internal view of an app: the posted spec reduced to one networking mode and
// one list of ports, independent of which Marathon version's JSON shape is emitted later.
// Pure: no I/O, no clock (timestamps come in as arguments).

import type { AppSpec, HealthCheckSpec, PortMappingSpec } from './types.js';

export type NetworkMode = 'host' | 'container/bridge' | 'container';

export interface AppPort {
  /** Service port (0 until assigned; stays 0 for 1.4 Mesos IP-per-task discovery ports). */
  servicePort: number;
  protocol: string;
  name?: string;
  labels: Record<string, string>;
  /** Non-host modes only. 0 = use the allocated host port. */
  containerPort?: number;
  /** Non-host modes: undefined = no host port reserved (container mode); 0 = dynamic. */
  hostPort?: number;
}

export interface HealthCheck {
  protocol: string;
  path?: string;
  portIndex?: number;
  port?: number;
  gracePeriodSeconds: number;
  intervalSeconds: number;
  timeoutSeconds: number;
  maxConsecutiveFailures: number;
  ignoreHttp1xx?: boolean;
  delaySeconds: number;
  command?: { value: string };
}

export interface AppModel {
  id: string;
  spec: AppSpec;
  instances: number;
  labels: Record<string, string>;
  mode: NetworkMode;
  networkName?: string;
  networkLabels?: Record<string, string>;
  containerType: 'DOCKER' | 'MESOS' | null;
  /** The 1.4 `ipAddress` + Mesos containerizer case: ports are discovery ports, no service ports. */
  discoveryOnly: boolean;
  ports: AppPort[];
  healthChecks: HealthCheck[];
  version: string;
  lastScalingAt: string;
  lastConfigChangeAt: string;
}

export class SpecError extends Error {
  constructor(
    message: string,
    readonly details: Array<{ path: string; errors: string[] }>,
  ) {
    super(message);
  }
}

/** `/a/b` for `a/b`, `/a/b/`, `/a/b`. */
export function absoluteAppId(id: string): string {
  const trimmed = id.replace(/^\/+|\/+$/g, '');
  return `/${trimmed}`;
}

/** Marathon's "safe" id used in task ids: `/a/b` -> `a_b`. */
export function safeAppId(id: string): string {
  return absoluteAppId(id).slice(1).replace(/\//g, '_');
}

const ID_SEGMENT = /^(([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])$/;

export function validateSpec(spec: unknown): asserts spec is AppSpec {
  const details: Array<{ path: string; errors: string[] }> = [];
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new SpecError('Object is not valid', [{ path: '/', errors: ['error.expected.jsobject'] }]);
  }
  const s = spec as Record<string, unknown>;
  if (typeof s['id'] !== 'string' || s['id'].replace(/\//g, '') === '') {
    details.push({ path: '/id', errors: ['error.path.missing'] });
  } else {
    const segments = absoluteAppId(s['id']).slice(1).split('/');
    if (!segments.every((seg) => ID_SEGMENT.test(seg))) {
      details.push({ path: '/id', errors: ['must fully match regular expression \'^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])|(\\.|\\.\\.)$\''] });
    }
  }
  const instances = s['instances'];
  if (instances !== undefined && (typeof instances !== 'number' || !Number.isInteger(instances) || instances < 0)) {
    details.push({ path: '/instances', errors: ['got ' + String(instances) + ', expected 0 or more'] });
  }
  if (details.length > 0) throw new SpecError('Object is not valid', details);
}

function modeOf(spec: AppSpec): { mode: NetworkMode; name?: string; labels?: Record<string, string> } {
  const first = spec.networks?.[0];
  if (first !== undefined) {
    const mode = first.mode ?? 'container';
    return mode === 'container'
      ? { mode, ...(first.name !== undefined ? { name: first.name } : {}), ...(first.labels ? { labels: first.labels } : {}) }
      : { mode };
  }
  const dockerNet = spec.container?.docker?.network;
  if (dockerNet === 'BRIDGE') return { mode: 'container/bridge' };
  if (dockerNet === 'USER' || spec.ipAddress) {
    const name = spec.ipAddress?.networkName;
    return { mode: 'container', ...(name !== undefined ? { name } : {}) };
  }
  return { mode: 'host' };
}

function mappingToPort(m: PortMappingSpec, mode: NetworkMode): AppPort {
  const hostPort = m.hostPort ?? (mode === 'container/bridge' ? 0 : undefined);
  return {
    servicePort: m.servicePort ?? 0,
    protocol: m.protocol ?? 'tcp',
    ...(m.name !== undefined ? { name: m.name } : {}),
    labels: m.labels ?? {},
    containerPort: m.containerPort ?? 0,
    ...(hostPort !== undefined ? { hostPort } : {}),
  };
}

function portsOf(spec: AppSpec, mode: NetworkMode): { ports: AppPort[]; discoveryOnly: boolean } {
  if (mode === 'host') {
    if (spec.portDefinitions !== undefined) {
      return {
        ports: spec.portDefinitions.map((d) => ({
          servicePort: d.port ?? 0,
          protocol: d.protocol ?? 'tcp',
          ...(d.name !== undefined ? { name: d.name } : {}),
          labels: d.labels ?? {},
        })),
        discoveryOnly: false,
      };
    }
    if (spec.ports !== undefined) {
      return { ports: spec.ports.map((p) => ({ servicePort: p, protocol: 'tcp', labels: {} })), discoveryOnly: false };
    }
    // Marathon gives an app created without ports one dynamic port named "default".
    return { ports: [{ servicePort: 0, protocol: 'tcp', name: 'default', labels: {} }], discoveryOnly: false };
  }
  const mappings = spec.container?.portMappings ?? spec.container?.docker?.portMappings;
  if (mappings !== undefined) return { ports: mappings.map((m) => mappingToPort(m, mode)), discoveryOnly: false };
  const discovery = spec.ipAddress?.discovery?.ports;
  if (discovery !== undefined) {
    return {
      ports: discovery.map((d) => ({
        servicePort: 0,
        protocol: d.protocol ?? 'tcp',
        ...(d.name !== undefined ? { name: d.name } : {}),
        labels: d.labels ?? {},
        containerPort: d.number,
      })),
      discoveryOnly: true,
    };
  }
  return { ports: [], discoveryOnly: false };
}

function healthCheckOf(h: HealthCheckSpec): HealthCheck {
  const protocol = h.protocol ?? 'HTTP';
  const isHttp = /HTTP/.test(protocol);
  const usesPort = protocol !== 'COMMAND';
  return {
    protocol,
    ...(isHttp ? { path: h.path ?? '/' } : {}),
    ...(usesPort && h.port === undefined ? { portIndex: h.portIndex ?? 0 } : {}),
    ...(h.port !== undefined ? { port: h.port } : {}),
    gracePeriodSeconds: h.gracePeriodSeconds ?? 300,
    intervalSeconds: h.intervalSeconds ?? 60,
    timeoutSeconds: h.timeoutSeconds ?? 20,
    maxConsecutiveFailures: h.maxConsecutiveFailures ?? 3,
    ...(protocol === 'HTTP' || protocol === 'HTTPS' ? { ignoreHttp1xx: h.ignoreHttp1xx ?? false } : {}),
    delaySeconds: h.delaySeconds ?? 15,
    ...(h.command !== undefined ? { command: h.command } : {}),
  };
}

/**
 * Builds the model for a (merged) spec. Service ports are taken as given (0 = to assign);
 * the caller assigns them with service-ports.ts and writes them back.
 */
export function buildAppModel(spec: AppSpec, now: string, lastConfigChangeAt: string = now): AppModel {
  const id = absoluteAppId(spec.id);
  const net = modeOf(spec);
  const { ports, discoveryOnly } = portsOf(spec, net.mode);
  const containerType = spec.container ? (spec.container.type ?? 'DOCKER') : null;
  const instances = spec.instances ?? 1;
  return {
    id,
    spec: { ...spec, id },
    instances,
    labels: spec.labels ?? {},
    mode: net.mode,
    ...(net.name !== undefined ? { networkName: net.name } : {}),
    ...(net.labels !== undefined ? { networkLabels: net.labels } : {}),
    containerType,
    discoveryOnly,
    ports,
    healthChecks: (spec.healthChecks ?? []).map(healthCheckOf),
    version: now,
    lastScalingAt: now,
    lastConfigChangeAt,
  };
}

/** Writes assigned service ports back into the spec, as Marathon stores them. */
export function withServicePorts(model: AppModel, servicePorts: number[]): AppModel {
  const ports = model.ports.map((p, i) => (model.discoveryOnly ? p : { ...p, servicePort: servicePorts[i] ?? p.servicePort }));
  const spec: AppSpec = { ...model.spec };
  if (model.mode === 'host') {
    spec.portDefinitions = ports.map((p) => ({
      port: p.servicePort,
      protocol: p.protocol,
      ...(p.name !== undefined ? { name: p.name } : {}),
      labels: p.labels,
    }));
    delete spec.ports;
  } else if (!model.discoveryOnly && ports.length > 0) {
    const mappings: PortMappingSpec[] = ports.map((p) => ({
      containerPort: p.containerPort ?? 0,
      ...(p.hostPort !== undefined ? { hostPort: p.hostPort } : {}),
      servicePort: p.servicePort,
      protocol: p.protocol,
      ...(p.name !== undefined ? { name: p.name } : {}),
      labels: p.labels,
    }));
    const container = { ...(spec.container ?? {}) };
    if (container.docker?.portMappings !== undefined) container.docker = { ...container.docker, portMappings: mappings };
    else container.portMappings = mappings;
    spec.container = container;
  }
  return { ...model, ports, spec };
}

/** Service ports of the app in port order (empty for discovery-only apps). */
export function servicePortsOf(model: AppModel): number[] {
  return model.discoveryOnly ? [] : model.ports.map((p) => p.servicePort);
}
