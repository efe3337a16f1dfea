// One swap, step by step: wait until every new task is healthy everywhere, kill exactly the old
// tasks every load balancer shows drained, grow the new colour; delete the old colour at the end.
// A Rollback thrown on the way (not healthy in time, the hook said no) hands over to rollback.ts.

import { isDrained, isOutOfRotation } from './drain-report.js';
import { EXIT, ZddError } from './errors.js';
import { instancesOf, type AppJson } from './labels.js';
import { ms, requireApp, Rollback, waitForDeployments, within, type Swap, type SwapOptions, type ZddDeps } from './context.js';
import { describeTasks, drainedOnEveryLb, observe, readyTasks, type Observed } from './observe.js';
import { rollback } from './rollback.js';
import { drainCount, nextNewInstances } from './steps.js';
import { tasksOf } from './tasks.js';

/** Runs the swap; returns the exit code (a rollback's, or 0). */
export async function swap(o: SwapOptions, s: Swap, d: ZddDeps): Promise<number> {
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
