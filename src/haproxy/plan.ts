// Decides how to bring HAProxy from what it runs to what it should run: nothing, run-time API
// changes (task servers and map entries), or a reload. Pure. Every decision carries reasons.
//
// It compares structured state, per backend, as the renderer handed it over (see
// controller/desired-state.ts): a backend whose structure (everything but its task server
// lines) changed, appeared or went away needs a reload. Otherwise its servers change at run time
// when every change can be expressed on the socket: the backend's algorithm takes dynamic
// servers, no `default-server` would be silently skipped, each new server line uses only keywords
// `add server` accepts, and map edits target maps read by exact-match lookups. A server whose
// arguments change under the same name is updated in place (weight, maintenance) or reloaded;
// it is never deleted and re-added, which would empty a one-server backend.

import { parseSections, supportsDynamicServers, type BackendTraits, type MapMatch } from './config-sections.js';
import { checkDynamicServerArgs } from './dynamic-server-args.js';
import { createHash } from 'node:crypto';

/** Its fields other than appId may be made on each read (controller/desired-state.ts): read each once and keep it for the pass. */
export interface BackendDesired {
  /** The served app this backend belongs to. */
  readonly appId: string;
  /** Everything the service puts in the config except its task server lines (opaque, compared for equality). */
  readonly structure: string;
  /** The backend's effective balance algorithm, hash type and default-server use. */
  readonly traits: BackendTraits;
  /** server name -> the arguments after `server <name> `. */
  readonly servers: Readonly<Record<string, string>>;
  /** The service's map entries (opaque): equal on both sides means its map entries did not change. */
  readonly mapEntries: string;
}

/** What the plan reads of a set of backends (a Map, or a view with a few replaced). */
export interface BackendLookup {
  get(name: string): BackendDesired | undefined;
  keys(): Iterable<string>;
  readonly size: number;
}

export interface DesiredState {
  readonly backends: BackendLookup;
  /**
   * What decides the config beyond the backends: empty for marathon-lb's templates (their
   * global parts are fixed for the life of the process), the whole text for an ejs template.
   */
  readonly frame: string;
  /** The map files (name -> content); computed only when some map entries changed. */
  maps(): Readonly<Record<string, string>>;
  /** How the config reads each map (exact lookups can change at run time). */
  mapKinds(names: readonly string[]): Map<string, MapMatch | undefined>;
}

export type RuntimeOp =
  | { readonly op: 'add-server'; readonly backend: string; readonly server: string; readonly args: string }
  /** Take the server out of load balancing and wait (bounded) for its sessions to end. */
  | { readonly op: 'drain-server'; readonly backend: string; readonly server: string }
  /**
   * Stop its checks, maintenance, cut what is left (follows a drain-server of the same server).
   * The server is not deleted: `del server` crashes HAProxy 2.6 when a stream still refers to the
   * server (reproduced here under a request loop), so it stays, retired, until the next reload.
   */
  | { readonly op: 'retire-server'; readonly backend: string; readonly server: string }
  /** A retired server (still in HAProxy, in maintenance) wanted again with the same line: checks back on, ready. */
  | { readonly op: 'revive-server'; readonly backend: string; readonly server: string; readonly args: string }
  | { readonly op: 'set-addr'; readonly backend: string; readonly server: string; readonly addr: string; readonly port: number }
  | { readonly op: 'set-weight'; readonly backend: string; readonly server: string; readonly weight: number }
  | { readonly op: 'set-state'; readonly backend: string; readonly server: string; readonly state: 'ready' | 'drain' | 'maint' }
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

/**
 * `names`, when given, lists the only backends that may differ (the backends of the apps a pass
 * re-read): the plan then costs what the change costs, not what the cluster costs.
 */
export function planChange(applied: DesiredState | undefined, next: DesiredState, names?: Iterable<string>, retired: RetiredServers = new Map()): Plan {
  if (!applied) return { kind: 'reload', reasons: ['no configuration applied yet'], ops: [] };
  if (applied.frame !== next.frame) {
    return { kind: 'reload', reasons: applied.backends.size + next.backends.size === 0 ? structuralReasons(applied.frame, next.frame) : ['configuration changed'], ops: [] };
  }
  const list = names ? [...new Set(names)].sort() : [...new Set([...applied.backends.keys(), ...next.backends.keys()])].sort();
  const structural: string[] = [];
  const part: Part = { reasons: [], blocked: [], ops: [] };
  const order: Order = { early: [], drains: [], dels: [] };
  let mapsMayDiffer = false;
  for (const name of list) {
    const a = applied.backends.get(name);
    const b = next.backends.get(name);
    if (a === b) continue;
    if (a?.mapEntries !== b?.mapEntries) mapsMayDiffer = true;
    if (!a) { structural.push(`backend ${name} added`); continue; }
    if (!b) { structural.push(`backend ${name} removed`); continue; }
    if (a.structure !== b.structure) { structural.push(`backend ${name} changed`); continue; }
    planServers(name, a, b, part, order, retired.get(name));
  }
  if (structural.length > 0) return { kind: 'reload', reasons: structural, ops: [] };
  part.ops.push(...order.early, ...order.drains, ...order.dels);
  if (mapsMayDiffer) planMaps(applied, next, part);
  if (part.blocked.length > 0) return { kind: 'reload', reasons: [...part.reasons, ...part.blocked], ops: [] };
  if (part.reasons.length === 0) return { kind: 'noop', reasons: [], ops: [] };
  return { kind: 'runtime', reasons: part.reasons, ops: part.ops };
}

