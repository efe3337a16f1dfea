// Marathon's REST routes on top of the Cluster (spec §2, §5, §8). Only routing, parsing and
// response shapes live here; the filters every request passes first (request log, injected
// failures, auth, leader role) are in emulator.ts.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { SpecError, absoluteAppId, servicePortsOf } from './app-model.js';
import type { CallbackHub } from './callback-hub.js';
import { isValidCallbackUrl } from './callback-hub.js';
import type { Cluster, DeploymentHandle } from './cluster.js';
import { ApiError } from './cluster.js';
import { sendJettyError } from './jetty-pages.js';
import { parseLabelSelector } from './label-selector.js';
import type { PodStore } from './pods.js';
import type { SseHub } from './sse-hub.js';
import type { MarathonVersion } from './types.js';
import { appInfoJson, parseEmbeds, taskJson } from './wire-json.js';

type Json = Record<string, unknown>;

export interface ApiContext {
  version: MarathonVersion;
  cluster: Cluster;
  pods: PodStore;
  sse: SseHub;
  /** undefined when the http_callback module is off. */
  callbacks: CallbackHub | undefined;
  /** `127.0.0.1:<port>` of this node. */
  hostPort: () => string;
  publish: (eventType: string, payload: Json) => void;
}

const CALLBACKS_OFF_MESSAGE =
  'http event callback system is not running on this Marathon instance. Please re-start this instance with\n"--event_subscriber http_callback".';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 10 * 1024 * 1024) {
        reject(new ApiError(413, 'Request entity too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError(400, 'Invalid JSON', { details: String(err) });
  }
}

function clientIp(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
}

function deploymentResult(res: ServerResponse, h: DeploymentHandle): void {
  sendJson(res, 200, { deploymentId: h.deploymentId, version: h.version }, { 'Marathon-Deployment-Id': h.deploymentId });
}

function appInfo(ctx: ApiContext, appId: string, embedValues: string[], always: Parameters<typeof parseEmbeds>[1]): Json {
  const app = ctx.cluster.app(appId)!;
  const embeds = parseEmbeds(embedValues, always);
  return appInfoJson(app, ctx.cluster.tasksOf(app.id), ctx.cluster.deploymentIdsOf(app.id), ctx.cluster.lastFailureOf(app.id), embeds, ctx.version);
}

function info(ctx: ApiContext): Json {
  const [host, port] = ctx.hostPort().split(':');
  const endpoints = ctx.callbacks?.urls() ?? [];
  return {
    name: 'marathon',
    version: ctx.version === '1.4' ? '1.4.13' : '1.5.15',
    buildref: 'emulator',
    elected: true,
    leader: ctx.hostPort(),
    frameworkId: 'emulated-framework-0000',
    marathon_config: {
      checkpoint: true,
      executor: '//cmd',
      failover_timeout: 604800,
      features: [],
      framework_name: 'marathon',
      ha: true,
      hostname: host,
      leader_proxy_connection_timeout_ms: 5000,
      leader_proxy_read_timeout_ms: 10000,
      local_port_min: 10000,
      local_port_max: 20000,
      master: 'zk://127.0.0.1:2181/mesos',
      mesos_leader_ui_url: 'http://127.0.0.1:5050/',
      mesos_role: null,
      mesos_user: 'root',
      webui_url: null,
    },
    zookeeper_config: { zk: 'zk://127.0.0.1:2181/marathon', zk_timeout: 10000, zk_session_timeout: 10000, zk_max_versions: 50 },
    ...(ctx.version === '1.4'
      ? { event_subscriber: ctx.callbacks ? { type: 'http_callback', http_endpoints: endpoints } : null }
      : {}),
    http_config: { http_port: Number(port), https_port: 8443 },
  };
}

function handleEvents(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  // Jetty's EventSourceServlet compares each Accept header for exact equality.
  const accepts = req.headersDistinct['accept'] ?? [];
  if (!accepts.some((a) => a === 'text/event-stream')) {
    sendJettyError(res, 405, url.pathname, 'HTTP method GET is not supported by this URL');
    return;
  }
  const types = new Set(url.searchParams.getAll('event_type').filter((t) => t !== ''));
  ctx.sse.attach(req, res, types);
  ctx.publish('event_stream_attached', { remoteAddress: clientIp(req) });
}

function handleSubscriptions(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  if (!ctx.callbacks) {
    sendJson(res, 400, { message: CALLBACKS_OFF_MESSAGE });
    return;
  }
  if (req.method === 'GET') {
    sendJson(res, 200, { callbackUrls: ctx.callbacks.urls() });
    return;
  }
  const callbackUrl = url.searchParams.get('callbackUrl') ?? '';
  if (req.method !== 'POST' && req.method !== 'DELETE') throw new ApiError(405, 'HTTP 405 Method Not Allowed');
  if (!isValidCallbackUrl(callbackUrl)) {
    throw new ApiError(422, 'Object is not valid', { details: [{ path: '/callbackUrl', errors: ['is not a valid URL'] }] });
  }
  const eventType = req.method === 'POST' ? 'subscribe_event' : 'unsubscribe_event';
  if (req.method === 'POST') ctx.callbacks.add(callbackUrl);
  else ctx.callbacks.remove(callbackUrl);
  const body = { clientIp: clientIp(req), callbackUrl, eventType, timestamp: new Date().toISOString() };
  ctx.publish(eventType, { clientIp: body.clientIp, callbackUrl });
  sendJson(res, 200, body);
}

async function handleApps(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const rest = url.pathname.replace(/^\/v2\/apps\/?/, '').replace(/\/+$/, '');
  const embeds = url.searchParams.getAll('embed');
  const origin = { clientIp: clientIp(req), uri: url.pathname };
  const { cluster } = ctx;

  if (rest === '') {
    if (req.method === 'GET') {
      const idFilter = url.searchParams.get('id')?.toLowerCase();
      const cmdFilter = url.searchParams.get('cmd')?.toLowerCase();
      const labelPred = parseLabelSelector(url.searchParams.get('label') ?? '');
      const apps = cluster
        .apps()
        .filter((a) => idFilter === undefined || a.id.toLowerCase().includes(idFilter))
        .filter((a) => cmdFilter === undefined || (a.spec.cmd ?? '').toLowerCase().includes(cmdFilter))
        .filter((a) => labelPred === undefined || labelPred(a.labels))
        // Counts and deployments are always added on /v2/apps, whatever embed says.
        .map((a) => appInfo(ctx, a.id, embeds, { counts: true, deployments: true }));
      sendJson(res, 200, { apps });
      return;
    }
    if (req.method === 'POST') {
      const h = cluster.putApp(await readJson(req), origin, true);
      const id = h.appId;
      sendJson(res, 201, appInfo(ctx, id, [], { counts: true, deployments: true, tasks: true }), { Location: `http://${ctx.hostPort()}/v2/apps${id}`, 'Marathon-Deployment-Id': h.deploymentId });
      return;
    }
    throw new ApiError(405, 'HTTP 405 Method Not Allowed');
  }

  const appId = absoluteAppId(rest);
  const taskRoute = /^(.+)\/tasks(?:\/([^/]+))?$/.exec(rest);

  if (req.method === 'GET') {
    if (rest.endsWith('/*') || rest === '*') {
      const group = absoluteAppId(rest.replace(/\/?\*$/, ''));
      const apps = cluster.apps().filter((a) => group === '/' || a.id.startsWith(group + '/'));
      if (apps.length === 0) throw new ApiError(404, `Group '${group}' does not exist`);
      sendJson(res, 200, { '*': apps.map((a) => appInfo(ctx, a.id, embeds, { counts: true, deployments: true, tasks: true, lastTaskFailure: true })) });
      return;
    }
    if (cluster.app(appId)) {
      sendJson(res, 200, { app: appInfo(ctx, appId, embeds, { counts: true, deployments: true, tasks: true, lastTaskFailure: true }) });
      return;
    }
    if (taskRoute && taskRoute[2] === undefined && cluster.app(taskRoute[1]!)) {
      sendJson(res, 200, { tasks: cluster.tasksOf(taskRoute[1]!).map((t) => taskJson(t, ctx.version)) });
      return;
    }
    throw new ApiError(404, `App '${appId}' does not exist`);
  }
  if (req.method === 'PUT') {
    const body = await readJson(req);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'Invalid JSON');
    const h = cluster.putApp({ ...(body as Json), id: appId }, origin);
    if (h.created) {
      sendJson(res, 201, appInfo(ctx, appId, [], { counts: true, deployments: true, tasks: true }), { Location: `http://${ctx.hostPort()}/v2/apps${appId}`, 'Marathon-Deployment-Id': h.deploymentId });
    } else deploymentResult(res, h);
    return;
  }
  if (req.method === 'DELETE') {
    if (taskRoute && taskRoute[2] !== undefined && !cluster.app(appId)) {
      const task = cluster.task(taskRoute[2]);
      if (!task || task.appId !== absoluteAppId(taskRoute[1]!)) throw new ApiError(404, `Task '${taskRoute[2]}' does not exist`);
      const scale = url.searchParams.get('scale') === 'true';
      const { deployments } = cluster.killTasks([task.id], scale);
      const first = deployments[0];
      if (scale && first) deploymentResult(res, first);
      else sendJson(res, 200, { task: taskJson(task, ctx.version) });
      return;
    }
    deploymentResult(res, cluster.deleteApp(appId));
    return;
  }
  throw new ApiError(405, 'HTTP 405 Method Not Allowed');
}

