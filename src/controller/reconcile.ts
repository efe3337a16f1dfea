// One pass: read what changed -> model -> render -> plan -> runtime ops or validate/write/reload
// -> read HAProxy back and correct it.
//
// Two paths. The incremental one re-reads only the apps a trigger named, renders only them and
// plans only their backends; when just servers changed it calls the runtime API first (the
// critical path), then rewrites the files so a later reload keeps the change. Server lines come
// from normalized values (addresses, ports, ids, weights), so that write needs no `haproxy -c`.
// The full path (start-up, resync, reconnect, SIGHUP, any structural change) renders every app
// (from cached fragments), lets HAProxy judge, and leaves out the apps whose lines it rejects.
// A failed pass leaves HAProxy on the last good config and says why; a second identical pass
// writes nothing and reloads nothing.

import {
  liveDifference, planChange, retiredAfter, retiredCount, type BackendDesired, type BackendLookup, type DesiredState, type Plan, type RetiredServers, type RuntimeOp,
} from '../haproxy/index.js';
import type { Model, Service, Skipped } from '../model/types.js';
import type { WireApp } from '../model/wire.js';
import type { Settings } from '../settings.js';
import { byAppAndPort, carryOverLastGood, withoutApps } from './carry-over.js';
import type { ClusterModel } from './cluster-model.js';
import type { HostResolver } from './host-resolver.js';
import type { AppSource, ConfigWriter, HaproxyDriver, ValidationAlert } from './ports.js';
import type { ModelRenderer } from './renderer.js';
import { checkRunningHaproxy } from './start-up.js';

export type PassResult = 'noop' | 'runtime' | 'reload' | 'invalid' | 'error';

export interface PassRequest {
  /** Read the whole snapshot (start-up, resync, reconnect, an event that names no app). */
  readonly full: boolean;
  /** Apps to re-read when not full. */
  readonly apps: readonly string[];
  readonly reasons: readonly string[];
}

export interface PassOutcome {
  readonly result: PassResult;
  /** Why HAProxy was changed (plan reasons), or why the pass failed. */
  readonly reasons: readonly string[];
  /** Skips of the apps this pass looked at (all apps on a full pass). */
  readonly skipped: readonly Skipped[];
  /** The apps this pass looked at (undefined: all of them). */
  readonly scope?: ReadonlySet<string> | undefined;
  readonly stale: readonly string[];
  readonly error?: string | undefined;
  readonly trigger: readonly string[];
  readonly at: number;
  readonly durationMs: number;
  /** Set when --dry printed the config. */
  readonly dryConfig?: string | undefined;
  /** Differences found between HAProxy's live servers and the desired ones (then corrected). */
  readonly liveDifferences?: readonly string[] | undefined;
  /** Backends a full read found different from what events had brought (missed changes). */
  readonly drift?: number | undefined;
  /** Milliseconds from the pass's start: Marathon read and modelled; HAProxy told (runtime ops done). */
  readonly timings?: { readonly readMs: number; readonly appliedMs?: number | undefined } | undefined;
}

export type AppliedDesired = DesiredState & { readonly backends: Map<string, BackendDesired> };

export interface AppliedState {
  desired: AppliedDesired;
  /** The services HAProxy serves, per served app. */
  readonly byApp: Map<string, readonly Service[]>;
  /** Apps served from their last good services because their current ones are broken. */
  readonly stale: Set<string>;
  /** Servers retired at run time (kept in maintenance until the next reload), with their lines. */
  retired: RetiredServers;
  /** Runtime changes not yet in the files on disk (flushFiles writes them when the loop is idle). */
  fileBehind?: boolean;
  at: number;
}

/**
 * Retired servers stay in HAProxy, in maintenance, until a reload (see apply-runtime.ts for why
 * they are not deleted). Past this many, the next change reloads instead, which clears them.
 */
export const MAX_RETIRED_SERVERS = 200;

export interface ReconcileDeps {
  readonly settings: Settings;
  readonly apps: AppSource;
  readonly cluster: ClusterModel;
  readonly resolver: HostResolver;
  readonly render: ModelRenderer;
  readonly writer: ConfigWriter;
  readonly haproxy: HaproxyDriver;
  readonly now: () => number;
  /** Waits until a reload is allowed (minimum interval between reloads). */
  readonly reloadGate?: () => Promise<void>;
}

