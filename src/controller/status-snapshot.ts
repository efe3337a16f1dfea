// Builds the status page's data from the controller's state. Pure.
//
// The page lists as served only what the config serves: the applied state holds only services
// that made it into the config (reconcile.ts leaves out those render or HAProxy excluded), and a
// service left out is shown among the skipped, with its reason.

import type { StatusConsistency, StatusSnapshot, StatusStream } from '../admin/index.js';
import type { Settings } from '../settings.js';
import type { Skipped } from '../model/types.js';
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
}

const iso = (ms: number) => new Date(ms).toISOString();

export function statusSnapshot(i: SnapshotInput): StatusSnapshot {
  const services = servedModel(i.applied).services.map((s) => ({
    appId: s.appId,
    servicePort: s.servicePort,
    backend: s.backend,
    mode: s.mode === 'http' ? 'http' as const : 'tcp' as const,
    vhosts: s.vhosts,
    path: s.path,
    servers: s.servers.map((srv) => ({
      name: srv.name,
      address: `${srv.ip}:${srv.port}`,
      state: srv.draining ? 'draining' as const : srv.state === 'TASK_UNREACHABLE' ? 'unknown' as const : 'up' as const,
      taskId: srv.taskId,
    })),
  }));
  const skipped = i.skipped
    .filter((s) => s.reason !== 'GROUP_MISMATCH')
    .map((s) => ({ appId: s.appId, reason: s.reason, label: s.label, message: s.message }));
  return {
    version: i.version,
    configPath: i.settings.haproxyConfig,
    services,
    skipped,
    lastReload: i.lastReload ? { at: iso(i.lastReload.at), reasons: i.lastReload.reasons, result: i.lastReload.ok ? 'success' : 'failure' } : undefined,
    lastPass: i.lastPass ? { at: iso(i.lastPass.at), result: i.lastPass.result, error: i.lastPass.error } : undefined,
    stream: { mode: i.settings.mode, ...i.stream },
    consistency: i.consistency,
  };
}
