// Model + templates -> the haproxy.cfg text and the two map files (spec §3.2 layout).
// Pure and deterministic: the model is sorted, and every ordering below is stable.

import type { Model, Service, Skipped } from '../model/types.js';
import { ConfigBuilder, type OwnedRange } from './config-builder.js';
import { emitConfig } from './config-pieces.js';
import { serviceFragments, type FragmentOptions, type ServiceFragments } from './service-fragments.js';
import { TemplateError, type BuiltinValues, type Lookup } from './template-lookup.js';
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

/**
 * The map files of `frags`, built on the first call. Made here rather than in a caller so that
 * the closure holds only the fragments: one that keeps it (a desired state) keeps no config text.
 */
export function mapsOnce(frags: readonly ServiceFragments[], haproxyMap: boolean): () => Readonly<Record<string, string>> {
  let maps: Record<string, string> | undefined;
  return () => (maps ??= buildMaps(frags, haproxyMap));
}

/**
 * The whole config from every service's fragments, in marathon-lb's section order. `maps`: the
 * memo its map files come from, when the caller keeps the maps longer than the text.
 */
export function assemble(
  frags: readonly ServiceFragments[], lookup: Lookup, opts: RenderOptions, maps = mapsOnce(frags, opts.haproxyMap),
): Omit<Rendered, 'excluded'> {
  const b = new ConfigBuilder();
  let frameText = '';
  emitConfig(frags, lookup, opts, (text, owner, server) => {
    if (server !== undefined) b.addServer(server, text, owner!);
    else b.add(text, owner);
  }, (text) => { frameText += text; });
  const built = b.build();
  return {
    config: built.config,
    get skeleton() { return built.skeleton; },
    get servers() { return built.servers; },
    get owners() { return built.owners; },
    get maps() { return maps(); },
    frameText,
  };
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
