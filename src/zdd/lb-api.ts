// Asks every load balancer what it does with one backend's servers (/_mlb_drain), and, for a
// rollback, to take a colour out of rotation (/_mlb_withdraw).

import { EXIT, ZddError } from './errors.js';
import { parseDrainReport, type BackendView } from './drain-report.js';
import { loadGot } from './got-loader.js';

export interface LoadBalancers {
  readonly urls: readonly string[];
  /** One view per load balancer, in the order of `urls`. */
  backend(name: string): Promise<BackendView[]>;
  /**
   * Asks every load balancer to drain the tasks of colour `appId` for `seconds` (a lease, renewed
   * by asking again). One entry per load balancer: undefined when it agreed, else why not.
   */
  withdraw(appId: string, seconds: number): Promise<Array<string | undefined>>;
}

export function createLoadBalancers(urls: readonly string[], timeoutMs = 10_000): LoadBalancers {
  return {
    urls,
    backend: (name) => Promise.all(urls.map(async (url) => {
      const target = `${url.replace(/\/+$/, '')}/_mlb_drain?backend=${encodeURIComponent(name)}`;
      let body: string;
      try {
        const got = await loadGot();
        const r = await got(target, { timeout: { request: timeoutMs }, retry: { limit: 1 }, throwHttpErrors: false });
        if (r.statusCode !== 200) throw new Error(`HTTP ${r.statusCode}: ${r.body.slice(0, 300).trim()}`);
        body = r.body;
      } catch (err) {
        throw new ZddError(EXIT.lbUnreachable, `load balancer ${url}: ${(err as Error).message}`);
      }
      const view = parseDrainReport(body);
      if (!view) throw new ZddError(EXIT.lbUnreachable, `load balancer ${url}: /_mlb_drain answered something else (is it this project's marathon-lb?)`);
      return view;
    })),
    // Never throws: a load balancer that cannot withdraw leaves the tasks serving there, which
    // the drain wait then shows; the rollback says which one and why.
    withdraw: (appId, seconds) => Promise.all(urls.map(async (url) => {
      const target = `${url.replace(/\/+$/, '')}/_mlb_withdraw?app=${encodeURIComponent(appId)}&seconds=${seconds}`;
      try {
        const got = await loadGot();
        const r = await got.post(target, { timeout: { request: timeoutMs }, retry: { limit: 1, methods: ['POST'] }, throwHttpErrors: false });
        return r.statusCode === 200 ? undefined : `${url}: HTTP ${r.statusCode}: ${r.body.slice(0, 300).trim()}`;
      } catch (err) {
        return `${url}: ${(err as Error).message}`;
      }
    })),
  };
}
