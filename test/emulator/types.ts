// Public types of the Marathon emulator: what tests pass in and what they get back.
// The wire shapes Marathon writes are produced elsewhere (app-json.ts, task-json.ts); these
// types describe the *input* side, a subset of a Marathon app definition.

import type { PodInstanceView, PodSpec } from './pods.js';

export type { PodInstanceView, PodSpec, PodContainerSpec, PodEndpointSpec, PodHealthCheckSpec } from './pods.js';

export type MarathonVersion = '1.4' | '1.5';

export interface EmulatorOptions {
  /** 0 = ephemeral (default). */
  port?: number;
  /** Networking shape profile to emit (default '1.5'). */
  version?: MarathonVersion;
  /** Basic auth on every path (Jetty-style 401 HTML + WWW-Authenticate). */
  auth?: { user: string; password: string };
  /**
   * How tasks are realised (default 'inprocess'): HTTP servers in this process, one process per
   * task, one process for all tasks ('agent', like a Mesos agent), or none.
   */
  taskServers?: 'process' | 'inprocess' | 'agent' | 'none';
  /** SSE heartbeat period (default 10000). */
  heartbeatMs?: number;
  /** Enable /v2/eventSubscriptions (the 1.4 http_callback module). */
  eventCallbacks?: boolean;
  /**
   * Marathon run with `--enable_features task_killing`: a kill first reports TASK_KILLING and the
   * task keeps serving for its grace period (the app's taskKillGracePeriodSeconds, else graceMs),
   * as a task given SIGTERM does, before it exits and TASK_KILLED is reported.
   */
  taskKilling?: { graceMs: number };
  /**
   * The host ports tasks get (default 31000-32767, about what one Mesos agent offers). A
   * benchmark with thousands of tasks on one loopback address needs a wider range.
   */
  hostPorts?: { min: number; max: number };
}

export interface PortDefinitionSpec {
  port?: number;
  name?: string;
  protocol?: string;
  labels?: Record<string, string>;
}

export interface PortMappingSpec {
  containerPort?: number;
  hostPort?: number;
  servicePort?: number;
  protocol?: string;
  name?: string;
  labels?: Record<string, string>;
}

export interface HealthCheckSpec {
  protocol?: string;
  path?: string;
  portIndex?: number;
  port?: number;
  gracePeriodSeconds?: number;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  maxConsecutiveFailures?: number;
  ignoreHttp1xx?: boolean;
  delaySeconds?: number;
  command?: { value: string };
}

export interface DockerSpec {
  image?: string;
  /** 1.4-style input; the emulator also accepts it when emitting 1.5 shapes. */
  network?: 'HOST' | 'BRIDGE' | 'USER';
  /** 1.4-style input. */
  portMappings?: PortMappingSpec[];
  privileged?: boolean;
  parameters?: Array<{ key: string; value: string }>;
  forcePullImage?: boolean;
}

export interface ContainerSpec {
  type?: 'DOCKER' | 'MESOS';
  volumes?: unknown[];
  /** 1.5-style input. */
  portMappings?: PortMappingSpec[];
  docker?: DockerSpec;
}

export interface NetworkSpec {
  mode?: 'host' | 'container/bridge' | 'container';
  name?: string;
  labels?: Record<string, string>;
}

/** 1.4-style IP-per-task input. */
export interface IpAddressSpec {
  networkName?: string;
  groups?: string[];
  labels?: Record<string, string>;
  discovery?: { ports?: Array<{ number: number; name?: string; protocol?: string; labels?: Record<string, string> }> };
}

/**
 * A Marathon-like app definition. Host networking: `portDefinitions` (or legacy `ports`).
 * Bridge: `networks: [{mode: 'container/bridge'}]` or `container.docker.network: 'BRIDGE'`.
 * IP-per-task: `networks: [{mode: 'container', name}]` or `ipAddress` (+ docker `USER`).
 * Port mappings may be given in `container.portMappings` or `container.docker.portMappings`.
 */
export interface AppSpec {
  /** Seconds between SIGTERM and SIGKILL when the task is killed (with taskKilling: how long it keeps serving). */
  taskKillGracePeriodSeconds?: number | null;
  id: string;
  instances?: number;
  cmd?: string;
  args?: string[];
  user?: string;
  env?: Record<string, string>;
  cpus?: number;
  mem?: number;
  disk?: number;
  labels?: Record<string, string>;
  ports?: number[];
  portDefinitions?: PortDefinitionSpec[];
  requirePorts?: boolean;
  container?: ContainerSpec | null;
  networks?: NetworkSpec[];
  ipAddress?: IpAddressSpec | null;
  healthChecks?: HealthCheckSpec[];
  readinessChecks?: unknown[];
  constraints?: unknown[];
  upgradeStrategy?: { minimumHealthCapacity?: number; maximumOverCapacity?: number };
}

export interface TaskView {
  id: string;
  host: string;
  /** Host ports (task JSON `ports`). */
  ports: number[];
  state: string;
  /** Where the task's servers really listen: host ports on `host`, or the container IP. */
  ipAddress: string;
  /** The addresses a client can reach the task's ports on, one per app port, `ip:port`. */
  endpoints: string[];
}

export type Role =
  | { kind: 'leader' }
  | { kind: 'standby'; leaderUrl: string }
  | { kind: 'electing' };

export interface RequestRecord {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface Emulator {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** Stops the HTTP server, streams, callbacks and every task server. */
  close(): Promise<void>;
  /** Create or update (partial update like Marathon's PUT); resolves when the deployment is done. */
  putApp(spec: AppSpec): Promise<void>;
  deleteApp(id: string): Promise<void>;
  scale(id: string, instances: number): Promise<void>;
  /** Marathon replaces the task unless `scale` is set. Resolves when the deployment is done. */
  killTask(taskId: string, opts?: { scale?: boolean }): Promise<void>;
  /** Raw Mesos state, e.g. TASK_KILLING, TASK_UNREACHABLE; terminal states expunge and replace. */
  setTaskState(taskId: string, state: string): void;
  /** Marathon's health result AND what the task server answers on its health path. */
  setHealth(taskId: string, alive: boolean): void;
  tasks(appId: string): TaskView[];
  apps(): string[];
  /** Resolves when no deployment is running (e.g. after setTaskState launched a replacement). */
  settled(): Promise<void>;
  /** Create or replace a pod (Marathon's PUT /v2/pods/{id}); resolves when its deployment is done. */
  putPod(spec: PodSpec): Promise<void>;
  deletePod(id: string): Promise<void>;
  scalePod(id: string, instances: number): Promise<void>;
  /** Kills one instance; Marathon replaces it. Resolves when the replacement runs. */
  killPodInstance(instanceId: string): Promise<void>;
  /** Marathon's verdict for the checked endpoints AND what their health path answers. */
  setPodHealth(instanceId: string, healthy: boolean, container?: string): void;
  podInstances(id: string): PodInstanceView[];
  setRole(role: Role): void;
  dropStreams(): void;
  stallStreams(stalled: boolean): void;
  failNext(path: string, status: number, times?: number): void;
  readonly requests: RequestRecord[];
  streamCount(): number;
  emit(eventType: string, payload: object): void;
  /** Callback URLs currently registered via /v2/eventSubscriptions. */
  callbackUrls(): string[];
}
