// The one table of command-line flags. args.ts builds the yargs parser from it, settings.ts
// reads values by these names, and docs/flags.md is rendered from it (flag-docs.ts), so a flag
// cannot exist in one place and be missing in another. A leaf module: pure data.

/** How a flag's value is read. `urls` takes one or more values after one flag (argparse nargs='+'). */
export type FlagKind = 'boolean' | 'string' | 'int' | 'number' | 'urls';

/** How --help (`[integer]`, like yargs' `[string]`) and docs/flags.md name the numeric kinds. */
export const NUMERIC_TAG = { int: 'integer', number: 'number' } as const;

/**
 * What a repeated flag does. `last` = the last occurrence wins (argparse's store);
 * `append` = each occurrence adds one value; `flag` = a switch, repeating changes nothing.
 */
export type FlagRepeat = 'last' | 'append' | 'flag';

/** Where the flag comes from: marathon_lb.py v1.15, an older marathon-lb, or this project. */
export type FlagOrigin = 'marathon-lb' | 'historical' | 'ours';

export interface FlagSpec {
  /** Long name without the leading dashes. */
  readonly name: string;
  /** Single-letter short form, without the dash. */
  readonly short?: string;
  readonly kind: FlagKind;
  /** The literal default given to the parser; undefined = none or computed (see defaultDoc). */
  readonly default?: string | number | boolean | readonly string[];
  /** How the default is shown in docs when it is computed or comes from the environment. */
  readonly defaultDoc?: string;
  readonly repeat: FlagRepeat;
  /** Environment variable that supplies the value when the flag is absent. */
  readonly env?: string;
  readonly origin: FlagOrigin;
  /** Handled by the parser itself (--help): documented, not declared as an option. */
  readonly builtin?: boolean;
  /** Never echo the value (help output shows no default, docs say so). */
  readonly secret?: boolean;
  readonly help: string;
}

