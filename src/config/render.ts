// Model + templates -> the haproxy.cfg text and the two map files (spec §3.2 layout).
// Pure and deterministic: the model is sorted, and every ordering below is stable.

import type { Model, Service, Skipped } from '../model/types.js';
import { ConfigBuilder, type OwnedRange } from './config-builder.js';
import { sanitize } from './naming.js';
import { serviceFragments, type FragmentOptions, type ServiceFragments } from './service-fragments.js';
import { fillTemplate, TemplateError, type BuiltinValues, type Lookup } from './template-lookup.js';
import type { TemplateSet } from './template-set.js';

export const DOMAIN_MAP = 'domain2backend.map';
export const APP_MAP = 'app2backend.map';

export interface RenderOptions {
  /** Directory of haproxy.cfg: where the map files live. */
  readonly haproxyDir: string;
  readonly sslCerts: readonly string[];
  readonly haproxyMap: boolean;
  readonly dontBindHttpHttps: boolean;
  readonly groupHttpsByVhost: boolean;
  readonly builtins: BuiltinValues;
}

export interface Rendered {
  readonly config: string;
  /** The config without task server lines: equal skeletons mean servers can change at run time. */
  readonly skeleton: string;
  /** backend -> server name -> the server line's arguments. */
  readonly servers: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly maps: Readonly<Record<string, string>>;
  /** Services left out because their own templates or labels could not be rendered. */
  readonly excluded: readonly Skipped[];
  /** Which app produced which lines (to trace HAProxy's complaints back to an app). */
  readonly owners: readonly OwnedRange[];
  /** The text no service owns: global templates and the shared map lookup lines. */
  readonly frameText: string;
}

export type RenderOutcome =
  | { readonly ok: true; readonly rendered: Rendered }
  | { readonly ok: false; readonly error: TemplateError };

/**
 * Rendered fragments per Service object. Services of apps that did not change are the same
 * objects from pass to pass (see controller/cluster-model.ts), so their fragments are reused;
 * a cache belongs to one template set and one set of options.
 */
export type FragmentCache = WeakMap<Service, { readonly appIdTarget: boolean; readonly result: ServiceFragments | Skipped }>;

export function newFragmentCache(): FragmentCache {
  return new WeakMap();
}

export function render(model: Model, templates: TemplateSet, opts: RenderOptions, cache?: FragmentCache): RenderOutcome {
  try {
    const lookup: Lookup = { templates, builtins: opts.builtins };
    const { frags, excluded } = renderFragments(model.services, lookup, opts, cache);
    return { ok: true, rendered: withExcluded(assemble(frags, lookup, opts), excluded) };
  } catch (err) {
    if (err instanceof TemplateError) return { ok: false, error: err };
    throw err;
  }
}

/** Adds the excluded list without reading the lazy parts of an assembled config. */
export function withExcluded(a: Omit<Rendered, 'excluded'>, excluded: readonly Skipped[]): Rendered {
  return Object.defineProperty(a, 'excluded', { value: excluded, enumerable: true }) as Rendered;
}

/** Each service's fragments (from the cache when its Service object was rendered before). */
export function renderFragments(
  services: readonly Service[], lookup: Lookup, opts: RenderOptions, cache?: FragmentCache,
): { frags: ServiceFragments[]; excluded: Skipped[] } {
  const bind = !opts.dontBindHttpHttps;
  const excluded: Skipped[] = [];
  const frags: ServiceFragments[] = [];
  const appIdTaken = new Set<string>();
  for (const s of services) {
    const appIdTarget = s.mode === 'http' && !appIdTaken.has(s.appId);
    let hit = cache?.get(s);
    if (hit === undefined || hit.appIdTarget !== appIdTarget) {
      hit = { appIdTarget, result: fragmentsOrSkip(s, lookup, { haproxyDir: opts.haproxyDir, haproxyMap: opts.haproxyMap, bindHttpHttps: bind, appIdTarget }) };
      cache?.set(s, hit);
    }
    if ('service' in hit.result) {
      frags.push(hit.result);
      if (appIdTarget) appIdTaken.add(s.appId);
    } else {
      excluded.push(hit.result);
    }
  }
  return { frags, excluded };
}

function fragmentsOrSkip(s: Service, lookup: Lookup, fo: FragmentOptions): ServiceFragments | Skipped {
  try {
    return serviceFragments(s, lookup, fo);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    return {
      appId: s.appId, index: s.index, label: err.where,
      reason: /line break|NUL/.test(err.message) ? 'UNSAFE_VALUE' : 'INVALID_TEMPLATE',
      message: `app ${s.appId}: ${err.message}`,
    };
  }
}

