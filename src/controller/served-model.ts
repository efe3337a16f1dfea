// The model HAProxy serves, rebuilt from the per-app services in the order the renderer needs
// (by app id, then service port). It is rebuilt after every runtime change (the file rewrite),
// so it must not cost a sort of every service of a 10,000-app cluster each time: the sorted
// app ids are kept per map and reused while the set of apps is the same, and each app's own
// few services are sorted only when they are not already in order.

import type { Model, Service } from '../model/types.js';
import { byAppAndPort } from './carry-over.js';

const sortedIds = new WeakMap<ReadonlyMap<string, unknown>, string[]>();

/** The map's keys in code-unit order (as byAppAndPort compares app ids). */
function idsInOrder(byApp: ReadonlyMap<string, unknown>): string[] {
  const known = sortedIds.get(byApp);
  if (known && known.length === byApp.size && known.every((id) => byApp.has(id))) return known;
  const ids = [...byApp.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  sortedIds.set(byApp, ids);
  return ids;
}

export function servedModelOf(byApp: ReadonlyMap<string, readonly Service[]>): Model {
  const services: Service[] = [];
  for (const id of idsInOrder(byApp)) {
    const list = byApp.get(id)!;
    let ordered = true;
    for (let i = 1; i < list.length && ordered; i += 1) ordered = byAppAndPort(list[i - 1]!, list[i]!) <= 0;
    services.push(...(ordered ? list : [...list].sort(byAppAndPort)));
  }
  return { services, skipped: [] };
}
