// The controller's own HTTP endpoints. It listens on loopback; HAProxy's `listen stats`
// forwards /_mlb_status*, /_mlb_metrics and /_mlb_signal/* from :9090 to it (backend
// mlb_controller), so no :9090 endpoint makes an HAProxy worker wait or fork.
//
//   GET /_mlb_status          JSON, or HTML when the Accept header prefers text/html
//   GET /_mlb_status.html     HTML
//   GET /_mlb_status/health   200 "ok", or 503 with the problems (last pass failed, stream down)
//   GET /_mlb_metrics         Prometheus text from the controller's private registry
//   GET|POST /_mlb_signal/hup, /_mlb_signal/usr1   what SIGHUP / SIGUSR1 do (signal-endpoint.ts)
//   POST /_mlb_withdraw?app=&seconds=               drain a blue/green colour (withdraw-endpoint.ts)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';
import type { SignalEndpoint, SignalName } from './signal-endpoint.js';
import { WITHDRAW_PATH, answerWithdraw, type WithdrawOutcome } from './withdraw-endpoint.js';
import { renderStatusHtml, statusProblems, type StatusSnapshot } from './status.js';

export interface StatusServerOptions {
  readonly host: string;
  readonly port: number;
  readonly snapshot: () => StatusSnapshot;
  readonly metrics: Metrics;
  /** /_mlb_signal/*; without it those paths answer 503 (nothing here can act on them). */
  readonly signals?: SignalEndpoint;
  /** /_mlb_withdraw; without it that path answers 503. */
  readonly withdraw?: (appId: string, seconds: number) => WithdrawOutcome;
}

export interface StatusServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Quality of `type` in an Accept header (0 when not acceptable), honouring wildcards. */
export function acceptQuality(accept: string, type: string): number {
  const [major] = type.split('/');
  let best = -1;
  let bestSpecificity = -1;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const specificity = range === type ? 2 : range === `${major}/*` ? 1 : range === '*/*' ? 0 : -1;
    if (specificity < bestSpecificity || specificity < 0) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    best = Number.isFinite(q) ? q : 0;
    bestSpecificity = specificity;
  }
  return Math.max(best, 0);
}

// Browsers put text/html first; curl and scripts send "*/*" and get JSON.
export function prefersHtml(accept: string | undefined): boolean {
  if (accept === undefined || accept === '') return false;
  return acceptQuality(accept, 'text/html') > acceptQuality(accept, 'application/json');
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  // The page has inline CSS and nothing else: no scripts, images or outside requests.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
};

function send(res: ServerResponse, status: number, contentType: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: StatusServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (path === WITHDRAW_PATH) {
    if (opts.withdraw === undefined) return send(res, 503, TEXT, 'this server cannot withdraw apps: the controller runs without it\n');
    const answer = answerWithdraw(req.method, url.searchParams, opts.withdraw);
    return send(res, answer.status, TEXT, answer.body, answer.headers);
  }
  const signal = opts.signals?.signalOf(path);
  if (signal !== undefined || path.startsWith('/_mlb_signal/')) return answerSignal(req, res, opts.signals, signal);
  const known = ['/_mlb_status', '/_mlb_status.html', '/_mlb_status/health', '/_mlb_metrics'];
  if (!known.includes(path)) return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(res, 405, 'text/plain; charset=utf-8', 'only GET and HEAD\n', { allow: 'GET, HEAD' });
  }
  if (path === '/_mlb_metrics') {
    const body = await opts.metrics.registry.metrics();
    return send(res, 200, opts.metrics.registry.contentType, body);
  }
  const snapshot = opts.snapshot();
  if (path === '/_mlb_status/health') {
    const problems = statusProblems(snapshot);
    if (problems.length === 0) return send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
    return send(res, 503, 'text/plain; charset=utf-8', problems.map((p) => p.message).join('\n') + '\n');
  }
  if (path === '/_mlb_status.html' || prefersHtml(req.headers.accept)) {
    return send(res, 200, 'text/html; charset=utf-8', renderStatusHtml(snapshot), { vary: 'Accept' });
  }
  return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(snapshot, null, 2) + '\n', { vary: 'Accept' });
}

const TEXT = 'text/plain; charset=utf-8';

// GET as marathon-lb's users call it, POST as a write should be; HEAD must not trigger anything.
function answerSignal(req: IncomingMessage, res: ServerResponse, signals: SignalEndpoint | undefined, signal: SignalName | undefined): void {
  if (signals === undefined) return send(res, 503, TEXT, 'this server takes no signals: the controller runs without them\n');
  if (signal === undefined) return send(res, 404, TEXT, 'not found: the signals are /_mlb_signal/hup and /_mlb_signal/usr1\n');
  if (req.method !== 'GET' && req.method !== 'POST') return send(res, 405, TEXT, 'only GET and POST\n', { allow: 'GET, POST' });
  const answer = signals.take(signal);
  return send(res, answer.status, TEXT, answer.body, answer.headers);
}

export async function startStatusServer(opts: StatusServerOptions): Promise<StatusServer> {
  const server = createServer((req, res) => {
    handle(req, res, opts).catch((error: unknown) => {
      // A failing snapshot must not take the server down; the message helps whoever looks.
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `status unavailable: ${(error as Error).message}\n`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