/** At most this many rounds of "HAProxy rejected app X, try without it" per pass. */
const MAX_REJECTION_ROUNDS = 5;

/** The applied services as one sorted model (for the status page, ejs and carry-over). */
export function servedModel(applied: AppliedState | undefined): Model {
  const services: Service[] = [];
  for (const list of applied?.byApp.values() ?? []) services.push(...list);
  return { services: services.sort(byAppAndPort), skipped: [] };
}

function hostsOf(apps: Iterable<WireApp | undefined>): string[] {
  const hosts: string[] = [];
  for (const a of apps) for (const t of Array.isArray(a?.tasks) ? a!.tasks : []) if (typeof t?.host === 'string') hosts.push(t.host);
  return hosts;
}

export async function reconcileOnce(deps: ReconcileDeps, applied: AppliedState | undefined, req: PassRequest): Promise<{ outcome: PassOutcome; applied: AppliedState | undefined }> {
  const started = deps.now();
  const trigger = req.reasons;
  const done = (o: Omit<PassOutcome, 'at' | 'durationMs' | 'trigger'>, next = applied) => ({
    outcome: { ...o, trigger, at: started, durationMs: deps.now() - started },
    applied: next,
  });
  const incremental = !req.full && applied !== undefined && deps.render.incremental && deps.apps.getApp !== undefined;

  let change;
  try {
    if (incremental) {
      const ids = [...new Set(req.apps)].sort();
      const read = await Promise.all(ids.map((id) => deps.apps.getApp!(id)));
      await deps.resolver.prepare(hostsOf(read), started);
      change = deps.cluster.update(new Map(ids.map((id, i) => [id, read[i]])));
    } else {
      const apps = await deps.apps.listApps();
      await deps.resolver.prepare(hostsOf(apps), started);
      change = deps.cluster.replaceAll(apps);
    }
  } catch (err) {
    return done({ result: 'error', reasons: ['marathon unavailable'], skipped: [], stale: [...applied?.stale ?? []], error: (err as Error).message });
  }
  const readMs = deps.now() - started;
  let mustReload: string | undefined;
  if (incremental && !change.full) {
    const out = await incrementalPass(deps, applied!, change.apps, started);
    if (typeof out !== 'string') return done({ ...out, timings: { readMs, appliedMs: out.timings?.appliedMs } });
    if (out !== 'reload') mustReload = out;
  }
  return fullPass(deps, applied, started, done, req.full && applied !== undefined, mustReload);
}

type Done = (o: Omit<PassOutcome, 'at' | 'durationMs' | 'trigger'>, next?: AppliedState | undefined) => { outcome: PassOutcome; applied: AppliedState | undefined };

const OWN_FAULT: ReadonlySet<Skipped['reason']> = new Set(['INVALID_LABEL', 'INVALID_TEMPLATE', 'UNSAFE_VALUE', 'CONFIG_REJECTED', 'INVALID_APP']);

