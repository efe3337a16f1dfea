// The deployment itself: create the new colour, then step by step let the controller drain old
// tasks as new ones become healthy, kill exactly the drained ones, grow the new colour; delete
// the old colour at the end. Rolls back when the new colour does not become healthy in time or
// the pre-kill hook says no. Every effect goes through `ZddDeps`, so tests drive it with fakes.

import type { Resolver } from '../model/task-address.js';
import type { WireTask } from '../model/wire.js';
import { isDrained, isOutOfRotation, isServing, type BackendView } from './drain-report.js';
import { EXIT, ZddError } from './errors.js';
import { L, appIdOf, byStartedAt, groupId, intLabel, instancesOf, labelsOf, sortedJson, type AppJson } from './labels.js';
import type { LoadBalancers } from './lb-api.js';
import type { MarathonApi } from './marathon-api.js';
import { prepareApp } from './app-definition.js';
import { drainCount, growthPlan, nextNewInstances } from './steps.js';
import { backendName, isHealthyInMarathon, serverNames, tasksOf } from './tasks.js';
import type { ZddOptions } from './options.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ZddDeps {
  readonly marathon: MarathonApi;
  readonly lbs: LoadBalancers;
  /** A resolver for the task hosts of these apps (DNS is looked up once per call). */
  resolverFor(apps: readonly AppJson[]): Promise<Resolver>;
  sleep(ms: number): Promise<void>;
  /** Milliseconds since the epoch. */
  now(): number;
  log(level: LogLevel, msg: string): void;
  print(text: string): Promise<void>;
  confirm(question: string): Promise<boolean>;
  /** Runs --pre-kill-hook; true when it allows the kill. */
  preKillHook(oldApp: AppJson, taskIds: readonly string[], newApp: AppJson): Promise<boolean>;
}

type SwapOptions = Pick<ZddOptions, 'stepDelay' | 'maxWait' | 'linearIncrease' | 'force'>;

interface Swap {
  readonly newId: string;
  readonly oldId: string;
  readonly backend: string;
  /** Instances of both colours together at the end. */
  readonly target: number;
  readonly desiredNew: number;
  readonly desiredOld: number;
  /** The old colour's size when we started: a rollback restores it. */
  readonly oldStart: number;
}

class Rollback extends Error {
  constructor(readonly code: number, message: string) { super(message); }
}

const ms = (seconds: number) => Math.round(seconds * 1000);

/** The whole run; returns the exit code (ZddErrors are the caller's to report). */
export async function runZdd(o: ZddOptions, definition: unknown, d: ZddDeps): Promise<number> {
  const labels = labelsOf((definition ?? {}) as AppJson);
  const groupLabel = labels[L.group];
  if (groupLabel === undefined) throw new ZddError(EXIT.missing, `the app definition has no ${L.group} label`);
  const group = groupId(groupLabel);
  const members = byStartedAt((await d.marathon.apps()).filter((a) => labelsOf(a)[L.group] !== undefined && groupId(labelsOf(a)[L.group]!) === group));

  if (members.length > 2) throw new ZddError(EXIT.error, `deployment group ${group} has ${members.length} apps (${members.map(appIdOf).join(', ')}); at most two colours can exist`);
  if (members.length === 2) return resumeSwap(o, group, members as [AppJson, AppJson], d);
  if (o.completeCur || o.completePrev) throw new ZddError(EXIT.noHybrid, `--complete-${o.completeCur ? 'cur' : 'prev'}: deployment group ${group} has no deployment in progress to complete`);

  const previous = members[0];
  const prepared = prepareApp({ definition, previous, initialInstances: o.initialInstances, newInstances: o.newInstances, now: new Date(d.now()).toISOString() });
  await d.print(`${sortedJson(prepared.app)}\n`);
  const newId = appIdOf(prepared.app);
  const desiredNew = o.newInstances > 0 ? Math.min(o.newInstances, prepared.target) : prepared.target;
  if (o.dryRun) {
    if (previous === undefined) await d.print(`plan: first deployment of ${group}: create ${newId} with ${prepared.target} instances\n`);
    else {
      const sizes = growthPlan(instancesOf(prepared.app), desiredNew, instancesOf(previous), o.linearIncrease);
      await d.print(`plan: create ${newId} (service port ${prepared.servicePort}); grow it ${sizes.join(' -> ')}; ` +
        `kill each old task of ${appIdOf(previous)} once every load balancer shows it drained` +
        (desiredNew < prepared.target ? `; keep ${prepared.target - desiredNew} old instances (hybrid)\n` : `; then delete ${appIdOf(previous)}\n`));
    }
    return EXIT.done;
  }
  if (!o.force && !(await d.confirm(`Create ${newId}?`))) return EXIT.declined;
  await d.marathon.create(prepared.app);
  d.log('info', `created ${newId} with ${instancesOf(prepared.app)} instances`);
  if (previous === undefined) return EXIT.done;

  const port0 = intLabel(prepared.app, L.port0)!;
  return swap(o, {
    newId, oldId: appIdOf(previous), backend: backendName(group, port0), target: prepared.target,
    desiredNew, desiredOld: prepared.target - desiredNew, oldStart: instancesOf(previous),
  }, d);
}

