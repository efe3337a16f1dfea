// What HAProxy failed to load, remembered across passes: a failed reload makes HAProxy pause
// every listener while it tries, so a config it failed on is never tried again, and an app whose
// lines it could not load stays out until its definition changes. Pure data, no I/O.

import type { Model, Service, Skipped } from '../model/types.js';

export interface Bind { readonly appId: string; readonly addr: string; readonly port: number }

export class FaultMemory {
  /** Config texts (hashed by the caller) HAProxy failed to load. */
  readonly failedConfigs = new Set<string>();
  /** App -> the fingerprint of the services HAProxy could not load, and why. */
  readonly unloadable = new Map<string, { readonly fingerprint: string; readonly skip: Skipped }>();

  /** Apps of the model still in the shape HAProxy failed on, with their skips. */
  stillUnloadable(model: Model): Skipped[] {
    if (this.unloadable.size === 0) return []; // the rule: no need to group the cluster's services
    const out: Skipped[] = [];
    const byApp = groupByApp(model.services);
    for (const [appId, entry] of this.unloadable) {
      const list = byApp.get(appId);
      if (!list) { this.unloadable.delete(appId); continue; }
      if (fingerprint(list) === entry.fingerprint) out.push(entry.skip);
      else this.unloadable.delete(appId); // changed: HAProxy may take it now
    }
    return out;
  }

  remember(appId: string, services: readonly Service[], skip: Skipped): void {
    this.unloadable.set(appId, { fingerprint: fingerprint(services), skip });
  }
}

/** Services without their servers: tasks moving do not make an app worth another try. */
export function fingerprint(services: readonly Service[]): string {
  return JSON.stringify(services.map((s) => ({ ...s, servers: [] })));
}

export function groupByApp(services: readonly Service[]): Map<string, Service[]> {
  const out = new Map<string, Service[]>();
  for (const s of services) (out.get(s.appId) ?? out.set(s.appId, []).get(s.appId)!).push(s);
  return out;
}

/**
 * The apps HAProxy names when it fails to load a config that `haproxy -c` accepted: by line
 * (`Binding [haproxy.cfg:14] for frontend x: cannot bind socket ... for [127.0.0.1:8080]`), else by
 * the address it could not bind.
 */
export function appsInLoadFailure(
  output: string, owners: ReadonlyArray<{ readonly appId: string; readonly from: number; readonly to: number }>, model: Model,
): Map<string, string> {
  const out = new Map<string, string>();
  const lines = output.split(/\n| \/ /).filter((l) => /\[ALERT\]/.test(l) || /cannot bind|Binding/.test(l));
  for (const l of lines) {
    const text = l.replace(/^.*?\[ALERT\]\s*(\(\d+\)\s*)?:\s*/, '').trim();
    for (const m of l.matchAll(/\[([^\]\s]+):(\d+)\]/g)) {
      if (/^[\d.*]+$|^::|:/.test(m[1]!)) continue; // an address, not a file
      const n = Number(m[2]);
      const owner = owners.find((o) => o.from <= n && n <= o.to);
      if (owner && !out.has(owner.appId)) out.set(owner.appId, text);
    }
    for (const m of l.matchAll(/for \[([^\]]*):(\d+)\]/g)) {
      const port = Number(m[2]);
      for (const s of model.services) if (s.servicePort === port && !out.has(s.appId)) out.set(s.appId, text);
    }
  }
  return out;
}

/** The label that moves `appId`'s service off `port`: `HAPROXY_{index}_PORT` of that service. */
export function portLabelOf(model: Model, appId: string, port: number): string {
  const s = model.services.find((x) => x.appId === appId && x.servicePort === port);
  return s ? `HAPROXY_${s.index}_PORT` : 'HAPROXY_{n}_PORT';
}

/** The binds of the services in `model` that `before` did not have (new ports to check). */
export function newBinds(model: Model, before: Model | undefined): Bind[] {
  const had = new Set((before?.services ?? []).map((s) => `${s.bindAddr}:${s.servicePort}`));
  const out: Bind[] = [];
  for (const s of model.services) {
    const key = `${s.bindAddr}:${s.servicePort}`;
    if (!had.has(key)) out.push({ appId: s.appId, addr: s.bindAddr === '*' ? '0.0.0.0' : s.bindAddr, port: s.servicePort });
  }
  return out;
}
