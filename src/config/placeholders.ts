// `{placeholder}` substitution, the only way label-supplied templates are filled.
// Syntax follows Python's str.format as marathon-lb used it: `{name}` is replaced, `{{` and `}}`
// are literal braces. Nothing is ever evaluated. Pure.

export type FillResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly problem: 'UNKNOWN_PLACEHOLDER' | 'UNBALANCED_BRACE' | 'UNSAFE_VALUE'; readonly detail: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A value that would start a new config line (or end the file's text early) where none is allowed. */
export function isUnsafeValue(value: string): boolean {
  return /[\r\n\0]/.test(value);
}

/**
 * Replace every `{name}` in `template` with `values[name]`.
 * `allowed` lists the names the call site supplies; any other name is an error, so an operator
 * or app owner learns about a typo instead of getting a half-rendered config.
 */
export function fillPlaceholders(
  template: string,
  values: Readonly<Record<string, string>>,
  allowed: ReadonlySet<string> = new Set(Object.keys(values)),
  /** Trusted values that may span lines (our own built-in `{globalOptions}`). */
  multiline: ReadonlySet<string> = new Set(),
): FillResult {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i]!;
    if (ch === '{') {
      if (template[i + 1] === '{') { out += '{'; i += 2; continue; }
      const end = template.indexOf('}', i + 1);
      if (end < 0) return { ok: false, problem: 'UNBALANCED_BRACE', detail: `unclosed "{" at offset ${i}` };
      const name = template.slice(i + 1, end);
      if (!NAME.test(name) || !allowed.has(name) || values[name] === undefined) {
        return { ok: false, problem: 'UNKNOWN_PLACEHOLDER', detail: `unknown placeholder {${name}}` };
      }
      const value = values[name]!;
      if (isUnsafeValue(value) && !multiline.has(name)) {
        return { ok: false, problem: 'UNSAFE_VALUE', detail: `value of {${name}} contains a line break or NUL` };
      }
      out += value;
      i = end + 1;
      continue;
    }
    if (ch === '}') {
      if (template[i + 1] === '}') { out += '}'; i += 2; continue; }
      return { ok: false, problem: 'UNBALANCED_BRACE', detail: `single "}" at offset ${i} (write "}}" for a literal brace)` };
    }
    out += ch;
    i += 1;
  }
  return { ok: true, text: out };
}

/**
 * For raw templates (whose braces are HAProxy's own, e.g. `if { path /metrics }`): replace only
 * the listed `{name}` tokens and leave every other brace alone.
 */
export function fillKnownPlaceholders(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => values[name] ?? whole);
}
