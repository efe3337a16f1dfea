// Undoing a swap that cannot go on.

import { isDrained, isOutOfRotation } from './drain-report.js';
import { EXIT, ZddError } from './errors.js';
import { instancesOf } from './labels.js';
import { within, type Swap, type SwapOptions, type ZddDeps } from './context.js';
import { drainedOnEveryLb, observe, type Observed } from './observe.js';
import { isHealthyInMarathon, tasksOf } from './tasks.js';

/**
 * How long each load balancer keeps the new colour withdrawn: a few looks' worth, renewed on
 * every look, so a zdd that dies here leaves the tasks serving again soon after.
 */
export function withdrawLeaseSeconds(o: Pick<SwapOptions, 'stepDelay'>): number {
  return Math.min(3600, Math.ceil(Math.max(30, 3 * o.stepDelay)));
}

/**
 * Stops adding new tasks and brings the old colour back to its size. Then asks every load
 * balancer to withdraw the new colour (the controller drains all its tasks, and no longer drains
 * old ones on its account), and deletes the new colour once each of its tasks is drained on every
 * load balancer. Tasks that never became healthy never took traffic and count as drained at once.
 * After max-wait, tasks out of rotation everywhere go, sessions or not (as the deploy path does);
 * a task still taking traffic somewhere (a load balancer that cannot withdraw) leaves the new
 * colour in place, and the error says where.
 */
export async function rollback(o: SwapOptions, s: Swap, d: ZddDeps): Promise<void> {
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

  const refusals = new Set<string>();
  let last: Observed | undefined;
  const cleared = await within(o, d, async () => {
    for (const why of await d.lbs.withdraw(s.newId, withdrawLeaseSeconds(o))) {
      if (why === undefined || refusals.has(why)) continue;
      refusals.add(why);
      d.log('warn', `a load balancer did not withdraw ${s.newId}, so its tasks keep serving there: ${why}`);
    }
    const ob = (last = await observe(s, d));
    const tasks = tasksOf(ob.fresh);
    d.log('debug', `${s.newId}: ${tasks.filter((t) => drainedOnEveryLb(ob, t, isDrained)).length}/${tasks.length} tasks drained on every load balancer`);
    return tasks.every((t) => !ob.names.has(t.id!) || drainedOnEveryLb(ob, t, isDrained)) ? true : undefined;
  });
  if (!cleared) {
    const ob = last!;
    const serving = tasksOf(ob.fresh).filter((t) => ob.names.has(t.id!) && !drainedOnEveryLb(ob, t, isOutOfRotation));
    if (serving.length > 0) {
      const where = refusals.size > 0 ? ` (load balancers that did not withdraw it: ${[...refusals].join('; ')})` : '';
      throw new ZddError(EXIT.error, `rollback incomplete: ${serving.length} tasks of ${s.newId} still take traffic after ${o.maxWait}s${where}; ` +
        `${s.oldId} is back to ${s.oldStart} instances, ${s.newId} was left in place`);
    }
    d.log('warn', `tasks of ${s.newId} still had sessions after ${o.maxWait}s; deleting it anyway`);
  }
  await d.marathon.remove(s.newId);
  d.log('info', `removed ${s.newId}`);
}