async function handleTasks(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const { cluster } = ctx;
  if (url.pathname === '/v2/tasks' && req.method === 'GET') {
    const status = url.searchParams.get('status') ?? url.searchParams.get('status[]');
    const tasks = cluster.allTasks().filter((t) => {
      if (status === 'running') return t.state === 'TASK_RUNNING';
      if (status === 'staging') return t.state === 'TASK_STAGING';
      return true;
    });
    if ((req.headers.accept ?? '').startsWith('text/plain')) {
      // Deprecated text format: one line per service port, `<safe id>\t<port>\t<host:port> ...`.
      const lines: string[] = [];
      for (const app of cluster.apps()) {
        servicePortsOf(app).forEach((sp, i) => {
          const ends = tasks.filter((t) => t.appId === app.id && t.hostPorts[i] !== undefined).map((t) => `${t.host}:${t.hostPorts[i]}`);
          lines.push(`${app.id.slice(1).replace(/\//g, '_')}\t${sp}\t${ends.join('\t')}\t`);
        });
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(lines.join('\n') + (lines.length ? '\n' : ''));
      return;
    }
    sendJson(res, 200, {
      tasks: tasks.map((t) => taskJson(t, ctx.version, servicePortsOf(cluster.app(t.appId) ?? ({ discoveryOnly: true, ports: [] } as never)))),
    });
    return;
  }
  if (url.pathname === '/v2/tasks/delete' && req.method === 'POST') {
    const body = (await readJson(req)) as { ids?: unknown };
    const ids = Array.isArray(body?.ids) ? body.ids.filter((x): x is string => typeof x === 'string') : [];
    const scale = url.searchParams.get('scale') === 'true';
    const { killed, deployments } = cluster.killTasks(ids, scale);
    if (scale) {
      const first = deployments[0];
      if (first) deploymentResult(res, first);
      else sendJson(res, 200, { deploymentId: randomUUID(), version: new Date().toISOString() });
    } else sendJson(res, 200, { tasks: killed.map((t) => taskJson(t, ctx.version)) });
    return;
  }
  throw new ApiError(404, `URI not found: ${url.pathname}`);
}

/**
 * /v2/pods (1.4+): GET lists definitions, POST creates; /v2/pods/::status every PodStatus;
 * /v2/pods/{id} GET/PUT/DELETE; /v2/pods/{id}::status; DELETE /v2/pods/{id}::instances/{instance}.
 */
async function handlePods(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const { pods } = ctx;
  const rest = url.pathname.replace(/^\/v2\/pods\/?/, '');
  const origin = { clientIp: clientIp(req), uri: url.pathname };
  const created = (id: string, deploymentId: string) =>
    sendJson(res, 201, pods.specJson(id), { Location: `http://${ctx.hostPort()}/v2/pods${id}`, 'Marathon-Deployment-Id': deploymentId });
  if (rest === '' || rest === '/') {
    if (req.method === 'GET') { sendJson(res, 200, pods.ids().map((id) => pods.specJson(id))); return; }
    if (req.method === 'POST') {
      const body = await readJson(req);
      const h = pods.putPod(body, origin, true);
      created(absoluteAppId(String((body as Json)['id'])), h.deploymentId);
      return;
    }
    throw new ApiError(405, 'HTTP 405 Method Not Allowed');
  }
  if (rest === '::status' && req.method === 'GET') { sendJson(res, 200, pods.ids().map((id) => pods.statusJson(id))); return; }
  const m = /^(.+?)(?:::(status|instances)(?:\/(.+))?)?$/.exec(rest);
  const id = absoluteAppId(m?.[1] ?? rest);
  if (m?.[2] === 'status' && req.method === 'GET') {
    if (!pods.has(id)) throw new ApiError(404, `pod with ${id} does not exist`);
    sendJson(res, 200, pods.statusJson(id));
    return;
  }
  if (m?.[2] === 'instances' && m[3] !== undefined && req.method === 'DELETE') {
    sendJson(res, 200, pods.killInstance(decodeURIComponent(m[3])).instance);
    return;
  }
  if (m?.[2] !== undefined) throw new ApiError(404, `URI not found: ${url.pathname}`);
  if (req.method === 'GET') {
    if (!pods.has(id)) throw new ApiError(404, `pod with ${id} does not exist`);
    sendJson(res, 200, pods.specJson(id));
    return;
  }
  if (req.method === 'PUT') {
    const body = await readJson(req);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'Invalid JSON');
    const h = pods.putPod({ ...(body as Json), id }, origin);
    if (h.created) created(id, h.deploymentId);
    else sendJson(res, 200, pods.specJson(id), { 'Marathon-Deployment-Id': h.deploymentId });
    return;
  }
  if (req.method === 'DELETE') {
    const h = pods.deletePod(id, origin);
    res.writeHead(202, { 'Marathon-Deployment-Id': h.deploymentId, 'Content-Length': '0' });
    res.end();
    return;
  }
  throw new ApiError(405, 'HTTP 405 Method Not Allowed');
}

