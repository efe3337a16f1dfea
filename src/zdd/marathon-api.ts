// The part of Marathon's REST API zdd uses: read the apps, create, scale, kill with scale,
// delete, and the deployments in flight. Every failure becomes a ZddError with zdd.py's code.

import type { Got } from 'got';
import type { AuthSource } from '../marathon/auth.js';
import { EXIT, ZddError } from './errors.js';
import { loadGot } from './got-loader.js';
import type { AppJson } from './labels.js';

export interface MarathonApi {
  apps(): Promise<AppJson[]>;
  /** The app with its tasks, or undefined when it does not exist. */
  app(id: string): Promise<AppJson | undefined>;
  create(app: AppJson): Promise<void>;
  scale(id: string, instances: number): Promise<void>;
  killTasks(taskIds: readonly string[]): Promise<void>;
  remove(id: string): Promise<void>;
  /** Ids of the apps that have a deployment in flight. */
  deployingApps(): Promise<Set<string>>;
}

export interface MarathonApiOptions {
  readonly url: string;
  readonly auth: AuthSource;
  readonly certificateAuthority?: string[];
  readonly timeoutMs?: number;
}

function describe(err: unknown): string {
  const e = err as { response?: { statusCode?: number; body?: unknown }; message?: string };
  if (e.response) {
    const body = typeof e.response.body === 'string' ? e.response.body : JSON.stringify(e.response.body);
    return `HTTP ${e.response.statusCode}: ${(body ?? '').slice(0, 500)}`;
  }
  return e.message ?? String(err);
}

function escapeId(id: string): string {
  return id.split('/').map(encodeURIComponent).join('/');
}

export function createMarathonApi(o: MarathonApiOptions): MarathonApi {
  const base = o.url.replace(/\/+$/, '');
  let loaded: Promise<Got> | undefined;
  const client = (): Promise<Got> => (loaded ??= loadGot().then((got) => got.extend({
    prefixUrl: base,
    timeout: { request: o.timeoutMs ?? 30_000 },
    retry: { limit: 0 },
    responseType: 'json',
    https: o.certificateAuthority ? { certificateAuthority: o.certificateAuthority } : { rejectUnauthorized: false },
    hooks: {
      beforeRequest: [async (options) => {
        const h = await o.auth.header();
        if (h !== undefined) options.headers.authorization = h;
      }],
    },
  })));
  const path = (p: string) => p.replace(/^\//, '');

  /** One request with the client (got is loaded on the first); a failure becomes a ZddError. */
  async function call<T>(code: number, what: string, run: (http: Got) => Promise<T>): Promise<T> {
    try {
      return await run(await client());
    } catch (err) {
      const unreachable = !(err as { response?: unknown }).response;
      throw new ZddError(unreachable ? EXIT.marathonUnreachable : code, `${what}: ${describe(err)}`);
    }
  }

  return {
    apps: () => call(EXIT.marathonUnreachable, 'GET /v2/apps', async (http) =>
      ((await http.get(path('/v2/apps?embed=apps.tasks')).json()) as { apps?: AppJson[] }).apps ?? []),
    async app(id) {
      try {
        const http = await client();
        return ((await http.get(path(`/v2/apps${escapeId(id)}?embed=app.tasks`)).json()) as { app?: AppJson }).app;
      } catch (err) {
        if ((err as { response?: { statusCode?: number } }).response?.statusCode === 404) return undefined;
        throw new ZddError(EXIT.marathonUnreachable, `GET /v2/apps${id}: ${describe(err)}`);
      }
    },
    create: (app) => call(EXIT.createFailed, `POST /v2/apps (${String(app.id)})`, async (http) => { await http.post(path('/v2/apps'), { json: app }); }),
    scale: (id, instances) => call(EXIT.scaleFailed, `PUT /v2/apps${id} instances=${instances}`, async (http) => {
      await http.put(path(`/v2/apps${escapeId(id)}`), { json: { instances } });
    }),
    killTasks: (ids) => call(EXIT.scaleFailed, `POST /v2/tasks/delete?scale=true (${ids.length} tasks)`, async (http) => {
      await http.post(path('/v2/tasks/delete?scale=true'), { json: { ids } });
    }),
    remove: (id) => call(EXIT.deleteFailed, `DELETE /v2/apps${id}`, async (http) => { await http.delete(path(`/v2/apps${escapeId(id)}`)); }),
    deployingApps: () => call(EXIT.marathonUnreachable, 'GET /v2/deployments', async (http) => {
      const list = (await http.get(path('/v2/deployments')).json()) as Array<{ affectedApps?: unknown }>;
      return new Set(list.flatMap((d) => (Array.isArray(d.affectedApps) ? d.affectedApps.filter((a): a is string => typeof a === 'string') : [])));
    }),
  };
}
