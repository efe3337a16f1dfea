// The long-running controller: the loop, the last applied state, and what it tells the outside
// (logs, metrics, the status snapshot). Triggers (stream, timers, signals, HTTP) only call
// markDirty/requestReload.

import type { Logger } from 'pino';
import { recordPass, setSkippedApps, type Metrics, type StatusSnapshot, type StatusStream } from '../admin/index.js';
import { createLoop, type PassRequest, type ReconcileLoop } from './loop.js';
import { flushFiles, reconcileOnce, type AppliedState, type PassOutcome, type ReconcileDeps } from './reconcile.js';
import { noticesOf } from './notices.js';
import { statusSnapshot } from './status-snapshot.js';
import type { Service, Skipped } from '../model/types.js';
import { RepeatFilter } from './log-repeats.js';

/**
 * At most this many "app not served" lines per pass; the other apps that need logging are
 * named in one summary line (a bad snapshot of 1,000 apps logs ~20 lines, not 1,000).
 */
export const MAX_SKIP_LINES_PER_PASS = 20;

export interface ControllerDeps extends ReconcileDeps {
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly version: string;
}

export interface Controller {
  readonly loop: ReconcileLoop;
  /** Run one full pass now (one-shot mode), bypassing the loop. */
  runPass(trigger: readonly string[]): Promise<PassOutcome>;
  snapshot(): StatusSnapshot;
  setStream(stream: Omit<StatusStream, 'mode'>): void;
  stop(): Promise<void>;
}

/** Why a pass that would reload only writes the files: nothing to reload HAProxy with. */
const NO_RELOAD = 'no --command, no --supervise-haproxy';

