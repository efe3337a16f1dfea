// The emulated Marathon's state and its state changes: apps, tasks, deployments, health. Every
// change publishes the events real Marathon would (spec §4.3, checklist §10.5). Deployments run
// one at a time on a queue, like Marathon serialising changes to the root group, while the HTTP
// side answers at once with the deployment id.

import { randomUUID } from 'node:crypto';
import type { AppModel } from './app-model.js';
import { absoluteAppId, buildAppModel, safeAppId, servicePortsOf, validateSpec, withServicePorts } from './app-model.js';
import { publishDeployment } from './deployment-events.js';
import { HostPortAllocator, LoopbackAddressPool } from './addresses.js';
import { assignServicePorts } from './service-ports.js';
import type { Listener, TaskRecord } from './task-model.js';
import { conditionOf, isTerminalState, nextHealth } from './task-model.js';
import type { TaskRunner } from './task-runners.js';
import type { AppSpec, MarathonVersion } from './types.js';
import { appJson } from './wire-json.js';

/** A task whose app sets this env variable to "true" never passes a health check (a broken build). */
export const UNHEALTHY_ENV = 'EMULATOR_UNHEALTHY';

type Json = Record<string, unknown>;

/** An error the HTTP layer turns into Marathon's JSON error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Json = {},
  ) {
    super(message);
  }
}

export interface DeploymentHandle {
  deploymentId: string;
  version: string;
  /** Resolves when the deployment finished (successfully or not). */
  done: Promise<void>;
}

interface Deployment {
  id: string;
  appId: string;
  version: string;
  plan: Json;
  action: string;
}

export interface Origin {
  clientIp: string;
  uri: string;
}

const MAX_LAUNCH_ATTEMPTS = 5;

function now(): string {
  return new Date().toISOString();
}

function withoutInstances(spec: AppSpec): string {
  const { instances: _ignored, ...rest } = spec;
  return JSON.stringify(rest);
}

