// Blue/green deployment groups (spec §5.6): the two colours of an app are served as one app
// `/<group>`, and old tasks are drained as healthy new ones arrive. Computed from scratch on every
// pass, never by mutating the input, so running it twice gives the same answer (spec §11.13).
//
// A colour can be withdrawn (zdd rolling it back, through the load balancer's /_mlb_withdraw):
// every task of it drains, and the other colours are merged as if it were not there, so none of
// their tasks drains on its account. Marathon has no way to say this without restarting tasks
// (any change but a scale is a new version), so the caller says which colours are withdrawn.
// A colour is one deployment: its app id and its HAPROXY_DEPLOYMENT_STARTED_AT, so the next
// deployment under the same id (zdd alternates two ids) is never withdrawn by an old request.

import type { AppSettings, Labels } from './decode.js';
import type { WireApp, WireTask } from './wire.js';

/** An app as Marathon knows it, with its decoded app-level labels. */
export interface SourceApp {
  readonly id: string;
  /** As Marathon sent it; its labels as read (string values only) are `labels`. */
  readonly app: WireApp;
  readonly labels: Labels;
  readonly settings: AppSettings;
}

/** What the LB serves: one Marathon app, or the merged colours of a deployment group. */
export interface ServedApp {
  /** The id served: the app's id, or `/<group>`. */
  readonly appId: string;
  /** The app whose definition (labels, ports, health checks) the services follow. */
  readonly base: SourceApp;
  /** Every app contributing tasks (the base included). */
  readonly members: readonly SourceApp[];
  /** Ids of old-colour tasks to drain. */
  readonly draining: ReadonlySet<string>;
}

function tasksOf(app: WireApp): WireTask[] {
  return Array.isArray(app.tasks) ? app.tasks.filter((t): t is WireTask => typeof t === 'object' && t !== null) : [];
}

function instancesOf(app: WireApp): number {
  return typeof app.instances === 'number' && app.instances >= 0 ? app.instances : tasksOf(app).length;
}

function timeOf(value: string | null | undefined): number {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? -Infinity : ms;
}

/** Oldest first; ties broken by id so the order never depends on Marathon's listing order. */
function byDeploymentAge(a: SourceApp, b: SourceApp): number {
  const ta = a.settings.deploymentStartedAt ?? -Infinity;
  const tb = b.settings.deploymentStartedAt ?? -Infinity;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function hasHealthChecks(app: WireApp): boolean {
  return Array.isArray(app.healthChecks) && app.healthChecks.length > 0;
}

function healthyTaskCount(app: WireApp): number {
  if (!hasHealthChecks(app)) return instancesOf(app);
  return tasksOf(app).filter((t) => Array.isArray(t.healthCheckResults) && t.healthCheckResults.some((r) => r?.alive === true)).length;
}

/** One deployment of a colour, as a withdrawal names it. */
export function colourKey(appId: string, app: WireApp): string {
  const labels = app.labels as Record<string, unknown> | null | undefined;
  const startedAt = labels?.['HAPROXY_DEPLOYMENT_STARTED_AT'];
  return `${appId} ${typeof startedAt === 'string' ? startedAt : ''}`;
}

function taskIdsOf(app: WireApp): string[] {
  return tasksOf(app).map((t) => t.id).filter((id): id is string => typeof id === 'string');
}

/** The group with its withdrawn colours draining; not honoured when it would leave no healthy task serving. */
function mergeGroup(group: string, members: SourceApp[], withdrawn: (colour: string) => boolean): ServedApp {
  const leaving = members.filter((m) => withdrawn(colourKey(m.id, m.app)));
  const staying = members.filter((m) => !leaving.includes(m));
  if (leaving.length === 0 || !staying.some((m) => healthyTaskCount(m.app) > 0)) return mergeColours(group, members);
  const merged = mergeColours(group, staying);
  const out = [...leaving].sort(byDeploymentAge);
  return {
    ...merged,
    members: [...merged.members, ...out],
    draining: new Set([...merged.draining, ...out.flatMap((m) => taskIdsOf(m.app))]),
  };
}

function mergeColours(group: string, members: SourceApp[]): ServedApp {
  const sorted = [...members].sort(byDeploymentAge);
  let newest = sorted[sorted.length - 1] as SourceApp;
  let olds = sorted.slice(0, -1);
  if (olds.length === 0) return { appId: group, base: newest, members: sorted, draining: new Set() };

  let target = 1;
  if (newest.settings.deploymentNewInstances !== undefined) {
    // zdd scales the old colour down as it scales the new one up; if the "old" colour was
    // scaled more recently, it is the one being deployed (only meant when NEW_INSTANCES != 0).
    const latestOld = olds[olds.length - 1] as SourceApp;
    if (
      newest.settings.deploymentNewInstances !== 0 &&
      timeOf(latestOld.app.versionInfo?.lastScalingAt) > timeOf(newest.app.versionInfo?.lastScalingAt)
    ) {
      olds = [...olds.slice(0, -1), newest];
      newest = latestOld;
    }
    target = newest.settings.deploymentTargetInstances ?? 1;
  }

  const healthyNew = healthyTaskCount(newest.app);
  const oldInstances = olds.reduce((sum, o) => sum + instancesOf(o.app), 0);
  const oldTaskIds = olds.flatMap((o) => taskIdsOf(o.app)).sort();
  const drainable = Math.max(0, healthyNew + oldInstances - target);
  const count = Math.min(oldTaskIds.length, healthyNew, drainable);
  const base = olds[olds.length - 1] as SourceApp;
  return { appId: group, base, members: [...olds, newest], draining: new Set(oldTaskIds.slice(0, count)) };
}

const NONE_WITHDRAWN = (): boolean => false;
const NOTHING_DRAINING: ReadonlySet<string> = new Set();

/**
 * Groups apps by HAPROXY_DEPLOYMENT_GROUP; other apps are served as they are. Sorted by appId.
 * `withdrawn` says which colours (colourKey) are being rolled back; only a deployment group's can be.
 */
export function servedApps(apps: readonly SourceApp[], withdrawn: (colour: string) => boolean = NONE_WITHDRAWN): ServedApp[] {
  // Nearly every call is for one app outside any group (the cluster model normalizes app by
  // app): nothing is made for groups unless there is one, and no app has a set of its own.
  let groups: Map<string, SourceApp[]> | undefined;
  const out: ServedApp[] = [];
  for (const source of apps) {
    const group = source.settings.deploymentGroup;
    if (group === undefined) {
      out.push({ appId: source.id, base: source, members: [source], draining: NOTHING_DRAINING });
    } else {
      groups ??= new Map();
      const list = groups.get(group) ?? [];
      list.push(source);
      groups.set(group, list);
    }
  }
  if (groups) for (const [group, members] of groups) out.push(mergeGroup(group, members, withdrawn));
  return out.sort((a, b) => (a.appId < b.appId ? -1 : a.appId > b.appId ? 1 : a.base.id < b.base.id ? -1 : a.base.id > b.base.id ? 1 : 0));
}
