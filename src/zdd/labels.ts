// The labels zdd writes on the apps it creates (marathon-lb's names) and small readers. Pure.

export const L = {
  group: 'HAPROXY_DEPLOYMENT_GROUP',
  altPort: 'HAPROXY_DEPLOYMENT_ALT_PORT',
  colour: 'HAPROXY_DEPLOYMENT_COLOUR',
  startedAt: 'HAPROXY_DEPLOYMENT_STARTED_AT',
  targetInstances: 'HAPROXY_DEPLOYMENT_TARGET_INSTANCES',
  newInstances: 'HAPROXY_DEPLOYMENT_NEW_INSTANCES',
  appId: 'HAPROXY_APP_ID',
  port0: 'HAPROXY_0_PORT',
} as const;

/** A Marathon app as zdd reads and writes it: plain JSON. */
export type AppJson = Record<string, unknown> & { id?: unknown; labels?: unknown; instances?: unknown };

export function labelsOf(app: AppJson): Record<string, string> {
  const l = app.labels;
  if (typeof l !== 'object' || l === null || Array.isArray(l)) return {};
  return Object.fromEntries(Object.entries(l).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export function intLabel(app: AppJson, name: string): number | undefined {
  const v = labelsOf(app)[name];
  return v !== undefined && /^\s*\d+\s*$/.test(v) ? Number(v) : undefined;
}

export function instancesOf(app: AppJson): number {
  return typeof app.instances === 'number' && app.instances >= 0 ? app.instances : 0;
}

export function appIdOf(app: AppJson): string {
  return typeof app.id === 'string' ? app.id : '';
}

function startedAt(app: AppJson): number {
  const ms = Date.parse(labelsOf(app)[L.startedAt] ?? '');
  return Number.isNaN(ms) ? -Infinity : ms;
}

/** Oldest first by STARTED_AT (ties by id), the order the controller uses. */
export function byStartedAt(apps: readonly AppJson[]): AppJson[] {
  return [...apps].sort((a, b) => startedAt(a) - startedAt(b) || (appIdOf(a) < appIdOf(b) ? -1 : appIdOf(a) > appIdOf(b) ? 1 : 0));
}

/** `/group` for the label value (a leading slash is added, as the controller does). */
export function groupId(group: string): string {
  return group.startsWith('/') ? group : `/${group}`;
}

/** Drops null-valued keys everywhere (marathon-lb's cleanup_json): Marathon rejects some nulls. */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
  }
  return value;
}

/** JSON with keys sorted at every level, indent 2 (what zdd.py prints). */
export function sortedJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
    return v;
  };
  return JSON.stringify(sort(value), null, 2);
}
