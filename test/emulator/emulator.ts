// startEmulator(): the HTTP server and the filters every request passes before routing, in
// Marathon's order: (request log, injected failures,) basic auth (Jetty security handler), then
// the leader-proxy filter (leader header / standby proxy or 302 / election error page).

import { performance } from 'node:perf_hooks';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { absoluteAppId } from './app-model.js';
import { CallbackHub } from './callback-hub.js';
import { Cluster } from './cluster.js';
import type { ApiContext } from './http-api.js';
import { route, sendJson } from './http-api.js';
import { sendJettyError } from './jetty-pages.js';
import { PodStore } from './pods.js';
import { SseHub } from './sse-hub.js';
import { AgentTaskRunner, InProcessTaskRunner, NoTaskRunner, ProcessTaskRunner, type TaskRunner } from './task-runners.js';
import type { AppSpec, Emulator, EmulatorOptions, PodSpec, RequestRecord, Role, TaskView } from './types.js';
import { taskJsonState } from './task-model.js';

const REALM = 'Mesosphere';
const MAX_LOGGED = 100_000;

export interface RecordedEvent {
  eventType: string;
  payload: Record<string, unknown>;
  /** performance.now() when it was published (benchmarks time event -> traffic from it). */
  at: number;
}

/** The emulator plus a log of every event it published (newest last). */
export interface EmulatorWithEvents extends Emulator {
  readonly events: RecordedEvent[];
}

function makeRunner(kind: EmulatorOptions['taskServers']): TaskRunner {
  if (kind === 'none') return new NoTaskRunner();
  if (kind === 'process') return new ProcessTaskRunner();
  if (kind === 'agent') return new AgentTaskRunner();
  return new InProcessTaskRunner();
}

