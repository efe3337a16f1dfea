// The long-running controller: the loop, the last applied state, and what it tells the outside
// (logs, metrics, the status snapshot). Triggers (stream, timers, signals, HTTP) only call
// markDirty/requestReload.

import type { Logger } from 'pino';
import { recordPass, setSkippedApps, type Metrics, type StatusSnapshot, type StatusStream } from '../admin/index.js';
import { createLoop, type ReconcileLoop } from './loop.js';
import { reconcileOnce, type AppliedState, type PassOutcome, type ReconcileDeps } from './reconcile.js';
import { statusSnapshot } from './status-snapshot.js';

export interface ControllerDeps extends ReconcileDeps {
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly version: string;
}

export interface Controller {
  readonly loop: ReconcileLoop;
  /** Run one pass now (one-shot mode), bypassing the loop. */
  runPass(trigger: readonly string[]): Promise<PassOutcome>;
  snapshot(): StatusSnapshot;
  setStream(stream: Omit<StatusStream, 'mode'>): void;
  stop(): Promise<void>;
}

export function createController(deps: ControllerDeps): Controller {
  const { log, metrics, settings } = deps;
  let applied: AppliedState | undefined;
  let lastPass: PassOutcome | undefined;
  let lastReload: { at: number; reasons: readonly string[]; ok: boolean } | undefined;
  let lastSkippedKey = '';
  let stream: Omit<StatusStream, 'mode'> = { connected: false, url: undefined, since: undefined, reconnects: 0 };

  const reloadGate = async () => {
    if (!lastReload) return;
    const wait = lastReload.at + settings.minReloadInterval * 1000 - deps.now();
    if (wait > 0) {
      log.info({ waitMs: wait }, 'reload held back by --min-reload-interval');
      await new Promise((r) => setTimeout(r, wait));
    }
  };
  const passDeps: ReconcileDeps = { ...deps, reloadGate };

  const report = (o: PassOutcome) => {
    lastPass = o;
    recordPass(metrics, o.result, o.durationMs / 1000);
    setSkippedApps(metrics, o.skipped);
    const skippedKey = JSON.stringify(o.skipped.map((s) => [s.appId, s.index, s.reason, s.message]));
    if (skippedKey !== lastSkippedKey) {
      lastSkippedKey = skippedKey;
      for (const s of o.skipped) {
        if (s.reason === 'GROUP_MISMATCH') continue;
        log.warn({ appId: s.appId, index: s.index, label: s.label, reason: s.reason, detail: s.message }, 'app not served');
      }
    }
    if (o.stale.length > 0) log.warn({ apps: o.stale }, 'serving last good config for apps with errors');
    switch (o.result) {
      case 'noop': log.debug({ trigger: o.trigger, durationMs: o.durationMs }, 'no change'); break;
      case 'runtime':
        log.info({ reasons: o.reasons, trigger: o.trigger, durationMs: o.durationMs }, 'haproxy changed at run time');
        metrics.lastApplyTimestamp.set(o.at / 1000);
        break;
      case 'reload':
        log.info({ reasons: o.reasons, trigger: o.trigger, durationMs: o.durationMs }, 'haproxy reloaded');
        metrics.lastApplyTimestamp.set(o.at / 1000);
        break;
      default:
        log.error({ result: o.result, error: o.error, reasons: o.reasons, trigger: o.trigger }, 'pass failed; haproxy keeps the last good config');
    }
    if (o.result === 'reload' || (o.result === 'error' && o.error?.startsWith('reload failed'))) {
      const ok = o.result === 'reload';
      lastReload = { at: deps.now(), reasons: o.reasons, ok };
      metrics.haproxyReloadsTotal.inc({ result: ok ? 'success' : 'failure' });
    }
    if (o.result === 'runtime') metrics.runtimeChangesTotal.inc({ op: 'batch', result: 'success' });
  };

  const runPass = async (trigger: readonly string[]): Promise<PassOutcome> => {
    try {
      const r = await reconcileOnce(passDeps, applied, trigger);
      applied = r.applied;
      report(r.outcome);
      return r.outcome;
    } catch (err) {
      const o: PassOutcome = { result: 'error', reasons: [], skipped: [], stale: [], error: (err as Error).stack ?? String(err), trigger, at: deps.now(), durationMs: 0 };
      report(o);
      return o;
    }
  };

  const reloadOnly = async (reasons: readonly string[]) => {
    const valid = await deps.writer.validateCurrent();
    if (!valid.ok) {
      log.error({ alerts: valid.alerts, trigger: reasons }, 'current config is invalid; not reloading');
      return;
    }
    await reloadGate();
    const r = await deps.haproxy.reload(reasons);
    lastReload = { at: deps.now(), reasons, ok: r.ok };
    metrics.haproxyReloadsTotal.inc({ result: r.ok ? 'success' : 'failure' });
    if (r.ok) log.info({ reasons }, 'haproxy reloaded');
    else log.error({ reasons, detail: r.detail }, 'haproxy reload failed');
  };

  const loop = createLoop({
    pass: async (reasons) => { await runPass(reasons); },
    reloadOnly,
    debounceMs: settings.debounceMs,
    maxDelayMs: settings.maxDelayMs,
  });

  return {
    loop,
    runPass,
    snapshot: () => statusSnapshot({ settings, version: deps.version, applied, lastPass, lastReload, stream }),
    setStream(s) {
      stream = s;
      metrics.streamConnected.set(s.connected ? 1 : 0);
    },
    stop: () => loop.stop(),
  };
}