/** Only some apps changed: plan their backends, and apply at run time when that is all it takes. */
async function incrementalPass(
  deps: ReconcileDeps, applied: AppliedState, apps: ReadonlySet<string>, started: number,
): Promise<Omit<PassOutcome, 'at' | 'durationMs' | 'trigger'> | 'reload' | `reload: ${string}`> {
  const delta = new Map<string, BackendDesired | undefined>();
  const services = new Map<string, readonly Service[]>();
  const skipped: Skipped[] = [];
  const stale = new Set(applied.stale);
  for (const appId of [...apps].sort()) {
    let list = deps.cluster.servicesOf(appId);
    const skips = deps.cluster.skippedOf(appId);
    let rendered = deps.render.backendsOf(list);
    const lastGood = applied.byApp.get(appId);
    const broken = rendered.excluded.length > 0 || (list.length === 0 && skips.some((s) => OWN_FAULT.has(s.reason)));
    stale.delete(appId);
    if (broken && lastGood && lastGood.length > 0) {
      // Its own fault: keep serving what it served.
      list = lastGood;
      rendered = deps.render.backendsOf(list);
      stale.add(appId);
    }
    skipped.push(...skips, ...rendered.excluded);
    // Only what makes it into the config counts as served.
    const left = new Set(rendered.excluded.map((e) => e.index));
    services.set(appId, left.size === 0 ? list : list.filter((s) => !left.has(s.index)));
    for (const s of lastGood ?? []) delta.set(s.backend, undefined);
    for (const [name, b] of rendered.backends) delta.set(name, b);
  }
  const modelAfter = (): Model => {
    const all: Service[] = [];
    for (const [appId, list] of applied.byApp) if (!services.has(appId)) all.push(...list);
    for (const list of services.values()) all.push(...list);
    return { services: all.sort(byAppAndPort), skipped: [] };
  };
  const next = overlay(applied.desired, delta, once(() => deps.render.maps(modelAfter())));
  const plan = planChange(applied.desired, next, delta.keys(), applied.retired);
  if (plan.kind === 'reload') return 'reload';
  const commit = () => {
    for (const [name, b] of delta) {
      if (b) applied.desired.backends.set(name, b);
      else applied.desired.backends.delete(name);
    }
    for (const [appId, list] of services) {
      if (list.length > 0) applied.byApp.set(appId, list);
      else applied.byApp.delete(appId);
    }
    applied.stale.clear();
    for (const a of stale) applied.stale.add(a);
    applied.at = started;
    applied.desired = { ...applied.desired, maps: next.maps };
  };
  const base = { skipped, scope: apps, stale: [...stale].sort() };
  if (plan.kind === 'noop') {
    commit();
    return { result: 'noop', reasons: [], ...base };
  }
  if (deps.settings.dry || !deps.haproxy.runtime) return 'reload';
  const retired = retiredAfter(applied.retired, plan.ops, applied.desired.backends);
  if (retiredCount(retired) > MAX_RETIRED_SERVERS) return `reload: clearing ${retiredCount(retired)} retired servers`;
  const r = await deps.haproxy.runtime(plan.ops);
  // Some ops may have taken effect: a reload from the files makes everything certain again.
  if (!r.ok) return `reload: runtime API failed (${r.error ?? 'unknown'})`;
  commit();
  applied.retired = retired;
  // Traffic follows now. The files follow when the loop is idle (flushFiles): a burst of task
  // changes then costs one rewrite of the config, not one per event.
  applied.fileBehind = true;
  const appliedMs = deps.now() - started;
  const live = await correctLive(deps, applied.desired.backends, new Set(delta.keys()));
  return { result: 'runtime', reasons: plan.reasons, ...base, liveDifferences: live, timings: { readMs: 0, appliedMs } };
}

/**
 * Writes the applied state to the files, so that a later reload keeps what the runtime API did.
 * Server lines come from normalized values, so no `haproxy -c` is needed. Returns an error text.
 */
export async function flushFiles(deps: ReconcileDeps, applied: AppliedState | undefined): Promise<string | undefined> {
  if (!applied?.fileBehind) return undefined;
  const text = deps.render.text(servedModel(applied));
  if (!text.ok) return text.error.message;
  const written = await deps.writer.write(text.config, text.maps, { validate: false });
  if (!written.ok) return alertText(written.alerts, written.output);
  applied.fileBehind = false;
  // HAProxy and the files agree again: a restart may trust the file (see start-up.ts).
  await deps.haproxy.synced?.();
  return undefined;
}

/** A read-only view of `base` with some backends replaced (undefined: removed). */
function overlay(base: AppliedDesired, delta: ReadonlyMap<string, BackendDesired | undefined>, maps: DesiredState['maps']): DesiredState {
  const keys = function* (): Generator<string> {
    for (const k of base.backends.keys()) if (!delta.has(k)) yield k;
    for (const [k, v] of delta) if (v) yield k;
  };
  const backends: BackendLookup = {
    get: (k: string) => (delta.has(k) ? delta.get(k) : base.backends.get(k)),
    keys,
    get size() { return [...keys()].length; },
  };
  return { backends, frame: base.frame, maps, mapKinds: base.mapKinds };
}

function once<T>(f: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) { value = f(); done = true; }
    return value;
  };
}