/** Two colours exist: --resume / --complete-cur finish the newer, --complete-prev goes back. */
async function resumeSwap(o: ZddOptions, group: string, [older, newer]: [AppJson, AppJson], d: ZddDeps): Promise<number> {
  const hybrid = (intLabel(newer, L.newInstances) ?? 0) > 0;
  if ((o.completeCur || o.completePrev) && !hybrid) throw new ZddError(EXIT.noHybrid, `${appIdOf(newer)} is not a hybrid deployment (${L.newInstances} is 0); use --resume`);
  if (!o.resume && !o.completeCur && !o.completePrev) {
    throw new ZddError(EXIT.error, `deployment group ${group} already has two colours (${appIdOf(older)}, ${appIdOf(newer)}): a deployment is in progress; use --resume, --complete-cur or --complete-prev`);
  }
  const target = intLabel(newer, L.targetInstances) ?? instancesOf(older) + instancesOf(newer);
  const [fresh, stale] = o.completePrev ? [older, newer] : [newer, older];
  const desiredNew = o.resume && hybrid ? Math.min(intLabel(newer, L.newInstances)!, target) : target;
  const port0 = intLabel(newer, L.port0) ?? intLabel(older, L.port0);
  if (port0 === undefined) throw new ZddError(EXIT.missing, `${appIdOf(newer)} has no ${L.port0} label`);
  d.log('info', `continuing: ${appIdOf(fresh)} to ${desiredNew} instances, ${appIdOf(stale)} to ${target - desiredNew}`);
  return swap(o, {
    newId: appIdOf(fresh), oldId: appIdOf(stale), backend: backendName(group, port0), target,
    desiredNew, desiredOld: target - desiredNew, oldStart: instancesOf(stale),
  }, d);
}

/** Polls `check` every step delay until it returns a value, at most max-wait; undefined on timeout. */
async function within<T>(o: SwapOptions, d: ZddDeps, check: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = d.now() + ms(o.maxWait);
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (d.now() >= deadline) return undefined;
    await d.sleep(ms(o.stepDelay));
  }
}

async function requireApp(d: ZddDeps, id: string): Promise<AppJson> {
  const app = await d.marathon.app(id);
  if (!app) throw new ZddError(EXIT.marathonUnreachable, `app ${id} disappeared from Marathon`);
  return app;
}

interface Observed {
  readonly fresh: AppJson;
  readonly stale: AppJson | undefined;
  readonly views: BackendView[];
  readonly names: Map<string, string>;
}

async function observe(s: Swap, d: ZddDeps): Promise<Observed> {
  const [fresh, stale] = await Promise.all([requireApp(d, s.newId), d.marathon.app(s.oldId)]);
  const views = await d.lbs.backend(s.backend);
  const apps = stale ? [fresh, stale] : [fresh];
  const resolve = await d.resolverFor(apps);
  const names = new Map<string, string>();
  for (const a of apps) for (const [k, v] of serverNames(a, resolve)) names.set(k, v);
  return { fresh, stale, views, names };
}

