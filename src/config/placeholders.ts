// `{placeholder}` substitution, the only way label-supplied templates are filled.
// Syntax follows Python's str.format as marathon-lb used it: `{name}` is replaced, `{{` and `}}`
// are literal braces. Nothing is ever evaluated. Pure.
//
// A template is parsed once into literal pieces and placeholder names (`compileTemplate`), and
// the parsed form is filled as often as needed: the renderer fills the same few templates for
// every service and every server, so parsing per fill was most of its time.

export type FillProblem = 'UNKNOWN_PLACEHOLDER' | 'UNBALANCED_BRACE' | 'UNSAFE_VALUE';

export type FillResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly problem: FillProblem; readonly detail: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const UNSAFE = /[\r\n\0]/;

/** A value that would start a new config line (or end the file's text early) where none is allowed. */
export function isUnsafeValue(value: string): boolean {
  return UNSAFE.test(value);
}

/**
 * A parsed template: `literals[0] names[0] literals[1] names[1] ... literals[n]`. A syntax error
 * is kept with the pieces before it, so filling reports the first problem in text order, exactly
 * as a left-to-right scan would.
 */
export interface CompiledTemplate {
  readonly literals: readonly string[];
  readonly names: readonly string[];
  /** Names that are not identifiers (never fillable, whatever the values). */
  readonly badName: readonly boolean[];
  readonly syntaxError: { readonly problem: 'UNBALANCED_BRACE'; readonly detail: string } | undefined;
}

export function compileTemplate(template: string): CompiledTemplate {
  const literals: string[] = [];
  const names: string[] = [];
  const badName: boolean[] = [];
  let literal = '';
  let from = 0; // start of the literal run not yet copied into `literal`
  let i = 0;
  const n = template.length;
  while (i < n) {
    const c = template.charCodeAt(i);
    if (c !== 123 /* { */ && c !== 125 /* } */) { i += 1; continue; }
    literal += template.slice(from, i);
    const next = template.charCodeAt(i + 1);
    if (c === 123) {
      if (next === 123) { literal += '{'; i += 2; from = i; continue; }
      const end = template.indexOf('}', i + 1);
      if (end < 0) {
        literals.push(literal);
        return { literals, names, badName, syntaxError: { problem: 'UNBALANCED_BRACE', detail: `unclosed "{" at offset ${i}` } };
      }
      const name = template.slice(i + 1, end);
      literals.push(literal);
      names.push(name);
      badName.push(!NAME.test(name));
      literal = '';
      i = end + 1;
      from = i;
      continue;
    }
    if (next === 125) { literal += '}'; i += 2; from = i; continue; }
    literals.push(literal);
    return { literals, names, badName, syntaxError: { problem: 'UNBALANCED_BRACE', detail: `single "}" at offset ${i} (write "}}" for a literal brace)` } };
  }
  literals.push(literal + template.slice(from));
  return { literals, names, badName, syntaxError: undefined };
}

type Values = Readonly<Record<string, string>>;

export type FillFailure = Extract<FillResult, { ok: false }>;

/**
 * Fill a compiled template: the text, or what is wrong with it. A name is looked up in `first`,
 * then `second`, then `third` (the first that has it wins), and only names in `allowed` are
 * looked up at all. (A plain string result: this runs once per line of the config.)
 */
export function fillCompiledText(
  t: CompiledTemplate,
  allowed: ReadonlySet<string>,
  multiline: ReadonlySet<string>,
  first: Values,
  second?: Values,
  third?: Values,
): string | FillFailure {
  const { literals, names, badName } = t;
  let out = literals[0]!;
  for (let k = 0; k < names.length; k += 1) {
    const name = names[k]!;
    let v: string | undefined;
    if (!badName[k] && allowed.has(name)) {
      v = first[name];
      if (v === undefined && second !== undefined) v = second[name];
      if (v === undefined && third !== undefined) v = third[name];
    }
    if (v === undefined) return { ok: false, problem: 'UNKNOWN_PLACEHOLDER', detail: `unknown placeholder {${name}}` };
    if (UNSAFE.test(v) && !multiline.has(name)) {
      return { ok: false, problem: 'UNSAFE_VALUE', detail: `value of {${name}} contains a line break or NUL` };
    }
    out += v;
    out += literals[k + 1]!;
  }
  if (t.syntaxError) return { ok: false, problem: t.syntaxError.problem, detail: t.syntaxError.detail };
  return flatten(out);
}

/**
 * The same string, flattened now. `+=` makes a tree of string pieces that V8 copies into one
 * run of characters only when the string is read; the renderer keeps every line until the
 * whole config is built, so an unflattened line keeps its pieces alive through several garbage
 * collections (copied each time). Reading one character flattens it while the pieces are still
 * young and cheap to drop. (A V8 behaviour, not a language rule: elsewhere this is a no-op.)
 */
export function flatten(text: string): string {
  text.charCodeAt(0);
  return text;
}

const NONE: ReadonlySet<string> = new Set();

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
  multiline: ReadonlySet<string> = NONE,
): FillResult {
  const r = fillCompiledText(compileTemplate(template), allowed, multiline, values);
  return typeof r === 'string' ? { ok: true, text: r } : r;
}

const KNOWN = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * For raw templates (whose braces are HAProxy's own, e.g. `if { path /metrics }`): replace only
 * the listed `{name}` tokens and leave every other brace alone.
 */
export function fillKnownPlaceholders(template: string, values: Readonly<Record<string, string>>): string {
  if (template.indexOf('{') < 0) return template;
  return template.replace(KNOWN, (whole, name: string) => values[name] ?? whole);
}
