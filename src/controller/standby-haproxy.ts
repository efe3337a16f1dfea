// HAProxy while Marathon is away at start. With --supervise-haproxy, HAProxy is started by the
// first pass that reads Marathon; when Marathon cannot be read, nothing would answer
// :9090/_haproxy_health_check and Marathon would kill the LB in a loop during its own outage.
// So the first failed read starts HAProxy on the last good config on disk (valid, written by an
// earlier run) or, when there is none, on a config rendered from no apps: the admin plane
// (:9090) and empty frontends. The next successful pass replaces it as usual.

import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { connectHaproxyMaster, validateConfig } from '../haproxy/index.js';
import type { Settings } from '../settings.js';
import { masterSocket } from './haproxy-adapters.js';
import type { ConfigWriter, HaproxyDriver } from './ports.js';
import type { ModelRenderer } from './renderer.js';

export type StandbyOutcome = 'not-needed' | 'already-running' | 'last-good' | 'admin-only' | 'failed';

export interface StandbyDeps {
  readonly settings: Settings;
  readonly driver: HaproxyDriver;
  readonly writer: ConfigWriter;
  readonly render: ModelRenderer;
  readonly log: Logger;
}

/** Whether this run would leave HAProxy down while Marathon is unreachable. */
export function standbyApplies(s: Settings): boolean {
  return s.superviseHaproxy && s.mode !== 'once' && !s.dry && s.command === undefined;
}

/** Start HAProxy without Marathon: on the valid config on disk, else on an admin-plane-only one. */
export async function startStandbyHaproxy(d: StandbyDeps, cause: string): Promise<StandbyOutcome> {
  const { settings: s, log } = d;
  if (!standbyApplies(s)) return 'not-needed';
  if (await connectHaproxyMaster(masterSocket(s)) !== undefined) return 'already-running';

  let outcome: 'last-good' | 'admin-only' = 'last-good';
  const onDisk = existsSync(s.haproxyConfig) && (s.skipValidation || (await validateConfig({ bin: s.haproxyBin, file: s.haproxyConfig })).ok);
  if (!onDisk) {
    outcome = 'admin-only';
    const out = d.render.full({ services: [], skipped: [] });
    if (!out.ok) {
      log.error({ error: out.error.message }, 'cannot render a config without apps; haproxy stays down until Marathon answers');
      return 'failed';
    }
    const written = await d.writer.write(out.rendered.config, out.rendered.maps);
    if (!written.ok) {
      log.error({ alerts: written.alerts }, 'a config without apps is invalid; haproxy stays down until Marathon answers');
      return 'failed';
    }
  }
  const started = await d.driver.reload([`standby: ${cause}`]);
  if (!started.ok) {
    log.error({ detail: started.detail }, 'cannot start haproxy while Marathon is unreachable');
    return 'failed';
  }
  log.warn(
    { config: s.haproxyConfig, cause },
    outcome === 'last-good'
      ? 'Marathon unreachable at start: haproxy serves the last good config from disk until Marathon answers'
      : 'Marathon unreachable at start and no valid config on disk: haproxy serves only the admin plane (:9090) until Marathon answers',
  );
  return outcome;
}

/**
 * The app source the controller reads, with the standby behind its first failure: before any
 * read has succeeded, a failed read starts HAProxy (once), then the error goes on to the pass,
 * which fails and is retried as before. Other methods of the source pass through untouched.
 */
export function withStandbyOnFirstFailure<T extends { listApps(): Promise<R> }, R>(source: T, start: (cause: string) => Promise<unknown>): T {
  let settled = false;
  return {
    ...source,
    async listApps() {
      try {
        const apps = await source.listApps();
        settled = true;
        return apps;
      } catch (err) {
        if (!settled) {
          settled = true;
          await start((err as Error).message);
        }
        throw err;
      }
    },
  };
}