const flag = (name: string, help: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({
  name, kind: 'boolean', default: false, repeat: 'flag', origin: 'marathon-lb', help, ...extra,
});
const value = (name: string, kind: FlagKind, dflt: FlagSpec['default'], help: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({
  name, kind, default: dflt, repeat: 'last', origin: 'marathon-lb', help, ...extra,
});
const ours = (spec: FlagSpec): FlagSpec => ({ ...spec, origin: 'ours' });

export const DEFAULT_MARATHON_URL = 'http://master.mesos:8080';
export const DEFAULT_SSL_CERT = '/etc/ssl/cert.pem';
export const DEFAULT_LOG_FORMAT = '%(asctime)-15s %(name)s: %(message)s';

/** The positional mode: absent = run once and exit (marathon-lb without --sse). */
export const MODES = ['sse', 'poll', 'event'] as const;

export const FLAGS: readonly FlagSpec[] = [
  // --- marathon_lb.py v1.15 ---
  flag('longhelp', 'Print a Markdown reference of every flag, template and label, then exit. Skips all other validation.'),
  value('marathon', 'urls', [DEFAULT_MARATHON_URL], 'Marathon base URL(s), tried in order with failover. Takes one or more URLs; repeating the flag replaces the earlier list.', { short: 'm' }),
  value('haproxy-config', 'string', '/etc/haproxy/haproxy.cfg', 'The HAProxy config file to write. Its directory holds domain2backend.map and app2backend.map.'),
  value('group', 'string', undefined, 'An HAPROXY_GROUP this instance serves; repeat for several. `*` matches every app. At least one is required.', { repeat: 'append' }),
  value('command', 'string', undefined, 'Reload command, split with shell-like quoting rules. Absent: reload through the supervised HAProxy master (--supervise-haproxy) or not at all.', { short: 'c' }),
  value('max-reload-retries', 'int', 10, 'How many times the reload command is re-run while waiting for the reload to take; 0 = never, -1 = unlimited.'),
  value('reload-interval', 'int', 10, 'Seconds between checks that a reload took (each may re-run the reload command).'),
  flag('strict-mode', 'Every service starts disabled; only a truthy HAPROXY_{n}_ENABLED label enables it.'),
  flag('sse', 'Legacy spelling of the `sse` mode: run forever, following Marathon\'s event stream.', { short: 's' }),
  value('archive-versions', 'int', 5, 'How many rotated copies of each written file to keep.'),
  flag('health-check', 'Leave out tasks that Marathon does not report healthy (apps with health checks only).', { short: 'H' }),
  value('lru-cache-capacity', 'int', 1000, 'Capacity of the DNS and health-result caches.'),
  value('dns-ttl', 'int', 60, 'Seconds an agent host name\'s address is used before it is looked up again. A lookup that fails keeps the last good address.'),
  flag('haproxy-map', 'Route vhosts and X-Marathon-App-Id through HAProxy map files instead of one ACL per app.'),
  flag('dont-bind-http-https', 'Emit no :80 and :443 frontends and skip vhost routing.'),
  flag('group-https-by-vhost', 'Switch :443 on SNI and terminate TLS in one frontend per vhost.'),
  value('ssl-certs', 'string', DEFAULT_SSL_CERT, 'Comma-separated certificate paths for the :443 bind. Empty = /etc/ssl/cert.pem. When one path is given and no usable certificate is there, a self-signed one is written to it (as marathon-lb\'s run script did).'),
  flag('skip-validation', 'Do not run `haproxy -c` on a new config.'),
  flag('skip-config-cleanup', 'When a new config is invalid, do not try to exclude the apps that break it.'),
  flag('dry', 'Print the generated config to stdout and exit instead of writing it.', { short: 'd' }),
  value('min-serv-port-ip-per-task', 'int', 10050, 'Low end of the service ports assigned to IP-per-task apps without one. 0 together with the max disables assignment.'),
  value('max-serv-port-ip-per-task', 'int', 10100, 'High end of that range.'),
  value('max-backoff', 'int', 300, 'Upper bound (seconds) of the event-stream reconnect backoff.'),
  value('syslog-socket', 'string', '/dev/log', 'Accepted for compatibility and ignored: this controller logs JSON lines to stderr only (`/dev/null` was marathon-lb\'s "off").'),
  value('log-format', 'string', DEFAULT_LOG_FORMAT, 'Python logging format strings are accepted and ignored: records are JSON lines. `text` or `pretty` prints one human-readable line per record instead.'),
  value('log-level', 'string', 'DEBUG', 'CRITICAL, ERROR, WARNING, INFO, DEBUG or NOTSET (any case).'),
  value('marathon-auth-credential-file', 'string', undefined, 'File whose first line is user:pass for Marathon basic auth. Takes precedence over --auth-credentials. An empty first line means no auth.'),
  value('auth-credentials', 'string', undefined, 'user:pass for Marathon basic auth. The password may contain colons (split at the first one).', { secret: true }),
  value('dcos-auth-credentials', 'string', undefined, 'DC/OS service-account credentials as JSON (uid, private_key, login_endpoint); used when neither of the two flags above is given.', { env: 'DCOS_SERVICE_ACCOUNT_CREDENTIAL', defaultDoc: '$DCOS_SERVICE_ACCOUNT_CREDENTIAL', secret: true }),
  value('marathon-ca-cert', 'string', undefined, 'PEM file of CA certificates trusted, in addition to the system\'s roots, to verify Marathon\'s TLS certificate. Verification is always on (marathon-lb turned it off without this flag): a Marathon with a self-signed or private-CA certificate needs its CA here.'),
  flag('help', 'Show usage and exit.', { short: 'h', builtin: true }),

  // --- historical marathon-lb (event/callback mode, removed upstream in 1.x) ---
  value('listening', 'string', undefined, 'Event mode: the URL this controller listens on for Marathon\'s callbacks, e.g. http://0.0.0.0:8090. Default: port of --callback-url on all addresses.', { short: 'l', origin: 'historical', defaultDoc: '(from --callback-url)' }),
  value('callback-url', 'string', undefined, 'Event mode: the URL Marathon should call back (subscribed at start, unsubscribed on exit). Default: --listening.', { short: 'u', origin: 'historical', defaultDoc: '(--listening)' }),

  // --- this project's additions ---
  ours(value('poll-interval', 'number', 60, 'Poll mode: seconds between two reads of Marathon.', { env: 'POLL_INTERVAL' })),
  ours(value('resync-interval', 'number', 300, 'SSE and event modes: seconds between full resyncs when nothing happens.')),
  ours(value('debounce-ms', 'int', 0, 'Wait this long after the first change before a pass (0: start at once; passes never overlap, so a burst coalesces into the next pass anyway).')),
  ours(value('max-delay-ms', 'int', 5000, 'Ignored: passes are no longer delayed by a debounce window (accepted so existing command lines still parse).')),
  ours(value('min-reload-interval', 'number', 2, 'Minimum seconds between two HAProxy reloads (reload storms are coalesced).')),
  ours(value('haproxy-bin', 'string', 'haproxy', 'The haproxy executable used to validate configs and to run the supervised master.')),
  ours(value('lua-dir', 'string', undefined, 'Directory of the Lua scripts behind the :9090 endpoints.', { defaultDoc: '<package>/lua' })),
  ours(value('run-dir', 'string', '/var/run/haproxy', 'Directory for HAProxy\'s runtime files: master and admin sockets, server state, pid files.')),
  ours(flag('supervise-haproxy', 'Start HAProxy in master-worker mode and reload it through the master (instead of --command). When Marathon cannot be read at start, HAProxy still starts: on the valid config on disk, else on one serving only the :9090 admin plane.')),
  ours(value('ejs-template', 'string', undefined, 'A whole-file ejs template (trusted, from the operator) rendering the entire config.')),
  ours(value('templates-dir', 'string', 'templates', 'Directory of template override files (HAPROXY_<NAME>), relative to the working directory as in marathon-lb.')),
  ours(value('pid-file', 'string', undefined, 'Where the controller writes its pid, for scripts that send it SIGHUP or SIGUSR1 (/_mlb_signal/* needs no pid: the controller answers it itself).', { defaultDoc: '<run-dir>/marathon-lb.pid' })),
  ours(value('status-port', 'int', 9092, 'Port of the controller\'s own status and metrics HTTP server on 127.0.0.1 (reached through :9090 as /_mlb_status and /_mlb_metrics); 0 = off.')),
  ours(value('http-port', 'int', 80, 'Port of the :80 vhost frontend.')),
  ours(value('https-port', 'int', 443, 'Port of the :443 TLS frontend.')),
  ours(value('admin-port', 'int', 9090, 'Port of the :9090 stats and admin section.')),
  ours(value('appid-port', 'int', 9091, 'Port of the :9091 X-Marathon-App-Id frontend.')),
  ours(value('bind-address', 'string', '*', 'Address the well-known frontends bind to (`*` = all IPv4 addresses).')),

  // --- hardened edges (issue 14): event-stream bounds, admin plane restrictions ---
  ours(value('sse-max-line-length', 'int', 16 * 1024 * 1024, 'Longest line (and event data) kept from Marathon\'s event stream, in characters (bytes for ASCII JSON). A longer event is dropped with a warning and a full resync.')),
  ours(value('admin-bind-address', 'string', undefined, 'Address the :9090 admin section binds to, e.g. 127.0.0.1 or an internal interface\'s address. Default: --bind-address (every IPv4 address, as marathon-lb).', { defaultDoc: '(--bind-address)' })),
  // --- several Marathons (issue 13) ---
  ours(value('marathon-cluster', 'string', undefined, 'One Marathon cluster of several: NAME=URL[,URL...] (URLs tried in order with failover; credentials as user:pass@ in a URL, else the shared --auth-credentials / --marathon-auth-credential-file / --dcos-auth-credentials). Repeat for each cluster; NAME (lowercase letters, digits, -) prefixes that cluster\'s app ids, so backends are named NAME_<app>_<port>. With one cluster nothing is prefixed, as with --marathon. Not combined with --marathon; not in event mode with more than one.', { repeat: 'append' })),
  ours(value('admin-write-networks', 'string', '', 'Comma-separated networks (CIDR or single addresses, IPv4 or IPv6) allowed to use /_mlb_signal/* and any other write on the admin port (a method other than GET or HEAD); anyone else gets 403. Empty = everyone, as marathon-lb.')),
];

export const FLAG_BY_NAME: ReadonlyMap<string, FlagSpec> = new Map(FLAGS.map((f) => [f.name, f]));

export interface EnvSpec {
  readonly name: string;
  readonly help: string;
}

/** Environment variables the controller reads (the container `run` script reads more). */
export const ENVIRONMENT: readonly EnvSpec[] = [
  { name: 'POLL_INTERVAL', help: 'Default of --poll-interval (poll mode), as the container `run` script used it.' },
  { name: 'DCOS_SERVICE_ACCOUNT_CREDENTIAL', help: 'Default of --dcos-auth-credentials.' },
  { name: 'HAPROXY_GLOBAL_DEFAULT_OPTIONS', help: 'Comma list of `option` lines for the default HEAD\'s defaults section (trimmed, de-duplicated, sorted). Default `redispatch,http-server-close,dontlognull`; set but empty = none.' },
  { name: 'FRAMEWORK_NAME', help: 'The load balancer\'s own app id (without the leading `/`); that app is skipped.' },
  { name: 'HAPROXY_<TEMPLATE>', help: 'Replaces a template globally (see `--longhelp` / docs/templates.md).' },
];
