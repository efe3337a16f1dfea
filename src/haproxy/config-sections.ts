// Just enough understanding of an HAProxy config to plan run-time changes. Pure.
//
// A section starts at a non-indented, non-comment line (`global`, `defaults [name]`,
// `frontend x`, `backend x`, `listen x`, `userlist x`...). For each backend we need the
// effective load-balancing algorithm (its own `balance`, else the last `defaults` before it)
// and whether `default-server` applies (dynamic servers do not inherit it, so servers added at
// run time would differ from the same line loaded by a reload).

import { boundedMemo } from '../bounded-memo.js';

export interface Section {
  /** The header line, trimmed: "backend web_10000". */
  readonly header: string;
  readonly kind: string;
  readonly name: string;
  /** Body lines, trimmed, without blank lines and comments. */
  readonly body: readonly string[];
}

export function parseSections(text: string): Section[] {
  const sections: Section[] = [];
  let current: { header: string; kind: string; name: string; body: string[] } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    if (/^\S/.test(line)) {
      const [kind = '', name = ''] = t.split(/\s+/);
      current = { header: t, kind, name, body: [] };
      sections.push(current);
    } else if (current) {
      current.body.push(t);
    } else {
      current = { header: '(top)', kind: '(top)', name: '', body: [t] };
      sections.push(current);
    }
  }
  return sections;
}

export interface BackendTraits {
  /** The algorithm, e.g. "roundrobin", "source", "hdr(host)", "static-rr". */
  readonly balance: string;
  readonly hashType: string;
  readonly hasDefaultServer: boolean;
}

/** Effective traits of every backend and listen section, by name. */
export function backendTraits(text: string): Map<string, BackendTraits> {
  const out = new Map<string, BackendTraits>();
  let defaults: BackendTraits = { balance: 'roundrobin', hashType: 'map-based', hasDefaultServer: false };
  for (const s of parseSections(text)) {
    const own = traitsOf(s.body);
    if (s.kind === 'defaults') {
      // Each defaults section replaces the previous one for the sections that follow it.
      defaults = { balance: own.balance ?? 'roundrobin', hashType: own.hashType ?? 'map-based', hasDefaultServer: own.hasDefaultServer };
    } else if (s.kind === 'backend' || s.kind === 'listen') {
      out.set(s.name, {
        balance: own.balance ?? defaults.balance,
        hashType: own.hashType ?? defaults.hashType,
        hasDefaultServer: own.hasDefaultServer || defaults.hasDefaultServer,
      });
    }
  }
  return out;
}

/** The traits of the `defaults` sections of a text (the last one wins), for backendTraitsWith. */
export function defaultsTraits(text: string): BackendTraits {
  let defaults: BackendTraits = { balance: 'roundrobin', hashType: 'map-based', hasDefaultServer: false };
  for (const s of parseSections(text)) {
    if (s.kind !== 'defaults') continue;
    const own = traitsOf(s.body);
    defaults = { balance: own.balance ?? 'roundrobin', hashType: own.hashType ?? 'map-based', hasDefaultServer: own.hasDefaultServer };
  }
  return defaults;
}

/**
 * Effective traits of the backend section(s) in a fragment, over the given defaults. Equal
 * traits are one shared object: a long-running controller keeps one per backend, and thousands
 * of backends have a handful of distinct ones.
 */
export function backendTraitsWith(defaults: BackendTraits, backendText: string): BackendTraits {
  const body = parseSections(backendText).filter((s) => s.kind === 'backend' || s.kind === 'listen').flatMap((s) => s.body);
  const own = traitsOf(body);
  return sharedTraits(own.balance ?? defaults.balance, own.hashType ?? defaults.hashType, own.hasDefaultServer || defaults.hasDefaultServer);
}

const SEP = '\u0000';

/** One object per distinct traits, by key; bounded, since labels can make any `balance`. */
const sharedByKey = boundedMemo((key): BackendTraits => {
  const [balance, hashType, defaultServer] = key.split(SEP) as [string, string, string];
  return { balance, hashType, hasDefaultServer: defaultServer === '1' };
}, 1024);

function sharedTraits(balance: string, hashType: string, hasDefaultServer: boolean): BackendTraits {
  return sharedByKey(`${balance}${SEP}${hashType}${SEP}${hasDefaultServer ? 1 : 0}`);
}

function traitsOf(body: readonly string[]): { balance?: string; hashType?: string; hasDefaultServer: boolean } {
  let balance: string | undefined;
  let hashType: string | undefined;
  let hasDefaultServer = false;
  for (const line of body) {
    const words = line.split(/\s+/);
    // A bare `balance` (marathon-lb's stats listen has one) keeps the default algorithm.
    if (words[0] === 'balance' && words[1]) balance = words[1];
    if (words[0] === 'hash-type' && words[1]) hashType = words[1];
    if (words[0] === 'default-server') hasDefaultServer = true;
  }
  return { balance, hashType, hasDefaultServer };
}

const DYNAMIC_ALGORITHMS = new Set(['roundrobin', 'leastconn', 'first', 'random']);

/**
 * Whether `add server` works on this backend. Checked on 2.6.12: roundrobin, leastconn, first,
 * random and any hash with `hash-type consistent` accept dynamic servers; static-rr and hashes
 * with the default map-based hash-type answer "Backend must use a dynamic load balancing".
 */
export function supportsDynamicServers(t: BackendTraits): boolean {
  const algorithm = t.balance.replace(/\(.*$/, '');
  return DYNAMIC_ALGORITHMS.has(algorithm) || (algorithm !== 'static-rr' && t.hashType === 'consistent');
}

export type MapMatch = 'exact' | 'other';

/**
 * How the config uses each map file (given by file NAME; the config names it by a path ending
 * in `/<name>`): 'exact' when every reference is `map(<path>...)` or `map_str(<path>...)` (a
 * hashed exact lookup, where entry order does not matter), 'other' when any reference is
 * order- or pattern-sensitive (map_beg, map_reg, map_dom, ...), undefined when it is not used.
 */
export function mapMatchKinds(text: string, names: readonly string[]): Map<string, MapMatch | undefined> {
  const out = new Map<string, MapMatch | undefined>();
  for (const name of names) {
    let kind: MapMatch | undefined;
    let from = 0;
    for (;;) {
      const at = text.indexOf(name, from);
      if (at < 0) break;
      from = at + name.length;
      if (/[\w.\-]/.test(text[from] ?? '')) continue; // a longer name that starts with this one
      let start = at;
      while (start > 0 && !/[\s(,]/.test(text[start - 1]!)) start -= 1;
      const path = text.slice(start, at);
      if (path !== '' && !path.endsWith('/')) continue; // "xdomain2backend.map": another file
      const before = text.slice(Math.max(0, start - 12), start);
      const exact = /(?:^|[^\w])map(?:_str)?\($/.test(before);
      kind = exact && kind !== 'other' ? 'exact' : 'other';
    }
    out.set(name, kind);
  }
  return out;
}