export class Cluster {
  readonly slaveId = `${randomUUID()}-S0`;
  private readonly appsById = new Map<string, AppModel>();
  private readonly tasksById = new Map<string, TaskRecord>();
  /** Tasks by app id, so one app's read does not scan every task (Marathon's is indexed too). */
  private readonly tasksByApp = new Map<string, Set<TaskRecord>>();
  private readonly allocatedPorts = new Map<string, number[]>();
  private readonly deployments = new Map<string, Deployment>();
  private readonly lastFailures = new Map<string, Json>();
  private readonly hostPorts: HostPortAllocator;
  private readonly containerIps = new LoopbackAddressPool(1);
  private readonly bridgeIps = new LoopbackAddressPool(2);
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly version: MarathonVersion,
    private readonly runner: TaskRunner,
    private readonly publish: (eventType: string, payload: Json) => void,
    private readonly killing?: { readonly graceMs: number },
    hostPorts?: { readonly min: number; readonly max: number },
  ) {
    this.hostPorts = new HostPortAllocator(hostPorts?.min, hostPorts?.max);
  }

  // ---- reads ----

  apps(): AppModel[] {
    return [...this.appsById.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  app(id: string): AppModel | undefined {
    return this.appsById.get(absoluteAppId(id));
  }

  /** Tasks of an app, oldest first. */
  tasksOf(appId: string): TaskRecord[] {
    const id = absoluteAppId(appId);
    return [...this.tasksByApp.get(id) ?? []].sort((a, b) => a.stagedAt.localeCompare(b.stagedAt));
  }

  allTasks(): TaskRecord[] {
    return [...this.tasksById.values()];
  }

  task(id: string): TaskRecord | undefined {
    return this.tasksById.get(id);
  }

  deploymentIdsOf(appId: string): string[] {
    return [...this.deployments.values()].filter((d) => d.appId === appId).map((d) => d.id);
  }

  deploymentList(): Json[] {
    return [...this.deployments.values()].map((d) => ({
      id: d.id,
      version: d.version,
      affectedApps: [d.appId],
      affectedPods: [],
      steps: [{ actions: [{ action: d.action, app: d.appId }] }],
      currentActions: [{ action: d.action, app: d.appId, readinessCheckResults: [] }],
      currentStep: 1,
      totalSteps: 1,
    }));
  }

  lastFailureOf(appId: string): Json | undefined {
    return this.lastFailures.get(appId);
  }

  /** Resolves once the deployment queue is empty (including work queued while waiting). */
  async settled(): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      const q = this.queue;
      await q;
      if (q === this.queue) return;
    }
  }

  // ---- app writes ----

  /**
   * Create or update. Updates are partial, as Marathon's PUT: fields not given keep their value.
   * `mustBeNew` gives POST's 409 on an existing id.
   */
  putApp(raw: unknown, origin: Origin, mustBeNew = false): DeploymentHandle & { created: boolean; appId: string } {
    validateSpec(raw);
    const id = absoluteAppId(raw.id);
    const prev = this.appsById.get(id);
    if (prev && mustBeNew) throw new ApiError(409, `An app with id [${id}] already exists.`);
    const stamp = now();
    const merged: AppSpec = prev ? { ...prev.spec, ...raw, id } : { ...raw, id };
    let model = buildAppModel(merged, stamp);
    const requested = model.discoveryOnly ? [] : model.ports.map((p) => p.servicePort);
    // Other apps' ports matter only to fill a requested 0; a scale of a 10,000-app cluster must
    // not walk every app to learn nothing.
    const others = requested.includes(0) ? new Set([...this.appsById.values()].filter((a) => a.id !== id).flatMap(servicePortsOf)) : new Set<number>();
    const assigned = assignServicePorts(requested, prev ? servicePortsOf(prev) : [], others, {
      min: 10000,
      max: 20000,
      maxInclusive: this.version !== '1.4',
    });
    if (!assigned.ok) throw new ApiError(500, assigned.message);
    model = withServicePorts(model, assigned.ports);
    // Compared after port assignment, so re-posting the same definition is not a config change.
    const configChanged = prev === undefined || withoutInstances(prev.spec) !== withoutInstances(model.spec);
    if (prev && !configChanged) {
      model = {
        ...model,
        lastConfigChangeAt: prev.lastConfigChangeAt,
        lastScalingAt: prev.instances === model.instances ? prev.lastScalingAt : stamp,
      };
    }
    this.appsById.set(id, model);
    this.publish('api_post_event', { clientIp: origin.clientIp, uri: origin.uri, appDefinition: appJson(model, this.version) });
    this.publish('group_change_success', { groupId: '/', version: stamp });
    const restartTasks = prev !== undefined && configChanged ? this.tasksOf(id) : [];
    const action = prev === undefined ? 'StartApplication' : restartTasks.length > 0 ? 'RestartApplication' : 'ScaleApplication';
    const handle = this.deploy(id, action, async () => {
      if (restartTasks.length > 0) await this.restart(id, restartTasks);
      else await this.converge(id);
    });
    return { ...handle, created: prev === undefined, appId: id };
  }

  deleteApp(appId: string): DeploymentHandle {
    const id = absoluteAppId(appId);
    const app = this.appsById.get(id);
    if (!app) throw new ApiError(404, `App '${id}' does not exist`);
    this.appsById.delete(id);
    this.publish('group_change_success', { groupId: '/', version: now() });
    return this.deploy(id, 'StopApplication', async () => {
      await Promise.all(this.tasksOf(id).map((t) => this.kill(t)));
      this.publish('app_terminated_event', { appId: id });
    });
  }

  scale(appId: string, instances: number, origin: Origin): DeploymentHandle {
    const app = this.app(appId);
    if (!app) throw new ApiError(404, `App '${absoluteAppId(appId)}' does not exist`);
    return this.putApp({ id: app.id, instances }, origin);
  }

  // ---- task writes ----

  /**
   * Kills tasks. With `scale` the apps shrink (one deployment per app); without it Marathon's
   * launch queue replaces them. Unknown ids are ignored.
   */
  killTasks(taskIds: readonly string[], scale: boolean): { killed: TaskRecord[]; deployments: DeploymentHandle[]; done: Promise<void> } {
    const killed = taskIds.map((id) => this.tasksById.get(id)).filter((t): t is TaskRecord => t !== undefined);
    const byApp = new Map<string, TaskRecord[]>();
    for (const t of killed) byApp.set(t.appId, [...(byApp.get(t.appId) ?? []), t]);
    const deployments: DeploymentHandle[] = [];
    const waits: Array<Promise<void>> = [];
    for (const [appId, tasks] of byApp) {
      const app = this.appsById.get(appId);
      if (scale && app) {
        const stamp = now();
        this.appsById.set(appId, { ...app, instances: Math.max(0, app.instances - tasks.length), spec: { ...app.spec, instances: Math.max(0, app.instances - tasks.length) }, version: stamp, lastScalingAt: stamp });
        const handle = this.deploy(appId, 'ScaleApplication', async () => {
          await Promise.all(tasks.map((t) => this.kill(t)));
          await this.converge(appId);
        });
        deployments.push(handle);
        waits.push(handle.done);
      } else {
        waits.push(
          this.enqueue(async () => {
            await Promise.all(tasks.map((t) => this.kill(t)));
            await this.converge(appId);
          }),
        );
      }
    }
    return { killed, deployments, done: Promise.all(waits).then(() => undefined) };
  }

  /** A raw Mesos status update for a task; terminal states expunge it and queue a replacement. */
  setTaskState(taskId: string, state: string): void {
    const task = this.requireTask(taskId);
    task.state = state;
    this.statusUpdate(task);
    if (isTerminalState(state)) {
      if (state !== 'TASK_KILLED' && state !== 'TASK_FINISHED') this.recordFailure(task, `emulated ${state}`);
      this.expunge(task);
      void this.runner.stop(task.id);
      this.enqueue(() => this.converge(task.appId));
    }
  }

  setHealth(taskId: string, alive: boolean): void {
    const task = this.requireTask(taskId);
    task.alive = alive;
    this.runner.setHealth(taskId, alive);
    if (task.health !== undefined) this.reportHealth(task, alive);
  }

  /** Stops everything; queued work finds no apps and ends. */
  async close(): Promise<void> {
    this.closed = true;
    this.appsById.clear();
    await this.settled();
    await this.runner.close();
  }

  // ---- internals ----

  private requireTask(taskId: string): TaskRecord {
    const t = this.tasksById.get(taskId);
    if (!t) throw new Error(`emulator: unknown task ${taskId}`);
    return t;
  }

  /** Runs `fn` after every queued deployment (Marathon changes one thing at a time; pods share the queue). */
  enqueue(fn: () => Promise<void>): Promise<void> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private deploy(appId: string, action: string, work: () => Promise<void>): DeploymentHandle {
    const id = randomUUID();
    const version = now();
    const step = { actions: [{ action, app: appId }] };
    const plan = { id, steps: [step], version };
    this.deployments.set(id, { id, appId, version, plan, action });
    const done = this.enqueue(() => publishDeployment(this.publish, plan, work, () => this.deployments.delete(id)));
    return { deploymentId: id, version, done };
  }

  /** Launches or kills (youngest first) until the app has `instances` tasks. */
  private async converge(appId: string): Promise<void> {
    for (let attempt = 0; attempt < MAX_LAUNCH_ATTEMPTS && !this.closed; attempt++) {
      const app = this.appsById.get(appId);
      if (!app) return;
      const live = this.tasksOf(appId);
      const missing = app.instances - live.length;
      if (missing === 0) return;
      if (missing < 0) {
        const youngestFirst = [...live].reverse().slice(0, -missing);
        await Promise.all(youngestFirst.map((t) => this.kill(t)));
        return;
      }
      await Promise.allSettled(Array.from({ length: missing }, () => this.launch(app)));
    }
  }

  /** Marathon's rolling restart with the default strategy: start the new tasks, then kill the old. */
  private async restart(appId: string, old: TaskRecord[]): Promise<void> {
    const app = this.appsById.get(appId);
    if (!app) return;
    const oldIds = new Set(old.map((t) => t.id));
    for (let attempt = 0; attempt < MAX_LAUNCH_ATTEMPTS && !this.closed; attempt++) {
      const current = this.appsById.get(appId);
      if (!current) return;
      const fresh = this.tasksOf(appId).filter((t) => !oldIds.has(t.id)).length;
      if (fresh >= current.instances) break;
      await Promise.allSettled(Array.from({ length: current.instances - fresh }, () => this.launch(current)));
    }
    await Promise.all(old.filter((t) => this.tasksById.has(t.id)).map((t) => this.kill(t)));
    await this.converge(appId);
  }

  private async place(app: AppModel): Promise<{ hostPorts: number[]; allocated: number[]; ipAddress: string; byIndex: Listener[][]; endpoints: string[] }> {
    const hostPorts: number[] = [];
    const allocated: number[] = [];
    const byIndex: Listener[][] = [];
    const endpoints: string[] = [];
    const hostPort = async (fixed: number | undefined): Promise<number> => {
      if (fixed !== undefined && fixed !== 0) return fixed;
      const p = await this.hostPorts.allocate();
      allocated.push(p);
      return p;
    };
    let ipAddress = '127.0.0.1';
    if (app.mode === 'host') {
      for (let i = 0; i < app.ports.length; i++) {
        const p = await hostPort(undefined);
        hostPorts.push(p);
        byIndex.push([{ ip: '127.0.0.1', port: p, healthPaths: [] }]);
        endpoints.push(`127.0.0.1:${p}`);
      }
    } else if (app.mode === 'container/bridge') {
      ipAddress = this.bridgeIps.next();
      for (const port of app.ports) {
        const p = await hostPort(port.hostPort);
        hostPorts.push(p);
        byIndex.push([{ ip: '127.0.0.1', port: p, healthPaths: [] }]);
        endpoints.push(`127.0.0.1:${p}`);
      }
    } else {
      ipAddress = this.containerIps.next();
      for (const port of app.ports) {
        const listeners: Listener[] = [];
        let containerPort = port.containerPort ?? 0;
        if (port.hostPort !== undefined) {
          const p = await hostPort(port.hostPort);
          hostPorts.push(p);
          listeners.push({ ip: '127.0.0.1', port: p, healthPaths: [] });
          if (containerPort === 0) containerPort = p;
        }
        if (containerPort === 0) containerPort = await hostPort(undefined);
        listeners.push({ ip: ipAddress, port: containerPort, healthPaths: [] });
        byIndex.push(listeners);
        endpoints.push(`${ipAddress}:${containerPort}`);
      }
    }
    for (const hc of app.healthChecks) {
      if (hc.path === undefined) continue;
      const targets = hc.port !== undefined ? byIndex.flat().filter((l) => l.port === hc.port) : (byIndex[hc.portIndex ?? 0] ?? []);
      for (const l of targets) l.healthPaths.push(hc.path);
    }
    return { hostPorts, allocated, ipAddress, byIndex, endpoints };
  }

  private async launch(app: AppModel): Promise<void> {
    const uuid = randomUUID();
    const safe = safeAppId(app.id);
    const placed = await this.place(app);
    const task: TaskRecord = {
      id: `${safe}.${uuid}`,
      instanceId: `${safe}.marathon-${uuid}`,
      appId: app.id,
      host: '127.0.0.1',
      slaveId: this.slaveId,
      state: 'TASK_STAGING',
      stagedAt: now(),
      startedAt: null,
      version: app.version,
      hostPorts: placed.hostPorts,
      ipAddress: placed.ipAddress,
      listeners: placed.byIndex.flat(),
      endpoints: placed.endpoints,
      // The emulated program of a broken build: it runs, but fails its health checks.
      alive: app.spec.env?.[UNHEALTHY_ENV] !== 'true',
    };
    this.tasksById.set(task.id, task);
    (this.tasksByApp.get(task.appId) ?? this.tasksByApp.set(task.appId, new Set()).get(task.appId)!).add(task);
    this.allocatedPorts.set(task.id, placed.allocated);
    this.statusUpdate(task);
    try {
      await this.runner.start(task.id, task.listeners, task.alive);
    } catch (err) {
      if (!this.tasksById.has(task.id)) return;
      task.state = 'TASK_FAILED';
      this.statusUpdate(task, String(err));
      this.recordFailure(task, String(err));
      this.expunge(task);
      throw err;
    }
    if (!this.tasksById.has(task.id)) {
      await this.runner.stop(task.id); // killed (or failed by a test) while starting
      return;
    }
    task.state = 'TASK_RUNNING';
    task.startedAt = now();
    this.statusUpdate(task);
    if (app.healthChecks.length > 0) this.reportHealth(task, task.alive);
  }

  private async kill(task: TaskRecord): Promise<void> {
    if (this.killing && task.state !== 'TASK_KILLING') {
      task.state = 'TASK_KILLING';
      this.statusUpdate(task);
      const grace = this.appsById.get(task.appId)?.spec.taskKillGracePeriodSeconds;
      await new Promise((r) => setTimeout(r, typeof grace === 'number' ? grace * 1000 : this.killing!.graceMs));
    }
    await this.runner.stop(task.id);
    if (!this.tasksById.has(task.id)) return;
    task.state = 'TASK_KILLED';
    this.statusUpdate(task);
    this.expunge(task);
  }

  private expunge(task: TaskRecord): void {
    this.tasksById.delete(task.id);
    this.tasksByApp.get(task.appId)?.delete(task);
    for (const p of this.allocatedPorts.get(task.id) ?? []) this.hostPorts.release(p);
    this.allocatedPorts.delete(task.id);
  }

  private recordFailure(task: TaskRecord, message: string): void {
    this.lastFailures.set(task.appId, {
      appId: task.appId,
      host: task.host,
      message,
      state: task.state,
      taskId: task.id,
      timestamp: now(),
      version: task.version,
      slaveId: task.slaveId,
    });
  }

  private statusUpdate(task: TaskRecord, message = ''): void {
    this.publish('status_update_event', {
      slaveId: task.slaveId,
      taskId: task.id,
      taskStatus: task.state,
      message,
      appId: task.appId,
      host: task.host,
      ipAddresses: [{ ipAddress: task.ipAddress, protocol: 'IPv4' }],
      ports: task.hostPorts,
      version: task.version,
    });
    this.publish('instance_changed_event', {
      instanceId: task.instanceId,
      condition: conditionOf(task.state),
      runSpecId: task.appId,
      agentId: task.slaveId,
      host: task.host,
      runSpecVersion: task.version,
    });
  }

  /** Records a health-check outcome; events only when the alive flag flips (or first result). */
  private reportHealth(task: TaskRecord, alive: boolean): void {
    const app = this.appsById.get(task.appId);
    if (!app || app.healthChecks.length === 0) return;
    const prev = task.health;
    task.health = nextHealth(prev, alive, now());
    if (prev === undefined || prev.alive !== alive) {
      this.publish('health_status_changed_event', { appId: task.appId, instanceId: task.instanceId, version: task.version, alive });
      this.publish('instance_health_changed_event', { instanceId: task.instanceId, runSpecId: task.appId, healthy: alive, runSpecVersion: task.version });
    }
    if (!alive) {
      const hc = app.healthChecks[0];
      // 1.4.x names the field instanceId; 1.5+ calls it taskId but puts the instance id in it.
      const key = this.version === '1.4' ? 'instanceId' : 'taskId';
      this.publish('failed_health_check_event', { appId: task.appId, [key]: task.instanceId, healthCheck: hc });
    }
  }
}