/** Healthy in Marathon and taking traffic on every load balancer. */
function readyTasks(app: AppJson, ob: Observed): WireTask[] {
  return tasksOf(app).filter((t) => isHealthyInMarathon(app, t) && ob.names.has(t.id!) &&
    ob.views.every((v) => isServing(v.servers.get(ob.names.get(t.id!)!))));
}

/** `server=status/status...` per task, one status per load balancer, for the debug log. */
function describeTasks(app: AppJson, ob: Observed): string {
  return tasksOf(app).map((t) => {
    const name = ob.names.get(t.id!);
    return `${name ?? t.id}=${ob.views.map((v) => (name === undefined ? 'no-address' : v.servers.get(name)?.status ?? 'absent')).join('/')}`;
  }).join(' ');
}

function drainedOnEveryLb(ob: Observed, task: WireTask, test: typeof isDrained): boolean {
  const name = ob.names.get(task.id!);
  return name !== undefined && ob.views.every((v) => test(v.servers.get(name)));
}

async function waitForDeployments(o: SwapOptions, s: Swap, d: ZddDeps): Promise<void> {
  const done = await within(o, d, async () => {
    const busy = await d.marathon.deployingApps();
    return busy.has(s.newId) || busy.has(s.oldId) ? undefined : true;
  });
  if (!done) throw new Rollback(EXIT.error, `Marathon deployments of ${s.newId} or ${s.oldId} did not finish within ${o.maxWait}s`);
}

async function swap(o: SwapOptions, s: Swap, d: ZddDeps): Promise<number> {
  try {
    await swapSteps(o, s, d);
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
    d.log('error', `rolling back: ${err.message}`);
    await rollback(o, s, d);
    d.log('error', `rolled back: ${err.message}`);
    return err.code;
  }
  return EXIT.done;
}

async function swapSteps(o: SwapOptions, s: Swap, d: ZddDeps): Promise<void> {
  for (;;) {
    await waitForDeployments(o, s, d);
    // Every new task healthy in Marathon and UP on every load balancer.
    const ready = await within(o, d, async () => {
      const ob = await observe(s, d);
      const r = readyTasks(ob.fresh, ob);
      const want = instancesOf(ob.fresh);
      d.log('debug', `${s.newId}: ${r.length}/${want} tasks healthy on every load balancer (${describeTasks(ob.fresh, ob)})`);
      return r.length >= want && tasksOf(ob.fresh).length >= want ? { ob, healthy: r.length } : undefined;
    });
    if (!ready) throw new Rollback(EXIT.error, `the new tasks of ${s.newId} did not become healthy (in Marathon and on every load balancer) within ${o.maxWait}s`);
    const { ob, healthy } = ready;
    const stale = ob.stale;
    const oldInstances = stale ? instancesOf(stale) : 0;
    if (instancesOf(ob.fresh) >= s.desiredNew && oldInstances <= s.desiredOld) break;

    const count = stale ? drainCount({ oldTasks: tasksOf(stale).length, oldInstances, healthyNew: healthy, target: s.target, keepOld: s.desiredOld }) : 0;
    if (count > 0 && stale) await killDrained(o, s, d, count, ob.fresh);
    const fresh = await requireApp(d, s.newId);
    const n = instancesOf(fresh);
    if (n < s.desiredNew) {
      const next = nextNewInstances(n, s.desiredNew, Math.max(0, oldInstances - count), o.linearIncrease);
      d.log('info', `scaling ${s.newId} from ${n} to ${next}`);
      await d.marathon.scale(s.newId, next);
    } else if (count === 0) {
      await d.sleep(ms(o.stepDelay)); // old tasks still starting or stopping: look again
    }
  }
  if (s.desiredOld === 0 && (await d.marathon.app(s.oldId))) {
    await waitForDeployments(o, s, d);
    if (!o.force && !(await d.confirm(`Delete ${s.oldId}?`))) throw new ZddError(EXIT.declined, `left ${s.oldId} in place (declined)`);
    await d.marathon.remove(s.oldId);
    d.log('info', `deleted ${s.oldId}; ${s.newId} serves with ${s.desiredNew} instances`);
  } else {
    d.log('info', `hybrid deployment in place: ${s.newId} ${s.desiredNew}, ${s.oldId} ${s.desiredOld} instances`);
  }
}

