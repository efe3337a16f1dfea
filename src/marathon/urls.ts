// Building Marathon request URLs (pure).

/** marathon-lb's snapshot query plus deployments and readiness, which normalize also reads. */
export const APPS_PATH = '/v2/apps?embed=apps.tasks&embed=apps.deployments&embed=apps.readiness';

/** One app, with the same data the snapshot query embeds (Marathon's per-app embed names). */
export function appPath(id: string): string {
  const path = id.split('/').filter(Boolean).map(encodeURIComponent).join('/');
  return `/v2/apps/${path}?embed=app.tasks&embed=app.deployments&embed=app.readiness`;
}

/** Every pod with its instances' status (Marathon 1.4+): an array of PodStatus. */
export const PODS_STATUS_PATH = '/v2/pods/::status';

/** One pod's PodStatus. */
export function podStatusPath(id: string): string {
  const path = id.split('/').filter(Boolean).map(encodeURIComponent).join('/');
  return `/v2/pods/${path}::status`;
}

/** Join a configured Marathon base URL (which may carry a path prefix) with an API path. */
export function joinUrl(base: string, path: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return `${trimmed}${path.startsWith('/') ? path : `/${path}`}`;
}

/** `/v2/events?plan-format=light&event_type=a&event_type=b` (event_type repeated, in order). */
export function eventsPath(eventTypes: readonly string[]): string {
  const query = ['plan-format=light', ...eventTypes.map((t) => `event_type=${encodeURIComponent(t)}`)];
  return `/v2/events?${query.join('&')}`;
}

export function eventSubscriptionPath(callbackUrl: string): string {
  return `/v2/eventSubscriptions?callbackUrl=${encodeURIComponent(callbackUrl)}`;
}

/** Index of the next URL to try in round-robin order. */
export function nextIndex(current: number, count: number): number {
  return count === 0 ? 0 : (current + 1) % count;
}

/** Move the element at `index` to the front, keeping the others in order. */
export function moveToFront<T>(items: readonly T[], index: number): T[] {
  if (index <= 0 || index >= items.length) return [...items];
  const picked = items[index] as T;
  return [picked, ...items.slice(0, index), ...items.slice(index + 1)];
}

/** The Marathon base URL of an events URL (the leader's, after a redirect), for reporting. */
export function baseOfEventsUrl(url: string): string {
  const parsed = new URL(url);
  const at = parsed.pathname.lastIndexOf('/v2/events');
  const prefix = at === -1 ? parsed.pathname : parsed.pathname.slice(0, at);
  return `${parsed.origin}${prefix.replace(/\/+$/, '')}`;
}
