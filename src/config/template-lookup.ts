// Fills one template for one service: the per-port label override when the app has one,
// else the global text. Errors are thrown as TemplateError and caught per service by the
// renderer, so a bad label excludes only its own app.

import { TEMPLATE_BY_NAME } from './template-registry.js';
import { fillKnownPlaceholders, fillPlaceholders } from './placeholders.js';
import type { ResolvedTemplate, TemplateSet } from './template-set.js';

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

/** Text of a template after substitution. `overrides` are the service's per-port label templates. */
export function fillTemplate(
  lookup: Lookup,
  name: string,
  values: Readonly<Record<string, string>>,
  override?: { readonly index: number; readonly templates: Readonly<Record<string, string>> },
): string {
  const spec = TEMPLATE_BY_NAME.get(name);
  if (!spec) throw new Error(`unknown template ${name}`);
  const labelText = spec.overridable ? override?.templates[name] : undefined;
  const resolved: ResolvedTemplate = labelText !== undefined
    ? { name, text: labelText, source: 'label' }
    : lookup.templates[name] ?? { name, text: '', source: 'builtin' };
  const where = resolved.source === 'label' ? `HAPROXY_${override!.index}_${name}` : `HAPROXY_${name}`;

  if (spec.raw) {
    // Raw templates are emitted verbatim (marathon-lb never formatted them), except that the
    // operator's and our own may name install values ({luaDir}, {httpPort}, ...): exactly those
    // tokens are filled, every other brace is HAProxy's. App labels get no substitution at all.
    if (resolved.source === 'label') return resolved.text;
    return fillKnownPlaceholders(resolved.text, lookup.builtins);
  }
  const allowed = new Set<string>(spec.placeholders);
  // Operators' global templates may use the install placeholders too; app labels may not.
  if (resolved.source !== 'label') for (const p of BUILTIN_PLACEHOLDERS) allowed.add(p);
  // The service's values over the install values, without copying either (this runs per line).
  return mustFill(resolved, where, Object.assign(Object.create(lookup.builtins) as Record<string, string>, values), allowed);
}

function mustFill(
  resolved: ResolvedTemplate,
  where: string,
  values: Readonly<Record<string, string>>,
  allowed: ReadonlySet<string>,
): string {
  const result = fillPlaceholders(resolved.text, values, allowed, MULTILINE);
  if (!result.ok) throw new TemplateError(where, resolved.source, `${where}: ${result.detail}`);
  return result.text;
}
