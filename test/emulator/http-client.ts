// Tiny raw-HTTP helpers for tests that talk to the emulator (or through HAProxy to its tasks):
// a request that returns status, headers and body verbatim, a raw event-stream reader that keeps
// the exact bytes, and a bounded poll. No jest imports, so other test code can use them freely.

import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, timeout: opts.timeoutMs ?? 5000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export async function getJson<T = any>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await request(url, { headers: { Accept: 'application/json', ...headers } });
  if (res.status !== 200) throw new Error(`GET ${url} -> ${res.status}: ${res.body}`);
  return JSON.parse(res.body) as T;
}

export async function sendJson(method: string, url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return request(url, { method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers } });
}

export interface EventFrame {
  event: string;
  data: any;
}

/** An open /v2/events connection that records the raw text and parsed frames. */
export interface RawEventStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Everything received so far, exactly. */
  text(): string;
  frames(): EventFrame[];
  ended(): boolean;
  close(): void;
}

export function openEventStream(url: string, headers: Record<string, string> = { Accept: 'text/event-stream' }): Promise<RawEventStream> {
  return new Promise((resolve, reject) => {
    let text = '';
    let ended = false;
    const req = http.get(url, { headers, agent: false }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      const end = (): void => {
        ended = true;
      };
      res.on('end', end);
      res.on('close', end);
      res.on('error', end);
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        text: () => text,
        frames: () =>
          text
            .split('\r\n\r\n')
            .map((block) => /^event: (.*)\r\ndata: (.*)$/s.exec(block.replace(/^(\r\n)+/, '')))
            .filter((m): m is RegExpExecArray => m !== null)
            .map((m) => ({ event: m[1]!, data: JSON.parse(m[2]!) })),
        ended: () => ended,
        close: () => req.destroy(),
      });
    });
    req.on('error', (err) => {
      if (!ended) reject(err);
    });
  });
}

/** Polls `check` until it returns a truthy value; bounded in time. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000, everyMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
