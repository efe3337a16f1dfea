// Resolves agent host names before each pass, so the pure model can look them up synchronously.
// Unlike marathon-lb's cache (kept forever), answers are refreshed after --dns-ttl: an agent
// whose address changes is picked up within the TTL. A lookup that fails keeps the last good
// address (a DNS outage must not drop every task of an agent from HAProxy), and the cache
// never evicts a name the current pass uses, whatever its capacity.

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface HostResolver {
  /** Resolve every host not cached (or expired); resolves even when some fail. */
  prepare(hosts: Iterable<string>, now: number): Promise<void>;
  resolve(host: string): string | undefined;
  /** Lookups that failed since start, and how many of those kept a last good address. */
  stats?(): { readonly failures: number; readonly keptLastGood: number };
}

export type LookupFn = (host: string) => Promise<string>;

export function createHostResolver(opts: { ttlMs: number; capacity: number; lookupFn?: LookupFn }): HostResolver {
  const cache = new Map<string, { ip: string; expires: number }>();
  const lookupFn: LookupFn = opts.lookupFn ?? (async (host) => (await lookup(host, { family: 4 })).address);
  let failures = 0;
  let keptLastGood = 0;
  return {
    async prepare(hosts, now) {
      const used = new Set([...hosts].filter((h) => h && isIP(h) === 0));
      const wanted = [...used].filter((h) => !((cache.get(h)?.expires ?? 0) > now));
      await Promise.all(wanted.map(async (h) => {
        try {
          const ip = await lookupFn(h);
          cache.delete(h); // re-insert: Map order is our LRU order
          cache.set(h, { ip, expires: now + opts.ttlMs });
        } catch {
          failures += 1;
          const last = cache.get(h);
          if (last) keptLastGood += 1; // keep it, and ask again next pass
        }
      }));
      // Evict the least recently resolved names, but none this pass uses.
      for (const h of cache.keys()) {
        if (cache.size <= opts.capacity) break;
        if (!used.has(h)) cache.delete(h);
      }
    },
    resolve(host) {
      return cache.get(host)?.ip;
    },
    stats: () => ({ failures, keptLastGood }),
  };
}
