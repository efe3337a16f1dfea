// "One broken app never freezes the others, and nothing is lost": when an app that was served
// fine becomes unservable because of its own labels, templates or a config HAProxy rejects, we
// keep serving its last good services (flagged stale) instead of dropping it. Pure.

import type { Model, Service, Skipped } from '../model/types.js';

const OWN_FAULT: ReadonlySet<Skipped['reason']> = new Set(['INVALID_LABEL', 'INVALID_TEMPLATE', 'UNSAFE_VALUE', 'CONFIG_REJECTED', 'INVALID_APP']);

export interface CarryOverResult {
  readonly model: Model;
  /** App ids now served from their last good services. */
  readonly stale: readonly string[];
}

export function carryOverLastGood(next: Model, lastGood: Model | undefined, extraSkipped: readonly Skipped[] = []): CarryOverResult {
  const skipped = [...next.skipped, ...extraSkipped];
  if (!lastGood) return { model: { services: next.services, skipped }, stale: [] };
  const servedNow = new Set(next.services.map((s) => s.appId));
  const broken = new Set(skipped.filter((s) => OWN_FAULT.has(s.reason) && !servedNow.has(s.appId)).map((s) => s.appId));
  const carried = lastGood.services.filter((s) => broken.has(s.appId));
  if (carried.length === 0) return { model: { services: next.services, skipped }, stale: [] };
  const services = [...next.services, ...carried].sort(byAppAndPort);
  return { model: { services, skipped }, stale: [...new Set(carried.map((s) => s.appId))].sort() };
}

/** Remove some apps' services (those HAProxy rejected). */
export function withoutApps(model: Model, appIds: ReadonlySet<string>): Model {
  return { services: model.services.filter((s) => !appIds.has(s.appId)), skipped: model.skipped };
}

export function byAppAndPort(a: Service, b: Service): number {
  if (a.appId !== b.appId) return a.appId < b.appId ? -1 : 1;
  return a.servicePort - b.servicePort;
}
