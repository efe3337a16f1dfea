// One HTTP(S) exchange with Marathon on node:http / node:https, for the REST client: the subset
// of got the client uses (text body, no retries, no throw on HTTP errors, connect / response /
// whole-request timeouts, extra CAs, gzip, redirects for GET), without loading got and its
// dependencies, which take longer than everything else before the first request to Marathon
// (~70 ms and ~23 MiB of RSS on a quiet machine; see bench/README.md). events.ts already talks
// to Marathon the same way.

import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';

export interface HttpRequestOptions {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as JSON (content-type application/json). */
  readonly json?: unknown;
  /** Extra trusted CAs for https (a full list: Node's roots are replaced, as with got's option). */
  readonly certificateAuthority?: readonly string[];
  readonly timeout: {
    /** Until the TCP (and TLS) connection is up. */
    readonly connect: number;
    /** Until the response headers arrive. */
    readonly response: number;
    /** The whole exchange, body included. */
    readonly request: number;
  };
  /** Redirects followed for GET (got's default is 10). */
  readonly maxRedirects?: number;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly body: string;
}

export class HttpTimeoutError extends Error {
  constructor(readonly phase: 'connect' | 'response' | 'request', ms: number) {
    super(`Timeout awaiting '${phase}' for ${ms}ms`);
    this.name = 'HttpTimeoutError';
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function httpRequest(url: string, options: HttpRequestOptions): Promise<HttpResponse> {
  const max = options.maxRedirects ?? 10;
  let target = url;
  for (let hop = 0; ; hop++) {
    const r = await exchange(target, options);
    const location = r.location;
    if (options.method !== 'GET' || location === undefined || !REDIRECTS.has(r.statusCode) || hop >= max) {
      return { statusCode: r.statusCode, body: r.body };
    }
    target = new URL(location, target).toString();
  }
}

function exchange(url: string, o: HttpRequestOptions): Promise<HttpResponse & { location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const parsed = new URL(url);
    const secure = parsed.protocol === 'https:';
    const payload = o.json === undefined ? undefined : Buffer.from(JSON.stringify(o.json));
    const headers: OutgoingHttpHeaders = { 'accept-encoding': 'gzip, deflate, br', ...o.headers };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    const timers: NodeJS.Timeout[] = [];
    let settled = false;
    const finish = (err: Error | undefined, value?: HttpResponse & { location: string | undefined }): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      if (err) {
        req.destroy();
        reject(err);
      } else {
        resolve(value!);
      }
    };
    const after = (ms: number, phase: HttpTimeoutError['phase']): NodeJS.Timeout => {
      const t = setTimeout(() => finish(new HttpTimeoutError(phase, ms)), ms);
      timers.push(t);
      return t;
    };

    const request = secure ? https.request : http.request;
    const req = request(parsed, {
      method: o.method,
      headers,
      ...(secure && o.certificateAuthority ? { ca: [...o.certificateAuthority] } : {}),
    }, (res) => {
      clearTimeout(responseTimer);
      const location = typeof res.headers.location === 'string' ? res.headers.location : undefined;
      readBody(res).then(
        (body) => finish(undefined, { statusCode: res.statusCode ?? 0, body, location }),
        (err: Error) => finish(err),
      );
    });
    after(o.timeout.request, 'request');
    const connectTimer = after(o.timeout.connect, 'connect');
    const responseTimer = after(o.timeout.connect + o.timeout.response, 'response');
    req.on('socket', (socket) => {
      const connected = (): void => clearTimeout(connectTimer);
      if (!socket.connecting) connected();
      else socket.once(secure ? 'secureConnect' : 'connect', connected);
    });
    req.on('error', (err) => finish(err));
    req.end(payload);
  });
}

function readBody(res: IncomingMessage): Promise<string> {
  const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  let stream: Readable = res;
  if (encoding === 'gzip' || encoding === 'x-gzip') stream = res.pipe(createGunzip());
  else if (encoding === 'deflate') stream = res.pipe(createInflate());
  else if (encoding === 'br') stream = res.pipe(createBrotliDecompress());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('the response was cut short')));
  });
}
