// Decides how to bring HAProxy from what it runs to what it should run: nothing, run-time API
// changes (task servers and map entries), or a reload. Pure. Every decision carries reasons.
//
// Runtime only when the skeleton (the config without task server lines) is byte-equal AND every
// change can be expressed on the socket: the backend's algorithm takes dynamic servers, no
// `default-server` would be silently skipped, each new server line uses only keywords
// `add server` accepts, and map edits target maps read by exact-match lookups. Anything else
// is a reload, with the reasons that forced it.

import { backendTraits, mapMatchKinds, parseSections, supportsDynamicServers } from './config-sections.js';
import { checkDynamicServerArgs } from './dynamic-server-args.js';

export interface DesiredState {
  /** The full haproxy.cfg text. */
  readonly config: string;
  /** The same text with every task server line removed. */
  readonly skeleton: string;
  /** backend -> server name -> the arguments after `server <name> `. */
  readonly servers: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** map file name (in the config directory) -> content. */
  readonly maps: Readonly<Record<string, string>>;
}

export type RuntimeOp =
  | { readonly op: 'add-server'; readonly backend: string; readonly server: string; readonly args: string }
  /** Take the server out of load balancing and wait (bounded) for its sessions to end. */
  | { readonly op: 'drain-server'; readonly backend: string; readonly server: string }
  /** Maintenance, then `del server` (follows a drain-server of the same server). */
  | { readonly op: 'del-server'; readonly backend: string; readonly server: string }
  | { readonly op: 'add-map'; readonly map: string; readonly key: string; readonly value: string }
  | { readonly op: 'set-map'; readonly map: string; readonly key: string; readonly value: string }
  | { readonly op: 'del-map'; readonly map: string; readonly key: string };

export interface Plan {
  readonly kind: 'noop' | 'runtime' | 'reload';
  readonly reasons: string[];
  readonly ops: RuntimeOp[];
}

/** Can this server line be created with `add server`? (Backend constraints aside.) */
export function isDynamicCapable(args: string): boolean {
  return checkDynamicServerArgs(args).ok;
}

const mapsEqual = (a: DesiredState['maps'], b: DesiredState['maps']) => {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].every((n) => a[n] === b[n]);
};

export function planChange(applied: DesiredState | undefined, next: DesiredState): Plan {
  if (!applied) return { kind: 'reload', reasons: ['no configuration applied yet'], ops: [] };
  if (applied.skeleton !== next.skeleton) {
    return { kind: 'reload', reasons: structuralReasons(applied.skeleton, next.skeleton), ops: [] };
  }
  if (applied.config === next.config && mapsEqual(applied.maps, next.maps)) return { kind: 'noop', reasons: [], ops: [] };
  const servers = planServers(applied, next);
  const maps = planMaps(applied, next);
  const reasons = [...servers.reasons, ...maps.reasons];
  const blocked = [...servers.blocked, ...maps.blocked];
  if (blocked.length > 0) return { kind: 'reload', reasons: [...reasons, ...blocked], ops: [] };
  if (reasons.length === 0) {
    // Same skeleton, servers and maps, yet different text: server lines moved. Rare; reload.
    return { kind: 'reload', reasons: ['server lines reordered'], ops: [] };
  }
  return { kind: 'runtime', reasons, ops: [...servers.ops, ...maps.ops] };
}

interface Part { reasons: string[]; blocked: string[]; ops: RuntimeOp[] }

const idOf = (args: string | undefined): string | undefined => {
  const m = /(?:^|\s)id\s+(\d+)(?:\s|$)/.exec(args ?? '');
  return m?.[1];
};

function planServers(applied: DesiredState, next: DesiredState): Part {
  const part: Part = { reasons: [], blocked: [], ops: [] };
  const traits = backendTraits(next.skeleton);
  // Order matters for zero downtime: new servers first (a one-server backend is never empty),
  // then drains and deletions, then servers that must wait for a deletion (same name, or the
  // same `id`, which HAProxy refuses twice in one backend), then nothing else.
  const early: RuntimeOp[] = [];
  const drains: RuntimeOp[] = [];
  const dels: RuntimeOp[] = [];
  const late: RuntimeOp[] = [];
  const backends = [...new Set([...Object.keys(applied.servers), ...Object.keys(next.servers)])].sort();
  for (const b of backends) {
    const before = applied.servers[b] ?? {};
    const after = next.servers[b] ?? {};
    const leaving = Object.keys(before).filter((n) => before[n] !== after[n]).sort();
    const arriving = Object.keys(after).filter((n) => before[n] !== after[n]).sort();
    if (leaving.length === 0 && arriving.length === 0) continue;
    for (const n of leaving) if (after[n] === undefined) part.reasons.push(`backend ${b}: server removed ${n}`);
    for (const n of arriving) part.reasons.push(`backend ${b}: server ${before[n] === undefined ? 'added' : 'changed'} ${n}`);

    const t = traits.get(b);
    if (!t) { part.blocked.push(`backend ${b}: not found in the config`); continue; }
    if (!supportsDynamicServers(t)) {
      part.blocked.push(`backend ${b}: balance ${t.balance}${t.hashType === 'consistent' ? '' : ` (hash-type ${t.hashType})`} does not allow servers to change at run time`);
      continue;
    }
    if (arriving.length > 0 && t.hasDefaultServer) {
      part.blocked.push(`backend ${b}: default-server settings do not apply to servers added at run time`);
      continue;
    }
    for (const n of arriving) {
      const check = checkDynamicServerArgs(after[n]!);
      if (!check.ok) part.blocked.push(`backend ${b}: server ${n}: ${check.problem}`);
    }
    const leavingIds = new Set(leaving.map((n) => idOf(before[n])).filter((x) => x !== undefined));
    for (const n of leaving) {
      drains.push({ op: 'drain-server', backend: b, server: n });
      dels.push({ op: 'del-server', backend: b, server: n });
    }
    for (const n of arriving) {
      const op: RuntimeOp = { op: 'add-server', backend: b, server: n, args: after[n]! };
      const id = idOf(after[n]);
      const mustWait = before[n] !== undefined || (id !== undefined && leavingIds.has(id));
      (mustWait ? late : early).push(op);
    }
  }
  part.ops.push(...early, ...drains, ...dels, ...late);
  return part;
}

