// zdd's command line: zdd.py's flags with the same names, short forms and defaults, parsed the
// argparse way (unambiguous prefixes of long names, `--flag=value`, short flags with their value
// attached or next). Pure: argv in, options or a usage problem out.

export interface ZddOptions {
  readonly marathon: string;
  /** One or more load balancer admin URLs (:9090), one per instance. */
  readonly marathonLb: readonly string[];
  readonly json: string;
  readonly dryRun: boolean;
  readonly force: boolean;
  /** Seconds between polls. */
  readonly stepDelay: number;
  readonly initialInstances: number;
  /** Grow the new app by this many per step instead of by half of what remains; 0 = off. */
  readonly linearIncrease: number;
  readonly resume: boolean;
  /** Seconds: the bound of every wait (deployment, health, drain). */
  readonly maxWait: number;
  /** Hybrid: run only this many new instances next to the old ones; 0 = a full deploy. */
  readonly newInstances: number;
  readonly completeCur: boolean;
  readonly completePrev: boolean;
  readonly preKillHook?: string;
  readonly longhelp: boolean;
  readonly help: boolean;
  readonly authCredentials?: string;
  readonly marathonAuthCredentialFile?: string;
  readonly dcosAuthCredentials?: string;
  readonly marathonCaCert?: string;
  readonly syslogSocket?: string;
  readonly logFormat?: string;
  readonly logLevel: string;
}

type Kind = 'flag' | 'string' | 'number' | 'int' | 'urls';

interface FlagSpec {
  readonly name: string;
  readonly short?: string;
  readonly kind: Kind;
  readonly help: string;
  readonly default?: string | number | boolean;
  readonly env?: string;
  readonly required?: boolean;
}

export const ZDD_FLAGS: readonly FlagSpec[] = [
  { name: 'longhelp', kind: 'flag', help: 'Print the Markdown reference of this tool and exit.' },
  { name: 'help', short: 'h', kind: 'flag', help: 'Print the usage and exit.' },
  { name: 'marathon', short: 'm', kind: 'string', required: true, help: 'Marathon base URL.' },
  { name: 'marathon-lb', short: 'l', kind: 'urls', required: true, help: 'Admin URL (:9090) of every load balancer, e.g. http://lb1:9090 http://lb2:9090. A task is killed only when all of them show it drained. Takes several URLs after one flag, or repeat the flag.' },
  { name: 'json', short: 'j', kind: 'string', required: true, help: 'The app definition (JSON) to deploy.' },
  { name: 'dry-run', short: 'd', kind: 'flag', help: 'Print the app that would be created and the plan, then stop.' },
  { name: 'force', short: 'f', kind: 'flag', help: 'Do not ask for confirmation.' },
  { name: 'step-delay', short: 's', kind: 'number', default: 5, help: 'Seconds between two polls of Marathon and the load balancers.' },
  { name: 'initial-instances', short: 'i', kind: 'int', default: 1, help: 'Instances of the new app at launch.' },
  { name: 'linear-increase', kind: 'int', default: 0, help: 'Grow the new app by this many instances per step; 0 grows it by half of what it has (then straight to the target once it is as big as the old app).' },
  { name: 'resume', short: 'r', kind: 'flag', help: 'Continue an interrupted deployment (two colours exist): the newer one is completed.' },
  { name: 'max-wait', short: 'w', kind: 'number', default: 300, help: 'Seconds to wait for a deployment, for new tasks to be healthy, or for old tasks to drain, before rolling back (health) or killing anyway (drain).' },
  { name: 'new-instances', short: 'n', kind: 'int', default: 0, help: 'Hybrid deploy: run only this many new instances beside the old ones (a traffic split).' },
  { name: 'complete-cur', short: 'c', kind: 'flag', help: 'From a hybrid deploy, move everything to the newer colour.' },
  { name: 'complete-prev', short: 'p', kind: 'flag', help: 'From a hybrid deploy, move everything back to the older colour.' },
  { name: 'pre-kill-hook', kind: 'string', help: 'Executable run before every kill with three JSON arguments: the old app, the task ids about to be killed, the new app. A non-zero exit rolls the deployment back.' },
  { name: 'marathon-auth-credential-file', kind: 'string', help: 'File whose first line is user:password for Marathon basic auth.' },
  { name: 'auth-credentials', kind: 'string', help: 'user:password for Marathon basic auth.' },
  { name: 'dcos-auth-credentials', kind: 'string', env: 'DCOS_SERVICE_ACCOUNT_CREDENTIAL', help: 'DC/OS service-account credentials (JSON); default $DCOS_SERVICE_ACCOUNT_CREDENTIAL.' },
  { name: 'marathon-ca-cert', kind: 'string', help: 'CA bundle to verify Marathon\'s TLS certificate.' },
  { name: 'syslog-socket', kind: 'string', help: 'Accepted for compatibility; progress goes to stderr.' },
  { name: 'log-format', kind: 'string', help: 'Accepted for compatibility.' },
  { name: 'log-level', kind: 'string', default: 'INFO', help: 'DEBUG, INFO, WARNING or ERROR.' },
];

