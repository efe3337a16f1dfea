// Marathon pods (1.4+) in the emulator: definitions, instances with real task servers (one per
// container, via the same TaskRunner as apps), GET /v2/pods/::status JSON, and the events real
// Marathon publishes for them (spec §4.3; the pod shapes are in README.md "Pods").
//
// An instance's containers share its network: host networking gives every endpoint a host port
// on 127.0.0.1 (allocatedHostPort); container networking gives the instance its own 127.3.x.y
// address and every endpoint listens there on its containerPort; container/bridge listens on the
// allocated host port of 127.0.0.1. A container's server answers `<instance id>.<container>`.

import { randomUUID } from 'node:crypto';
import { publishDeployment } from './deployment-events.js';
import { HostPortAllocator, LoopbackAddressPool } from './addresses.js';
import { absoluteAppId, safeAppId } from './app-model.js';
import { ApiError, type DeploymentHandle, type Origin } from './cluster.js';
import type { Listener } from './task-model.js';
import type { TaskRunner } from './task-runners.js';
import type { MarathonVersion } from './types.js';

type Json = Record<string, unknown>;

export interface PodEndpointSpec {
  name: string;
  containerPort?: number;
  hostPort?: number;
  protocol?: string[];
  labels?: Record<string, string>;
}

export interface PodHealthCheckSpec {
  http?: { endpoint: string; path?: string; scheme?: 'HTTP' | 'HTTPS' };
  tcp?: { endpoint: string };
  gracePeriodSeconds?: number;
  intervalSeconds?: number;
  maxConsecutiveFailures?: number;
  timeoutSeconds?: number;
  delaySeconds?: number;
}

export interface PodContainerSpec {
  name: string;
  resources?: { cpus?: number; mem?: number; disk?: number; gpus?: number };
  endpoints?: PodEndpointSpec[];
  healthCheck?: PodHealthCheckSpec;
  exec?: unknown;
  image?: unknown;
}

/** A Marathon pod definition (the fields the emulator acts on; others are echoed back). */
export interface PodSpec {
  id: string;
  labels?: Record<string, string>;
  scaling?: { kind?: 'fixed'; instances?: number; maxInstances?: number };
  networks?: Array<{ mode?: 'host' | 'container' | 'container/bridge'; name?: string; labels?: Record<string, string> }>;
  containers: PodContainerSpec[];
  [key: string]: unknown;
}

interface ContainerRecord {
  name: string;
  /** Mesos task id of the container; also the task server's key and answer. */
  id: string;
  status: string;
  endpoints: Array<{ name: string; allocatedHostPort?: number; healthy?: boolean; reach: string }>;
  listeners: Listener[];
  alive: boolean;
  since: string;
}

interface InstanceRecord {
  id: string;
  podId: string;
  version: string;
  status: 'PENDING' | 'STAGING' | 'STABLE' | 'DEGRADED' | 'TERMINAL';
  since: string;
  launchedAt: string;
  address: string | undefined;
  containers: ContainerRecord[];
  allocated: number[];
}

interface PodRecord {
  spec: PodSpec;
  version: string;
  since: string;
}

/** What a test sees of an instance. */
export interface PodInstanceView {
  id: string;
  status: string;
  /** `ip:port` where each endpoint (in container order) is reached. */
  endpoints: string[];
  /** The answer of each container's server (its container id), in container order. */
  containerIds: string[];
}

function now(): string {
  return new Date().toISOString();
}

function instancesOf(spec: PodSpec): number {
  return spec.scaling?.instances ?? 1;
}

function modeOf(spec: PodSpec): 'host' | 'container' | 'container/bridge' {
  return spec.networks?.[0]?.mode ?? 'host';
}

export class PodStore {
  private readonly pods = new Map<string, PodRecord>();
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly hostPorts = new HostPortAllocator(30000, 30999);
  private readonly addresses = new LoopbackAddressPool(3);
  private readonly agentId = `${randomUUID()}-S0`;
  private closed = false;

  constructor(
    private readonly version: MarathonVersion,
    private readonly runner: TaskRunner,
    private readonly publish: (eventType: string, payload: Json) => void,
    /** The deployment queue, shared with apps: Marathon runs one deployment at a time. */
    private readonly enqueue: (fn: () => Promise<void>) => Promise<void>,
  ) {}

