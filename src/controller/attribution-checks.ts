// The I/O side of attribution (attribution.ts has the pure parts): which apps a config HAProxy
// refused belongs to, found with checks that never touch the running HAProxy (`haproxy -c` of
// candidates, binding ports from here). Used for what `haproxy -c` rejects and for reloads that
// fail after it accepted.

import type { Rendered } from '../config/index.js';
import type { Model, Skipped } from '../model/types.js';
import { appsQuotedBy, bisect, labelNamedBy, suspects } from './attribution.js';
import { withoutApps } from './carry-over.js';
import { appsInLoadFailure, fingerprint, groupByApp, newBinds, portLabelOf } from './fault-memory.js';
import type { ValidationAlert } from './ports.js';
import type { ReconcileDeps } from './reconcile.js';

export interface Pinned {
  /** App -> what HAProxy said about it, and the label at fault when one shows. */
  readonly culprits: Map<string, { text: string; label?: string | undefined }>;
  readonly unchecked: readonly string[];
  readonly checks: number;
}

/**
 * The apps behind a rejection: by the lines HAProxy names, else by bisecting over the apps
 * changed since the last good config (widened to every app when those are not it).
 */
export async function pinRejection(
  deps: ReconcileDeps, model: Model, rendered: Rendered, alerts: readonly ValidationAlert[], lastGood: Model | undefined,
  stale: readonly string[], budget: number,
): Promise<Pinned> {
  const culprits: Pinned['culprits'] = new Map();
  const lines = rendered.config.split('\n');
  const servicesOf = (appId: string) => model.services.filter((s) => s.appId === appId);
  for (const a of alerts) {
    // The alert's own line, else the config lines its text points at ("http frontend 'x'
    // (haproxy.cfg:12) tries to use incompatible tcp backend 'y' (haproxy.cfg:40)").
    for (const n of a.line !== undefined ? [a.line] : linesIn(a.message)) {
      const appId = ownerOf(rendered.owners, n);
      if (appId === undefined) continue;
      const line = (lines[n - 1] ?? '').trim();
      const entry = culprits.get(appId) ?? { text: '', label: undefined };
      if (!entry.text.includes(a.message)) entry.text = entry.text ? `${entry.text}; ${a.message}` : a.message;
      entry.label ??= labelNamedBy(servicesOf(appId), [line, a.message]);
      culprits.set(appId, entry);
    }
  }
  if (culprits.size > 0 || !deps.writer.check) return { culprits, unchecked: [], checks: 0 };
  // No line to go by: bisect.
  const said = alerts.map((a) => a.message).join('; ');
  let checks = 0;
  const accepts = (suspected: readonly string[]) => async (included: ReadonlySet<string>) => {
    const out = new Set(suspected.filter((a) => !included.has(a)));
    const candidate = deps.render.full(withoutApps(model, out));
    if (!candidate.ok) return false;
    const r = await deps.writer.check!(candidate.rendered.config, candidate.rendered.maps);
    return r.ok;
  };
  // A name the alerts quote, found in some apps' lines: one check confirms that leaving out
  // exactly those apps is enough (hundreds of bad apps cost one check, not a bisection each).
  const quoted = appsQuotedBy(rendered.config, rendered.owners, alerts.map((a) => a.message));
  if (quoted.size > 0 && budget > 0) {
    const named = [...quoted.keys()];
    checks += 1;
    if (await accepts(named)(new Set())) {
      for (const appId of named) culprits.set(appId, { text: said, label: labelNamedBy(servicesOf(appId), quoted.get(appId)!.map((t) => `'${t}'`)) });
      return { culprits, unchecked: [], checks };
    }
  }
  let suspected = suspects(model, lastGood, stale);
  let found = await bisect(suspected, accepts(suspected), budget - checks);
  checks += found.checks;
  if (found.notTheSuspects && lastGood) {
    suspected = suspects(model, undefined);
    found = await bisect(suspected, accepts(suspected), budget - checks);
    checks += found.checks;
  }
  for (const appId of found.bad) culprits.set(appId, { text: said, label: labelNamedBy(servicesOf(appId), alerts.map((a) => a.message)) });
  return { culprits, unchecked: found.unchecked, checks };
}

