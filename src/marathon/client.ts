// REST client for Marathon, on node:http(s) (http-request.ts). Failover follows marathon-lb: URLs are tried in order;
// network errors, timeouts and leader-election answers (502/503/504) move on to the next URL,
// and the URL that gave a real answer moves to the front for later calls. Auth failures stop
// at once: trying other masters with the same bad credentials only spins.

import type { WireApp } from '../model/wire.js';
import type { WirePodStatus } from '../model/pod-wire.js';
import type { BasicAuth, DcosServiceAccount } from './auth.js';
import {
  MarathonAuthError,
  MarathonError,
  MarathonHttpError,
  MarathonResponseError,
  MarathonUnavailableError,
} from './errors.js';
import { redactUrl, scrubSecrets } from './redact.js';
import { allSecrets, buildTargets, type MarathonTarget } from './targets.js';
import { describeConnectError } from './connect-errors.js';
import { httpRequest, type HttpResponse } from './http-request.js';
import { certificateAuthorities } from './tls.js';
import { APPS_PATH, PODS_STATUS_PATH, appPath, joinUrl, moveToFront, podStatusPath } from './urls.js';

export interface MarathonClientOptions {
  urls: string[];
  auth?: BasicAuth;
  dcos?: DcosServiceAccount;
  /** Path of a PEM file with an extra CA to trust. */
  caCert?: string;
  /**
   * `connect`: to establish the connection (TCP and TLS); `idle`: the longest silence while
   * waiting for or reading the answer. No cap on the whole exchange: a big /v2/apps that keeps
   * flowing is fine, a Marathon that accepted the connection and went quiet is not.
   */
  timeoutMs?: { connect: number; idle: number };
}

export interface MarathonClient {
  /** GET /v2/apps with tasks, deployments and readiness embedded. */
  listApps(): Promise<WireApp[]>;
  /** GET /v2/apps/{id} with the same embeds; undefined when Marathon answers 404 (the app is gone). */
  getApp(id: string): Promise<WireApp | undefined>;
  /**
   * GET /v2/pods/::status: every pod with its instances. A Marathon without pods (< 1.4)
   * answers 404, read as "no pods", as is an answer that is not a JSON list.
   */
  listPods(): Promise<WirePodStatus[]>;
  /** GET /v2/pods/{id}::status; undefined when Marathon answers 404 (no such pod). */
  getPod(id: string): Promise<WirePodStatus | undefined>;
  /** GET a path (with query) and return the parsed JSON body (undefined when empty). */
  get(path: string): Promise<unknown>;
  post(path: string, body?: unknown): Promise<unknown>;
  delete(path: string): Promise<unknown>;
  /** The URL tried first right now, credentials stripped. */
  currentUrl(): string;
}

/** Statuses Marathon (or Jetty in front of it) gives while there is no usable leader. */
const ELECTION_STATUSES = new Set([502, 503, 504]);

/** marathon-lb's 3.05 s connect timeout; 10 s of silence is a Marathon that is not answering. */
export const DEFAULT_TIMEOUTS_MS = { connect: 3050, idle: 10_000 } as const;

