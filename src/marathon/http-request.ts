// One HTTP(S) exchange with Marathon on node:http / node:https, for the REST client and the
// DC/OS login: what they used got for (text body, no retries, no throw on HTTP errors, got's
// connect and idle-read timeouts with got's error shape, extra CAs, gzip, got's redirects),
// without loading got and its dependencies, which took longer than everything else before the
// first request to Marathon (~70 ms and ~23 MiB of RSS; see bench/README.md). events.ts talks
// to Marathon the same way.

import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import { readBody } from './http-body.js';

export interface HttpRequestOptions {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as JSON (content-type application/json). */
  readonly json?: unknown;
  /** Trusted CAs for https (a full list: Node's roots are replaced, as with got's option). */
  readonly certificateAuthority?: readonly string[];
  readonly timeout: {
    /** For the TCP connection once the name is resolved, and again for the TLS handshake (as got). */
    readonly connect?: number;
    /** The longest silence of the socket, before or during the answer (got's `socket`). */
    readonly idle?: number;
    /** The whole exchange, body included. */
    readonly request?: number;
  };
  /** Redirects followed before giving up with an error (got's default is 10). */
  readonly maxRedirects?: number;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type TimeoutEvent = 'connect' | 'secureConnect' | 'socket' | 'request';

/** got's TimeoutError: code ETIMEDOUT and the phase as `event`, which describeConnectError reads. */
export class HttpTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(readonly event: TimeoutEvent, ms: number) {
    super(`Timeout awaiting '${event}' for ${ms}ms`);
    this.name = 'TimeoutError';
  }
}

export class TooManyRedirectsError extends Error {
  readonly code = 'ERR_TOO_MANY_REDIRECTS';
  constructor(count: number) {
    super(`Redirected ${count} times. Aborting.`);
    this.name = 'MaxRedirectsError';
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function httpRequest(url: string, options: HttpRequestOptions): Promise<HttpResponse> {
  const max = options.maxRedirects ?? 10;
  let current = new URL(url);
  let hop = options;
  for (let count = 0; ; count++) {
    const r = await exchange(current, hop);
    const location = r.headers.location;
    if (location === undefined || !REDIRECTS.has(r.statusCode)) return r;
    if (count >= max) throw new TooManyRedirectsError(count);
    const next = new URL(location, current);
    // As got: a 303 turns a POST or DELETE into a GET without a body; another origin does not
    // get the credentials.
    const headers = { ...hop.headers };
    if (next.host !== current.host) delete headers['authorization'];
    hop = r.statusCode === 303 && hop.method !== 'GET'
      ? { ...hop, method: 'GET', json: undefined, headers }
      : { ...hop, headers };
    current = next;
  }
}

function exchange(url: URL, o: HttpRequestOptions): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const payload = o.json === undefined ? undefined : Buffer.from(JSON.stringify(o.json));
    const headers: OutgoingHttpHeaders = { 'accept-encoding': 'gzip, deflate, br', ...o.headers };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    const timers = new Set<NodeJS.Timeout>();
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      req.destroy();
      reject(err);
    };
    // A timer that expired while the event loop was busy (a big render) may be behind an I/O
    // event that already cancels it: look again after the pending I/O, as got does.
    const timeout = (ms: number, event: TimeoutEvent): (() => void) => {
      let cancelled = false;
      const t = setTimeout(() => setImmediate(() => {
        if (!cancelled) fail(new HttpTimeoutError(event, ms));
      }), ms);
      timers.add(t);
      return () => { cancelled = true; clearTimeout(t); timers.delete(t); };
    };

    const request = secure ? https.request : http.request;
    const req = request(url, {
      method: o.method,
      headers,
      ...(secure && o.certificateAuthority ? { ca: [...o.certificateAuthority] } : {}),
    }, (res) => {
      readBody(res).then((body) => {
        if (settled) return;
        settled = true;
        for (const t of timers) clearTimeout(t);
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body });
      }, fail);
    });
    const { connect, idle, request: whole } = o.timeout;
    if (whole !== undefined) timeout(whole, 'request');
    if (idle !== undefined) req.setTimeout(idle, () => setImmediate(() => fail(new HttpTimeoutError('socket', idle))));
    if (connect !== undefined) req.on('socket', (socket: Socket) => timeConnect(socket, connect, secure, isIP(url.hostname.replace(/^\[|\]$/g, '')) !== 0, timeout));
    req.on('error', fail);
    req.end(payload);
  });
}

/** got's connect timeouts: TCP from the resolved name to `connect`, then TLS to `secureConnect`. */
function timeConnect(socket: Socket, ms: number, secure: boolean, literal: boolean, timeout: (ms: number, event: TimeoutEvent) => () => void): void {
  if (!socket.connecting) return; // a kept-alive socket
  const tcp = (): void => { socket.once('connect', timeout(ms, 'connect')); };
  if (literal) tcp();
  else socket.once('lookup', (err: Error | null) => { if (err === null) tcp(); });
  if (secure) socket.once('connect', () => { socket.once('secureConnect', timeout(ms, 'secureConnect')); });
}
