// Decides how to bring HAProxy from what it runs to what it should run: nothing, run-time API
// changes (task servers and map entries), or a reload. Pure. Every decision carries reasons.

export interface DesiredState {
  readonly config: string;
  /** The config without task server lines. */
  readonly skeleton: string;
  /** backend -> server name -> the arguments after `server <name> `. */
  readonly servers: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** map file name -> content. */
  readonly maps: Readonly<Record<string, string>>;
}

export type RuntimeOp =
  | { readonly op: 'add-server'; readonly backend: string; readonly server: string; readonly args: string }
  | { readonly op: 'del-server'; readonly backend: string; readonly server: string }
  | { readonly op: 'add-map'; readonly map: string; readonly key: string; readonly value: string }
  | { readonly op: 'set-map'; readonly map: string; readonly key: string; readonly value: string }
  | { readonly op: 'del-map'; readonly map: string; readonly key: string };

export interface Plan {
  readonly kind: 'noop' | 'runtime' | 'reload';
  readonly reasons: string[];
  readonly ops: RuntimeOp[];
}

/** Keywords `add server` accepts on 2.6 among those our server lines use (checked on 2.6.12: not `cookie`). */
const DYNAMIC_KEYWORDS = new Set(['id', 'check', 'inter', 'fall', 'rise', 'port', 'disabled', 'weight', 'maxconn']);
const KEYWORDS_WITH_VALUE = new Set(['id', 'inter', 'fall', 'rise', 'port', 'weight', 'maxconn']);

/** Can this server line be created with `add server`? */
export function isDynamicCapable(args: string): boolean {
  const words = args.trim().split(/\s+/);
  if (!/^[^\s]+:\d+$/.test(words[0] ?? '')) return false;
  for (let i = 1; i < words.length; i += 1) {
    const w = words[i]!;
    if (w.startsWith('#')) return false;
    if (!DYNAMIC_KEYWORDS.has(w)) return false;
    if (KEYWORDS_WITH_VALUE.has(w)) i += 1;
  }
  return true;
}

/** Backends whose balance algorithm cannot take dynamic servers (static-rr, consistent hashing). */
function staticBackends(skeleton: string): Set<string> {
  const out = new Set<string>();
  let current: string | undefined;
  for (const line of skeleton.split('\n')) {
    const section = /^(backend|listen|frontend|defaults|global|userlist|peers|resolvers)\s*(\S*)/.exec(line);
    if (section) { current = section[1] === 'backend' || section[1] === 'listen' ? section[2] : undefined; continue; }
    if (current && /^\s+(balance\s+static-rr|hash-type\s+consistent)/.test(line)) out.add(current);
  }
  return out;
}

function mapEntries(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const i = t.search(/\s/);
    const key = i < 0 ? t : t.slice(0, i);
    // HAProxy uses the first matching line, so the first one of a key is what counts.
    if (!m.has(key)) m.set(key, i < 0 ? '' : t.slice(i).trim());
  }
  return m;
}

export function planChange(applied: DesiredState | undefined, next: DesiredState): Plan {
  if (!applied) return { kind: 'reload', reasons: ['first configuration'], ops: [] };
  const mapNames = new Set([...Object.keys(applied.maps), ...Object.keys(next.maps)]);
  const mapsEqual = [...mapNames].every((n) => (applied.maps[n] ?? '') === (next.maps[n] ?? ''));
  if (applied.config === next.config && mapsEqual) return { kind: 'noop', reasons: [], ops: [] };

  if (applied.skeleton !== next.skeleton) return { kind: 'reload', reasons: structuralReasons(applied.skeleton, next.skeleton), ops: [] };

  const reasons: string[] = [];
  const ops: RuntimeOp[] = [];
  const blocked: string[] = [];
  const fixed = staticBackends(next.skeleton);
  const backends = [...new Set([...Object.keys(applied.servers), ...Object.keys(next.servers)])].sort();
  for (const b of backends) {
    const before = applied.servers[b] ?? {};
    const after = next.servers[b] ?? {};
    for (const name of Object.keys(before).sort()) {
      if (after[name] === before[name]) continue;
      ops.push({ op: 'del-server', backend: b, server: name });
      reasons.push(`backend ${b}: server ${after[name] === undefined ? 'removed' : 'changed'} ${name}`);
    }
    for (const name of Object.keys(after).sort()) {
      if (before[name] === after[name]) continue;
      ops.push({ op: 'add-server', backend: b, server: name, args: after[name]! });
      if (before[name] === undefined) reasons.push(`backend ${b}: server added ${name}`);
      if (!isDynamicCapable(after[name]!)) blocked.push(`backend ${b}: server ${name} uses options add server cannot set`);
    }
    if ((Object.keys(before).length > 0 || Object.keys(after).length > 0) && fixed.has(b) && ops.some((o) => 'backend' in o && o.backend === b)) {
      blocked.push(`backend ${b}: its balance algorithm does not allow dynamic servers`);
    }
  }
  for (const n of [...mapNames].sort()) {
    const before = mapEntries(applied.maps[n] ?? '');
    const after = mapEntries(next.maps[n] ?? '');
    for (const [k, v] of after) {
      if (!before.has(k)) { ops.push({ op: 'add-map', map: n, key: k, value: v }); reasons.push(`map ${n}: ${k} added`); }
      else if (before.get(k) !== v) { ops.push({ op: 'set-map', map: n, key: k, value: v }); reasons.push(`map ${n}: ${k} changed`); }
    }
    for (const k of before.keys()) if (!after.has(k)) { ops.push({ op: 'del-map', map: n, key: k }); reasons.push(`map ${n}: ${k} removed`); }
  }
  if (blocked.length > 0) return { kind: 'reload', reasons: [...reasons, ...blocked], ops: [] };
  if (ops.length === 0) return { kind: 'reload', reasons: ['config text changed'], ops: [] };
  return { kind: 'runtime', reasons, ops };
}

/** Names the sections that differ between two skeletons ("backend web_10000 changed"). */
export function structuralReasons(before: string, after: string): string[] {
  const a = sections(before);
  const b = sections(after);
  const reasons: string[] = [];
  for (const [name, text] of b) {
    if (!a.has(name)) reasons.push(`${name} added`);
    else if (a.get(name) !== text) reasons.push(`${name} changed`);
  }
  for (const name of a.keys()) if (!b.has(name)) reasons.push(`${name} removed`);
  return reasons.length > 0 ? reasons : ['section order changed'];
}

function sections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let name = 'preamble';
  let body = '';
  for (const line of text.split('\n')) {
    if (/^\S/.test(line) && !line.startsWith('#')) {
      out.set(name, (out.get(name) ?? '') + body);
      name = line.trim();
      body = '';
    } else body += `${line}\n`;
  }
  out.set(name, (out.get(name) ?? '') + body);
  return out;
}
