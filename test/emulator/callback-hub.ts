// The 1.4 http_callback event subscriber (spec §5): every event is POSTed as JSON to every
// registered URL. Deliveries to one URL keep their order (one chain per URL); a failing or slow
// consumer only delays its own chain.

import http from 'node:http';

const REQUEST_TIMEOUT_MS = 10_000;

export class CallbackHub {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<http.ClientRequest>();
  private closed = false;

  urls(): string[] {
    return [...this.chains.keys()];
  }

  add(url: string): void {
    if (!this.chains.has(url)) this.chains.set(url, Promise.resolve());
  }

  remove(url: string): void {
    this.chains.delete(url);
  }

  deliver(json: string): void {
    if (this.closed) return;
    for (const [url, chain] of this.chains) {
      this.chains.set(
        url,
        chain.then(() => (this.closed ? undefined : postJson(url, json, this.inFlight))),
      );
    }
  }

  /** Abandons deliveries in flight and forgets every URL. */
  close(): void {
    this.closed = true;
    for (const req of this.inFlight) req.destroy();
    this.chains.clear();
  }
}

function postJson(url: string, json: string, inFlight: Set<http.ClientRequest>): Promise<void> {
  return new Promise((resolve) => {
    let req: http.ClientRequest;
    try {
      req = http.request(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': Buffer.byteLength(json) },
        timeout: REQUEST_TIMEOUT_MS,
      });
    } catch {
      resolve(); // an unusable URL simply gets nothing, as in Marathon
      return;
    }
    inFlight.add(req);
    req.on('close', () => inFlight.delete(req));
    req.on('response', (res) => {
      res.resume();
      res.on('close', () => resolve());
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve());
    req.end(json);
  });
}

export function isValidCallbackUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