interface MapParse { entries: Map<string, string>; problem?: string }

/** Map file lines are `<key> <value>`; blank lines and `#` comments are skipped. */
export function parseMapFile(text: string): MapParse {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const m = /^(\S+)(?:\s+(.*))?$/.exec(t)!;
    const key = m[1]!;
    const value = m[2] ?? '';
    if (entries.has(key)) return { entries, problem: `key ${key} appears twice` };
    if (/\s|\\/.test(value) || key.includes('\\')) return { entries, problem: `entry ${key} has spaces or backslashes` };
    entries.set(key, value);
  }
  return { entries };
}

function planMaps(applied: DesiredState, next: DesiredState): Part {
  const part: Part = { reasons: [], blocked: [], ops: [] };
  const names = [...new Set([...Object.keys(applied.maps), ...Object.keys(next.maps)])].sort();
  const changed = names.filter((n) => applied.maps[n] !== next.maps[n]);
  const usage = mapMatchKinds(next.skeleton, changed);
  for (const n of changed) {
    const before = applied.maps[n];
    const after = next.maps[n];
    if (before === undefined || after === undefined) {
      part.reasons.push(`map ${n} ${before === undefined ? 'added' : 'removed'}`);
      if (usage.get(n) !== undefined) part.blocked.push(`map ${n}: file ${before === undefined ? 'added' : 'removed'}`);
      continue;
    }
    const kind = usage.get(n);
    if (kind === undefined) { part.reasons.push(`map ${n} changed (not used by the config)`); continue; }
    const a = parseMapFile(before);
    const z = parseMapFile(after);
    const problem = a.problem ?? z.problem;
    if (kind === 'other') part.blocked.push(`map ${n}: used by a lookup where entry order matters`);
    else if (problem) part.blocked.push(`map ${n}: ${problem}`);
    for (const [k, v] of z.entries) {
      if (!a.entries.has(k)) { part.ops.push({ op: 'add-map', map: n, key: k, value: v }); part.reasons.push(`map ${n}: ${k} added`); }
      else if (a.entries.get(k) !== v) { part.ops.push({ op: 'set-map', map: n, key: k, value: v }); part.reasons.push(`map ${n}: ${k} changed`); }
    }
    for (const k of a.entries.keys()) {
      if (!z.entries.has(k)) { part.ops.push({ op: 'del-map', map: n, key: k }); part.reasons.push(`map ${n}: ${k} removed`); }
    }
    if (kind === 'exact' && !problem && part.ops.every((o) => !('map' in o) || o.map !== n)) {
      // Same entries, different text (order, comments): nothing for HAProxy to do at run time.
      part.reasons.push(`map ${n}: entries reordered`);
    }
  }
  return part;
}

/** Names the sections that differ between two skeletons ("backend web_10000 changed"). */
export function structuralReasons(before: string, after: string): string[] {
  const bodies = (text: string) => {
    const m = new Map<string, string>();
    for (const s of parseSections(text)) m.set(s.header, `${m.get(s.header) ?? ''}${s.body.join('\n')}\n`);
    return m;
  };
  const a = bodies(before);
  const b = bodies(after);
  const reasons: string[] = [];
  for (const [header, body] of b) {
    if (!a.has(header)) reasons.push(`${header} added`);
    else if (a.get(header) !== body) reasons.push(`${header} changed`);
  }
  for (const header of a.keys()) if (!b.has(header)) reasons.push(`${header} removed`);
  if (reasons.length > 0) return reasons;
  const order = (m: Map<string, string>) => [...m.keys()].join('\n');
  return [order(a) === order(b) ? 'comments or blank lines changed' : 'sections reordered'];
}