/** Routes one request that passed the filters; errors become Marathon's JSON error bodies. */
export async function route(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  try {
    const p = url.pathname;
    if (p === '/ping') {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'must-revalidate,no-cache,no-store', 'Access-Control-Allow-Credentials': 'true' });
      res.end('pong\n');
    } else if (p === '/v2/info' && req.method === 'GET') sendJson(res, 200, info(ctx));
    else if (p === '/v2/leader' && req.method === 'GET') sendJson(res, 200, { leader: ctx.hostPort() });
    else if (p === '/v2/events' && req.method === 'GET') handleEvents(ctx, req, res, url);
    else if (p === '/v2/eventSubscriptions') handleSubscriptions(ctx, req, res, url);
    else if (p === '/v2/deployments' && req.method === 'GET') sendJson(res, 200, ctx.cluster.deploymentList());
    else if (p === '/v2/apps' || p.startsWith('/v2/apps/')) await handleApps(ctx, req, res, url);
    else if (p === '/v2/tasks' || p.startsWith('/v2/tasks/')) await handleTasks(ctx, req, res, url);
    else if (p === '/v2/pods' || p.startsWith('/v2/pods/')) await handlePods(ctx, req, res, url);
    else throw new ApiError(404, `URI not found: ${p}`);
  } catch (err) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof ApiError) sendJson(res, err.status, { message: err.message, ...err.extra });
    else if (err instanceof SpecError) sendJson(res, 422, { message: err.message, details: err.details });
    else sendJson(res, 500, { message: String(err instanceof Error ? err.message : err) });
  }
}
