// Which apps made HAProxy reject a config, when its alerts carry no line we can trace (a
// `use_backend` naming a backend that does not exist, a bind clash found after parsing).
//
// Bisection over the suspects: the apps changed since the last good config (and those served
// from it). Every other app is in every candidate; a suspect set that HAProxy accepts is good as a
// whole, one that it rejects is split in two. k bad apps among n suspects cost about
// k * log2(n / k) + k checks; a budget bounds it, and suspects left unchecked when it runs out
// are left out of this pass (they are retried on the next one), so a pass always converges.

import type { Model, Service } from '../model/types.js';

export interface AttributionResult {
  /** Apps whose lines HAProxy rejects (alone, with every proven-good app). */
  readonly bad: readonly string[];
  /** Suspects left unchecked when the budget ran out. */
  readonly unchecked: readonly string[];
  /** `haproxy -c` runs spent. */
  readonly checks: number;
  /** The rejection does not come from the suspects: even without them HAProxy says no. */
  readonly notTheSuspects: boolean;
}

/**
 * The apps to suspect: those whose services differ from the ones last applied, plus `alsoSuspect` (apps served from
 * their last good config). Without a last good config every app is a suspect.
 */
export function suspects(model: Model, lastGood: Model | undefined, alsoSuspect: Iterable<string> = []): string[] {
  const all = new Set(model.services.map((s) => s.appId));
  if (!lastGood) return [...all].sort();
  const before = new Map<string, Set<Service>>();
  for (const s of lastGood.services) (before.get(s.appId) ?? before.set(s.appId, new Set()).get(s.appId)!).add(s);
  const out = new Set<string>();
  const now = new Map<string, Service[]>();
  for (const s of model.services) (now.get(s.appId) ?? now.set(s.appId, []).get(s.appId)!).push(s);
  for (const [appId, list] of now) {
    const old = before.get(appId);
    if (!old || old.size !== list.length) { out.add(appId); continue; }
    // A full read re-creates every service: compare by value where the objects differ.
    if (list.some((s) => !old.has(s)) && JSON.stringify(list) !== JSON.stringify([...old])) out.add(appId);
  }
  for (const a of alsoSuspect) if (all.has(a)) out.add(a);
  return [...out].sort();
}

/**
 * Finds the bad suspects. `accepts(included)` answers whether HAProxy accepts the model with
 * every non-suspect and exactly the `included` suspects.
 */
export async function bisect(
  suspectIds: readonly string[], accepts: (included: ReadonlySet<string>) => Promise<boolean>, budget: number,
): Promise<AttributionResult> {
  let checks = 0;
  const good = new Set<string>();
  const bad: string[] = [];
  const unchecked: string[] = [];
  const test = async (extra: readonly string[]): Promise<boolean | undefined> => {
    if (checks >= budget) return undefined;
    checks += 1;
    return accepts(new Set([...good, ...extra]));
  };
  // Without any suspect: if HAProxy still says no, the fault is elsewhere.
  const base = await test([]);
  if (base === false) return { bad: [], unchecked: [], checks, notTheSuspects: true };
  if (base === undefined) return { bad: [], unchecked: [...suspectIds], checks, notTheSuspects: false };
  // Depth-first over halves; a set known to fail is split without testing it again.
  const visit = async (set: readonly string[], knownBad: boolean): Promise<void> => {
    if (set.length === 0) return;
    if (!knownBad) {
      const ok = await test(set);
      if (ok === undefined) { unchecked.push(...set); return; }
      if (ok) { for (const a of set) good.add(a); return; }
    }
    if (set.length === 1) { bad.push(set[0]!); return; }
    const mid = Math.ceil(set.length / 2);
    await visit(set.slice(0, mid), false);
    await visit(set.slice(mid), false);
  };
  await visit(suspectIds, true);
  return { bad: bad.sort(), unchecked: unchecked.sort(), checks, notTheSuspects: false };
}

/**
 * The label whose value shows in what HAProxy complained about (the rejected line, or a name the
 * alert quotes). Values of a few characters would match anything and are not considered.
 */
export function labelNamedBy(services: readonly Service[], texts: readonly string[]): string | undefined {
  const quoted = texts.flatMap((t) => [...t.matchAll(/'([^']{3,})'/g)].map((m) => m[1]!));
  for (const s of services) {
    for (const [name, value] of Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!name.startsWith('HAPROXY_')) continue;
      const v = value.trim();
      if (v.length < 3) continue;
      const lines = v.split('\n').map((l) => l.trim()).filter((l) => l.length >= 3);
      if (texts.some((t) => lines.some((l) => t.includes(l))) || quoted.some((q) => v.includes(q))) return name;
    }
  }
  return undefined;
}

/**
 * Apps whose lines contain a name that an alert without a line number quotes (HAProxy's
 * post-parse checks say "unable to find required use_backend: 'x'", naming what is missing or
 * which proxy failed, not where). Shared lines (frontends, the head) belong to no app.
 */
export function appsQuotedBy(
  config: string, owners: ReadonlyArray<{ readonly appId: string; readonly from: number; readonly to: number }>, alertTexts: readonly string[],
): Map<string, string[]> {
  const tokens = [...new Set(alertTexts.flatMap((t) => [...t.matchAll(/'([^'\s]{3,200})'/g)].map((m) => m[1]!)))].slice(0, 50);
  const out = new Map<string, string[]>();
  if (tokens.length === 0) return out;
  const lines = config.split('\n');
  // A name on a line no app owns (a shared frontend, a keyword of the defaults) points at nobody.
  const owned = new Uint8Array(lines.length + 2);
  for (const o of owners) for (let n = o.from; n <= o.to && n <= lines.length; n += 1) owned[n] = 1;
  const shared = (t: string) => lines.some((l, i) => owned[i + 1] === 0 && l.includes(t));
  const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const patterns = tokens.filter((t) => !shared(t)).map((t) => ({ t, re: new RegExp(`(^|[^\\w.\\-])${escape(t)}($|[^\\w.\\-])`) }));
  for (const o of owners) {
    for (let n = o.from; n <= o.to; n += 1) {
      const line = lines[n - 1];
      if (line === undefined) continue;
      for (const { t, re } of patterns) {
        if (!line.includes(t) || !re.test(line)) continue;
        const list = out.get(o.appId) ?? out.set(o.appId, []).get(o.appId)!;
        if (!list.includes(t)) list.push(t);
      }
    }
  }
  return out;
}
