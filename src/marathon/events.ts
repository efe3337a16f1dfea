// Watches Marathon's event stream (GET /v2/events, Server-Sent Events) and reports each wanted
// event as its type and its raw JSON text; the controller decides what to re-read from Marathon.
//
// An event too big to keep (a line or data past --sse-max-line-length) is dropped by the
// parser. Its content is lost, so the watcher calls `onResyncNeeded(reason)`: the controller
// must do a full read, as after a reconnect. The stream itself stays up.
//
// Why not the `eventsource` package: v4 runs on fetch, and Node 20's fetch can neither take a
// custom CA (that needs an undici dispatcher; undici is not a dependency) nor show the bare
// CRLF heartbeats that tell a live-but-quiet stream from a dead one. node:http(s) gives us the
// CA option, every raw chunk for the liveness timer, and full control of redirects (a standby
// Marathon answers 302 to the leader, and auth must follow it). The SSE framing itself is a
// small pure parser (sse-parser.ts).

import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { BasicAuth, DcosServiceAccount } from './auth.js';
import { backoffPolicy, delayAfter, jitteredDelay, type BackoffPolicy } from './backoff.js';

/** Refused credentials are asked again at least this often (a 401 period heals within seconds). */
const AUTH_RETRY_CAP_MS = 10_000;
import { MarathonAuthError } from './errors.js';
import { silentLog, type LogFn } from './log.js';
import { redactUrl, scrubSecrets } from './redact.js';
import { createSseParser, DEFAULT_MAX_LINE_LENGTH, eventTypeOf } from './sse-parser.js';
import { allSecrets, buildTargets, type MarathonTarget } from './targets.js';
import { certificateAuthorities } from './tls.js';
import { baseOfEventsUrl, eventsPath, joinUrl } from './urls.js';

export interface WatchEventsOptions {
  urls: string[];
  auth?: BasicAuth;
  dcos?: DcosServiceAccount;
  /** Path of a PEM file with an extra CA to trust. */
  caCert?: string;
  /** Sent as repeated event_type=; also filtered here (Marathon < 1.3.7 ignores the param). */
  eventTypes: string[];
  maxBackoffSeconds: number;
  /** No byte at all (event or heartbeat) for this long = dead stream. Default 30000. */
  livenessMs?: number;
  /** Longest SSE line (and event data) kept, in characters; longer events are dropped. */
  maxLineLength?: number;
  /** A wanted event: its `eventType` and its raw JSON text (the SSE `data`). */
  onEvent(type: string, data: string): void;
  /** Events were lost (an oversized event was dropped): the caller must read the full state. */
  onResyncNeeded(reason: string): void;
  /** Called on every successful (re)connect with the Marathon base URL that serves the stream. */
  onConnected(url: string): void;
  onDisconnected(reason: string): void;
  onAuthError(err: MarathonAuthError): void;
  log?: LogFn;
  random?: () => number;
  /** Overrides for the reconnect schedule (tests use short delays). */
  backoff?: Partial<Omit<BackoffPolicy, 'maxMs'>>;
}

export interface WatcherState {
  connected: boolean;
  /** Base URL of the Marathon serving the stream (credentials stripped). */
  url?: string;
  /** Epoch ms of the last successful connect. */
  since?: number;
  /** Connection attempts after the first one. */
  reconnects: number;
}

export interface EventWatcher {
  close(): Promise<void>;
  state(): WatcherState;
}

/** Standbys of Marathon 1.7+ redirect once to the leader; more hops means a loop. */
const MAX_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

type Outcome =
  | { kind: 'closed' }
  | { kind: 'auth'; error: MarathonAuthError }
  | { kind: 'stalled'; livedMs: number; reason: string }
  | { kind: 'ended'; livedMs: number; reason: string; clean?: boolean; events?: number };