/** Waits until `count` old tasks are drained on every load balancer, then kills exactly those. */
async function killDrained(o: SwapOptions, s: Swap, d: ZddDeps, count: number, fresh: AppJson): Promise<void> {
  let last: Observed | undefined;
  const drained = await within(o, d, async () => {
    const ob = (last = await observe(s, d));
    const ids = ob.stale ? tasksOf(ob.stale).filter((t) => drainedOnEveryLb(ob, t, isDrained)).map((t) => t.id!).sort() : [];
    d.log('debug', `${s.oldId}: ${ids.length}/${count} tasks drained on every load balancer`);
    return ids.length >= count ? ids.slice(0, count) : undefined;
  });
  let ids = drained;
  if (!ids) {
    // The bound is reached: tasks out of rotation everywhere go, sessions or not (zdd.py did the same).
    const ob = last!;
    ids = ob.stale ? tasksOf(ob.stale).filter((t) => drainedOnEveryLb(ob, t, isOutOfRotation)).map((t) => t.id!).sort().slice(0, count) : [];
    if (ids.length === 0) throw new Rollback(EXIT.error, `no task of ${s.oldId} left rotation on every load balancer within ${o.maxWait}s`);
    d.log('warn', `${ids.length} tasks of ${s.oldId} still had sessions after ${o.maxWait}s; killing them anyway`);
  }
  const stale = await requireApp(d, s.oldId);
  if (!(await d.preKillHook(stale, ids, fresh))) throw new Rollback(EXIT.declined, `the pre-kill hook declined killing ${ids.join(', ')}`);
  if (!o.force && !(await d.confirm(`Kill ${ids.length} drained tasks of ${s.oldId}?`))) throw new Rollback(EXIT.declined, 'declined at the prompt');
  d.log('info', `killing ${ids.length} drained tasks of ${s.oldId}: ${ids.join(', ')}`);
  await d.marathon.killTasks(ids);
}

/**
 * Stops adding new tasks, brings the old colour back to its size, and removes the new colour's
 * tasks once each is drained on every load balancer. A new task still taking traffic after
 * max-wait is left running (killing it would fail requests); the message says so.
 */
async function rollback(o: SwapOptions, s: Swap, d: ZddDeps): Promise<void> {
  const stale = await d.marathon.app(s.oldId);
  if (stale && instancesOf(stale) < s.oldStart) {
    d.log('info', `scaling ${s.oldId} back to ${s.oldStart}`);
    await d.marathon.scale(s.oldId, s.oldStart);
  }
  const restored = await within(o, d, async () => {
    const busy = await d.marathon.deployingApps();
    if (busy.has(s.oldId)) return undefined;
    const ob = await observe(s, d);
    if (!ob.stale) return true;
    const ok = tasksOf(ob.stale).filter((t) => isHealthyInMarathon(ob.stale!, t) && ob.names.has(t.id!) &&
      ob.views.every((v) => v.servers.has(ob.names.get(t.id!)!)));
    return ok.length >= s.oldStart ? true : undefined;
  });
  if (!restored) d.log('warn', `${s.oldId} did not get back to ${s.oldStart} healthy instances within ${o.maxWait}s`);
  const cleared = await within(o, d, async () => {
    const ob = await observe(s, d);
    const tasks = tasksOf(ob.fresh);
    return tasks.every((t) => drainedOnEveryLb(ob, t, isDrained) || !ob.names.has(t.id!)) ? tasks.map((t) => t.id!) : undefined;
  });
  if (!cleared) {
    throw new ZddError(EXIT.error, `rollback incomplete: tasks of ${s.newId} still take traffic after ${o.maxWait}s; ${s.oldId} is back to ${s.oldStart} instances, ${s.newId} was left in place`);
  }
  if (cleared.length > 0) await d.marathon.killTasks(cleared);
  await d.marathon.remove(s.newId);
  d.log('info', `removed ${s.newId}`);
}
