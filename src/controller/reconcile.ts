// One pass: snapshot -> model -> render -> plan -> validate/write -> runtime or reload.
// A failed pass leaves HAProxy on the last good config and says why; a second identical pass
// writes nothing and reloads nothing.

import { planChange, type DesiredState, type Plan } from '../haproxy/index.js';
import { normalize, normalizeOptionsFrom, type HealthCache } from '../model/index.js';
import type { Model, Skipped } from '../model/types.js';
import type { Rendered } from '../config/index.js';
import type { Settings } from '../settings.js';
import { byAppAndPort, carryOverLastGood, withoutApps } from './carry-over.js';
import type { HostResolver } from './host-resolver.js';
import type { AppSource, ConfigWriter, HaproxyDriver, ValidationAlert } from './ports.js';
import type { ModelRenderer } from './renderer.js';

export type PassResult = 'noop' | 'runtime' | 'reload' | 'invalid' | 'error';

export interface PassOutcome {
  readonly result: PassResult;
  /** Why HAProxy was changed (plan reasons), or why the pass failed. */
  readonly reasons: readonly string[];
  readonly skipped: readonly Skipped[];
  readonly stale: readonly string[];
  readonly error?: string | undefined;
  readonly trigger: readonly string[];
  readonly at: number;
  readonly durationMs: number;
  /** Set when --dry printed the config. */
  readonly dryConfig?: string | undefined;
}

export interface AppliedState {
  readonly desired: DesiredState;
  readonly model: Model;
  readonly at: number;
}

export interface ReconcileDeps {
  readonly settings: Settings;
  readonly apps: AppSource;
  readonly resolver: HostResolver;
  readonly healthCache: HealthCache;
  readonly render: ModelRenderer;
  readonly writer: ConfigWriter;
  readonly haproxy: HaproxyDriver;
  readonly now: () => number;
  /** Waits until a reload is allowed (minimum interval between reloads). */
  readonly reloadGate?: () => Promise<void>;
}

/** At most this many rounds of "HAProxy rejected app X, try without it" per pass. */
const MAX_REJECTION_ROUNDS = 5;

export function desiredOf(r: Rendered): DesiredState {
  return { config: r.config, skeleton: r.skeleton, servers: r.servers as DesiredState['servers'], maps: r.maps as DesiredState['maps'] };
}

