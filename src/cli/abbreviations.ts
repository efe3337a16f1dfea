// argparse accepts any unambiguous prefix of a long flag (`--marath` for `--marathon`), and
// marathon-lb command lines in the wild rely on it. yargs has no such mode, so argv is rewritten
// to full names before yargs sees it. Pure: returns the new argv or the problems found.

export interface ExpandResult {
  readonly argv: readonly string[];
  readonly errors: readonly string[];
}

/**
 * Replace every `--prefix[=value]` by its full long name. An exact name always wins (argparse
 * does the same); a prefix of several names is an error naming them; a name matching nothing is
 * an unknown flag. Tokens after a bare `--` are left alone.
 */
export function expandAbbreviations(argv: readonly string[], longNames: readonly string[]): ExpandResult {
  const names = new Set(longNames);
  const out: string[] = [];
  const errors: string[] = [];
  let passthrough = false;
  for (const token of argv) {
    if (passthrough || !token.startsWith('--') || token === '--') {
      if (token === '--') passthrough = true;
      out.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const typed = eq === -1 ? token.slice(2) : token.slice(2, eq);
    const rest = eq === -1 ? '' : token.slice(eq);
    if (names.has(typed)) {
      out.push(token);
      continue;
    }
    const candidates = longNames.filter((n) => n.startsWith(typed));
    if (candidates.length === 1) {
      out.push(`--${candidates[0]}${rest}`);
    } else if (candidates.length > 1) {
      errors.push(`ambiguous option: --${typed} could match ${candidates.map((c) => `--${c}`).join(', ')}`);
    } else {
      errors.push(`unrecognized argument: --${typed}`);
    }
  }
  return { argv: out, errors };
}
