// Which apps a Marathon event says changed. Pure. An event only says what to re-read: the state
// itself always comes from Marathon. `undefined` means the event names no app we can trust,
// so the whole snapshot is read.

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Run spec ids of a deployment plan's steps (plan-format=light: steps[].actions[].app or .pod). */
function planApps(plan: unknown): string[] {
  const out: string[] = [];
  const steps = record(plan)?.['steps'];
  for (const step of Array.isArray(steps) ? steps : []) {
    const actions = record(step)?.['actions'];
    for (const a of Array.isArray(actions) ? actions : []) {
      const id = text(record(a)?.['app']) ?? text(record(a)?.['pod']);
      if (id) out.push(id);
    }
  }
  return out;
}

/** The pod id in a /v2/pods/<id>[::status] request URI. */
function podOfUri(uri: unknown): string | undefined {
  const m = typeof uri === 'string' ? /^\/v2\/pods(\/[^?:]+?)\/?(?:::[a-z]+)?(?:\?.*)?$/.exec(uri) : null;
  return m ? decodeURIComponent(m[1]!) : undefined;
}

export function appsOfEvent(type: string, data: string | undefined): string[] | undefined {
  let body: Record<string, unknown> | undefined;
  try {
    body = record(data === undefined ? undefined : JSON.parse(data));
  } catch {
    return undefined;
  }
  if (!body) return undefined;
  let apps: string[] = [];
  switch (type) {
    case 'status_update_event':
    case 'health_status_changed_event':
    case 'app_terminated_event':
      apps = [text(body['appId'])].filter((a): a is string => a !== undefined);
      break;
    case 'instance_health_changed_event':
    case 'instance_changed_event':
      apps = [text(body['runSpecId'])].filter((a): a is string => a !== undefined);
      break;
    case 'pod_created_event':
    case 'pod_updated_event':
    case 'pod_deleted_event':
      // The request's URI: /v2/pods/<id> names the pod; a POST to /v2/pods does not.
      apps = [podOfUri(body['uri'])].filter((a): a is string => a !== undefined);
      break;
    case 'api_post_event':
      apps = [text(record(body['appDefinition'])?.['id'])].filter((a): a is string => a !== undefined);
      break;
    case 'deployment_success':
    case 'deployment_failed':
    case 'deployment_info':
    case 'deployment_step_success':
    case 'deployment_step_failure':
      apps = [...planApps(body['plan']), ...planApps({ steps: [body['currentStep']] })];
      break;
    default:
      return undefined;
  }
  // Marathon's ids are absolute; a relative one is read the way Marathon would.
  const ids = [...new Set(apps.map((a) => (a.startsWith('/') ? a : `/${a}`)))];
  return ids.length > 0 ? ids : undefined;
}
