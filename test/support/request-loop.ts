// A steady stream of requests through the load balancer, counting every failure, for tests
// that change what serves an app and must show that no request failed meanwhile.

import { httpGet } from './haproxy.js';

export interface RequestLoop {
  /** Requests sent so far and the failures among them (status other than 200, or no answer). */
  readonly sent: () => number;
  readonly failures: () => string[];
  /** Task ids (response bodies) that answered. */
  readonly answeredBy: () => Set<string>;
  stop(): Promise<void>;
}

/** `workers` sequential clients, each sending a request every `pauseMs` to `port` with `headers`. */
export function startRequestLoop(port: number, headers: Record<string, string> = {}, workers = 2, pauseMs = 10): RequestLoop {
  let running = true;
  let sent = 0;
  const failures: string[] = [];
  const answered = new Set<string>();
  const worker = async () => {
    while (running) {
      const r = await httpGet(port, '/', headers);
      sent += 1;
      if (r.status === 200) answered.add(r.body.trim());
      else failures.push(`${new Date().toISOString()} ${r.status} ${r.body.slice(0, 200)}`);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };
  const done = Promise.all(Array.from({ length: workers }, worker));
  return {
    sent: () => sent,
    failures: () => [...failures],
    answeredBy: () => new Set(answered),
    async stop() { running = false; await done; },
  };
}