interface Part { reasons: string[]; blocked: string[]; ops: RuntimeOp[] }
interface Order { early: RuntimeOp[]; drains: RuntimeOp[]; dels: RuntimeOp[] }

/** Servers retired at run time and still in HAProxy: backend -> server name -> its arguments. */
export type RetiredServers = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** Each backend's servers, read at most once (BackendDesired may make them on every read); {} for an unknown backend. */
export function serversReader(backends: BackendLookup): (name: string) => Readonly<Record<string, string>> {
  const known = new Map<string, Readonly<Record<string, string>>>();
  return (name) => {
    let servers = known.get(name);
    if (servers === undefined) known.set(name, (servers = backends.get(name)?.servers ?? {}));
    return servers;
  };
}

/** The retired servers after a runtime plan ran (`applied`: the backends before it, for their arguments). */
export function retiredAfter(before: RetiredServers, ops: readonly RuntimeOp[], applied: BackendLookup): Map<string, Map<string, string>> {
  const out = new Map([...before].map(([b, m]) => [b, new Map(m)]));
  const serversOf = serversReader(applied);
  for (const op of ops) {
    if (op.op === 'retire-server') {
      const args = serversOf(op.backend)[op.server] ?? '';
      (out.get(op.backend) ?? out.set(op.backend, new Map()).get(op.backend)!).set(op.server, args);
    } else if (op.op === 'revive-server' || op.op === 'add-server') {
      out.get(op.backend)?.delete(op.server);
    }
  }
  for (const [b, m] of out) if (m.size === 0) out.delete(b);
  return out;
}

export function retiredCount(r: RetiredServers): number {
  let n = 0;
  for (const m of r.values()) n += m.size;
  return n;
}

const idOf = (args: string | undefined): number | undefined => {
  const m = /(?:^|\s)id\s+(\d+)(?:\s|$)/.exec(args ?? '');
  return m ? Number(m[1]) : undefined;
};

function withId(args: string, id: number): string {
  return args.replace(/(^|\s)id\s+\d+(?=\s|$)/, `$1id ${id}`);
}

/** The arguments as words, with `weight N` and `disabled` taken out (they can change in place). */
function fixedPart(args: string): { rest: string; weight: number | undefined; disabled: boolean } {
  const words = args.trim().split(/\s+/);
  const rest: string[] = [];
  let weight: number | undefined;
  let disabled = false;
  for (let i = 0; i < words.length; i += 1) {
    const w = words[i]!;
    if (w === 'weight' && i + 1 < words.length && /^\d+$/.test(words[i + 1]!)) { weight = Number(words[i + 1]); i += 1; continue; }
    if (w === 'disabled') { disabled = true; continue; }
    rest.push(w);
  }
  return { rest: rest.join(' '), weight, disabled };
}

function planServers(b: string, applied: BackendDesired, next: BackendDesired, part: Part, order: Order, retired?: ReadonlyMap<string, string>): void {
  const before = applied.servers;
  const after = next.servers;
  const t = next.traits;
  const leaving: string[] = [];
  const arriving: string[] = [];
  for (const n of Object.keys(before).sort()) {
    if (after[n] === undefined) leaving.push(n);
    else if (before[n] !== after[n]) changedInPlace(b, n, before[n]!, after[n]!, part, order);
  }
  for (const n of Object.keys(after).sort()) if (before[n] === undefined) arriving.push(n);
  if (leaving.length === 0 && arriving.length === 0) return;
  for (const n of leaving) part.reasons.push(`backend ${b}: server removed ${n}`);
  for (const n of arriving) part.reasons.push(`backend ${b}: server added ${n}`);
  if (!supportsDynamicServers(t)) {
    part.blocked.push(`backend ${b}: balance ${t.balance}${t.hashType === 'consistent' ? '' : ` (hash-type ${t.hashType})`} does not allow servers to change at run time`);
    return;
  }
  if (arriving.length > 0 && t.hasDefaultServer) {
    part.blocked.push(`backend ${b}: default-server settings do not apply to servers added at run time`);
    return;
  }
  for (const n of arriving) {
    const check = checkDynamicServerArgs(after[n]!);
    if (!check.ok) part.blocked.push(`backend ${b}: server ${n}: ${check.problem}`);
    // The same task address came back (a port reused): the retired server can serve again
    // only with the very same line; HAProxy refuses a second server of that name.
    const old = retired?.get(n);
    if (old !== undefined && old !== after[n]) part.blocked.push(`backend ${b}: server ${n} was retired with other arguments`);
  }
  // Order matters for zero downtime: new servers first (a one-server backend is never empty),
  // then drains, then retirements.
  for (const n of leaving) {
    order.drains.push({ op: 'drain-server', backend: b, server: n });
    order.dels.push({ op: 'retire-server', backend: b, server: n });
  }
  const taken = idsHeld(before, retired);
  for (const n of arriving) {
    if (retired?.has(n)) { order.early.push({ op: 'revive-server', backend: b, server: n, args: after[n]! }); continue; }
    const id = idOf(after[n]);
    order.early.push({ op: 'add-server', backend: b, server: n, args: id !== undefined && taken.has(id) ? withId(after[n]!, runtimeId(b, n, taken)) : after[n]! });
    if (id !== undefined) taken.add(id);
  }
}