export async function reconcileOnce(deps: ReconcileDeps, applied: AppliedState | undefined, trigger: readonly string[]): Promise<{ outcome: PassOutcome; applied: AppliedState | undefined }> {
  const started = deps.now();
  const done = (o: Omit<PassOutcome, 'at' | 'durationMs' | 'trigger'>, next = applied) => ({
    outcome: { ...o, trigger, at: started, durationMs: deps.now() - started },
    applied: next,
  });

  let apps;
  try {
    apps = await deps.apps.listApps();
  } catch (err) {
    return done({ result: 'error', reasons: ['marathon unavailable'], skipped: [], stale: [], error: (err as Error).message });
  }
  const hosts = apps.flatMap((a) => (Array.isArray(a.tasks) ? a.tasks : []).map((t) => (typeof t?.host === 'string' ? t.host : '')));
  await deps.resolver.prepare(hosts, started);
  const fresh = normalize(apps, normalizeOptionsFrom(deps.settings, (h) => deps.resolver.resolve(h), deps.healthCache));

  // Render, let HAProxy judge, and exclude the apps whose lines it rejects.
  let { model, stale } = carryOverLastGood(fresh, applied?.model);
  const rejectedOnce = new Set<string>();
  const extraSkipped: Skipped[] = [];
  for (let round = 0; ; round += 1) {
    const out = deps.render(model);
    if (!out.ok) {
      return done({ result: 'invalid', reasons: ['template error'], skipped: model.skipped, stale, error: out.error.message });
    }
    const rendered = out.rendered;
    const skipped = [...model.skipped, ...rendered.excluded, ...extraSkipped];
    if (rendered.excluded.length > 0 && round === 0) {
      // Apps whose templates failed: serve their last good services if we have them.
      const again = carryOverLastGood(withoutApps(model, new Set(rendered.excluded.map((e) => e.appId))), applied?.model, rendered.excluded);
      if (again.stale.length > stale.length) { model = again.model; stale = again.stale; continue; }
    }
    const desired = desiredOf(rendered);
    const plan: Plan = planChange(applied?.desired, desired);
    if (plan.kind === 'noop') return done({ result: 'noop', reasons: [], skipped, stale });
    if (deps.settings.dry) return done({ result: 'noop', reasons: plan.reasons, skipped, stale, dryConfig: rendered.config });

    const written = await deps.writer.write(rendered.config, rendered.maps);
    if (!written.ok) {
      const culprits = appsAt(rendered, written.alerts).filter((a) => !rejectedOnce.has(a));
      if (deps.settings.skipConfigCleanup || culprits.length === 0 || round >= MAX_REJECTION_ROUNDS) {
        return done({ result: 'invalid', reasons: ['haproxy rejected the config'], skipped, stale, error: alertText(written.alerts, written.output) });
      }
      for (const appId of culprits) {
        rejectedOnce.add(appId);
        const lines = written.alerts.filter((a) => a.line !== undefined && ownerOf(rendered, a.line) === appId).map((a) => a.message);
        extraSkipped.push({ appId, reason: 'CONFIG_REJECTED', message: `app ${appId}: HAProxy rejected its config: ${lines.join('; ')}` });
      }
      ({ model, stale } = fallBack(model, culprits, applied?.model, stale));
      continue;
    }

    const nextApplied: AppliedState = { desired, model, at: started };
    if (!written.changed && applied === undefined && deps.haproxy.kind !== 'master') {
      // The file on disk already says this (a restart of the controller): nothing to tell HAProxy.
      return done({ result: 'noop', reasons: ['config on disk already current'], skipped, stale }, nextApplied);
    }
    if (plan.kind === 'runtime' && deps.haproxy.runtime) {
      const r = await deps.haproxy.runtime(plan.ops);
      if (r.ok) return done({ result: 'runtime', reasons: plan.reasons, skipped, stale }, nextApplied);
      plan.reasons.push(`runtime API failed (${r.error ?? 'unknown'}), reloading instead`);
    }
    await deps.reloadGate?.();
    const reload = await deps.haproxy.reload(plan.reasons);
    if (!reload.ok) {
      // The files are written and valid, but HAProxy did not take them: report and retry later.
      return done({ result: 'error', reasons: plan.reasons, skipped, stale, error: `reload failed: ${reload.detail ?? 'unknown'}` });
    }
    return done({ result: 'reload', reasons: plan.reasons, skipped, stale }, nextApplied);
  }
}

/**
 * Drop the rejected apps; an app rejected with fresh services falls back to its last good ones
 * (rejected again, it is dropped: its last good services were what HAProxy refused).
 */
function fallBack(model: Model, culprits: readonly string[], lastGood: Model | undefined, stale: readonly string[]): { model: Model; stale: string[] } {
  const out = withoutApps(model, new Set(culprits));
  const nextStale = stale.filter((a) => !culprits.includes(a));
  const revive = culprits.filter((a) => !stale.includes(a));
  const carried = (lastGood?.services ?? []).filter((s) => revive.includes(s.appId));
  for (const a of new Set(carried.map((s) => s.appId))) nextStale.push(a);
  return { model: { services: [...out.services, ...carried].sort(byAppAndPort), skipped: out.skipped }, stale: nextStale.sort() };
}

function ownerOf(r: Rendered, line: number): string | undefined {
  return r.owners.find((o) => o.from <= line && line <= o.to)?.appId;
}

function appsAt(r: Rendered, alerts: readonly ValidationAlert[]): string[] {
  const ids = new Set<string>();
  for (const a of alerts) {
    if (a.line === undefined) continue;
    const owner = ownerOf(r, a.line);
    if (owner) ids.add(owner);
  }
  return [...ids];
}

function alertText(alerts: readonly ValidationAlert[], output: string): string {
  if (alerts.length === 0) return output.trim().slice(0, 2000);
  return alerts.map((a) => (a.line !== undefined ? `line ${a.line}: ${a.message}` : a.message)).join('\n');
}
