// The common command line without yargs. Loading yargs and its dependencies takes longer than
// everything else before the first request to Marathon, and almost every start is a plain
// `--flag value` list. This reads exactly that shape and gives up (undefined) on anything else:
// help, a repeated flag, a value that starts with `-`, `--`, combined short flags, `--flag=` on
// a switch... Those go to the yargs parser in args.ts, which stays the reference: a unit test
// checks that whenever this returns a result, yargs returns the same one.

import type { ModeArg, ParseOutcome } from './args.js';
import { expandAbbreviations } from './abbreviations.js';
import { FLAGS, MODES, type FlagSpec } from './flags.js';

const LONG_NAMES = FLAGS.map((f) => f.name);
const BY_LONG = new Map(FLAGS.map((f) => [f.name, f]));
const BY_SHORT = new Map(FLAGS.filter((f) => f.short !== undefined).map((f) => [f.short as string, f]));

function isMode(token: string): token is ModeArg {
  return (MODES as readonly string[]).includes(token);
}

/** A token yargs would take as a value, with no second reading (flag, negative number, empty). */
function plainValue(token: string | undefined): token is string {
  return token !== undefined && token !== '' && !token.startsWith('-');
}

/** Parse the common shape of argv, or undefined to let the full parser decide. */
export function fastParseArgs(argv: readonly string[]): ParseOutcome | undefined {
  const expanded = expandAbbreviations(argv, LONG_NAMES);
  if (expanded.errors.length > 0) return undefined;
  const tokens = expanded.argv;
  const values: Record<string, unknown> = {};
  let mode: ModeArg | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    let spec: FlagSpec | undefined;
    let inline: string | undefined;
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      spec = BY_LONG.get(eq < 0 ? token.slice(2) : token.slice(2, eq));
      if (eq >= 0) inline = token.slice(eq + 1);
    } else if (token.startsWith('-')) {
      spec = token.length === 2 ? BY_SHORT.get(token[1]!) : undefined;
    } else {
      if (mode !== undefined || !isMode(token)) return undefined;
      mode = token;
      continue;
    }
    if (spec === undefined || spec.builtin === true || Object.hasOwn(values, spec.name)) return undefined;
    if (spec.kind === 'boolean') {
      const next = tokens[i + 1];
      if (inline !== undefined || next === 'true' || next === 'false') return undefined;
      values[spec.name] = true;
    } else if (inline !== undefined) {
      if (spec.kind === 'urls' || !plainValue(inline)) return undefined;
      values[spec.name] = inline;
    } else if (spec.kind === 'urls') {
      // One or more values, as argparse's nargs='+' (and yargs' array option): up to the next flag.
      const list: string[] = [];
      while (i + 1 < tokens.length && !tokens[i + 1]!.startsWith('-')) {
        if (!plainValue(tokens[i + 1])) return undefined;
        list.push(tokens[++i]!);
      }
      if (list.length === 0) return undefined;
      values[spec.name] = list;
    } else {
      const next = tokens[i + 1];
      if (!plainValue(next)) return undefined;
      values[spec.name] = next;
      i++;
    }
  }
  return { kind: 'args', args: { mode, values } };
}
