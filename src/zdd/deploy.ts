// A deployment run: find the group's colours, then create the new colour and swap (swap.ts), or
// continue an interrupted or hybrid deployment. Every effect goes through ZddDeps (context.ts),
// so tests drive it with fakes.

import { EXIT, ZddError } from './errors.js';
import { L, appIdOf, byStartedAt, groupId, intLabel, instancesOf, labelsOf, sortedJson, type AppJson } from './labels.js';
import { prepareApp } from './app-definition.js';
import type { ZddDeps } from './context.js';
import { growthPlan } from './steps.js';
import { swap } from './swap.js';
import { backendName } from './tasks.js';
import type { ZddOptions } from './options.js';

export type { LogLevel, ZddDeps } from './context.js';

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
