// The first pass of a controller whose config on disk already says what it would write: does
// HAProxy run it? A previous controller may have died at any moment of an apply (after the
// rename, before the reload; after runtime changes, before the files said them), or HAProxy
// may have been restarted on another config behind its back. So before it trusts the disk, the
// controller asks HAProxy, on the admin socket:
// - which config it follows (see loaded-config.ts): another one, or no record, means a reload;
// - its map entries: one that differs from its file means a reload;
// - its servers: differences are corrected at run time (a failed correction means a reload).
// With no reload configured (neither --command nor --supervise-haproxy) it can only correct
// servers; nothing answering on the socket means there is nothing to compare.

import { liveDifference, parseMapFile, retiredAfter, serversReader, type BackendDesired, type RetiredServers } from '../haproxy/index.js';
import type { HaproxyDriver } from './ports.js';

export type StartUpCheck =
  /**
   * HAProxy follows the disk (after the corrections listed, if any); `retired`: servers it keeps
   * in maintenance that the config no longer has (retired at run time, gone at the next reload).
   */
  | { readonly current: true; readonly differences: readonly string[] | undefined; readonly retired: RetiredServers }
  /** A reload is needed, for these reasons. */
  | { readonly current: false; readonly reasons: readonly string[] };

export async function checkRunningHaproxy(
  haproxy: HaproxyDriver, backends: ReadonlyMap<string, BackendDesired>, maps: Readonly<Record<string, string>>,
): Promise<StartUpCheck> {
  const canReload = haproxy.kind !== 'none';
  if (canReload) {
    const follows = await haproxy.followsDisk?.();
    if (follows === undefined) return { current: false, reasons: ['no haproxy answers on the admin socket'] };
    if (!follows) return { current: false, reasons: ['haproxy may run another config than the one on disk (a previous run stopped before reloading it, or haproxy was restarted)'] };
  }
  const differences: string[] = [];
  if (haproxy.readMap) {
    for (const name of Object.keys(maps).sort()) {
      const live = await haproxy.readMap(name);
      if (live === undefined) continue; // a map the config does not read
      const want = parseMapFile(maps[name]!).entries;
      if (live.size !== want.size || [...want].some(([k, v]) => live.get(k) !== v)) differences.push(`map ${name}: haproxy's entries differ from the file`);
    }
  }
  if (differences.length > 0 && canReload) return { current: false, reasons: differences };
  if (!haproxy.readServers) return { current: true, differences: differences.length > 0 ? differences : undefined, retired: new Map() };
  let rows;
  try {
    rows = await haproxy.readServers();
  } catch {
    return { current: true, differences: undefined, retired: new Map() }; // no admin socket: nothing to compare
  }
  const diff = liveDifference(backends, rows);
  differences.push(...diff.differences);
  if (diff.ops.length > 0 && haproxy.runtime) {
    const r = await haproxy.runtime(diff.ops);
    if (!r.ok && canReload) return { current: false, reasons: [...diff.differences, `runtime API failed (${r.error ?? 'unknown'}), reloading instead`] };
  }
  // Servers an earlier run retired (in maintenance, not in the config): their lines are unknown
  // now, so one wanted again is re-created by a reload rather than revived.
  const before = new Map<string, Map<string, string>>();
  const serversOf = serversReader(backends);
  for (const r of rows) {
    if (!backends.has(r.backend) || serversOf(r.backend)[r.server] !== undefined || (r.adminState & 0x01) === 0) continue;
    (before.get(r.backend) ?? before.set(r.backend, new Map()).get(r.backend)!).set(r.server, '');
  }
  return { current: true, differences, retired: retiredAfter(before, diff.ops, backends) };
}
