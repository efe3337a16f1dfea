// "One broken app never freezes the others, and nothing is lost": when an app that was served
// fine becomes unservable because of its own labels, templates or a config HAProxy rejects, we
// keep serving its last good services (flagged stale) instead of dropping it. Last good means
// its structure: its servers come from Marathon's current tasks, so it keeps answering when
// Marathon moves them. Pure.

import type { Model, Service, Skipped } from '../model/types.js';

const OWN_FAULT: ReadonlySet<Skipped['reason']> = new Set(['INVALID_LABEL', 'INVALID_TEMPLATE', 'UNSAFE_VALUE', 'CONFIG_REJECTED', 'INVALID_APP']);

export interface CarryOverResult {
  readonly model: Model;
  /** App ids now served from their last good services. */
  readonly stale: readonly string[];
}

export function carryOverLastGood(
  next: Model, lastGood: Model | undefined, extraSkipped: readonly Skipped[] = [], fresh: readonly Service[] = [],
): CarryOverResult {
  const skipped = [...next.skipped, ...extraSkipped];
  if (!lastGood) return { model: { services: next.services, skipped }, stale: [] };
  const servedNow = new Set(next.services.map((s) => s.appId));
  const broken = new Set(skipped.filter((s) => OWN_FAULT.has(s.reason) && !servedNow.has(s.appId)).map((s) => s.appId));
  const carried = withCurrentServers(lastGood.services.filter((s) => broken.has(s.appId)), fresh, skipped);
  if (carried.length === 0) return { model: { services: next.services, skipped }, stale: [] };
  const services = [...next.services, ...carried].sort(byAppAndPort);
  return { model: { services, skipped }, stale: [...new Set(carried.map((s) => s.appId))].sort() };
}

/**
 * Last good services with the servers Marathon's tasks make now: from the app's fresh service
 * of the same port (its lines were rejected, its tasks are fine), else from the skip of that
 * port (its labels are broken), else the servers it had.
 */
export function withCurrentServers(carried: readonly Service[], fresh: readonly Service[], skipped: readonly Skipped[]): Service[] {
  return carried.map((s) => {
    const servers = fresh.find((f) => f.appId === s.appId && f.index === s.index)?.servers
      ?? skipped.find((k) => k.appId === s.appId && k.index === s.index && k.servers !== undefined)?.servers;
    return servers === undefined || servers === s.servers ? s : { ...s, servers };
  });
}

/** Remove some apps' services (those HAProxy rejected). */
export function withoutApps(model: Model, appIds: ReadonlySet<string>): Model {
  return { services: model.services.filter((s) => !appIds.has(s.appId)), skipped: model.skipped };
}

export function byAppAndPort(a: Service, b: Service): number {
  if (a.appId !== b.appId) return a.appId < b.appId ? -1 : 1;
  return a.servicePort - b.servicePort;
}
