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
      const near = nearestName(typed, longNames);
      errors.push(`unrecognized argument: --${typed}${near === undefined ? '' : ` (did you mean --${near}?)`}`);
    }
  }
  return { argv: out, errors };
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps) between two names. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] as number[];
    const prev = d[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/**
 * The long name closest to a misspelt one, when it is close enough to be a typo (at most a
 * third of the name's letters wrong, and at least 1); ties go to the first name in the table.
 */
export function nearestName(typed: string, longNames: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of longNames) {
    const distance = editDistance(typed, name);
    if (distance < bestDistance) { best = name; bestDistance = distance; }
  }
  return bestDistance <= Math.max(1, Math.floor(typed.length / 3)) ? best : undefined;
}
