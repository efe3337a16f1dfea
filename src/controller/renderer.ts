// Chooses how the config text is produced (marathon-lb's templates, or an operator's
// whole-file ejs template) and hands the plan structured desired state, per backend.
//
// With templates, every service's fragments are cached by its Service object, so a pass that
// changed one app renders one app. With ejs the template sees the whole cluster: every pass
// renders everything, and any change of the text is a reload.

import {
  assemble, buildMaps, emitConfig, ejsLocals, mapsOnce, withExcluded, withNewline, EjsTemplateError, newFragmentCache, renderFragments, TemplateError,
  type EjsRenderer, type Lookup, type Rendered, type RenderOptions, type ServiceFragments, type TemplateSet,
} from '../config/index.js';
import { defaultsTraits, mapMatchKinds, type BackendDesired, type BackendTraits, type DesiredState } from '../haproxy/index.js';
import type { Model, Service, Skipped } from '../model/types.js';
import { backendDesired } from './desired-state.js';

export type FullRender =
  | { readonly ok: true; readonly rendered: Rendered; readonly desired: DesiredState & { readonly backends: Map<string, BackendDesired> } }
  | { readonly ok: false; readonly error: TemplateError };

export interface ModelRenderer {
  /** False for a whole-file ejs template: only full renders make sense. */
  readonly incremental: boolean;
  /** The desired backends of some services (one app's, usually), from cached fragments. */
  backendsOf(services: readonly Service[]): { backends: Map<string, BackendDesired>; excluded: Skipped[] };
  /** The whole config, for writing it and for structural changes. */
  full(model: Model): FullRender;
  /** The map files of a model (fragments come from the cache). */
  maps(model: Model): Readonly<Record<string, string>>;
  /**
   * The config's text and the maps (writing the files after runtime changes): the config as
   * its pieces, which the writer writes out in slices (see emitConfig). Fragments come from the
   * cache; only the pieces' list is made here.
   */
  pieces(model: Model): { ok: true; pieces: Iterable<string>; maps: Readonly<Record<string, string>> } | { ok: false; error: TemplateError };
}

/** The text of each non-empty piece of the config, ending its line (as ConfigBuilder joins them). */
function lines(frags: readonly ServiceFragments[], lookup: Lookup, options: RenderOptions): string[] {
  const out: string[] = [];
  emitConfig(frags, lookup, options, (text) => { if (text !== '') out.push(withNewline(text)); });
  return out;
}

export function createRenderer(templates: TemplateSet, options: RenderOptions, ejs?: EjsRenderer): ModelRenderer {
  const lookup: Lookup = { templates, builtins: options.builtins };
  const cache = newFragmentCache();
  let defaults: BackendTraits | undefined;
  const traits = (): BackendTraits => (defaults ??= defaultsTraits(assemble([], lookup, options).frameText));

  const desiredOf = (frags: readonly ServiceFragments[]): Map<string, BackendDesired> => {
    const d = traits();
    const out = new Map<string, BackendDesired>();
    for (const f of frags) out.set(f.service.backend, backendDesired(f, d, options.groupHttpsByVhost && !options.dontBindHttpHttps));
    return out;
  };

  const full = (model: Model): FullRender => {
    try {
      const { frags, excluded } = renderFragments(model.services, lookup, options, cache);
      // The applied state keeps the desired state until the next full pass: no closure here
      // may hold `rendered`, whose config text (~8 MiB at 10,000 apps, flat once written) and
      // builder output would be kept with it.
      const maps = mapsOnce(frags, options.haproxyMap);
      const rendered: Rendered = withExcluded(assemble(frags, lookup, options, maps), excluded);
      const frameText = rendered.frameText;
      if (!ejs) {
        const desired = { backends: desiredOf(frags), frame: '', maps, mapKinds: (names: readonly string[]) => mapMatchKinds(frameText, names) };
        return { ok: true, rendered, desired };
      }
      let config: string;
      try {
        config = ejs(ejsLocals(model, options.haproxyDir, options.sslCerts, options.builtins));
      } catch (err) {
        const message = err instanceof EjsTemplateError || err instanceof Error ? err.message : String(err);
        return { ok: false, error: new TemplateError('--ejs-template', 'file', `ejs template failed: ${message}`) };
      }
      // Whole-file templates have no known structure: every change is a reload, and HAProxy's
      // complaints cannot be traced to one app.
      const text: Rendered = { config, skeleton: config, servers: {}, owners: [], excluded: rendered.excluded, frameText: rendered.frameText, maps: rendered.maps };
      return {
        ok: true,
        rendered: text,
        desired: { backends: new Map(), frame: config, maps, mapKinds: (names) => mapMatchKinds(config, names) },
      };
    } catch (err) {
      if (err instanceof TemplateError) return { ok: false, error: err };
      throw err;
    }
  };

  return {
    incremental: ejs === undefined,
    backendsOf(services) {
      const { frags, excluded } = renderFragments(services, lookup, options, cache);
      return { backends: desiredOf(frags), excluded };
    },
    full,
    pieces(model) {
      if (ejs) {
        const out = full(model);
        return out.ok ? { ok: true, pieces: [out.rendered.config], maps: out.rendered.maps } : out;
      }
      try {
        const frags = renderFragments(model.services, lookup, options, cache).frags;
        return { ok: true, pieces: lines(frags, lookup, options), maps: buildMaps(frags, options.haproxyMap) };
      } catch (err) {
        if (err instanceof TemplateError) return { ok: false, error: err };
        throw err;
      }
    },
    maps(model) {
      return buildMaps(renderFragments(model.services, lookup, options, cache).frags, options.haproxyMap);
    },
  };
}
