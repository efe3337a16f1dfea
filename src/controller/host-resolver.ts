// Resolves agent host names before each pass, so the pure model can look them up synchronously.
// Unlike marathon-lb's cache (kept forever), answers expire: an agent whose address changes is
// picked up within the TTL. Failures are not cached, as in marathon-lb.

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface HostResolver {
  /** Resolve every host not cached (or expired); resolves even when some fail. */
  prepare(hosts: Iterable<string>, now: number): Promise<void>;
  resolve(host: string): string | undefined;
}

export type LookupFn = (host: string) => Promise<string>;

export function createHostResolver(opts: { ttlMs: number; capacity: number; lookupFn?: LookupFn }): HostResolver {
  const cache = new Map<string, { ip: string; expires: number }>();
  const lookupFn: LookupFn = opts.lookupFn ?? (async (host) => (await lookup(host, { family: 4 })).address);
  return {
    async prepare(hosts, now) {
      const wanted = [...new Set(hosts)].filter((h) => h && isIP(h) === 0 && !((cache.get(h)?.expires ?? 0) > now));
      await Promise.all(wanted.map(async (h) => {
        try {
          const ip = await lookupFn(h);
          cache.delete(h); // re-insert: Map order is our LRU order
          cache.set(h, { ip, expires: now + opts.ttlMs });
          while (cache.size > opts.capacity) cache.delete(cache.keys().next().value!);
        } catch {
          cache.delete(h);
        }
      }));
    },
    resolve(host) {
      return cache.get(host)?.ip;
    },
  };
}
