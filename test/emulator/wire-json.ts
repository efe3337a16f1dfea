// Marathon's JSON as each version profile writes it (spec §2.2, §2.3, examples §2.10).
// 1.4 = hand-written Play writers: absent optionals as null, old networking fields
// (`ipAddress`, `ports`, `container.docker.network/portMappings`). 1.5 = RAML writers:
// `networks`, `container.portMappings`, optionals omitted. Pure.

import type { AppModel, HealthCheck } from './app-model.js';
import { servicePortsOf } from './app-model.js';
import type { TaskRecord } from './task-model.js';
import { isStaged, taskJsonState } from './task-model.js';
import type { MarathonVersion } from './types.js';

type Json = Record<string, unknown>;

function healthCheckJson(h: HealthCheck, version: MarathonVersion): Json {
  const out: Json = { ...h };
  // 1.4 wrote delaySeconds only for Mesos-level checks; 1.5 writes it on every check.
  if (version === '1.4' && !(h.protocol.startsWith('MESOS_') || h.protocol === 'COMMAND')) delete out['delaySeconds'];
  return out;
}

function portDefinitionsJson(app: AppModel): Json[] {
  return app.ports.map((p) => ({
    port: p.servicePort,
    protocol: p.protocol,
    ...(p.name !== undefined ? { name: p.name } : {}),
    labels: p.labels,
  }));
}

function portMappingsJson(app: AppModel, version: MarathonVersion): Json[] {
  return app.ports.map((p) => ({
    containerPort: p.containerPort ?? 0,
    ...(p.hostPort !== undefined ? { hostPort: p.hostPort } : {}),
    servicePort: p.servicePort,
    protocol: p.protocol,
    ...(p.name !== undefined ? { name: p.name } : {}),
    labels: p.labels,
    ...(version === '1.5' && app.mode === 'container' && app.networkName !== undefined ? { networkNames: [app.networkName] } : {}),
  }));
}

function dockerJson(app: AppModel): Json {
  const d = app.spec.container?.docker ?? {};
  return {
    image: d.image ?? 'emulated/task-server',
    privileged: d.privileged ?? false,
    parameters: d.parameters ?? [],
    forcePullImage: d.forcePullImage ?? false,
  };
}

function container14(app: AppModel): Json | null {
  if (app.containerType === null) return null;
  if (app.containerType === 'MESOS') {
    const image = app.spec.container?.docker?.image;
    return {
      type: 'MESOS',
      volumes: app.spec.container?.volumes ?? [],
      ...(image !== undefined ? { docker: { image, credential: null, forcePullImage: false } } : {}),
    };
  }
  const network = app.mode === 'container/bridge' ? 'BRIDGE' : app.mode === 'container' ? 'USER' : 'HOST';
  return {
    type: 'DOCKER',
    volumes: app.spec.container?.volumes ?? [],
    docker: {
      image: dockerJson(app)['image'],
      network,
      portMappings: app.mode === 'host' ? [] : portMappingsJson(app, '1.4'),
      privileged: dockerJson(app)['privileged'],
      parameters: dockerJson(app)['parameters'],
      forcePullImage: dockerJson(app)['forcePullImage'],
    },
  };
}

function ipAddress14(app: AppModel): Json | null {
  if (app.mode !== 'container') return null;
  const discoveryPorts = app.discoveryOnly
    ? app.ports.map((p) => ({ number: p.containerPort ?? 0, name: p.name ?? '', protocol: p.protocol, labels: p.labels }))
    : [];
  return {
    groups: app.spec.ipAddress?.groups ?? [],
    labels: app.spec.ipAddress?.labels ?? {},
    discovery: { ports: discoveryPorts },
    networkName: app.networkName ?? null,
  };
}

