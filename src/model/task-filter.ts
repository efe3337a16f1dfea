// Which tasks may receive traffic (spec §5.4, marathon-api.md §9).

import { appHealthChecks } from './health-checks.js';
import type { WireApp, WireTask } from './wire.js';

/** States that get no traffic. RUNNING, LOST and UNREACHABLE (and a missing state) are kept. */
export const EXCLUDED_TASK_STATES: ReadonlySet<string> = new Set([
  'TASK_STAGING', 'TASK_STARTING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED',
  'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN',
]);

/**
 * Last known health verdict per task id. Owned by the caller so it survives between passes:
 * Marathon omits healthCheckResults now and then, and a task must not flap out of HAProxy for it.
 * A Map satisfies it; the shell may pass a bounded LRU.
 */
export interface HealthCache {
  get(taskId: string): boolean | undefined;
  set(taskId: string, alive: boolean): unknown;
}

export interface TaskFilterOptions {
  /** --health-check: require Marathon to report the task alive. */
  readonly healthCheck: boolean;
  readonly healthCache: HealthCache;
}

export function taskId(task: WireTask): string | undefined {
  return typeof task.id === 'string' && task.id !== '' ? task.id : undefined;
}

/** Alive when any health result says so; recorded in (or, without results, read from) the cache. */
export function isAlive(task: WireTask, id: string, cache: HealthCache): boolean {
  if (Array.isArray(task.healthCheckResults)) {
    const alive = task.healthCheckResults.some((r) => r?.alive === true);
    cache.set(id, alive);
    return alive;
  }
  return cache.get(id) ?? false;
}

/** Should this task be a server (before address resolution)? */
export function isTaskRunnable(app: WireApp, task: WireTask, opts: TaskFilterOptions): boolean {
  const id = taskId(task);
  if (id === undefined) return false;
  if (typeof task.host !== 'string' || task.host === '') return false;
  if (typeof task.state === 'string' && EXCLUDED_TASK_STATES.has(task.state)) return false;
  if (opts.healthCheck && appHealthChecks(app.healthChecks).length > 0) return isAlive(task, id, opts.healthCache);
  return true;
}