/**
 * Reads HAProxy's live servers (only the given backends, or all) and corrects what differs from
 * the desired state. Returns the differences found (empty when HAProxy was right).
 */
async function correctLive(deps: ReconcileDeps, desired: ReadonlyMap<string, BackendDesired>, only?: ReadonlySet<string>): Promise<string[] | undefined> {
  if (!deps.haproxy.readServers || deps.settings.dry) return undefined;
  const names = only ? [...only] : [...desired.keys()];
  let rows;
  try {
    rows = await deps.haproxy.readServers(only ? names : undefined);
  } catch {
    return undefined; // no admin socket (no HAProxy yet, or --command without one): nothing to compare
  }
  const want = new Map(names.map((n) => [n, desired.get(n)]));
  const diff = liveDifference(want, rows);
  if (diff.ops.length > 0 && deps.haproxy.runtime) await deps.haproxy.runtime(diff.ops);
  return diff.differences;
}

async function fullPass(
  deps: ReconcileDeps, applied: AppliedState | undefined, started: number, done: Done, countDrift: boolean, mustReload?: string,
): Promise<{ outcome: PassOutcome; applied: AppliedState | undefined }> {
  const fresh = deps.cluster.model();
  const lastGood = applied ? servedModel(applied) : undefined;
  // Render, let HAProxy judge, and exclude the apps whose lines it rejects.
  let { model, stale } = carryOverLastGood(fresh, lastGood);
  const rejectedOnce = new Set<string>();
  const extraSkipped: Skipped[] = [];
  for (let round = 0; ; round += 1) {
    const out = deps.render.full(model);
    if (!out.ok) {
      return done({ result: 'invalid', reasons: ['template error'], skipped: model.skipped, stale, error: out.error.message });
    }
    const { rendered, desired } = out;
    const skipped = [...model.skipped, ...rendered.excluded, ...extraSkipped];
    if (rendered.excluded.length > 0 && round === 0) {
      // Apps whose templates failed: serve their last good services if we have them.
      const again = carryOverLastGood(withoutApps(model, new Set(rendered.excluded.map((e) => e.appId))), lastGood, rendered.excluded);
      if (again.stale.length > stale.length) { model = again.model; stale = again.stale; continue; }
    }
    const plan: Plan = planChange(applied?.desired, desired, undefined, applied?.retired);
    const drift = countDrift && applied ? driftOf(applied.desired, desired) : undefined;
    // Only what makes it into the config counts as served (render may have left services out).
    const inConfig = (): Model => ({ services: model.services.filter((s) => desired.backends.has(s.backend) || desired.frame !== ''), skipped: [] });
    const nextApplied = (retired: RetiredServers = new Map()): AppliedState => ({
      desired: { ...desired, backends: new Map(desired.backends) }, byApp: byApp(inConfig()), stale: new Set(stale), retired, at: started,
    });
    if (plan.kind === 'noop') {
      if (!applied) return done({ result: 'noop', reasons: [], skipped, stale, drift });
      // Nothing to change, by our account: a full pass is when HAProxy's own account is checked too.
      const next = nextApplied(applied.retired);
      const live = await correctLive(deps, next.desired.backends);
      return done({ result: 'noop', reasons: [], skipped, stale, drift, liveDifferences: live }, next);
    }
    if (deps.settings.dry) return done({ result: 'noop', reasons: plan.reasons, skipped, stale, dryConfig: rendered.config });

    const written = await deps.writer.write(rendered.config, rendered.maps);
    if (!written.ok) {
      const culprits = appsAt(rendered.owners, written.alerts).filter((a) => !rejectedOnce.has(a));
      if (deps.settings.skipConfigCleanup || culprits.length === 0 || round >= MAX_REJECTION_ROUNDS) {
        return done({ result: 'invalid', reasons: ['haproxy rejected the config'], skipped, stale, error: alertText(written.alerts, written.output) });
      }
      for (const appId of culprits) {
        rejectedOnce.add(appId);
        const lines = written.alerts.filter((a) => a.line !== undefined && ownerOf(rendered.owners, a.line) === appId).map((a) => a.message);
        extraSkipped.push({ appId, reason: 'CONFIG_REJECTED', message: `app ${appId}: HAProxy rejected its config: ${lines.join('; ')}` });
      }
      ({ model, stale } = fallBack(model, culprits, lastGood, stale));
      continue;
    }

    if (!written.changed && applied === undefined) {
      // The file on disk already says this (a restart of the controller): does HAProxy run it?
      // (A run killed between the rename and the reload left it on disk only; see start-up.ts.)
      const check = await checkRunningHaproxy(deps.haproxy, desired.backends, rendered.maps);
      if (check.current) return done({ result: 'noop', reasons: ['haproxy already runs the config on disk'], skipped, stale, liveDifferences: check.differences }, nextApplied(check.retired));
      plan.reasons.push(...check.reasons);
    }
    const retired = applied ? retiredAfter(applied.retired, plan.ops, applied.desired.backends) : new Map<string, Map<string, string>>();
    if (plan.kind === 'runtime' && mustReload === undefined && retiredCount(retired) > MAX_RETIRED_SERVERS) mustReload = `clearing ${retiredCount(retired)} retired servers`;
    if (mustReload !== undefined) plan.reasons.push(mustReload);
    if (plan.kind === 'runtime' && deps.haproxy.runtime && mustReload === undefined) {
      const r = await deps.haproxy.runtime(plan.ops);
      if (r.ok) {
        await deps.haproxy.synced?.();
        const next = nextApplied(retired);
        const live = await correctLive(deps, next.desired.backends, changedBackends(applied, next));
        return done({ result: 'runtime', reasons: plan.reasons, skipped, stale, drift, liveDifferences: live }, next);
      }
      plan.reasons.push(`runtime API failed (${r.error ?? 'unknown'}), reloading instead`);
    }
    await deps.reloadGate?.();
    const reload = await deps.haproxy.reload(plan.reasons);
    if (!reload.ok) {
      // The files are written and valid, but HAProxy did not take them: report and retry later.
      return done({ result: 'error', reasons: plan.reasons, skipped, stale, error: `reload failed: ${reload.detail ?? 'unknown'}` });
    }
    const next = nextApplied();
    const live = await correctLive(deps, next.desired.backends);
    return done({ result: 'reload', reasons: plan.reasons, skipped, stale, drift, liveDifferences: live }, next);
  }
}

