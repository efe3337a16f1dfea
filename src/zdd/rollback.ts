// Undoing a swap that cannot go on.

import { isDrained } from './drain-report.js';
import { EXIT, ZddError } from './errors.js';
import { instancesOf } from './labels.js';
import { within, type Swap, type SwapOptions, type ZddDeps } from './context.js';
import { drainedOnEveryLb, observe } from './observe.js';
import { isHealthyInMarathon, tasksOf } from './tasks.js';

/**
 * Stops adding new tasks, brings the old colour back to its size, and removes the new colour's
 * tasks once each is drained on every load balancer. A new task still taking traffic after
 * max-wait is left running (killing it would fail requests); the message says so.
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
