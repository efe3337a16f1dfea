// Fills one template for one service: the per-port label override when the app has one,
// else the global text. Errors are thrown as TemplateError and caught per service by the
// renderer, so a bad label excludes only its own app.

import { TEMPLATE_BY_NAME, type TemplateSpec } from './template-registry.js';
import { compileTemplate, fillCompiledText, fillKnownPlaceholders, type CompiledTemplate } from './placeholders.js';
import type { ResolvedTemplate, TemplateSet } from './template-set.js';
import { boundedMemo } from '../bounded-memo.js';

export class TemplateError extends Error {
  constructor(
    /** The label or global template name at fault, e.g. `HAPROXY_0_BACKEND_HEAD` or `HAPROXY_HEAD`. */
    readonly where: string,
    readonly source: ResolvedTemplate['source'],
    message: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Placeholders our built-in templates use beyond marathon-lb's (ports, paths of this install). */
export const BUILTIN_PLACEHOLDERS = [
  'luaDir', 'runDir', 'pidFile', 'statusPort', 'adminPort', 'httpPort', 'httpsPort', 'appidPort',
  'bindAddress', 'globalOptions', 'hardStopAfter', 'controllerServer', 'adminBindAddress', 'adminWriteNetworks',
] as const;
export type BuiltinValues = Readonly<Record<(typeof BUILTIN_PLACEHOLDERS)[number], string>>;

const MULTILINE: ReadonlySet<string> = new Set(['globalOptions']);

export interface Lookup {
  readonly templates: TemplateSet;
  readonly builtins: BuiltinValues;
}

type Values = Readonly<Record<string, string>>;
type Override = { readonly index: number; readonly templates: Values };

/** Text of a template after substitution. `overrides` are the service's per-port label templates. */
export function fillTemplate(lookup: Lookup, name: string, values: Values, override?: Override): string {
  return fillLayered(lookup, name, values, undefined, override);
}

/**
 * As fillTemplate, with `extra` values that take precedence over `values` (a server's or a
 * vhost's own values over its service's), without merging the two into a new object.
 */
export function fillLayered(lookup: Lookup, name: string, values: Values, extra: Values | undefined, override?: Override): string {
  const spec = TEMPLATE_BY_NAME.get(name);
  if (!spec) throw new Error(`unknown template ${name}`);
  const labelText = spec.overridable ? override?.templates[name] : undefined;
  if (labelText !== undefined) {
    // App labels get no substitution at all in raw templates, and no install values elsewhere.
    if (spec.raw) return labelText;
    return fillValues(compiledLabel(labelText), override!.index, name, 'label', allowedFor(spec).label, lookup, values, extra);
  }
  const resolved: ResolvedTemplate = lookup.templates[name] ?? emptyBuiltin(name);
  if (spec.raw) {
    // Raw templates are emitted verbatim (marathon-lb never formatted them), except that the
    // operator's and our own may name install values ({luaDir}, {httpPort}, ...): exactly those
    // tokens are filled, every other brace is HAProxy's. The result depends on nothing else, so
    // it is made once per template set.
    const cached = rawCache.get(resolved);
    if (cached !== undefined && cached.builtins === lookup.builtins) return cached.text;
    const text = fillKnownPlaceholders(resolved.text, lookup.builtins);
    rawCache.set(resolved, { builtins: lookup.builtins, text });
    return text;
  }
  // Operators' global templates may use the install placeholders too; app labels may not.
  let compiled = globalCache.get(resolved);
  if (compiled === undefined) { compiled = compileTemplate(resolved.text); globalCache.set(resolved, compiled); }
  return fillValues(compiled, undefined, name, resolved.source, allowedFor(spec).global, lookup, values, extra);
}

/**
 * Values by precedence: `extra`, then the service's `values`, then the install values. The
 * template's name for messages (`HAPROXY_{index}_{name}` for a label, `HAPROXY_{name}` for a
 * global template) is made only when the fill fails: this runs for every line of the config.
 */
function fillValues(
  compiled: CompiledTemplate, labelIndex: number | undefined, name: string, source: ResolvedTemplate['source'],
  allowed: ReadonlySet<string>, lookup: Lookup, values: Values, extra: Values | undefined,
): string {
  const result = extra === undefined
    ? fillCompiledText(compiled, allowed, MULTILINE, values, lookup.builtins, undefined)
    : fillCompiledText(compiled, allowed, MULTILINE, extra, values, lookup.builtins);
  if (typeof result === 'string') return result;
  const where = labelIndex === undefined ? `HAPROXY_${name}` : `HAPROXY_${labelIndex}_${name}`;
  throw new TemplateError(where, source, `${where}: ${result.detail}`);
}

const rawCache = new WeakMap<ResolvedTemplate, { builtins: BuiltinValues; text: string }>();
const globalCache = new WeakMap<ResolvedTemplate, CompiledTemplate>();
const emptyBuiltins = new Map<string, ResolvedTemplate>();
function emptyBuiltin(name: string): ResolvedTemplate {
  let r = emptyBuiltins.get(name);
  if (r === undefined) { r = { name, text: '', source: 'builtin' }; emptyBuiltins.set(name, r); }
  return r;
}

/** Label templates, by text: the same override usually serves every task of its app. Bounded. */
const compiledLabel = boundedMemo(compileTemplate, 512);

const allowedCache = new Map<TemplateSpec, { label: ReadonlySet<string>; global: ReadonlySet<string> }>();
function allowedFor(spec: TemplateSpec): { label: ReadonlySet<string>; global: ReadonlySet<string> } {
  let a = allowedCache.get(spec);
  if (a === undefined) {
    a = { label: new Set(spec.placeholders), global: new Set([...spec.placeholders, ...BUILTIN_PLACEHOLDERS]) };
    allowedCache.set(spec, a);
  }
  return a;
}