/** Config line numbers an alert's text refers to (`file.cfg:12`, also our `.check` copies). */
function linesIn(message: string): number[] {
  return [...message.matchAll(/(?:^|[\s(\[])[^\s()[\]]*\.cfg[^\s()[\]:]*:(\d+)(?=[)\]\s,.;']|$)/g)].map((m) => Number(m[1]));
}

function ownerOf(owners: Rendered['owners'], line: number): string | undefined {
  return owners.find((o) => o.from <= line && line <= o.to)?.appId;
}

export interface LoadFailurePin extends Pinned {
  /**
   * The apps changed since the last good config, when no check reproduces the failure: HAProxy
   * refused them together and said nothing that tells them apart.
   */
  readonly unexplained: readonly string[];
}

/**
 * The apps behind a reload HAProxy refused, by what it said (a line of the config, an address it
 * could not bind), else without another reload: a refused reload that fails to bind pauses every
 * listener of the running HAProxy for about 2 s (measured on 2.6.12; one failing at parse time
 * does not), and trying halves by reloading would do that once per half. So the same config is
 * checked again in ways that leave HAProxy alone: its new service ports are bound from here (a
 * port taken since the check before the reload), then `haproxy -c` judges it again (a file it
 * read then may be gone), pinned by line, by a quoted name, else by bisecting over the apps
 * changed since the last good config. When nothing reproduces the failure, the apps whose
 * services changed in more than their servers are `unexplained`.
 */
export async function pinLoadFailure(
  deps: ReconcileDeps, model: Model, rendered: Rendered, output: string, lastGood: Model | undefined, stale: readonly string[], budget: number,
): Promise<LoadFailurePin> {
  const culprits: Pinned['culprits'] = new Map();
  const services = groupByApp(model.services);
  for (const [appId, text] of appsInLoadFailure(output, rendered.owners, model)) {
    culprits.set(appId, { text, label: labelNamedBy(services.get(appId) ?? [], [text]) });
  }
  if (culprits.size > 0) return { culprits, unchecked: [], checks: 0, unexplained: [] };
  for (const r of await deps.haproxy.cannotBind?.(newBinds(model, lastGood)) ?? []) {
    culprits.set(r.appId, { text: `service port ${r.addr}:${r.port} cannot be bound: ${r.error}`, label: portLabelOf(model, r.appId, r.port) });
  }
  if (culprits.size > 0 || !deps.writer.check || budget < 1) return { culprits, unchecked: [], checks: 0, unexplained: [] };
  const again = await deps.writer.check(rendered.config, rendered.maps);
  if (!again.ok) {
    const found = await pinRejection(deps, model, rendered, again.alerts, lastGood, stale, budget - 1);
    return { ...found, checks: found.checks + 1, unexplained: [] };
  }
  return { culprits, unchecked: [], checks: 1, unexplained: structureChanged(model, lastGood) };
}

/**
 * The apps whose services differ from the last good ones in more than their servers (server
 * lines come from validated values, and a task moving cannot make HAProxy refuse a config that
 * `haproxy -c` accepts). Apps served from their last good services are not among them.
 */
function structureChanged(model: Model, lastGood: Model | undefined): string[] {
  const before = groupByApp(lastGood?.services ?? []);
  return [...groupByApp(model.services)].filter(([appId, list]) => {
    const old = before.get(appId);
    return old === undefined || fingerprint(old) !== fingerprint(list);
  }).map(([appId]) => appId).sort();
}

/**
 * The skips that follow a refused reload: the apps pinned (named with what HAProxy said and the
 * label it shows), those the checks had no budget left for, and `held`, the apps kept out on
 * suspicion (their change is tried again when their definition changes).
 */
export function loadFailureSkips(found: Pinned, held: readonly string[], maxChecks: number): Skipped[] {
  const out: Skipped[] = [];
  for (const [appId, why] of found.culprits) {
    out.push({ appId, reason: 'CONFIG_REJECTED', label: why.label, message: `app ${appId}: HAProxy could not load its config${why.label ? ` (label ${why.label})` : ''}: ${why.text}` });
  }
  for (const appId of found.unchecked) {
    out.push({ appId, reason: 'CONFIG_REJECTED', message: `app ${appId}: left out of this pass: HAProxy could not load the config and the ${maxChecks} checks to find the app at fault ran out; retried on the next pass` });
  }
  for (const appId of held) {
    out.push({
      appId, reason: 'CONFIG_REJECTED',
      message: `app ${appId}: its change is held back: HAProxy could not load the config with it (${held.length} app${held.length === 1 ? '' : 's'} changed since the last good config), named no app, and the checks that leave HAProxy alone (haproxy -c, binding the new service ports) pass; tried again when its definition changes`,
    });
  }
  return out;
}