/** The bare app definition (what `api_post_event.appDefinition` carries). */
export function appJson(app: AppModel, version: MarathonVersion): Json {
  const s = app.spec;
  const common = {
    cpus: s.cpus ?? 1,
    mem: s.mem ?? 128,
    disk: s.disk ?? 0,
    gpus: 0,
    executor: '',
    constraints: s.constraints ?? [],
    fetch: [],
    backoffSeconds: 1,
    backoffFactor: 1.15,
    maxLaunchDelaySeconds: 3600,
    healthChecks: app.healthChecks.map((h) => healthCheckJson(h, version)),
    readinessChecks: s.readinessChecks ?? [],
    dependencies: [],
    upgradeStrategy: {
      minimumHealthCapacity: s.upgradeStrategy?.minimumHealthCapacity ?? 1,
      maximumOverCapacity: s.upgradeStrategy?.maximumOverCapacity ?? 1,
    },
    labels: app.labels,
    unreachableStrategy: { inactiveAfterSeconds: 300, expungeAfterSeconds: 600 },
    killSelection: 'YOUNGEST_FIRST',
  };
  const versionInfo = { lastScalingAt: app.lastScalingAt, lastConfigChangeAt: app.lastConfigChangeAt };
  if (version === '1.4') {
    const ipAddress = ipAddress14(app);
    return {
      id: app.id,
      cmd: s.cmd ?? null,
      args: s.args ?? null,
      user: s.user ?? null,
      env: s.env ?? {},
      instances: app.instances,
      ...common,
      uris: [],
      storeUrls: [],
      container: container14(app),
      ipAddress,
      version: app.version,
      residency: null,
      secrets: {},
      taskKillGracePeriodSeconds: s.taskKillGracePeriodSeconds ?? null,
      // ports/portDefinitions/requirePorts cannot coexist with ipAddress. For bridge apps they
      // carry the same service ports as the port mappings.
      ...(ipAddress === null
        ? {
            ports: servicePortsOf(app),
            portDefinitions:
              app.mode === 'host'
                ? portDefinitionsJson(app)
                : app.ports.map((p) => ({ port: p.servicePort, protocol: p.protocol, labels: {} })),
            requirePorts: s.requirePorts ?? false,
          }
        : {}),
      versionInfo,
    };
  }
  const networks =
    app.mode === 'container'
      ? [{ mode: 'container', ...(app.networkName !== undefined ? { name: app.networkName } : {}), ...(app.networkLabels ? { labels: app.networkLabels } : {}) }]
      : [{ mode: app.mode }];
  let container: Json | undefined;
  if (app.containerType !== null || app.mode !== 'host') {
    const type = app.containerType ?? 'MESOS';
    container = {
      type,
      volumes: s.container?.volumes ?? [],
      ...(type === 'DOCKER' ? { docker: dockerJson(app) } : s.container?.docker?.image !== undefined ? { docker: { image: s.container.docker.image, forcePullImage: false } } : {}),
      ...(app.mode !== 'host' ? { portMappings: portMappingsJson(app, version) } : {}),
    };
  }
  return {
    id: app.id,
    ...(s.cmd !== undefined ? { cmd: s.cmd } : {}),
    ...(s.args !== undefined && s.args.length > 0 ? { args: s.args } : {}),
    ...(s.user !== undefined ? { user: s.user } : {}),
    env: s.env ?? {},
    instances: app.instances,
    ...common,
    ...(container !== undefined ? { container } : {}),
    networks,
    ...(app.mode === 'host' ? { portDefinitions: portDefinitionsJson(app) } : {}),
    requirePorts: s.requirePorts ?? false,
    version: app.version,
    versionInfo,
    secrets: {},
  };
}

export function healthResultsJson(task: TaskRecord): Json[] | undefined {
  if (task.health === undefined) return undefined;
  return [{ ...task.health, instanceId: task.instanceId }];
}

/** Task JSON; `servicePorts` is only written by /v2/tasks. */
export function taskJson(task: TaskRecord, version: MarathonVersion, servicePorts?: number[]): Json {
  const results = healthResultsJson(task);
  return {
    id: task.id,
    slaveId: task.slaveId,
    host: task.host,
    state: taskJsonState(task.state),
    startedAt: task.startedAt,
    stagedAt: task.stagedAt,
    ports: task.hostPorts,
    version: task.version,
    ipAddresses: [{ ipAddress: task.ipAddress, protocol: 'IPv4' }],
    appId: task.appId,
    ...(servicePorts !== undefined && servicePorts.length > 0 ? { servicePorts } : {}),
    ...(results !== undefined ? { healthCheckResults: results } : {}),
  };
}

export interface AppEmbeds {
  tasks: boolean;
  counts: boolean;
  deployments: boolean;
  readiness: boolean;
  lastTaskFailure: boolean;
}

export function countsJson(tasks: readonly TaskRecord[]): Json {
  const live = tasks.filter((t) => taskJsonState(t.state) !== 'TASK_KILLED');
  return {
    tasksStaged: live.filter((t) => isStaged(t.state)).length,
    tasksRunning: live.filter((t) => t.state === 'TASK_RUNNING').length,
    tasksHealthy: live.filter((t) => t.health?.alive === true).length,
    tasksUnhealthy: live.filter((t) => t.health !== undefined && !t.health.alive).length,
  };
}

/** AppInfo: the app plus the requested embeds. */
export function appInfoJson(
  app: AppModel,
  tasks: readonly TaskRecord[],
  deploymentIds: readonly string[],
  lastFailure: Json | undefined,
  embeds: AppEmbeds,
  version: MarathonVersion,
): Json {
  return {
    ...appJson(app, version),
    ...(embeds.counts ? countsJson(tasks) : {}),
    ...(embeds.deployments ? { deployments: deploymentIds.map((id) => ({ id })) } : {}),
    ...(embeds.readiness ? { readinessCheckResults: [] } : {}),
    ...(embeds.tasks ? { tasks: tasks.map((t) => taskJson(t, version)) } : {}),
    ...(embeds.lastTaskFailure && lastFailure !== undefined ? { lastTaskFailure: lastFailure } : {}),
  };
}

/** Parses repeated `embed=` values (prefixes `apps.`, `app.`, `group.apps.` or none). */
export function parseEmbeds(values: readonly string[], always: Partial<AppEmbeds>): AppEmbeds {
  const e: AppEmbeds = { tasks: false, counts: false, deployments: false, readiness: false, lastTaskFailure: false, ...always };
  for (const raw of values) {
    const v = raw.replace(/^(group\.apps\.|apps\.|app\.)/, '');
    if (v === 'tasks') {
      e.tasks = true;
      e.deployments = true; // deprecated coupling: tasks brings deployments
    } else if (v === 'counts') e.counts = true;
    else if (v === 'deployments') e.deployments = true;
    else if (v === 'readiness') e.readiness = true;
    else if (v === 'lastTaskFailure') e.lastTaskFailure = true;
    else if (v === 'failures') {
      e.tasks = true;
      e.deployments = true;
      e.lastTaskFailure = true;
    }
  }
  return e;
}