  // ---- reads ----

  ids(): string[] {
    return [...this.pods.keys()].sort();
  }

  has(id: string): boolean {
    return this.pods.has(absoluteAppId(id));
  }

  specJson(id: string): Json {
    const pod = this.require(id);
    const networks = pod.spec.networks ?? [{ mode: 'host' }];
    return { ...pod.spec, id: absoluteAppId(id), version: pod.version, scaling: { kind: 'fixed', instances: instancesOf(pod.spec) }, networks };
  }

  statusJson(id: string): Json {
    const pod = this.require(id);
    const instances = this.instancesOf(pod.spec.id).map((i) => this.instanceJson(i));
    const stable = instances.filter((i) => i['status'] === 'STABLE').length;
    const at = now();
    return {
      id: pod.spec.id,
      spec: this.specJson(pod.spec.id),
      status: stable >= instancesOf(pod.spec) ? 'STABLE' : 'DEGRADED',
      statusSince: pod.since,
      instances,
      terminationHistory: [],
      lastUpdated: at,
      lastChanged: pod.since,
    };
  }

  instanceViews(id: string): PodInstanceView[] {
    return this.instancesOf(absoluteAppId(id)).map((i) => ({
      id: i.id,
      status: i.status,
      endpoints: i.containers.flatMap((c) => c.endpoints.map((e) => e.reach)),
      containerIds: i.containers.map((c) => c.id),
    }));
  }

  // ---- writes ----

  putPod(raw: unknown, origin: Origin, mustBeNew = false): DeploymentHandle & { created: boolean } {
    const spec = validatePod(raw);
    const id = spec.id;
    const prev = this.pods.get(id);
    if (prev && mustBeNew) throw new ApiError(409, `Pod ${id} already exists`);
    const version = now();
    const configChanged = prev === undefined || JSON.stringify({ ...prev.spec, scaling: undefined }) !== JSON.stringify({ ...spec, scaling: undefined });
    this.pods.set(id, { spec, version, since: version });
    this.publish(prev ? 'pod_updated_event' : 'pod_created_event', { clientIp: origin.clientIp, uri: origin.uri });
    const old = prev && configChanged ? this.instancesOf(id) : [];
    const action = prev === undefined ? 'StartPod' : old.length > 0 ? 'RestartPod' : 'ScalePod';
    const handle = this.deploy(id, action, async () => {
      if (old.length > 0) {
        await this.converge(id, old.length);
        await Promise.all(old.map((i) => this.kill(i)));
      }
      await this.converge(id);
    });
    return { ...handle, created: prev === undefined };
  }

  deletePod(rawId: string, origin: Origin): DeploymentHandle {
    const id = absoluteAppId(rawId);
    this.require(id);
    this.pods.delete(id);
    this.publish('pod_deleted_event', { clientIp: origin.clientIp, uri: origin.uri });
    return this.deploy(id, 'StopPod', async () => {
      await Promise.all(this.instancesOf(id).map((i) => this.kill(i)));
    });
  }

  scale(rawId: string, instances: number, origin: Origin): DeploymentHandle {
    const pod = this.require(rawId);
    return this.putPod({ ...pod.spec, scaling: { kind: 'fixed', instances } }, origin);
  }

  /** Kills an instance; Marathon launches a replacement (the pod's instance count is unchanged). */
  killInstance(instanceId: string): { instance: Json; done: Promise<void> } {
    const inst = this.instances.get(instanceId);
    if (!inst) throw new ApiError(404, `Instance ${instanceId} does not exist`);
    const json = this.instanceJson(inst);
    const done = this.enqueue(async () => {
      await this.kill(inst);
      await this.converge(inst.podId);
    });
    return { instance: json, done };
  }