export function watchEvents(opts: WatchEventsOptions): EventWatcher {
  const log = opts.log ?? silentLog;
  const random = opts.random ?? Math.random;
  const livenessMs = opts.livenessMs ?? 30_000;
  const maxLineLength = opts.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const policy = backoffPolicy(opts.maxBackoffSeconds, opts.backoff);
  const ca = certificateAuthorities(opts.caCert);
  const targets = buildTargets({
    urls: opts.urls,
    ...(opts.auth ? { auth: opts.auth } : {}),
    ...(opts.dcos ? { dcos: opts.dcos } : {}),
    ...(ca ? { certificateAuthority: ca } : {}),
  });
  const path = eventsPath(opts.eventTypes);
  const wanted = new Set(opts.eventTypes);
  const scrub = (text: string): string => scrubSecrets(text, allSecrets(targets));

  let closed = false;
  let abortCurrent: (() => void) | undefined;
  let wakeSleeper: (() => void) | undefined;
  let attempts = 0;
  const state: WatcherState = { connected: false, reconnects: 0 };

  function guarded(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      log('error', { err: (err as Error).message }, `event watcher ${what} callback threw`);
    }
  }

  /** Reports one SSE event's data; true when it was a wanted event, handed to onEvent. */
  function deliver(data: string, url: string): boolean {
    if (data === '') return false;
    const parsed = eventTypeOf(data);
    if ('error' in parsed) {
      // One bad payload says nothing about the stream: skip it, keep reading.
      log('warn', { url, error: parsed.error, data: data.slice(0, 200) }, 'skipping malformed Marathon event');
      return false;
    }
    if (wanted.size > 0 && !wanted.has(parsed.type)) return false;
    log('debug', { url, eventType: parsed.type }, 'Marathon event');
    guarded('onEvent', () => opts.onEvent(parsed.type, data));
    return true;
  }

  async function streamOnce(target: MarathonTarget): Promise<Outcome> {
    let authorization: string | undefined;
    try {
      authorization = await target.auth.header();
    } catch (err) {
      if (err instanceof MarathonAuthError) return { kind: 'auth', error: err };
      return { kind: 'ended', livedMs: 0, reason: scrub((err as Error).message) };
    }
    if (closed) return { kind: 'closed' };
    const headers: Record<string, string> = {
      accept: 'text/event-stream',
      'cache-control': 'no-cache',
      'user-agent': 'marathon-lb',
    };
    if (authorization !== undefined) headers['authorization'] = authorization;

    return new Promise<Outcome>((resolve) => {
      let settled = false;
      let request: ClientRequest | undefined;
      let connectedAt: number | undefined;
      let delivered = 0;
      let timer: NodeJS.Timeout | undefined;

      const finish = (outcome: Outcome): void => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        abortCurrent = undefined;
        request?.destroy();
        resolve(outcome);
      };
      const lived = (): number => (connectedAt === undefined ? 0 : Date.now() - connectedAt);
      // Any byte (event or heartbeat) pushes the deadline out; silence past it kills the stream.
      const armLiveness = (): void => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          const reason = connectedAt === undefined
            ? `no answer within ${livenessMs} ms`
            : `no bytes (events or heartbeats) for ${livenessMs} ms`;
          finish(connectedAt === undefined ? { kind: 'ended', livedMs: 0, reason } : { kind: 'stalled', livedMs: lived(), reason });
        }, livenessMs);
      };
      abortCurrent = () => finish({ kind: 'closed' });

      const start = (url: string, hops: number): void => {
        const secure = url.startsWith('https:');
        const options = { method: 'GET', headers, ...(secure && ca ? { ca } : {}) };
        const onResponse = (res: IncomingMessage): void => {
          if (settled) {
            res.destroy();
            return;
          }
          armLiveness();
          const status = res.statusCode ?? 0;
          const location = res.headers.location;
          if (REDIRECT_STATUSES.has(status) && location) {
            res.resume();
            if (hops >= MAX_REDIRECTS) {
              finish({ kind: 'ended', livedMs: 0, reason: `too many redirects (last to ${redactUrl(location)})` });
              return;
            }
            const next = new URL(location, url).toString();
            log('info', { from: redactUrl(url), to: redactUrl(next) }, 'Marathon standby redirected the event stream');
            request?.destroy();
            start(next, hops + 1);
            return;
          }
          if (status === 401 || status === 403) {
            res.resume();
            finish({ kind: 'auth', error: new MarathonAuthError(status, url) });
            return;
          }
          if (status !== 200) {
            res.resume();
            const what = status === 502 || status === 503 || status === 504 ? ' (leader election or leader unreachable)' : '';
            finish({ kind: 'ended', livedMs: 0, reason: `${redactUrl(url)} answered ${status}${what}` });
            return;
          }
          const contentType = String(res.headers['content-type'] ?? '');
          if (contentType !== '' && !contentType.toLowerCase().includes('text/event-stream')) {
            // A proxy's login or error page with 200 is not a stream; do not resync on it.
            res.resume();
            finish({ kind: 'ended', livedMs: 0, reason: `${redactUrl(url)} answered 200 with ${contentType}, not an event stream` });
            return;
          }
          connectedAt = Date.now();
          const safeUrl = redactUrl(baseOfEventsUrl(url));
          state.connected = true;
          state.url = safeUrl;
          state.since = connectedAt;
          log('info', { url: safeUrl }, 'connected to the Marathon event stream');
          guarded('onConnected', () => opts.onConnected(safeUrl));
          const parser = createSseParser({
            maxLineLength,
            onDropped: (drop) => {
              const reason = `dropped an oversized Marathon event${drop.event ? ` (${drop.event})` : ''}: over ${drop.limit} characters`;
              log('warn', { url: safeUrl, eventType: drop.event || undefined, seen: drop.length, limit: drop.limit },
                `${reason}; asking for a full resync (raise --sse-max-line-length if such events are expected)`);
              guarded('onResyncNeeded', () => opts.onResyncNeeded(reason));
            },
          });
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            armLiveness();
            for (const event of parser.push(chunk)) if (deliver(event.data, safeUrl)) delivered++;
          });
          // A normal end of the response: with events delivered, a healthy server (see backoff.ts).
          res.on('end', () => finish({ kind: 'ended', livedMs: lived(), reason: 'Marathon closed the event stream', clean: true, events: delivered }));
          res.on('error', (err) => finish({ kind: 'ended', livedMs: lived(), reason: scrub(err.message) }));
          res.on('close', () => finish({ kind: 'ended', livedMs: lived(), reason: 'event stream connection closed' }));
        };
        const req = secure ? https.request(url, options, onResponse) : http.request(url, options, onResponse);
        request = req;
        req.on('error', (err) => {
          if (request === req) finish({ kind: 'ended', livedMs: lived(), reason: `${redactUrl(url)}: ${scrub(err.message)}` });
        });
        req.end();
      };

      armLiveness();
      start(joinUrl(target.url, path), 0);
    });
  }

  function sleep(ms: number): Promise<void> {
    if (ms <= 0 || closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        wakeSleeper = undefined;
        resolve();
      }, ms);
      wakeSleeper = () => {
        clearTimeout(timer);
        wakeSleeper = undefined;
        resolve();
      };
    });
  }

  async function run(): Promise<void> {
    let index = 0;
    let baseMs = policy.initialMs;
    let dcosRetried = false;
    let authBaseMs = policy.initialMs;
    while (!closed) {
      const target = targets[index % targets.length] as MarathonTarget;
      index++;
      if (attempts > 0) state.reconnects++;
      attempts++;
      const outcome = await streamOnce(target);
      if (outcome.kind === 'closed' || closed) break;
      const wasConnected = state.connected;
      state.connected = false;
      if (outcome.kind === 'auth') {
        // A DC/OS token may simply have expired: log in again right away, once.
        if (!dcosRetried && outcome.error.status === 401 && target.auth.invalidate()) {
          dcosRetried = true;
          continue;
        }
        log('error', { url: outcome.error.url, status: outcome.error.status }, outcome.error.message);
        guarded('onAuthError', () => opts.onAuthError(outcome.error));
        // Credentials are often refused for a while (a rotation, an IAM hiccup): retry with a
        // backoff capped at AUTH_RETRY_CAP_MS, so changes flow again seconds after it ends.
        const cap = Math.min(policy.maxMs, AUTH_RETRY_CAP_MS);
        const delayMs = jitteredDelay(Math.min(authBaseMs, cap), random());
        authBaseMs = Math.min(cap, authBaseMs * 2);
        await sleep(delayMs);
        continue;
      }
      authBaseMs = policy.initialMs;
      dcosRetried = false;
      if (wasConnected) guarded('onDisconnected', () => opts.onDisconnected(outcome.reason));
      if (outcome.kind === 'stalled') {
        // As marathon-lb: a silent stream is replaced at once, without growing the backoff.
        log('warn', { reason: outcome.reason }, 'Marathon event stream stalled; reconnecting');
        continue;
      }
      const end = { livedMs: outcome.livedMs, clean: outcome.clean ?? false, events: outcome.events ?? 0 };
      const { delayMs, nextBaseMs } = delayAfter(policy, baseMs, end, random());
      baseMs = nextBaseMs;
      if (end.clean && end.events > 0) {
        log('info', { reason: outcome.reason, events: end.events, retryInMs: delayMs }, 'Marathon ended the event stream cleanly; reconnecting at once');
      } else {
        log('warn', { reason: outcome.reason, retryInMs: delayMs }, 'Marathon event stream unavailable');
      }
      await sleep(delayMs);
    }
    state.connected = false;
  }

  const running = run().catch((err: unknown) => {
    log('error', { err: scrub((err as Error).message) }, 'event watcher stopped unexpectedly');
  });

  return {
    async close() {
      closed = true;
      abortCurrent?.();
      wakeSleeper?.();
      await running;
    },
    state: () => ({ ...state }),
  };
}
