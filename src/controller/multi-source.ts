// Several Marathons as one run-spec source. Each cluster's apps and pods are read through its own
// client (own URLs, credentials, failover) with ids prefixed by the cluster name
// (model/cluster-prefix.ts), and the lists are joined.
//
// One cluster down never stops the others: a cluster that cannot be read contributes what it
// last gave (nothing, if it never answered), so its backends stay as they were while everyone
// else's changes go through; only when every cluster fails does the read fail (and the pass with
// it, as with a single Marathon). An incremental read of one of its apps gives the last copy.

import { prefixApp, prefixPod, splitClusterId } from '../model/cluster-prefix.js';
import type { HealthCache } from '../model/task-filter.js';
import type { Settings } from '../settings.js';
import type { WireApp } from '../model/wire.js';
import { createRunSpecSource, type RunSpecClient, type RunSpecSource } from './run-spec-source.js';

export interface ClusterMember {
  readonly name: string;
  readonly client: RunSpecClient;
}

export interface ClusterReadState {
  readonly name: string;
  /** The last read of this cluster worked. */
  readonly ok: boolean;
  readonly error: string | undefined;
}

export interface MultiSource extends RunSpecSource {
  clusters(): ClusterReadState[];
}

/** A client whose ids are all under /NAME (and that takes such ids back). */
export function prefixedClient(name: string, client: RunSpecClient): RunSpecClient {
  const own = (id: string): string | undefined => {
    const split = splitClusterId(id);
    return split && split.name === name ? split.id : undefined;
  };
  return {
    listApps: async () => (await client.listApps()).map((a) => prefixApp(name, a)),
    listPods: async () => (await client.listPods()).map((p) => prefixPod(name, p)),
    async getApp(id) {
      const inner = own(id);
      const app = inner === undefined ? undefined : await client.getApp(inner);
      return app === undefined ? undefined : prefixApp(name, app);
    },
    async getPod(id) {
      const inner = own(id);
      const pod = inner === undefined ? undefined : await client.getPod(inner);
      return pod === undefined ? undefined : prefixPod(name, pod);
    },
  };
}

interface Member {
  readonly name: string;
  readonly source: RunSpecSource;
  /** What this cluster last gave, by (prefixed) id. */
  known: Map<string, WireApp>;
  ok: boolean;
  error: string | undefined;
}

export function createMultiSource(members: readonly ClusterMember[], onChange?: (state: ClusterReadState) => void): MultiSource {
  const list: Member[] = members.map((m) => ({
    name: m.name, source: createRunSpecSource(prefixedClient(m.name, m.client)), known: new Map(), ok: true, error: undefined,
  }));
  const byName = new Map(list.map((m) => [m.name, m]));
  const memberOf = (id: string) => byName.get(splitClusterId(id)?.name ?? '');
  const mark = (m: Member, err: unknown) => {
    const ok = err === undefined;
    const error = ok ? undefined : (err as Error).message;
    const changed = ok !== m.ok || error !== m.error;
    m.ok = ok;
    m.error = error;
    if (changed) onChange?.({ name: m.name, ok, error });
  };
  return {
    async listApps() {
      const results = await Promise.allSettled(list.map((m) => m.source.listApps()));
      if (results.every((r) => r.status === 'rejected')) {
        results.forEach((r, i) => mark(list[i]!, (r as PromiseRejectedResult).reason));
        throw (results[0] as PromiseRejectedResult).reason;
      }
      const out: WireApp[] = [];
      results.forEach((r, i) => {
        const m = list[i]!;
        if (r.status === 'fulfilled') {
          m.known = new Map(r.value.filter((a) => typeof a.id === 'string').map((a) => [a.id!, a]));
          mark(m, undefined);
        } else {
          mark(m, r.reason);
        }
        out.push(...m.known.values());
      });
      return out;
    },
    async getApp(id) {
      const m = memberOf(id);
      if (!m) return undefined;
      try {
        const app = await m.source.getApp(id);
        if (app === undefined) m.known.delete(id);
        else m.known.set(id, app);
        mark(m, undefined);
        return app;
      } catch (err) {
        mark(m, err);
        return m.known.get(id);
      }
    },
    isApp: (id) => memberOf(id)?.source.isApp(id) ?? false,
    clusters: () => list.map((m) => ({ name: m.name, ok: m.ok, error: m.error })),
  };
}

/**
 * The credentials one Marathon of several is read with: its own (`user:pass@` in its URLs) when
 * it has them, else the shared ones (--auth-credentials, the credential file, DC/OS). With a
 * single Marathon the shared ones win, as before.
 */
export function credentialsFor(
  settings: Pick<Settings, 'authCredentials' | 'dcosAuthCredentials' | 'marathonClusters'>, urls: readonly string[],
): { auth: Settings['authCredentials']; dcos: Settings['dcosAuthCredentials'] } {
  const own = settings.marathonClusters.length > 1 && urls.some((u) => {
    try { return new URL(u).username !== ''; } catch { return false; }
  });
  return own ? { auth: undefined, dcos: undefined } : { auth: settings.authCredentials, dcos: settings.dcosAuthCredentials };
}

/**
 * One health cache per cluster behind the single cache normalize() is given: keys are task and
 * instance ids, which carry their cluster as a `NAME/` prefix.
 */
export function clusterHealthCache(names: readonly string[], make: () => HealthCache): HealthCache {
  const caches = new Map(names.map((n) => [n, make()]));
  const fallback = make();
  const of = (key: string) => caches.get(key.slice(0, Math.max(0, key.indexOf('/')))) ?? fallback;
  return {
    get: (key) => of(key).get(key),
    set: (key, alive) => of(key).set(key, alive),
  };
}
