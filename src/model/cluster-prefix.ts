// Several Marathons behind one load balancer: the run specs of cluster NAME are read as if they
// lived under the group /NAME, so every name made from an id (backends, map entries, the status
// page) carries the cluster, and two clusters' `/web` never meet. Task and instance ids get a
// `NAME/` prefix (Marathon's own ids never contain a slash), so per-task state (the health cache,
// blue/green draining) stays apart too. Pure. With one cluster nothing is prefixed.

import type { WirePodStatus } from './pod-wire.js';
import type { WireApp, WireTask } from './wire.js';

/** `/NAME/<id>` for an absolute or relative Marathon id. */
export function clusterId(name: string, id: string): string {
  return `/${name}${id.startsWith('/') ? id : `/${id}`}`;
}

/** The cluster name and the id Marathon knows, or undefined when `id` is not under any cluster. */
export function splitClusterId(id: string): { name: string; id: string } | undefined {
  const m = /^\/([^/]+)(\/.+)$/.exec(id);
  return m ? { name: m[1]!, id: m[2]! } : undefined;
}

const text = (v: unknown): v is string => typeof v === 'string' && v !== '';

function prefixTask(name: string, t: WireTask): WireTask {
  if (typeof t !== 'object' || t === null) return t;
  return {
    ...t,
    ...(text(t.id) ? { id: `${name}/${t.id}` } : {}),
    ...(text(t.appId) ? { appId: clusterId(name, t.appId) } : {}),
  };
}

export function prefixApp(name: string, app: WireApp): WireApp {
  if (typeof app !== 'object' || app === null || !text(app.id)) return app;
  const labels = app.labels && typeof app.labels === 'object' ? { ...app.labels } : app.labels;
  const group = labels?.['HAPROXY_DEPLOYMENT_GROUP'];
  // Blue/green pairs are merged by group name: a group belongs to its cluster too.
  if (labels && text(group)) labels['HAPROXY_DEPLOYMENT_GROUP'] = clusterId(name, group);
  return {
    ...app,
    id: clusterId(name, app.id),
    ...(labels !== undefined ? { labels } : {}),
    ...(Array.isArray(app.tasks) ? { tasks: app.tasks.map((t) => prefixTask(name, t)) } : {}),
    ...(Array.isArray(app.readinessCheckResults)
      ? { readinessCheckResults: app.readinessCheckResults.map((r) => (text(r?.taskId) ? { ...r, taskId: `${name}/${r.taskId}` } : r)) }
      : {}),
  };
}

export function prefixPod(name: string, pod: WirePodStatus): WirePodStatus {
  if (typeof pod !== 'object' || pod === null) return pod;
  const spec = typeof pod.spec === 'object' && pod.spec !== null ? pod.spec : undefined;
  return {
    ...pod,
    ...(text(pod.id) ? { id: clusterId(name, pod.id) } : {}),
    ...(spec ? { spec: { ...spec, ...(text(spec.id) ? { id: clusterId(name, spec.id) } : {}) } } : {}),
    ...(Array.isArray(pod.instances)
      ? { instances: pod.instances.map((i) => (typeof i === 'object' && i !== null && text(i.id) ? { ...i, id: `${name}/${i.id}` } : i)) }
      : {}),
  };
}
