// The first full read of Marathon, started before the rest of the controller is loaded.
//
// Loading the controller's modules (and pino) takes longer than everything else before the
// first request to Marathon (see bench/README.md). A run whose first pass is a plain full read
// (one-shot, --dry, poll) asks Marathon at once instead, and the loading overlaps Marathon
// producing and sending the answer. The first listApps() and listPods() then take the answers
// (or the errors) of those early requests, as if they had been called then; every later call,
// and a first call made after `freshMs`, asks Marathon again.
//
// Not for modes with an event stream: there a full read must not come from before the stream
// was connected, or the events in between would be missed.

import type { WirePodStatus } from '../model/pod-wire.js';
import type { WireApp } from '../model/wire.js';
import type { MarathonClient } from './client.js';

export function primeFullRead(client: MarathonClient, freshMs: number, now: () => number = Date.now): MarathonClient {
  const startedAt = now();
  const early = <T>(request: Promise<T>): { take(): Promise<T> | undefined } => {
    // Read or not, a failed early request must not be an unhandled rejection.
    request.catch(() => undefined);
    // Dropped once taken: a long-running controller must not keep its first snapshot forever.
    let pending: Promise<T> | undefined = request;
    return {
      take: () => {
        const p = pending;
        pending = undefined;
        return p !== undefined && now() - startedAt <= freshMs ? p : undefined;
      },
    };
  };
  const apps = early<WireApp[]>(client.listApps());
  const pods = early<WirePodStatus[]>(client.listPods());
  return {
    ...client,
    listApps: () => apps.take() ?? client.listApps(),
    listPods: () => pods.take() ?? client.listPods(),
  };
}