function byApp(model: Model): Map<string, readonly Service[]> {
  const out = new Map<string, Service[]>();
  for (const s of model.services) {
    const list = out.get(s.appId);
    if (list) list.push(s);
    else out.set(s.appId, [s]);
  }
  return out;
}

function changedBackends(before: AppliedState | undefined, after: AppliedState): Set<string> {
  const out = new Set<string>();
  for (const [name, b] of after.desired.backends) if (before?.desired.backends.get(name) !== b) out.add(name);
  return out;
}

/** How many backends differ between what was applied and what a full read says. */
function driftOf(applied: AppliedDesired, next: AppliedDesired): number {
  let n = 0;
  for (const [name, b] of next.backends) {
    const a = applied.backends.get(name);
    if (!a || a.structure !== b.structure || a.mapEntries !== b.mapEntries || !sameServers(a.servers, b.servers)) n += 1;
  }
  for (const name of applied.backends.keys()) if (!next.backends.has(name)) n += 1;
  return n;
}

function sameServers(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
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

function ownerOf(owners: Rendered['owners'], line: number): string | undefined {
  return owners.find((o) => o.from <= line && line <= o.to)?.appId;
}

function appsAt(owners: Rendered['owners'], alerts: readonly ValidationAlert[]): string[] {
  const ids = new Set<string>();
  for (const a of alerts) {
    if (a.line === undefined) continue;
    const owner = ownerOf(owners, a.line);
    if (owner) ids.add(owner);
  }
  return [...ids];
}

function alertText(alerts: readonly ValidationAlert[], output: string): string {
  if (alerts.length === 0) return output.trim().slice(0, 2000);
  return alerts.map((a) => (a.line !== undefined ? `line ${a.line}: ${a.message}` : a.message)).join('\n');
}

type Rendered = import('../config/index.js').Rendered;
export type { RuntimeOp };