  /** The health of the endpoints a check names, in one container of an instance (all when none named). */
  setHealth(instanceId: string, healthy: boolean, container?: string): void {
    const inst = this.instances.get(instanceId);
    if (!inst) throw new Error(`emulator: unknown pod instance ${instanceId}`);
    const spec = this.pods.get(inst.podId)?.spec;
    for (const c of inst.containers) {
      if (container !== undefined && c.name !== container) continue;
      c.alive = healthy;
      this.runner.setHealth(c.id, healthy);
      const checked = checkedEndpoint(spec, c.name);
      for (const e of c.endpoints) if (e.name === checked) e.healthy = healthy;
    }
    this.updateStatus(inst);
    this.publish('instance_health_changed_event', { instanceId: inst.id, runSpecId: inst.podId, healthy, runSpecVersion: inst.version });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pods.clear();
    await this.enqueue(async () => {});
    await Promise.all([...this.instances.values()].map((i) => this.stopServers(i)));
    this.instances.clear();
  }

  // ---- internals ----

  private require(rawId: string): PodRecord {
    const pod = this.pods.get(absoluteAppId(rawId));
    if (!pod) throw new ApiError(404, `pod with ${absoluteAppId(rawId)} does not exist`);
    return pod;
  }

  private instancesOf(id: string): InstanceRecord[] {
    return [...this.instances.values()].filter((i) => i.podId === id).sort((a, b) => a.launchedAt.localeCompare(b.launchedAt) || a.id.localeCompare(b.id));
  }

  private deploy(id: string, action: string, work: () => Promise<void>): DeploymentHandle {
    const deploymentId = randomUUID();
    const version = now();
    const step = { actions: [{ action, pod: id }] };
    const plan = { id: deploymentId, steps: [step], version };
    const done = this.enqueue(() => publishDeployment(this.publish, plan, work));
    return { deploymentId, version, done };
  }

  /** Launches or kills (youngest first) until the pod has its instances (plus `extra` during a restart). */
  private async converge(id: string, extra = 0): Promise<void> {
    if (this.closed) return;
    const pod = this.pods.get(id);
    const live = this.instancesOf(id);
    const want = pod ? instancesOf(pod.spec) + extra : 0;
    if (live.length > want) await Promise.all([...live].reverse().slice(0, live.length - want).map((i) => this.kill(i)));
    else if (pod && live.length < want) await Promise.all(Array.from({ length: want - live.length }, () => this.launch(pod)));
  }

  private async launch(pod: PodRecord): Promise<void> {
    const spec = pod.spec;
    const mode = modeOf(spec);
    const instanceId = `${safeAppId(spec.id)}.instance-${randomUUID()}`;
    const inst: InstanceRecord = {
      id: instanceId, podId: spec.id, version: pod.version, status: 'STAGING', since: now(), launchedAt: now(),
      address: mode === 'container' ? this.addresses.next() : undefined, containers: [], allocated: [],
    };
    for (const c of spec.containers) {
      const record: ContainerRecord = { name: c.name, id: `${instanceId}.${c.name}`, status: 'TASK_STAGING', endpoints: [], listeners: [], alive: true, since: inst.since };
      const checked = checkedEndpoint(spec, c.name);
      const healthPath = c.healthCheck?.http?.path ?? (c.healthCheck?.http ? '/' : undefined);
      for (const e of c.endpoints ?? []) {
        const paths = e.name === checked && healthPath ? [healthPath] : [];
        const healthy = e.name === checked ? true : undefined;
        if (mode === 'container') {
          let port = e.containerPort ?? 0;
          if (port === 0) { port = await this.hostPorts.allocate(); inst.allocated.push(port); }
          record.listeners.push({ ip: inst.address!, port, healthPaths: paths });
          record.endpoints.push({ name: e.name, reach: `${inst.address}:${port}`, ...(healthy !== undefined ? { healthy } : {}) });
        } else {
          let port = e.hostPort ?? 0;
          if (port === 0) { port = await this.hostPorts.allocate(); inst.allocated.push(port); }
          record.listeners.push({ ip: '127.0.0.1', port, healthPaths: paths });
          record.endpoints.push({ name: e.name, allocatedHostPort: port, reach: `127.0.0.1:${port}`, ...(healthy !== undefined ? { healthy } : {}) });
        }
      }
      inst.containers.push(record);
    }
    this.instances.set(instanceId, inst);
    this.instanceChanged(inst, 'Staging');
    try {
      for (const c of inst.containers) await this.runner.start(c.id, c.listeners, c.alive);
    } catch (err) {
      await this.stopServers(inst);
      this.instances.delete(instanceId);
      this.instanceChanged(inst, 'Failed');
      throw err;
    }
    if (!this.instances.has(instanceId)) { await this.stopServers(inst); return; }
    for (const c of inst.containers) { c.status = 'TASK_RUNNING'; c.since = now(); }
    this.updateStatus(inst);
    this.instanceChanged(inst, 'Running');
  }