export type ParseResult = { readonly ok: true; readonly options: ZddOptions } | { readonly ok: false; readonly problem: string };

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function findLong(word: string): FlagSpec | string {
  const exact = ZDD_FLAGS.find((f) => f.name === word);
  if (exact) return exact;
  const hits = ZDD_FLAGS.filter((f) => f.name.startsWith(word));
  if (hits.length === 1) return hits[0]!;
  if (hits.length === 0) return `unrecognized argument: --${word}`;
  return `ambiguous option: --${word} could match ${hits.map((f) => `--${f.name}`).join(', ')}`;
}

function convert(spec: FlagSpec, raw: string): number | string | undefined {
  if (spec.kind === 'number') {
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) && n >= 0 ? n : undefined;
  }
  if (spec.kind === 'int') return /^\d+$/.test(raw) ? Number(raw) : undefined;
  return raw;
}

/** Parses argv (without the program name, and without a leading `zdd` subcommand). */
export function parseZddArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): ParseResult {
  const values = new Map<string, unknown>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    let spec: FlagSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const word = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      if (eq >= 0) inline = arg.slice(eq + 1);
      const found = findLong(word);
      if (typeof found === 'string') return { ok: false, problem: found };
      spec = found;
    } else if (/^-[a-zA-Z]/.test(arg)) {
      spec = ZDD_FLAGS.find((f) => f.short === arg[1]);
      if (!spec) return { ok: false, problem: `unrecognized argument: ${arg}` };
      if (arg.length > 2) inline = arg.slice(2);
    } else {
      return { ok: false, problem: `unrecognized argument: ${arg}` };
    }
    if (spec.kind === 'flag') {
      if (inline !== undefined) return { ok: false, problem: `argument --${spec.name}: ignored explicit argument '${inline}'` };
      values.set(spec.name, true);
      continue;
    }
    const taken: string[] = [];
    if (inline !== undefined) taken.push(inline);
    else if (i + 1 < argv.length && !/^-[a-zA-Z-]/.test(argv[i + 1]!)) taken.push(argv[(i += 1)]!);
    if (spec.kind === 'urls') {
      while (inline === undefined && i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) taken.push(argv[(i += 1)]!);
    }
    if (taken.length === 0) return { ok: false, problem: `argument --${spec.name}: expected ${spec.kind === 'urls' ? 'at least one argument' : 'one argument'}` };
    if (spec.kind === 'urls') {
      values.set(spec.name, [...((values.get(spec.name) as string[] | undefined) ?? []), ...taken.flatMap((t) => t.split(',')).filter((t) => t !== '')]);
      continue;
    }
    const v = convert(spec, taken[0]!);
    if (v === undefined) return { ok: false, problem: `argument --${spec.name}: invalid ${spec.kind === 'int' ? 'int' : 'non-negative number'} value: '${taken[0]}'` };
    values.set(spec.name, v);
  }
  const out: Record<string, unknown> = {};
  for (const spec of ZDD_FLAGS) {
    const fromEnv = spec.env ? env[spec.env] : undefined;
    const v = values.get(spec.name) ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined) ?? spec.default ?? (spec.kind === 'flag' ? false : undefined);
    if (v !== undefined) out[camel(spec.name)] = v;
  }
  if (out.help === true || out.longhelp === true) return { ok: true, options: out as unknown as ZddOptions };
  const missing = ZDD_FLAGS.filter((f) => f.required && out[camel(f.name)] === undefined).map((f) => `--${f.name}/-${f.short}`);
  if (missing.length > 0) return { ok: false, problem: `the following arguments are required: ${missing.join(', ')}` };
  if (out.completeCur === true && out.completePrev === true) return { ok: false, problem: '--complete-cur and --complete-prev exclude each other' };
  return { ok: true, options: out as unknown as ZddOptions };
}

/** `usage:` line and one line per flag (for --help). */
export function zddUsage(program = 'zdd'): string {
  const lines = [`usage: ${program} -m MARATHON -l MARATHON_LB [MARATHON_LB ...] -j JSON [options]`, '', 'options:'];
  for (const f of ZDD_FLAGS) {
    const names = [f.short ? `-${f.short}` : undefined, `--${f.name}`].filter(Boolean).join(', ');
    const dflt = f.default !== undefined ? ` (default: ${String(f.default)})` : '';
    lines.push(`  ${names.padEnd(36)} ${f.help}${dflt}`);
  }
  return `${lines.join('\n')}\n`;
}
