// Builds the status page's data from the controller's state. Pure.
//
// The page lists as served only what the config serves. The applied model may still hold a
// service that render or HAProxy left out of the config (its template failed, a value could not
// be written, HAProxy rejected its lines): such a service is shown among the skipped, with its
// reason, and not among the services, unless its app is served from its last good services (stale).

import type { StatusSnapshot, StatusStream } from '../admin/index.js';
import type { Settings } from '../settings.js';
import type { Service, Skipped } from '../model/types.js';
import type { AppliedState, PassOutcome } from './reconcile.js';

export interface SnapshotInput {
  readonly settings: Settings;
  readonly version: string;
  readonly applied: AppliedState | undefined;
  readonly lastPass: PassOutcome | undefined;
  readonly lastReload: { readonly at: number; readonly reasons: readonly string[]; readonly ok: boolean } | undefined;
  readonly stream: Omit<StatusStream, 'mode'>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Reasons for which a service of the model does not make it into the config. */
const LEFT_OUT_OF_CONFIG: ReadonlySet<Skipped['reason']> = new Set(['INVALID_TEMPLATE', 'UNSAFE_VALUE', 'CONFIG_REJECTED']);

/** Is this service left out of the config, by the skips of the last pass? */
function leftOutBy(lastPass: PassOutcome | undefined): (s: Service) => boolean {
  const stale = new Set(lastPass?.stale ?? []);
  const out = new Set<string>();
  for (const k of lastPass?.skipped ?? []) {
    if (LEFT_OUT_OF_CONFIG.has(k.reason) && !stale.has(k.appId)) out.add(`${k.appId}\u0000${k.index ?? '*'}`);
  }
  return (s) => out.has(`${s.appId}\u0000${s.index}`) || out.has(`${s.appId}\u0000*`);
}

export function statusSnapshot(i: SnapshotInput): StatusSnapshot {
  const leftOut = leftOutBy(i.lastPass);
  const services = (i.applied?.model.services ?? []).filter((s) => !leftOut(s)).map((s) => ({
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
  const skipped = (i.lastPass?.skipped ?? [])
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
  };
}
