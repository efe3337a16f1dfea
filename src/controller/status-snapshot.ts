// Builds the status page's data from the controller's state. Pure.
//
// The page lists as served only what the config serves: the applied state holds only services
// that made it into the config (reconcile.ts leaves out those render or HAProxy excluded), and a
// service left out is shown among the skipped, with its reason. A server's state is HAProxy's,
// as last read back; an app served from its last good config is marked stale, with why.

import type { ServerState, StatusConsistency, StatusSnapshot, StatusStream } from '../admin/index.js';
import type { ServerStateRow } from '../haproxy/index.js';
import type { Settings } from '../settings.js';
import type { Skipped } from '../model/types.js';
import { noticesOf } from './notices.js';
import type { HaproxyDriver } from './ports.js';
import { servedModel, type AppliedState, type PassOutcome } from './reconcile.js';

export interface SnapshotInput {
  readonly settings: Settings;
  readonly version: string;
  readonly applied: AppliedState | undefined;
  readonly lastPass: PassOutcome | undefined;
  readonly lastReload: { readonly at: number; readonly reasons: readonly string[]; readonly ok: boolean } | undefined;
  readonly stream: Omit<StatusStream, 'mode'>;
  /** Every app's skips, as the cluster model has them now. */
  readonly skipped: readonly Skipped[];
  readonly consistency: StatusConsistency;
  /** The supervised HAProxy's restarts, when the driver supervises one. */
  readonly supervision?: ReturnType<NonNullable<HaproxyDriver['supervision']>> | undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** What explains a skip when no label does: the part of the app definition at fault. */
const FIELD_OF: Readonly<Record<Skipped['reason'], string>> = {
  GROUP_MISMATCH: 'HAPROXY_GROUP',
  DISABLED: 'HAPROXY_{n}_ENABLED',
  NO_SERVICE_PORT: 'portDefinitions',
  NO_TASKS: 'tasks',
  INVALID_LABEL: 'labels',
  INVALID_TEMPLATE: 'labels',
  UNSAFE_VALUE: 'labels',
  CONFIG_REJECTED: '(generated config)',
  FRAMEWORK_SELF: 'FRAMEWORK_NAME',
  INVALID_APP: 'app definition',
};

/** HAProxy's view of a server, when it has been read back. */
function liveState(row: ServerStateRow | undefined): ServerState | undefined {
  if (!row) return undefined;
  if ((row.adminState & (0x01 | 0x02 | 0x04 | 0x20 | 0x40)) !== 0) return 'maint';
  if ((row.adminState & (0x08 | 0x10)) !== 0) return 'draining';
  return row.opState === 0 ? 'down' : row.opState === 2 ? 'up' : 'unknown';
}

export function statusSnapshot(i: SnapshotInput): StatusSnapshot {
  const skipReason = (appId: string) => i.skipped.filter((k) => k.appId === appId).map((k) => k.message).join('; ') || 'its current definition is broken';
  const services = servedModel(i.applied).services.map((s) => {
    const rows = new Map((i.applied?.live?.get(s.backend) ?? []).map((r) => [r.server, r]));
    const notices = noticesOf(s);
    return {
      appId: s.appId,
      servicePort: s.servicePort,
      backend: s.backend,
      mode: s.mode === 'http' ? 'http' as const : 'tcp' as const,
      vhosts: s.vhosts,
      path: s.path,
      servers: s.servers.map((srv) => ({
        name: srv.name,
        address: `${srv.ip}:${srv.port}`,
        state: liveState(rows.get(srv.name)) ?? (srv.draining ? 'draining' as const : 'unknown' as const),
        taskId: srv.taskId,
      })),
      ...(i.applied?.stale.has(s.appId) ? { stale: { reason: skipReason(s.appId) } } : {}),
      ...(notices.length > 0 ? { notices } : {}),
    };
  });
  const skipped = i.skipped
    .filter((s) => s.reason !== 'GROUP_MISMATCH')
    .map((s) => ({ appId: s.appId, reason: s.reason, label: s.label ?? FIELD_OF[s.reason], message: s.message }));
  return {
    version: i.version,
    configPath: i.settings.haproxyConfig,
    services,
    skipped,
    otherGroups: i.applied?.otherGroups?.size,
    lastReload: i.lastReload ? { at: iso(i.lastReload.at), reasons: i.lastReload.reasons, result: i.lastReload.ok ? 'success' : 'failure' } : undefined,
    lastPass: i.lastPass ? { at: iso(i.lastPass.at), result: i.lastPass.result, error: i.lastPass.error } : undefined,
    stream: { mode: i.settings.mode, ...i.stream },
    consistency: i.consistency,
    ...(i.supervision ? { haproxy: { running: i.supervision.running, restarts: i.supervision.restarts, lastExit: i.supervision.lastExit ? { at: iso(i.supervision.lastExit.at), code: i.supervision.lastExit.code } : undefined } } : {}),
  };
}
