// One look at a swap: both colours from Marathon, the backend on every load balancer, and which
// HAProxy server each task is. Plus the questions asked of it.

import type { WireTask } from '../model/wire.js';
import { isDrained, isServing, type BackendView } from './drain-report.js';
import type { AppJson } from './labels.js';
import { requireApp, type Swap, type ZddDeps } from './context.js';
import { isHealthyInMarathon, serverNames, tasksOf } from './tasks.js';

export interface Observed {
  readonly fresh: AppJson;
  readonly stale: AppJson | undefined;
  readonly views: BackendView[];
  readonly names: Map<string, string>;
}

export async function observe(s: Swap, d: ZddDeps): Promise<Observed> {
  const [fresh, stale] = await Promise.all([requireApp(d, s.newId), d.marathon.app(s.oldId)]);
  const views = await d.lbs.backend(s.backend);
  const apps = stale ? [fresh, stale] : [fresh];
  const resolve = await d.resolverFor(apps);
  const names = new Map<string, string>();
  for (const a of apps) for (const [k, v] of serverNames(a, resolve)) names.set(k, v);
  return { fresh, stale, views, names };
}

/** Healthy in Marathon and taking traffic on every load balancer. */
export function readyTasks(app: AppJson, ob: Observed): WireTask[] {
  return tasksOf(app).filter((t) => isHealthyInMarathon(app, t) && ob.names.has(t.id!) &&
    ob.views.every((v) => isServing(v.servers.get(ob.names.get(t.id!)!))));
}

/** `server=status/status...` per task, one status per load balancer, for the debug log. */
export function describeTasks(app: AppJson, ob: Observed): string {
  return tasksOf(app).map((t) => {
    const name = ob.names.get(t.id!);
    return `${name ?? t.id}=${ob.views.map((v) => (name === undefined ? 'no-address' : v.servers.get(name)?.status ?? 'absent')).join('/')}`;
  }).join(' ');
}

export function drainedOnEveryLb(ob: Observed, task: WireTask, test: typeof isDrained): boolean {
  const name = ob.names.get(task.id!);
  return name !== undefined && ob.views.every((v) => test(v.servers.get(name)));
}
