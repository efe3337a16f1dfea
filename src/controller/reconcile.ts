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
  liveDifference, planChange, retiredAfter, retiredCount, type BackendDesired, type BackendLookup, type DesiredState, type Plan, type RetiredServers,
  type RuntimeOp, type ServerStateRow,
} from '../haproxy/index.js';
import type { Model, Service, Skipped } from '../model/types.js';
import type { WireApp } from '../model/wire.js';
import type { Settings } from '../settings.js';
import { createHash } from 'node:crypto';
import { loadFailureSkips, pinLoadFailure, pinRejection } from './attribution-checks.js';
import { FaultMemory, groupByApp, newBinds, portLabelOf } from './fault-memory.js';
import { byAppAndPort, carryOverLastGood, withCurrentServers, withoutApps } from './carry-over.js';
import type { ClusterModel } from './cluster-model.js';
import type { HostResolver } from './host-resolver.js';
import type { AppSource, ConfigWriter, HaproxyDriver, ValidationAlert } from './ports.js';
import type { ModelRenderer } from './renderer.js';
import { servedModelOf } from './served-model.js';
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
  /** HAProxy's servers per backend as last read back (`show servers state`), for the status page. */
  live?: Map<string, readonly ServerStateRow[]> | undefined;
  /** Apps of other groups (none of their ports is ours). */
  otherGroups?: Set<string> | undefined;
  /** Service port -> backend serving it (see holdersOf). */
  portHolders?: Map<number, string> | undefined;
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
  /** What HAProxy failed to load (kept across passes; one per HAProxy driver when absent). */
  readonly memory?: FaultMemory;
}

const memories = new WeakMap<object, FaultMemory>();
function memoryOf(deps: ReconcileDeps): FaultMemory {
  if (deps.memory) return deps.memory;
  let m = memories.get(deps.haproxy);
  if (!m) memories.set(deps.haproxy, (m = new FaultMemory()));
  return m;
}

const configKey = (config: string, maps: Readonly<Record<string, string>>) =>
  createHash('sha256').update(config).update(JSON.stringify(Object.entries(maps).sort(([a], [b]) => (a < b ? -1 : 1)))).digest('hex');

/**
 * At most this many rounds of "HAProxy rejected app X, try without it" per pass. Each round
 * leaves out every app it pinned, and an app is pinned at most twice (its fresh lines, then its
 * last good ones), so rounds are few; bisection (bounded by MAX_CHECKS) pins the rest.
 */
const MAX_REJECTION_ROUNDS = 12;
/** At most this many `haproxy -c` runs per pass to pin rejections that name no line. */
export const MAX_CHECKS = 48;
/**
 * At most this many refused reloads per pass: one that fails to bind pauses every port for
 * about 2 s. Each is followed by checks that pin its apps without reloading (the apps pinned
 * after the last one are left out from the next pass on), so one is the rule.
 */
const MAX_FAILED_RELOADS = 2;

/** The applied services as one sorted model (for the status page, ejs and carry-over). */
export function servedModel(applied: AppliedState | undefined): Model {
  return applied ? servedModelOf(applied.byApp) : { services: [], skipped: [] };
}

