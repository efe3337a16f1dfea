// docs/flags.md, rendered from the flag table (test/unit/cli/flag-docs.test.ts keeps the file
// in sync). Deterministic: no paths of this machine, no dates.

import { ENVIRONMENT, NUMERIC_TAG, FLAGS, MODES, type FlagOrigin, type FlagSpec } from './flags.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|');

function defaultCell(spec: FlagSpec): string {
  if (spec.defaultDoc !== undefined) return `\`${spec.defaultDoc}\``;
  if (spec.kind === 'boolean') return 'off';
  if (spec.default === undefined) return '(none)';
  const shown = Array.isArray(spec.default) ? spec.default.join(' ') : String(spec.default);
  return shown === '' ? '(empty)' : `\`${shown}\``;
}

function nameCell(spec: FlagSpec): string {
  const short = spec.short === undefined ? '' : `, \`-${spec.short}\``;
  const arg = spec.kind === 'boolean' ? '' : spec.kind === 'urls' ? ' URL [URL ...]' : spec.kind === 'int' || spec.kind === 'number' ? ` ${NUMERIC_TAG[spec.kind].toUpperCase()}` : ' VALUE';
  return `\`--${spec.name}${arg}\`${short}`;
}

const REPEAT_TEXT: Record<FlagSpec['repeat'], string> = {
  flag: '-',
  last: 'last wins',
  append: 'appends',
};

function table(origin: FlagOrigin): string[] {
  const rows = ['| Flag | Default | Repeated | Env | Meaning |', '|---|---|---|---|---|'];
  for (const spec of FLAGS.filter((f) => f.origin === origin)) {
    const repeat = spec.kind === 'urls' ? 'replaces the list' : REPEAT_TEXT[spec.repeat];
    const env = spec.env === undefined ? '' : `\`${spec.env}\``;
    rows.push(`| ${nameCell(spec)} | ${defaultCell(spec)} | ${repeat} | ${env} | ${cell(spec.help)} |`);
  }
  return rows;
}

export function renderFlagDocs(): string {
  const lines = [
    '# Command-line flags',
    '',
    '<!-- Generated from src/cli/flags.ts by renderFlagDocs(); do not edit by hand.',
    '     Regenerate: UPDATE_DOCS=1 node --experimental-vm-modules node_modules/jest/bin/jest.js test/unit/cli/flag-docs.test.ts -->',
    '',
    '```',
    `marathon-lb [${MODES.join('|')}] --group NAME [flags]`,
    '```',
    '',
    '## Modes',
    '',
    '| Mode | Behaviour |',
    '|---|---|',
    '| (none) | Generate the config once, write and reload if it changed, exit (marathon-lb without `--sse`). |',
    '| `sse` | Run forever following Marathon\'s `/v2/events` stream, with a full resync every `--resync-interval` seconds. `--sse`/`-s` is the same. |',
    '| `poll` | Run forever, re-reading Marathon every `--poll-interval` seconds (in one process; marathon-lb\'s container restarted the one-shot run). |',
    '| `event` | Run forever receiving Marathon\'s HTTP callbacks (Marathon < 1.5 `http_callback`), subscribed at start and unsubscribed on exit. Needs `--callback-url` or `--listening`. |',
    '',
    'Put the mode first: `--marathon` takes every following word up to the next flag.',
    '',
    '## Flags of marathon-lb 1.15',
    '',
    ...table('marathon-lb'),
    '',
    '## Flags of older marathon-lb (event mode)',
    '',
    ...table('historical'),
    '',
    '## Flags added by this implementation',
    '',
    ...table('ours'),
    '',
    '## Environment',
    '',
    '| Variable | Effect |',
    '|---|---|',
    ...ENVIRONMENT.map((e) => `| \`${e.name}\` | ${cell(e.help)} |`),
    '',
    '## Parsing rules and differences from marathon-lb',
    '',
    '- Any unambiguous prefix of a long flag is accepted (`--health` = `--health-check`), as with argparse. An ambiguous prefix is an error that lists the candidates; an exact name always wins.',
    '- An unknown flag, a missing value, a bad number or a failed check prints a message naming the flag and exits with status 2; a misspelt flag also names the closest real one (`--helth-check` -> did you mean `--health-check`?). `INTEGER` and `NUMBER` flags take whole and decimal numbers; `--help` tags them `[integer]` and `[number]`.',
    '- `--auth-credentials` and the credential file split `user:pass` at the first colon, so passwords may contain colons (marathon-lb rejected them).',
    '- Logs go to stderr; stdout carries only what was asked for (`--dry`\'s config, `--help`, `--longhelp`), so `--dry > haproxy.cfg` writes a clean file. `--log-format` is accepted but records are always structured: one JSON line per event, or one readable line per event with `--log-format text` (or `pretty`). `--syslog-socket` is accepted and ignored.',
    '- TLS to Marathon is always verified against the system\'s roots; `--marathon-ca-cert` adds a CA (marathon-lb turned verification off without it). A failed verification says so and names `--marathon-ca-cert`.',
    '- `--log-level` maps CRITICAL to fatal, WARNING to warn and NOTSET to trace; secrets (passwords, tokens, authorization headers, credentials inside URLs) are never logged.',
    '- Relative paths in flags are resolved against the working directory at start. The default Lua directory is inside the installed package, not the working directory.',
    '- `--help`/`-h` prints usage; `--longhelp` prints the Markdown reference of templates and labels. There is no `--version`.',
    '',
  ];
  return lines.join('\n');
}
