// The I/O side of attribution (attribution.ts has the pure parts): which apps a config HAProxy
// refused belongs to, found with checks that never touch the running HAProxy (`haproxy -c` of
// candidates).

import type { Rendered } from '../config/index.js';
import type { Model } from '../model/types.js';
import { appsQuotedBy, bisect, labelNamedBy, suspects } from './attribution.js';
import { withoutApps } from './carry-over.js';
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