function authorized(req: IncomingMessage, auth: { user: string; password: string }): boolean {
  const header = req.headers.authorization ?? '';
  const m = /^Basic\s+(.+)$/i.exec(header);
  if (!m) return false;
  return Buffer.from(m[1]!, 'base64').toString('utf8') === `${auth.user}:${auth.password}`;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<EmulatorWithEvents> {
  const version = opts.version ?? '1.5';
  const requests: RequestRecord[] = [];
  const events: RecordedEvent[] = [];
  const failures = new Map<string, { status: number; times: number }>();
  let role: Role = { kind: 'leader' };
  let hostPort = '127.0.0.1:0';

  const callbacks = opts.eventCallbacks ? new CallbackHub() : undefined;
  const publish = (eventType: string, payload: Record<string, unknown>): void => {
    const event = { ...payload, eventType, timestamp: new Date().toISOString() };
    events.push({ eventType, payload: event, at: performance.now() });
    if (events.length > MAX_LOGGED) events.splice(0, events.length - MAX_LOGGED);
    const json = JSON.stringify(event);
    sse.publish(eventType, json);
    callbacks?.deliver(json);
  };
  const sse = new SseHub(opts.heartbeatMs ?? 10_000, (remoteAddress) =>
    publish('event_stream_detached', { remoteAddress: remoteAddress.replace(/^::ffff:/, '') }),
  );
  const runner = makeRunner(opts.taskServers);
  const cluster = new Cluster(version, runner, publish, opts.taskKilling, opts.hostPorts);
  const pods = new PodStore(version, runner, publish, (fn) => cluster.enqueue(fn));
  const ctx: ApiContext = { version, cluster, pods, sse, callbacks, hostPort: () => hostPort, publish };

  const proxyToLeader = (req: IncomingMessage, res: ServerResponse, leaderUrl: string, url: URL): void => {
    const via = String(req.headers['x-marathon-via'] ?? '');
    if (via.includes(hostPort)) {
      sendJettyError(res, 502, url.pathname, 'Detected proxying loop.');
      return;
    }
    const headers = { ...req.headers };
    delete headers.host;
    delete headers.connection;
    headers['x-marathon-via'] = `1.1 ${hostPort}`;
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '127.0.0.1';
    const upstream = http.request(new URL(req.url ?? '/', leaderUrl), { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, { ...up.headers, 'x-marathon-via': `1.1 ${hostPort}` });
      up.pipe(res);
    });
    upstream.on('error', () => {
      // ≤1.4 answered a refused connection with 503, 1.5 with 502.
      if (!res.headersSent) sendJettyError(res, version === '1.4' ? 503 : 502, url.pathname, 'Connection to leader refused.');
      else res.destroy();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: { ...req.headers } });
    if (requests.length > MAX_LOGGED) requests.splice(0, requests.length - MAX_LOGGED);

    const failure = failures.get(url.pathname);
    if (failure && failure.times > 0) {
      failure.times--;
      if (failure.times === 0) failures.delete(url.pathname);
      req.resume();
      sendJson(res, failure.status, { message: `emulator: injected failure ${failure.status}` });
      return;
    }
    if (opts.auth && !authorized(req, opts.auth)) {
      req.resume();
      sendJettyError(res, 401, url.pathname, 'Unauthorized', { 'WWW-Authenticate': `basic realm="${REALM}"` });
      return;
    }
    if (role.kind === 'electing') {
      req.resume();
      // ≤1.6 (both profiles emulated here) answer 503 when no leader is known.
      sendJettyError(res, 503, url.pathname, 'Could not determine the current leader');
      return;
    }
    if (role.kind === 'standby') {
      if (url.pathname === '/v2/events') {
        // 1.7+: standbys redirect the event stream instead of proxying it.
        req.resume();
        res.writeHead(302, { Location: `${role.leaderUrl.replace(/\/+$/, '')}/v2/events${url.search}`, 'Content-Length': '0' });
        res.end();
        return;
      }
      proxyToLeader(req, res, role.leaderUrl, url);
      return;
    }
    res.setHeader('X-Marathon-Leader', `http://${hostPort}`);
    void route(ctx, req, res, url);
  };

  const server = http.createServer(handle);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: opts.port ?? 0 }, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('emulator: no TCP address');
  hostPort = `127.0.0.1:${address.port}`;
  const origin = (id: string) => ({ clientIp: '127.0.0.1', uri: `/v2/apps${absoluteAppId(id)}` });

  const emulator: EmulatorWithEvents = {
    url: `http://${hostPort}`,
    requests,
    events,
    async close() {
      sse.close();
      callbacks?.close();
      await Promise.all([
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
        pods.close().then(() => cluster.close()),
      ]);
    },
    async putApp(spec: AppSpec) {
      await cluster.putApp(spec, origin(spec.id)).done;
    },
    async deleteApp(id: string) {
      await cluster.deleteApp(id).done;
    },
    async scale(id: string, instances: number) {
      await cluster.scale(id, instances, origin(id)).done;
    },
    async killTask(taskId: string, o?: { scale?: boolean }) {
      if (!cluster.task(taskId)) throw new Error(`emulator: unknown task ${taskId}`);
      await cluster.killTasks([taskId], o?.scale ?? false).done;
    },
    setTaskState(taskId: string, state: string) {
      cluster.setTaskState(taskId, state);
    },
    setHealth(taskId: string, alive: boolean) {
      cluster.setHealth(taskId, alive);
    },
    tasks(appId: string): TaskView[] {
      return cluster.tasksOf(appId).map((t) => ({
        id: t.id,
        host: t.host,
        ports: [...t.hostPorts],
        state: taskJsonState(t.state),
        ipAddress: t.ipAddress,
        endpoints: [...t.endpoints],
      }));
    },
    apps() {
      return cluster.apps().map((a) => a.id);
    },
    settled() {
      return cluster.settled();
    },
    async putPod(spec: PodSpec) {
      const id = absoluteAppId(spec.id);
      await pods.putPod(spec, { clientIp: '127.0.0.1', uri: pods.has(id) ? `/v2/pods${id}` : '/v2/pods' }).done;
    },
    async deletePod(id: string) {
      await pods.deletePod(id, { clientIp: '127.0.0.1', uri: `/v2/pods${absoluteAppId(id)}` }).done;
    },
    async scalePod(id: string, instances: number) {
      await pods.scale(id, instances, { clientIp: '127.0.0.1', uri: `/v2/pods${absoluteAppId(id)}` }).done;
    },
    async killPodInstance(instanceId: string) {
      await pods.killInstance(instanceId).done;
    },
    setPodHealth(instanceId: string, healthy: boolean, container?: string) {
      pods.setHealth(instanceId, healthy, container);
    },
    podInstances(id: string) {
      return pods.instanceViews(id);
    },
    setRole(next: Role) {
      const wasLeader = role.kind === 'leader';
      role = next;
      // A Marathon that loses leadership exits, so its event streams simply drop.
      if (wasLeader && next.kind !== 'leader') sse.drop();
    },
    dropStreams() {
      sse.drop();
    },
    stallStreams(stalled: boolean) {
      sse.stall(stalled);
    },
    failNext(path: string, status: number, times = 1) {
      failures.set(path, { status, times });
    },
    streamCount() {
      return sse.count();
    },
    emit(eventType: string, payload: object) {
      publish(eventType, payload as Record<string, unknown>);
    },
    callbackUrls() {
      return callbacks?.urls() ?? [];
    },
  };
  return emulator;
}
