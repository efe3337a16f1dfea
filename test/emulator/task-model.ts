// A task as the emulator tracks it, and the pieces of Marathon's task semantics (spec §2.3, §9)
// that don't depend on the output profile. Pure.

export interface HealthResult {
  alive: boolean;
  consecutiveFailures: number;
  firstSuccess: string | null;
  lastSuccess: string | null;
  lastFailure: string | null;
  lastFailureCause: string | null;
}

/** One listening socket of a task server; health paths answer 200/503 by the task's health. */
export interface Listener {
  ip: string;
  port: number;
  healthPaths: string[];
}

export interface TaskRecord {
  id: string;
  instanceId: string;
  appId: string;
  host: string;
  slaveId: string;
  /** Raw Mesos state last reported (what status_update_event carries). */
  state: string;
  stagedAt: string;
  startedAt: string | null;
  version: string;
  /** Host ports (task JSON `ports`). */
  hostPorts: number[];
  /** What goes in `ipAddresses[0]`. */
  ipAddress: string;
  listeners: Listener[];
  /** One `ip:port` per app port, where a client reaches that port of this task. */
  endpoints: string[];
  /** What setHealth last said (default true). */
  alive: boolean;
  /** Present once Marathon has a health result (app has health checks and task is running). */
  health?: HealthResult;
}

const TERMINAL = new Set([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
]);

/** Terminal states make Marathon expunge the task (and launch a replacement). */
export function isTerminalState(state: string): boolean {
  return TERMINAL.has(state);
}

/**
 * 1.4+ writes the state derived from the instance condition, not the raw Mesos state:
 * TASK_LOST (agent disconnected etc.) shows as TASK_UNREACHABLE, never as TASK_LOST.
 */
export function taskJsonState(rawState: string): string {
  return rawState === 'TASK_LOST' ? 'TASK_UNREACHABLE' : rawState;
}

/** Mesos state -> Marathon instance condition (for instance_changed_event). */
export function conditionOf(rawState: string): string {
  const table: Record<string, string> = {
    TASK_STAGING: 'Staging',
    TASK_STARTING: 'Starting',
    TASK_RUNNING: 'Running',
    TASK_KILLING: 'Killing',
    TASK_KILLED: 'Killed',
    TASK_FINISHED: 'Finished',
    TASK_FAILED: 'Failed',
    TASK_ERROR: 'Error',
    TASK_LOST: 'Unreachable',
    TASK_UNREACHABLE: 'Unreachable',
    TASK_DROPPED: 'Dropped',
    TASK_GONE: 'Gone',
    TASK_GONE_BY_OPERATOR: 'Gone',
  };
  return table[rawState] ?? 'Unknown';
}

export function isStaged(state: string): boolean {
  return state === 'TASK_STAGING' || state === 'TASK_STARTING';
}

/** Next health result after a check outcome at `now`. */
export function nextHealth(prev: HealthResult | undefined, alive: boolean, now: string): HealthResult {
  if (alive) {
    return {
      alive: true,
      consecutiveFailures: 0,
      firstSuccess: prev?.firstSuccess ?? now,
      lastSuccess: now,
      lastFailure: prev?.lastFailure ?? null,
      lastFailureCause: prev?.lastFailureCause ?? null,
    };
  }
  return {
    alive: false,
    consecutiveFailures: (prev?.consecutiveFailures ?? 0) + 1,
    firstSuccess: prev?.firstSuccess ?? null,
    lastSuccess: prev?.lastSuccess ?? null,
    lastFailure: now,
    lastFailureCause: '503 Service Unavailable',
  };
}
