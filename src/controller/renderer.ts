// Chooses how the config text is produced: marathon-lb's templates, or an operator's whole-file
// ejs template. Either way the map files come from the template renderer.

import { render, type EjsRenderer, ejsLocals, EjsTemplateError, TemplateError, type RenderOptions, type RenderOutcome, type TemplateSet } from '../config/index.js';
import type { Model } from '../model/types.js';

export type ModelRenderer = (model: Model) => RenderOutcome;

export function createRenderer(templates: TemplateSet, options: RenderOptions, ejs?: EjsRenderer): ModelRenderer {
  return (model) => {
    const out = render(model, templates, options);
    if (!out.ok || !ejs) return out;
    let config: string;
    try {
      config = ejs(ejsLocals(model, options.haproxyDir, options.sslCerts, options.builtins));
    } catch (err) {
      const message = err instanceof EjsTemplateError || err instanceof Error ? err.message : String(err);
      return { ok: false, error: new TemplateError('--ejs-template', 'file', `ejs template failed: ${message}`) };
    }
    // Whole-file templates have no known structure: every change is a reload, and HAProxy's
    // complaints cannot be traced to one app.
    return { ok: true, rendered: { ...out.rendered, config, skeleton: config, servers: {}, owners: [] } };
  };
}
