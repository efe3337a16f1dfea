export {
  render, renderFragments, assemble, buildMaps, mapsOnce, newFragmentCache, withExcluded, DOMAIN_MAP, APP_MAP,
  type FragmentCache, type RenderOptions, type Rendered, type RenderOutcome,
} from './render.js';
export type { ServiceFragments } from './service-fragments.js';
export type { Lookup } from './template-lookup.js';
export { resolveTemplates, type TemplateSet, type ResolvedTemplate, type TemplateSource } from './template-set.js';
export { readTemplateDir, builtinTemplateDir, packageRoot } from './template-files.js';
export { TEMPLATES, TEMPLATE_BY_NAME, OVERRIDABLE_TEMPLATE_NAMES, type TemplateSpec } from './template-registry.js';
export { TemplateError, BUILTIN_PLACEHOLDERS, type BuiltinValues } from './template-lookup.js';
export { fillPlaceholders, isUnsafeValue } from './placeholders.js';
export { compileEjsTemplate, ejsLocals, EjsTemplateError, type EjsRenderer, type EjsLocals } from './ejs-template.js';
export { renderTemplateDocs } from './template-docs.js';
export type { OwnedRange } from './config-builder.js';
export { withNewline } from './config-builder.js';
export { emitConfig, type PieceSink } from './config-pieces.js';