/**
 * The ids HAProxy may still have in a backend: every applied server's (the leaving ones are
 * drained and retired, not deleted) and every retired one's. A newcomer's config id can be one
 * of them (ids hash the server's name, and a leaving server's id is free in the next config).
 */
function idsHeld(before: Readonly<Record<string, string>>, retired: ReadonlyMap<string, string> | undefined): Set<number> {
  const out = new Set<number>();
  for (const args of [...Object.values(before), ...(retired?.values() ?? [])]) {
    const id = idOf(args);
    if (id !== undefined) out.add(id);
  }
  return out;
}

/** Config ids are 1..32766 (a hash mod 32767): ids given at run time are above, so they never take a later newcomer's config id. */
const RUNTIME_IDS_FROM = 32767;
const RUNTIME_IDS = 2 ** 31 - 1 - RUNTIME_IDS_FROM;

/**
 * An id for a newcomer whose config id a server still in HAProxy has: HAProxy refuses an id twice
 * in a backend, and numbering it itself would give the lowest free id, which a later newcomer's
 * config id can be. Spread by a hash of the name so that ids given in earlier passes (not known
 * here once their server is applied) are not met; the file keeps the config id, which the next
 * reload restores.
 */
function runtimeId(backend: string, server: string, taken: Set<number>): number {
  let id = RUNTIME_IDS_FROM + (createHash('sha256').update(`${backend}/${server}`).digest().readUInt32BE(0) % RUNTIME_IDS);
  while (taken.has(id)) id = id + 1 >= 2 ** 31 ? RUNTIME_IDS_FROM : id + 1;
  taken.add(id);
  return id;
}

/** Same server, other arguments: a weight or a maintenance flag changes in place; anything else reloads. */
function changedInPlace(b: string, n: string, before: string, after: string, part: Part, order: Order): void {
  const x = fixedPart(before);
  const y = fixedPart(after);
  if (x.rest !== y.rest) {
    part.reasons.push(`backend ${b}: server changed ${n}`);
    part.blocked.push(`backend ${b}: server ${n}: arguments changed (${y.rest}); a reload updates them without emptying the backend`);
    return;
  }
  if (x.weight !== y.weight) {
    part.reasons.push(`backend ${b}: server ${n} weight ${y.weight ?? 1}`);
    order.early.push({ op: 'set-weight', backend: b, server: n, weight: y.weight ?? 1 });
  }
  if (x.disabled !== y.disabled) {
    part.reasons.push(`backend ${b}: server ${n} ${y.disabled ? 'disabled' : 'enabled'}`);
    // A server being disabled drains (its sessions finish); one being enabled takes traffic at once.
    (y.disabled ? order.drains : order.early).push({ op: 'set-state', backend: b, server: n, state: y.disabled ? 'drain' : 'ready' });
  }
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

function planMaps(appliedState: DesiredState, nextState: DesiredState, part: Part): void {
  const applied = appliedState.maps();
  const next = nextState.maps();
  const names = [...new Set([...Object.keys(applied), ...Object.keys(next)])].sort();
  const changed = names.filter((n) => applied[n] !== next[n]);
  const usage = nextState.mapKinds(changed);
  for (const n of changed) {
    const before = applied[n];
    const after = next[n];
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
    const opsBefore = part.ops.length;
    for (const [k, v] of z.entries) {
      if (!a.entries.has(k)) { part.ops.push({ op: 'add-map', map: n, key: k, value: v }); part.reasons.push(`map ${n}: ${k} added`); }
      else if (a.entries.get(k) !== v) { part.ops.push({ op: 'set-map', map: n, key: k, value: v }); part.reasons.push(`map ${n}: ${k} changed`); }
    }
    for (const k of a.entries.keys()) {
      if (!z.entries.has(k)) { part.ops.push({ op: 'del-map', map: n, key: k }); part.reasons.push(`map ${n}: ${k} removed`); }
    }
    if (kind === 'exact' && !problem && part.ops.length === opsBefore) {
      // Same entries, different text (order, comments): nothing for HAProxy to do at run time.
      part.reasons.push(`map ${n}: entries reordered`);
    }
  }
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