  private async kill(inst: InstanceRecord): Promise<void> {
    if (!this.instances.has(inst.id)) return;
    inst.status = 'TERMINAL';
    for (const c of inst.containers) c.status = 'TASK_KILLING';
    this.instanceChanged(inst, 'Killing');
    await this.stopServers(inst);
    this.instances.delete(inst.id);
    for (const p of inst.allocated) this.hostPorts.release(p);
    this.instanceChanged(inst, 'Killed');
  }

  private async stopServers(inst: InstanceRecord): Promise<void> {
    await Promise.all(inst.containers.map((c) => this.runner.stop(c.id)));
  }

  private updateStatus(inst: InstanceRecord): void {
    if (inst.status === 'TERMINAL') return;
    const running = inst.containers.every((c) => c.status === 'TASK_RUNNING');
    const healthy = inst.containers.every((c) => c.endpoints.every((e) => e.healthy !== false));
    const next = !running ? 'STAGING' : healthy ? 'STABLE' : 'DEGRADED';
    if (next !== inst.status) { inst.status = next; inst.since = now(); }
  }

  private instanceChanged(inst: InstanceRecord, condition: string): void {
    this.publish('instance_changed_event', {
      instanceId: inst.id, condition, runSpecId: inst.podId, agentId: this.agentId, host: '127.0.0.1', runSpecVersion: inst.version,
    });
  }

  private instanceJson(inst: InstanceRecord): Json {
    const at = now();
    return {
      id: inst.id,
      status: inst.status,
      statusSince: inst.since,
      conditions: [],
      agentHostname: '127.0.0.1',
      agentId: this.agentId,
      resources: { cpus: 0.1, mem: 32, disk: 0, gpus: 0 },
      networks: inst.address ? [{ name: this.pods.get(inst.podId)?.spec.networks?.[0]?.name ?? 'dcos', addresses: [inst.address] }] : [],
      containers: inst.containers.map((c) => ({
        name: c.name,
        status: c.status,
        statusSince: c.since,
        conditions: [],
        containerId: c.id,
        endpoints: c.endpoints.map(({ reach: _reach, ...e }) => e),
        resources: { cpus: 0.1, mem: 32, disk: 0, gpus: 0 },
        lastUpdated: at,
        lastChanged: c.since,
      })),
      specReference: `/v2/pods${inst.podId}::versions/${inst.version}`,
      // 1.4's instance JSON had no local volumes field.
      ...(this.version === '1.4' ? {} : { localVolumes: [] }),
      lastUpdated: at,
      lastChanged: inst.since,
    };
  }
}

/** The endpoint a container's http/tcp health check names, if any. */
function checkedEndpoint(spec: PodSpec | undefined, container: string): string | undefined {
  const hc = spec?.containers.find((c) => c.name === container)?.healthCheck;
  return hc?.http?.endpoint ?? hc?.tcp?.endpoint;
}

const NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function validatePod(raw: unknown): PodSpec {
  const details: Array<{ path: string; errors: string[] }> = [];
  const o = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  if (typeof o['id'] !== 'string' || o['id'].replace(/\//g, '') === '') details.push({ path: '/id', errors: ['error.path.missing'] });
  const containers = Array.isArray(o['containers']) ? (o['containers'] as PodContainerSpec[]) : [];
  if (containers.length === 0) details.push({ path: '/containers', errors: ['error.minLength'] });
  containers.forEach((c, i) => {
    if (typeof c?.name !== 'string' || !NAME.test(c.name)) details.push({ path: `/containers(${i})/name`, errors: ['error.pattern'] });
  });
  if (details.length > 0) throw new ApiError(422, 'Object is not valid', { details });
  return { ...(o as PodSpec), id: absoluteAppId(o['id'] as string) };
}
