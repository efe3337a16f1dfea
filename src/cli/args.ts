// The yargs definition built from the flag table, and the parse step: argv -> raw values.
// Only parsing happens here: defaults, environment and checks are applied by settings.ts, so
// "was this flag given?" stays visible (a value present in `values` was typed by the user).

import yargs from 'yargs';
import type { Argv, Options } from 'yargs';
import { expandAbbreviations } from './abbreviations.js';
import { FLAGS, MODES, NUMERIC_TAG, type FlagSpec } from './flags.js';

export type ModeArg = (typeof MODES)[number];

export interface RawArgs {
  /** The positional mode, if given. */
  readonly mode: ModeArg | undefined;
  /** Values of the flags that were given, by long name. Strings stay strings (settings.ts converts). */
  readonly values: Readonly<Record<string, unknown>>;
}

export type ParseOutcome =
  | { readonly kind: 'args'; readonly args: RawArgs }
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'error'; readonly message: string };

const PROGRAM = 'marathon-lb';

function describeDefault(spec: FlagSpec): string | undefined {
  if (spec.secret) return spec.defaultDoc === undefined ? undefined : spec.defaultDoc;
  if (spec.defaultDoc !== undefined) return spec.defaultDoc;
  if (spec.default === undefined || spec.kind === 'boolean') return undefined;
  return Array.isArray(spec.default) ? spec.default.join(' ') : String(spec.default);
}

function toYargsOption(spec: FlagSpec): Options {
  const env = spec.env === undefined ? '' : ` [env ${spec.env}]`;
  const common: Options = {
    description: spec.help + env,
    ...(spec.short === undefined ? {} : { alias: spec.short }),
  };
  const shown = describeDefault(spec);
  if (shown !== undefined) common.defaultDescription = shown;
  if (spec.kind === 'boolean') return { ...common, type: 'boolean' };
  if (spec.kind === 'urls') return { ...common, type: 'string', array: true, requiresArg: true };
  // No yargs type for numbers: `type: 'number'` would turn `abc` into NaN before settings.ts
  // can name the bad text, and `type: 'string'` would print `[string]`. The value stays the
  // text typed (parse-numbers is off) and the help shows the type settings.ts enforces.
  if (spec.kind === 'int' || spec.kind === 'number') {
    return { ...common, description: `${common.description ?? ''} [${NUMERIC_TAG[spec.kind]}]`, requiresArg: true };
  }
  return { ...common, type: 'string', requiresArg: true };
}

/** The yargs parser for marathon-lb's command line (no process exit, no console output). */
export function buildParser(): Argv {
  let parser = yargs()
    .scriptName(PROGRAM)
    .parserConfiguration({
      'camel-case-expansion': false,
      'strip-aliased': true,
      'boolean-negation': false,
      'duplicate-arguments-array': true,
      'flatten-duplicate-arrays': false,
      'parse-numbers': false,
    })
    .command(`$0 [mode]`, 'Keep HAProxy in front of Marathon\'s apps. Without a mode: generate the config once and exit.', (y) =>
      y.positional('mode', { type: 'string', choices: [...MODES], description: 'sse: follow Marathon\'s event stream; poll: re-read every --poll-interval seconds; event: receive Marathon HTTP callbacks' }))
    .strict()
    .help('help')
    .alias('help', 'h')
    .version(false)
    .showHelpOnFail(false)
    .exitProcess(false)
    .wrap(100);
  for (const spec of FLAGS) {
    if (!spec.builtin) parser = parser.option(spec.name, toYargsOption(spec));
  }
  return parser;
}

const LONG_NAMES = FLAGS.map((f) => f.name);
const SHORT_TO_LONG = new Map(FLAGS.filter((f) => f.short !== undefined).map((f) => [f.short as string, f.name]));

/** Parse argv (without node and script). Never throws, never prints, never exits. */
export function parseArgs(argv: readonly string[]): ParseOutcome {
  const expanded = expandAbbreviations(argv, LONG_NAMES);
  if (expanded.errors.length > 0) return { kind: 'error', message: expanded.errors.join('\n') };

  let failure: string | undefined;
  let parsed: Record<string, unknown> | undefined;
  let output = '';
  buildParser()
    .fail((msg, err) => {
      failure = msg ?? err?.message ?? 'invalid arguments';
    })
    .parse([...expanded.argv], {}, (err, result, out) => {
      if (err !== null && err !== undefined && failure === undefined) failure = err.message;
      parsed = result as Record<string, unknown>;
      output = out;
    });

  if (failure !== undefined) return { kind: 'error', message: failure };
  if (parsed === undefined) return { kind: 'error', message: 'arguments could not be parsed' };
  if (parsed['help'] === true) return { kind: 'help', text: output };

  const values: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(parsed)) {
    if (key === '_' || key === '$0' || key === 'mode' || key === 'help') continue;
    values[SHORT_TO_LONG.get(key) ?? key] = v;
  }
  const mode = parsed['mode'] as ModeArg | undefined;
  return { kind: 'args', args: { mode, values } };
}