/** The whole config from every service's fragments, in marathon-lb's section order. */
export function assemble(frags: readonly ServiceFragments[], lookup: Lookup, opts: RenderOptions): Omit<Rendered, 'excluded'> {
  const bind = !opts.dontBindHttpHttps;
  const b = new ConfigBuilder();
  // The text no service owns (global templates, the shared map lookups): it says how the maps are read.
  let frameText = '';
  const global = (name: string, values: Record<string, string> = {}): string => {
    const text = fillTemplate(lookup, name, values);
    frameText += text;
    return text;
  };
  const shared = (text: string): string => { frameText += text; return text; };
  // A Service carries its app and index: it is its own chunks' owner (no object per chunk).
  const owner = (s: Service): Service => s;
  const byWeight = [...frags].sort((x, y) => y.service.backendWeight - x.service.backendWeight);
  const sslCerts = opts.sslCerts.map((c) => `crt ${c}`).join(' ');

  b.add(global('HEAD'));
  for (const f of frags) b.add(f.userlist, owner(f.service));

  if (bind) {
    b.add(global('HTTP_FRONTEND_HEAD'));
    for (const f of byWeight) if (f.routing) b.add(f.routing.http.join(''), owner(f.service));
    b.add(shared(firstOf(frags, (f) => f.httpMapLine)));
  }

  b.add(global('HTTP_FRONTEND_APPID_HEAD'));
  for (const f of frags) b.add(f.appIdLines, owner(f.service));
  b.add(shared(firstOf(frags, (f) => f.appIdMapLine)));

  if (bind && !opts.groupHttpsByVhost) {
    b.add(global('HTTPS_FRONTEND_HEAD', { sslCerts }));
    for (const f of byWeight) if (f.routing) b.add(f.routing.https.map((h) => h.text).join(''), owner(f.service));
    b.add(shared(firstOf(frags, (f) => f.httpsMapLine)));
  } else if (bind) {
    addGroupedHttps(b, byWeight, global, opts.sslCerts);
  }

  for (const f of frags) b.add(f.frontend, owner(f.service));
  for (const f of frags) {
    b.add(f.backend, owner(f.service));
    for (const srv of f.servers) b.addServer(f.service.backend, srv.text, owner(f.service));
  }

  const built = b.build();
  let maps: Record<string, string> | undefined;
  return {
    config: built.config,
    get skeleton() { return built.skeleton; },
    get servers() { return built.servers; },
    get owners() { return built.owners; },
    get maps() { return (maps ??= buildMaps(frags, opts.haproxyMap)); },
    frameText,
  };
}

function firstOf(frags: readonly ServiceFragments[], pick: (f: ServiceFragments) => string | undefined): string {
  for (const f of frags) {
    const v = pick(f);
    if (v !== undefined) return v;
  }
  return '';
}

/** Map files list entries in service order; a repeated pair is written once. */
export function buildMaps(frags: readonly ServiceFragments[], haproxyMap: boolean): Record<string, string> {
  if (!haproxyMap) return { [DOMAIN_MAP]: '', [APP_MAP]: '' };
  const lines = (pairs: Array<[string, string]>): string => {
    const seen = new Set<string>();
    let out = '';
    for (const [k, v] of pairs) {
      const line = `${k} ${v}\n`;
      if (!seen.has(line)) { seen.add(line); out += line; }
    }
    return out;
  };
  return {
    [DOMAIN_MAP]: lines(frags.flatMap((f) => f.routing?.domainEntries ?? [])),
    [APP_MAP]: lines(frags.flatMap((f) => f.appEntries)),
  };
}

/**
 * --group-https-by-vhost: :443 becomes a TCP SNI switch; each vhost gets a loopback backend
 * and its own TLS frontend carrying that vhost's certificates, bind options and rules.
 */
function addGroupedHttps(
  b: ConfigBuilder,
  byWeight: readonly ServiceFragments[],
  global: (name: string, values?: Record<string, string>) => string,
  defaultCerts: readonly string[],
): void {
  interface VhostGroup { rules: Array<{ text: string; s: Service }>; certs: string[]; bindOpts: string[]; mapLine: string | undefined }
  const groups = new Map<string, VhostGroup>();
  const group = (v: string): VhostGroup => {
    let g = groups.get(v);
    if (!g) { g = { rules: [], certs: [], bindOpts: [], mapLine: undefined }; groups.set(v, g); }
    return g;
  };
  for (const f of byWeight) {
    if (!f.routing) continue;
    const s = f.service;
    for (const v of s.vhosts) {
      const g = group(v);
      if (s.sslCert && !g.certs.includes(s.sslCert)) g.certs.push(s.sslCert);
      if (s.bindOptions && !g.bindOpts.includes(s.bindOptions)) g.bindOpts.push(s.bindOptions);
      // A path ACL (vhost '') belongs to every vhost of its service.
      const text = f.routing.https.filter((h) => h.vhost === '' || h.vhost === v).map((h) => h.text).join('');
      if (text) g.rules.push({ text, s });
      if (f.httpsMapLine && g.mapLine === undefined) g.mapLine = f.httpsMapLine;
    }
  }
  const vhosts = [...groups.keys()].sort();
  b.add(global('HTTPS_GROUPED_FRONTEND_HEAD'));
  for (const v of vhosts) b.add(global('HTTPS_GROUPED_VHOST_FRONTEND_ACL', { backend: sanitize(v), host: v }));
  for (const v of vhosts) {
    const g = groups.get(v)!;
    const name = sanitize(v);
    const certs = (g.certs.length > 0 ? g.certs : defaultCerts).map((c) => `crt ${c}`).join(' ');
    b.add(global('HTTPS_GROUPED_VHOST_BACKEND_HEAD', { name }));
    b.add(global('HTTPS_GROUPED_VHOST_FRONTEND_HEAD', { name, sslCerts: certs, bindOpts: g.bindOpts.map((o) => ` ${o}`).join('') }));
    for (const r of g.rules) b.add(r.text, r.s);
    b.add(g.mapLine ?? '');
  }
}