export function createController(deps: ControllerDeps): Controller {
  const { log, metrics, settings } = deps;
  let applied: AppliedState | undefined;
  let lastPass: PassOutcome | undefined;
  let lastReload: { at: number; reasons: readonly string[]; ok: boolean } | undefined;
  /**
   * Problems already logged (failed passes, each app's skips, stale apps, live differences):
   * logged again when they change or every REPEAT_LOG_INTERVAL_MS, not on every pass.
   */
  const repeats = new RepeatFilter();
  /** Logs at the level given when the problem is new, changed or due again; else at debug. */
  const logProblem = (key: string, text: string, level: 'warn' | 'error', fields: Record<string, unknown>, msg: string) => {
    const v = repeats.check(key, text, deps.now());
    const withRepeats = v.repeats > 0 ? { ...fields, repeats: v.repeats } : fields;
    log[v.log ? level : 'debug'](withRepeats, msg);
  };
  /** Label overrides already logged (HAPROXY_{n}_MODE=tcp served as http), once each. */
  const loggedNotices = new Set<string>();
  /** Every app's current skips (other groups left out), for the status page. */
  const skipsByApp = new Map<string, Skipped[]>();
  let consistency = { checks: 0, differences: 0, lastDifferences: [] as readonly string[], drift: 0, lastDrift: undefined as number | undefined };
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

  // Say what HAProxy serves after a failure, and only what is true.
  const failedPassMessage = () => {
    if (applied) return 'pass failed; haproxy keeps the last good config';
    return settings.mode === 'once' || settings.dry ? 'pass failed; nothing written' : 'pass failed; no config applied yet';
  };

  const report = (o: PassOutcome) => {
    lastPass = o;
    recordPass(metrics, o.result, o.durationMs / 1000);
    logSkips(o);
    if (o.liveDifferences !== undefined) {
      consistency.checks += 1;
      if (o.liveDifferences.length > 0) {
        consistency.differences += o.liveDifferences.length;
        consistency.lastDifferences = o.liveDifferences;
        metrics.liveStateDifferencesTotal.inc(o.liveDifferences.length);
        logProblem('live', o.liveDifferences.join('\n'), 'warn', { differences: o.liveDifferences.slice(0, 20), count: o.liveDifferences.length }, 'haproxy differed from the desired state; corrected');
      }
    }
    if (o.drift !== undefined) {
      consistency.lastDrift = o.drift;
      if (o.drift > 0) {
        consistency.drift += o.drift;
        metrics.driftTotal.inc(o.drift);
        log.warn({ backends: o.drift, trigger: o.trigger }, 'a full read found changes the events had not brought (drift)');
      }
    }
    if (o.stale.length > 0) logProblem('stale', o.stale.join('\n'), 'warn', { apps: o.stale.slice(0, 20), count: o.stale.length }, 'serving last good config for apps with errors');
    else repeats.clear('stale');
    if (o.result !== 'error' && o.result !== 'invalid' && repeats.clear('pass')) log.info({ trigger: o.trigger }, 'passes succeed again');
    // Only the apps this pass looked at (every app on a full pass): the cost follows the change.
    // (Indexed and forEach: a full pass runs this over every service, cold.)
    const noticeAll = (services: readonly Service[] | undefined) => {
      if (services === undefined) return;
      for (let i = 0; i < services.length; i++) {
        const s = services[i]!;
        const notices = noticesOf(s);
        for (let k = 0; k < notices.length; k++) {
          const n = notices[k]!;
          if (!loggedNotices.has(`${s.backend} ${n}`)) { loggedNotices.add(`${s.backend} ${n}`); log.warn({ appId: s.appId, backend: s.backend, notice: n }, 'label overridden'); }
        }
      }
    };
    if (o.scope) for (const appId of o.scope) noticeAll(applied?.byApp.get(appId));
    else applied?.byApp.forEach((services) => noticeAll(services));
    switch (o.result) {
      case 'noop': log.debug({ trigger: o.trigger, durationMs: o.durationMs }, 'no change'); break;
      case 'runtime':
        log.info({ reasons: o.reasons, trigger: o.trigger, durationMs: o.durationMs, timings: o.timings }, 'haproxy changed at run time');
        metrics.lastApplyTimestamp.set(o.at / 1000);
        break;
      case 'reload':
        log.info({ reasons: o.reasons, trigger: o.trigger, durationMs: o.durationMs }, deps.haproxy.kind === 'none' ? `config written (haproxy not reloaded: ${NO_RELOAD})` : 'haproxy reloaded');
        metrics.lastApplyTimestamp.set(o.at / 1000);
        break;
      default:
        logProblem('pass', JSON.stringify([o.result, o.error, o.reasons]), 'error', { result: o.result, error: o.error, reasons: o.reasons, trigger: o.trigger }, failedPassMessage());
    }
    if (o.result === 'reload' || (o.result === 'error' && o.error?.startsWith('reload failed'))) {
      const ok = o.result === 'reload';
      lastReload = { at: deps.now(), reasons: o.reasons, ok };
      metrics.haproxyReloadsTotal.inc({ result: ok ? 'success' : 'failure' });
    }
    if (o.result === 'runtime') metrics.runtimeChangesTotal.inc({ op: 'batch', result: 'success' });
  };

  // Skips are logged per app when they appear or change, or every REPEAT_LOG_INTERVAL_MS (a
  // full pass sees every app; an incremental one only the apps it re-read), at most
  // MAX_SKIP_LINES_PER_PASS lines a pass. A failed pass saw no apps: it changes nothing here.
  const logSkips = (o: PassOutcome) => {
    if (o.result === 'error') return;
    const byApp = new Map<string, typeof o.skipped[number][]>();
    for (const s of o.skipped) {
      if (s.reason === 'GROUP_MISMATCH') continue;
      (byApp.get(s.appId) ?? byApp.set(s.appId, []).get(s.appId)!).push(s);
    }
    const looked = o.scope ?? new Set([...repeats.keys('skip:').map((k) => k.slice('skip:'.length)), ...byApp.keys()]);
    if (o.scope === undefined) skipsByApp.clear();
    const due: Skipped[][] = [];
    for (const appId of [...looked].sort()) {
      const list = byApp.get(appId) ?? [];
      if (list.length === 0) {
        skipsByApp.delete(appId);
        repeats.clear(`skip:${appId}`);
        continue;
      }
      skipsByApp.set(appId, list);
      if (repeats.check(`skip:${appId}`, JSON.stringify(list.map((s) => [s.index, s.reason, s.message])), deps.now()).log) due.push(list);
    }
    // Rarer problems first: one app HAProxy rejects is not lost among 1,000 with a bad label.
    const byReason = new Map<string, number>();
    for (const list of due) byReason.set(list[0]!.reason, (byReason.get(list[0]!.reason) ?? 0) + 1);
    due.sort((a, b) => byReason.get(a[0]!.reason)! - byReason.get(b[0]!.reason)!);
    let lines = 0;
    const unlisted: Skipped[][] = [];
    for (const list of due) {
      if (lines + list.length > MAX_SKIP_LINES_PER_PASS) { unlisted.push(list); continue; }
      lines += list.length;
      for (const s of list) log.warn({ appId: s.appId, index: s.index, label: s.label, reason: s.reason, detail: s.message }, 'app not served');
    }
    if (unlisted.length > 0) {
      const reasons: Record<string, number> = {};
      for (const list of unlisted) for (const s of list) reasons[s.reason] = (reasons[s.reason] ?? 0) + 1;
      log.warn({ count: unlisted.length, reasons, apps: unlisted.slice(0, 10).map((l) => l[0]!.appId) }, 'more apps not served (not logged one by one; /_mlb_status lists them all)');
    }
    if (o.scope === undefined) setSkippedApps(metrics, o.skipped);
  };

  const runRequest = async (req: PassRequest): Promise<PassOutcome> => {
    const trigger = req.reasons;
    try {
      const r = await reconcileOnce(passDeps, applied, req);
      applied = r.applied;
      report(r.outcome);
      return r.outcome;
    } catch (err) {
      const o: PassOutcome = { result: 'error', reasons: [], skipped: [], stale: [], error: (err as Error).stack ?? String(err), trigger, at: deps.now(), durationMs: 0 };
      report(o);
      return o;
    }
  };

  const flush = async (stop?: () => boolean): Promise<'stopped' | undefined> => {
    const error = await flushFiles(passDeps, applied, stop).catch((err: Error) => err.message);
    if (error === 'stopped') return error;
    if (error !== undefined) log.error({ error }, 'writing runtime changes to the config file failed; a reload would lose them');
    return undefined;
  };

  const reloadOnly = async (reasons: readonly string[]) => {
    // The file on disk must hold what the runtime API did before HAProxy reloads from it.
    await flush();
    const valid = await deps.writer.validateCurrent();
    if (!valid.ok) {
      log.error({ alerts: valid.alerts, trigger: reasons }, 'current config is invalid; not reloading');
      return;
    }
    await reloadGate();
    const r = await deps.haproxy.reload(reasons);
    lastReload = { at: deps.now(), reasons, ok: r.ok };
    metrics.haproxyReloadsTotal.inc({ result: r.ok ? 'success' : 'failure' });
    if (r.ok) log.info({ reasons }, deps.haproxy.kind === 'none' ? `haproxy not reloaded: ${NO_RELOAD}` : 'haproxy reloaded');
    else log.error({ reasons, detail: r.detail }, 'haproxy reload failed');
  };

  const loop = createLoop({
    pass: async (req) => {
      const o = await runRequest(req);
      return o.result !== 'error';
    },
    reloadOnly,
    flush,
    needsFlush: () => applied?.fileBehind === true,
    debounceMs: settings.debounceMs,
  });

  return {
    loop,
    runPass: (trigger) => runRequest({ full: true, apps: [], reasons: trigger }),
    snapshot: () => statusSnapshot({
      settings, version: deps.version, applied, lastPass, lastReload, stream,
      skipped: [...skipsByApp.values()].flat(), consistency, supervision: deps.haproxy.supervision?.(),
    }),
    setStream(s) {
      stream = s;
      metrics.streamConnected.set(s.connected ? 1 : 0);
    },
    async stop() {
      await loop.stop();
      await flush();
    },
  };
}