export function createMarathonClient(opts: MarathonClientOptions): MarathonClient {
  const certificateAuthority = certificateAuthorities(opts.caCert);
  let targets: MarathonTarget[] = buildTargets({
    urls: opts.urls,
    ...(opts.auth ? { auth: opts.auth } : {}),
    ...(opts.dcos ? { dcos: opts.dcos } : {}),
    ...(certificateAuthority ? { certificateAuthority } : {}),
  });
  const timeouts = opts.timeoutMs ?? DEFAULT_TIMEOUTS_MS;

  const scrub = (text: string): string => scrubSecrets(text, allSecrets(targets));

  async function send(target: MarathonTarget, method: 'GET' | 'POST' | 'DELETE', path: string, body: unknown): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'marathon-lb' };
    const authorization = await target.auth.header();
    if (authorization !== undefined) headers['authorization'] = authorization;
    return httpRequest(joinUrl(target.url, path), {
      method,
      headers,
      // `idle` fires after that long without a byte, before or during the body; nothing caps the whole exchange.
      timeout: timeouts,
      ...(certificateAuthority ? { certificateAuthority } : {}),
      ...(body !== undefined ? { json: body } : {}),
    });
  }

  async function request(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    const attempts: string[] = [];
    const snapshot = targets;
    for (let index = 0; index < snapshot.length; index++) {
      const target = snapshot[index] as MarathonTarget;
      const safeUrl = redactUrl(target.url);
      let response: HttpResponse;
      try {
        response = await send(target, method, path, body);
        if (response.statusCode === 401 && target.auth.invalidate()) {
          // A DC/OS token may have been revoked or expired early: log in again, once.
          response = await send(target, method, path, body);
        }
      } catch (err) {
        if (err instanceof MarathonAuthError) throw err;
        const message = err instanceof MarathonError ? err.message : describeConnectError(err, timeouts);
        attempts.push(`${safeUrl}: ${scrub(message)}`);
        continue;
      }
      const status = response.statusCode;
      if (ELECTION_STATUSES.has(status)) {
        attempts.push(`${safeUrl}: ${status} (no leader or leader unreachable)`);
        continue;
      }
      // A definitive answer: this Marathon is reachable, so ask it first next time.
      if (index > 0) targets = moveToFront(targets, targets.indexOf(target));
      if (status === 401 || status === 403) throw new MarathonAuthError(status, target.url);
      if (status < 200 || status >= 300) {
        throw new MarathonHttpError(status, target.url, messageOf(response.body));
      }
      return parseJsonBody(response.body, `${method} ${safeUrl}${path}`);
    }
    throw new MarathonUnavailableError(attempts);
  }

  return {
    async listApps() {
      const body = await request('GET', APPS_PATH);
      return appsOf(body, redactUrl(targets[0]?.url ?? ''));
    },
    async getApp(id) {
      let body: unknown;
      try {
        body = await request('GET', appPath(id));
      } catch (err) {
        if (err instanceof MarathonHttpError && err.status === 404) return undefined;
        throw err;
      }
      const app = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['app'] : undefined;
      if (typeof app !== 'object' || app === null || Array.isArray(app)) {
        throw new MarathonResponseError(`GET ${redactUrl(targets[0]?.url ?? '')}/v2/apps${id} returned no "app" object`);
      }
      return app as WireApp;
    },
    async listPods() {
      let body: unknown;
      try {
        body = await request('GET', PODS_STATUS_PATH);
      } catch (err) {
        if (err instanceof MarathonHttpError && err.status === 404) return [];
        throw err;
      }
      // Not a list: something that is not a pods-aware Marathon answered (a proxy's catch-all,
      // say). Apps must not pay for it: read as no pods.
      if (!Array.isArray(body)) return [];
      return body.filter((p): p is WirePodStatus => typeof p === 'object' && p !== null && !Array.isArray(p));
    },
    async getPod(id) {
      let body: unknown;
      try {
        body = await request('GET', podStatusPath(id));
      } catch (err) {
        if (err instanceof MarathonHttpError && err.status === 404) return undefined;
        throw err;
      }
      // As for the list: an answer that is not a PodStatus is no pod.
      if (typeof body !== 'object' || body === null || Array.isArray(body) || typeof (body as WirePodStatus).id !== 'string') return undefined;
      return body as WirePodStatus;
    },
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body),
    delete: (path) => request('DELETE', path),
    currentUrl: () => redactUrl(targets[0]?.url ?? ''),
  };
}

/** Strict JSON: a 2xx with a body that is not JSON (a proxy's HTML page, say) is an error. */
export function parseJsonBody(body: string, what: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch (err) {
    throw new MarathonResponseError(`${what} returned a body that is not JSON (${(err as Error).message}): ${snippet(body)}`);
  }
}

/** The `apps` array of a /v2/apps answer, or a clear error naming what came instead. */
export function appsOf(body: unknown, url: string): WireApp[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new MarathonResponseError(`GET ${url}/v2/apps did not return a JSON object`);
  }
  const apps = (body as Record<string, unknown>)['apps'];
  if (!Array.isArray(apps)) {
    const message = messageOf(JSON.stringify(body));
    throw new MarathonResponseError(
      `GET ${url}/v2/apps returned no "apps" array${message ? ` (message: ${message})` : ''}`,
    );
  }
  return apps.filter((app): app is WireApp => typeof app === 'object' && app !== null && !Array.isArray(app));
}

/** Marathon's `{"message": "..."}` from an error body, if there is one. */
export function messageOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed === 'object' && parsed !== null) {
      const message = (parsed as Record<string, unknown>)['message'];
      if (typeof message === 'string') return message;
    }
  } catch {
    // Jetty's HTML pages carry nothing useful for an operator beyond the status.
  }
  return undefined;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}...` : flat;
}