/** Every task's host. Indexed loops: on a full read this runs once over every task, cold. */
function hostsOf(apps: readonly (WireApp | undefined)[]): string[] {
  const hosts: string[] = [];
  for (let i = 0; i < apps.length; i++) {
    const tasks = apps[i]?.tasks;
    if (!Array.isArray(tasks)) continue;
    for (let k = 0; k < tasks.length; k++) {
      const host: unknown = tasks[k]?.host;
      if (typeof host === 'string') hosts.push(host);
    }
  }
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
    // The app serving a port keeps it: tell the model who serves what (from the config on disk
    // until this controller has applied one, so a restart does not hand ports to newcomers).
    if (applied) deps.cluster.setPortHolders(holdersOf(applied));
    else if (deps.writer.current) deps.cluster.setPortHolders(portHoldersInConfig(await deps.writer.current() ?? ''));
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
  // Drift is what events missed; in poll mode there are no events and every change comes from a full read.
  return fullPass(deps, applied, started, done, req.full && applied !== undefined && deps.settings.mode !== 'poll', mustReload);
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
    const other = list.length === 0 && skips.length > 0 && skips.every((s) => s.reason === 'GROUP_MISMATCH');
    if (other) (applied.otherGroups ??= new Set()).add(appId);
    else applied.otherGroups?.delete(appId);
    let rendered = deps.render.backendsOf(list);
    // Why its current services failed to render: reported even when its last good ones serve.
    const failed = rendered.excluded;
    const lastGood = applied.byApp.get(appId);
    const broken = failed.length > 0 || (list.length === 0 && skips.some((s) => OWN_FAULT.has(s.reason)));
    stale.delete(appId);
    if (broken && lastGood && lastGood.length > 0) {
      // Its own fault: keep serving what it served, at the addresses of its current tasks.
      list = withCurrentServers(lastGood, list, skips);
      rendered = deps.render.backendsOf(list);
      stale.add(appId);
    }
    skipped.push(...skips, ...failed);
    if (rendered.excluded !== failed) skipped.push(...rendered.excluded);
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
    const holders = holdersOf(applied);
    for (const [appId, list] of services) {
      for (const s of applied.byApp.get(appId) ?? []) if (holders.get(s.servicePort) === s.backend) holders.delete(s.servicePort);
      for (const s of list) holders.set(s.servicePort, s.backend);
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
  const live = await correctLive(deps, applied, new Set(delta.keys()));
  return { result: 'runtime', reasons: plan.reasons, ...base, liveDifferences: live, timings: { readMs: 0, appliedMs } };
}

/**
 * Writes the applied state to the files, so that a later reload keeps what the runtime API did.
 * Server lines come from normalized values, so no `haproxy -c` is needed. Returns an error text,
 * or 'stopped' when `stop` said so between two slices of the write (the files are then as they
 * were, and still behind).
 */
export async function flushFiles(deps: ReconcileDeps, applied: AppliedState | undefined, stop: () => boolean = () => false): Promise<string | undefined | 'stopped'> {
  if (!applied?.fileBehind) return undefined;
  const out = deps.render.pieces(servedModel(applied));
  if (!out.ok) return out.error.message;
  const written = await deps.writer.writeUnchecked(out.pieces, out.maps, stop);
  if (written.stopped) return 'stopped';
  applied.fileBehind = false;
  // HAProxy and the files agree again: a restart may trust the file (see start-up.ts).
  await deps.haproxy.synced?.(written.configDigest);
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
async function correctLive(deps: ReconcileDeps, state: AppliedState, only?: ReadonlySet<string>): Promise<string[] | undefined> {
  const desired = state.desired.backends;
  if (!deps.haproxy.readServers || deps.settings.dry) return undefined;
  const names = only ? [...only] : [...desired.keys()];
  let rows;
  try {
    rows = await deps.haproxy.readServers(only ? names : undefined);
  } catch {
    return undefined; // no admin socket (no HAProxy yet, or --command without one): nothing to compare
  }
  const want = new Map(names.map((n) => [n, desired.get(n)]));
  // Kept for the status page: what HAProxy says of each server (health, maintenance).
  const live = state.live ?? (state.live = new Map());
  for (const n of names) live.set(n, []);
  for (const r of rows) if (want.has(r.backend)) (live.get(r.backend) as ServerStateRow[]).push(r);
  for (const b of only ?? live.keys()) if (!desired.has(b)) live.delete(b);
  const diff = liveDifference(want, rows);
  if (diff.ops.length > 0 && deps.haproxy.runtime) await deps.haproxy.runtime(diff.ops);
  return diff.differences;
}

async function fullPass(
  deps: ReconcileDeps, applied: AppliedState | undefined, started: number, done: Done, countDrift: boolean, mustReload?: string,
): Promise<{ outcome: PassOutcome; applied: AppliedState | undefined }> {
  const fresh = deps.cluster.model();
  const lastGood = applied ? servedModel(applied) : undefined;
  const ours = new Set(fresh.services.map((s) => s.appId));
  const otherGroups = new Set(fresh.skipped.filter((s) => s.reason === 'GROUP_MISMATCH' && !ours.has(s.appId)).map((s) => s.appId));
  // Render, let HAProxy judge, and exclude the apps whose lines it rejects.
  let { model, stale } = carryOverLastGood(fresh, lastGood);
  const extraSkipped: Skipped[] = [];
  let budget = MAX_CHECKS;
  const memory = memoryOf(deps);
  // Reloads HAProxy refused in this pass, and the apps held out on suspicion after one (see pinLoadFailure).
  let failedReloads = 0;
  let held: string[] = [];
  // Apps HAProxy failed to load, unchanged since: not tried again (a failed load pauses every port).
  const unloadable = memory.stillUnloadable(model);
  if (unloadable.length > 0) {
    extraSkipped.push(...unloadable);
    ({ model, stale } = fallBack(model, unloadable.map((u) => u.appId), lastGood, stale));
  }
  for (let round = 0; ; round += 1) {
    const out = deps.render.full(model);
    if (!out.ok) {
      return done({ result: 'invalid', reasons: ['template error'], skipped: model.skipped, stale, error: out.error.message });
    }
    const { rendered, desired } = out;
    const skipped = [...model.skipped, ...rendered.excluded, ...extraSkipped];
    if (rendered.excluded.length > 0 && round === 0) {
      // Apps whose templates failed: serve their last good services if we have them.
      // The apps already served from their last good services are in `model` as served, so
      // `again` carries only the newly failed ones: those are added to the stale list.
      const again = carryOverLastGood(withoutApps(model, new Set(rendered.excluded.map((e) => e.appId))), lastGood, rendered.excluded, model.services);
      const added = again.stale.filter((a) => !stale.includes(a));
      if (added.length > 0) {
        const servedNow = new Set(again.model.services.map((s) => s.appId));
        model = again.model;
        stale = [...stale.filter((a) => servedNow.has(a)), ...added].sort();
        continue;
      }
    }
    const plan: Plan = planChange(applied?.desired, desired, undefined, applied?.retired);
    const drift = countDrift && applied ? driftOf(applied.desired, desired) : undefined;
    // Only what makes it into the config counts as served (render may have left services out).
    const inConfig = (): Model => ({ services: model.services.filter((s) => desired.backends.has(s.backend) || desired.frame !== ''), skipped: [] });
    const nextApplied = (retired: RetiredServers = new Map()): AppliedState => ({
      desired: { ...desired, backends: new Map(desired.backends) }, byApp: byApp(inConfig()), stale: new Set(stale), retired, at: started,
      live: new Map(applied?.live ?? []), otherGroups,
    });
    if (plan.kind === 'noop') {
      if (!applied) return done({ result: 'noop', reasons: [], skipped, stale, drift });
      // Nothing to change, by our account: a full pass is when HAProxy's own account is checked too.
      const next = nextApplied(applied.retired);
      const live = await correctLive(deps, next);
      return done({ result: 'noop', reasons: [], skipped, stale, drift, liveDifferences: live }, next);
    }
    if (deps.settings.dry) return done({ result: 'noop', reasons: plan.reasons, skipped, stale, dryConfig: rendered.config });

    // A service port something else holds passes `haproxy -c` but fails the reload, and a
    // failed reload pauses every listener: find it first (ports HAProxy already serves aside).
    if (applied && deps.haproxy.cannotBind && round < MAX_REJECTION_ROUNDS) {
      const refused = await deps.haproxy.cannotBind(newBinds(model, lastGood));
      if (refused.length > 0) {
        const culprits = [...new Set(refused.map((r) => r.appId))];
        for (const r of refused) {
          extraSkipped.push({ appId: r.appId, reason: 'CONFIG_REJECTED', label: portLabelOf(model, r.appId, r.port), message: `app ${r.appId}: service port ${r.addr}:${r.port} cannot be bound: ${r.error}` });
        }
        ({ model, stale } = fallBack(model, culprits, lastGood, stale));
        continue;
      }
    }

    const written = await deps.writer.write(rendered.config, rendered.maps);
    if (!written.ok) {
      const rejectedText = alertText(written.alerts, written.output);
      if (deps.settings.skipConfigCleanup || round >= MAX_REJECTION_ROUNDS) {
        return done({ result: 'invalid', reasons: ['haproxy rejected the config'], skipped, stale, error: rejectedText });
      }
      const found = await pinRejection(deps, model, rendered, written.alerts, lastGood, stale, budget);
      budget -= found.checks;
      if (found.culprits.size === 0 && found.unchecked.length === 0) {
        return done({ result: 'invalid', reasons: ['haproxy rejected the config'], skipped, stale, error: rejectedText });
      }
      for (const [appId, why] of found.culprits) {
        extraSkipped.push({ appId, reason: 'CONFIG_REJECTED', label: why.label, message: `app ${appId}: HAProxy rejected its config${why.label ? ` (label ${why.label})` : ''}: ${why.text}` });
      }
      for (const appId of found.unchecked) {
        extraSkipped.push({ appId, reason: 'CONFIG_REJECTED', message: `app ${appId}: left out of this pass: HAProxy rejected the config and the ${MAX_CHECKS} checks to find the app at fault ran out; retried on the next pass` });
      }
      ({ model, stale } = fallBack(model, [...found.culprits.keys()], lastGood, stale, found.unchecked));
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
        const live = await correctLive(deps, next, changedBackends(applied, next));
        return done({ result: 'runtime', reasons: plan.reasons, skipped, stale, drift, liveDifferences: live }, next);
      }
      plan.reasons.push(`runtime API failed (${r.error ?? 'unknown'}), reloading instead`);
    }
    // Hashing the whole config costs ~1 ms per MB: only when there is a failure to compare with.
    const key = once(() => configKey(rendered.config, rendered.maps));
    if (memory.failedConfigs.size > 0 && memory.failedConfigs.has(key())) {
      await restoreLastGood(deps, applied);
      return done({ result: 'error', reasons: plan.reasons, skipped, stale, error: 'haproxy already failed to load this config; not asking it again (the last good files are back in place)' });
    }
    await deps.reloadGate?.();
    const reload = await deps.haproxy.reload(plan.reasons);
    if (!reload.ok) {
      // Only HAProxy's own refusal counts (not a socket that did not answer): that config is never tried again.
      const refused = /reports the reload failed|at start:|\[ALERT\]/.test(reload.detail ?? '');
      if (refused) memory.failedConfigs.add(key());
      await restoreLastGood(deps, applied);
      failedReloads += 1;
      // Refused even without the apps held on suspicion: the fault was not theirs.
      for (const appId of held) memory.unloadable.delete(appId);
      if (held.length === 0 && round < MAX_REJECTION_ROUNDS) {
        const found = await pinLoadFailure(deps, model, rendered, reload.detail ?? '', lastGood, stale, budget);
        budget -= found.checks;
        // With no last good config HAProxy has loaded, suspicion would fall on every app.
        held = applied && refused ? [...found.unexplained] : [];
        const skips = loadFailureSkips(found, held, MAX_CHECKS);
        const services = groupByApp(model.services);
        for (const skip of skips) {
          if (!found.unchecked.includes(skip.appId)) memory.remember(skip.appId, services.get(skip.appId) ?? [], skip);
          extraSkipped.push(skip);
        }
        if (skips.length > 0 && failedReloads < MAX_FAILED_RELOADS) {
          ({ model, stale } = fallBack(model, [...found.culprits.keys(), ...held], lastGood, stale, found.unchecked));
          continue;
        }
        if (skips.length > 0) {
          // Pinned, but no more reloads this pass: the next one starts without them.
          return done({ result: 'error', reasons: plan.reasons, skipped: [...skipped, ...skips], stale, error: `reload failed ${failedReloads} times in this pass: ${reload.detail ?? 'unknown'}` });
        }
      }
      // HAProxy did not take them and nothing tells which app: the last good files are back; report, retry later.
      return done({ result: 'error', reasons: plan.reasons, skipped, stale, error: `reload failed: ${reload.detail ?? 'unknown'}` });
    }
    const next = nextApplied();
    const live = await correctLive(deps, next);
    return done({ result: 'reload', reasons: plan.reasons, skipped, stale, drift, liveDifferences: live }, next);
  }
}

/**
 * Put back the files of what HAProxy serves (the applied state, rendered again from cached
 * fragments: the same bytes it last loaded), so a restart or a later reload does not read the
 * ones it failed on.
 */
async function restoreLastGood(deps: ReconcileDeps, applied: AppliedState | undefined): Promise<void> {
  if (!applied) return;
  const out = deps.render.full(servedModel(applied));
  if (!out.ok) return;
  await deps.writer.write(out.rendered.config, out.rendered.maps, { validate: false }).catch(() => undefined);
}

/** Service port -> the backend serving it, kept with the applied state (built once, then updated per commit). */
function holdersOf(applied: AppliedState): Map<number, string> {
  return (applied.portHolders ??= portHolders(applied));
}

function portHolders(applied: AppliedState): Map<number, string> {
  const out = new Map<number, string>();
  for (const list of applied.byApp.values()) for (const s of list) out.set(s.servicePort, s.backend);
  return out;
}

/** Port -> frontend name (the service's backend name, in the default templates) of a config. */
export function portHoldersInConfig(config: string): Map<number, string> {
  // A restart reads the whole config on disk (megabytes at thousands of apps, nearly all of it
  // backends' server lines). One regular expression finds the lines that matter, section
  // headers and bind lines, where a line starts: the regex engine skips the rest natively
  // (~10 ms cold at 5,000 apps, against ~17 for a loop matching at every line).
  const out = new Map<number, string>();
  let frontend: string | undefined;
  HOLDER_LINE.lastIndex = 0;
  for (let m = HOLDER_LINE.exec(config); m !== null; m = HOLDER_LINE.exec(config)) {
    if (m[1] !== undefined) frontend = m[1] === 'frontend' ? m[2] : undefined;
    else if (frontend && !out.has(Number(m[3]))) out.set(Number(m[3]), frontend);
  }
  return out;
}

// At the text's start or after a line end: a section header (keyword, name) or a bind line
// (port). Neither part crosses a line end, so each match ends before the line end the next one
// starts with. Lines end at \n only (a \r is whitespace, as when the config is split into
// lines), which is why this is not an /m pattern: there ^ would also start a line after a \r.
const HOLDER_LINE = /(?:^|\n)(?:(frontend|backend|listen|defaults|global|userlist|peers|resolvers|program|http-errors|ring|cache)\b[^\S\n]*(\S*)|[^\S\n]+bind[^\S\n]+\S*:(\d+)\b)/g;

function byApp(model: Model): Map<string, readonly Service[]> {
  const out = new Map<string, Service[]>();
  // Indexed: once per full pass over every service, cold.
  for (let i = 0; i < model.services.length; i++) {
    const s = model.services[i]!;
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
    if (a === b) continue; // unchanged since the last pass: its fields need not even be made
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
 * (rejected again, it is dropped: its last good services were what HAProxy refused). Apps left
 * unchecked keep what HAProxy serves for them now (their last good services, if any).
 */
function fallBack(model: Model, culprits: readonly string[], lastGood: Model | undefined, stale: readonly string[], unchecked: readonly string[] = []): { model: Model; stale: string[] } {
  const out = withoutApps(model, new Set([...culprits, ...unchecked]));
  const nextStale = stale.filter((a) => !culprits.includes(a));
  const revive = new Set([...culprits.filter((a) => !stale.includes(a)), ...unchecked]);
  const carried = withCurrentServers((lastGood?.services ?? []).filter((s) => revive.has(s.appId)), model.services, model.skipped);
  for (const a of new Set(carried.map((s) => s.appId))) if (!nextStale.includes(a)) nextStale.push(a);
  return { model: { services: [...out.services, ...carried].sort(byAppAndPort), skipped: out.skipped }, stale: nextStale.sort() };
}

function alertText(alerts: readonly ValidationAlert[], output: string): string {
  if (alerts.length === 0) return output.trim().slice(0, 2000);
  return alerts.map((a) => (a.line !== undefined ? `line ${a.line}: ${a.message}` : a.message)).join('\n');
}

type Rendered = import('../config/index.js').Rendered;
export type { RuntimeOp };
