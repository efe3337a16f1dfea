// Raw parsed flags + environment -> Settings, or every problem found (each naming its flag).
// Pure: no file reads (the shell passes the credential file's text in), no clock, no logging.
// Defaults come from the flag table, so a flag absent from argv gets exactly what the docs say.

import { isIP } from 'node:net';
import path from 'node:path';
import { DEFAULT_GLOBAL_OPTIONS, type DcosCredentials, type Mode, type Settings } from '../settings.js';
import type { RawArgs } from './args.js';
import { DEFAULT_SSL_CERT, FLAG_BY_NAME } from './flags.js';
import { isLogLevel } from './log-levels.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface SettingsInput {
  readonly args: RawArgs;
  readonly env: Env;
  /** Text of --marathon-auth-credential-file, read by the shell; undefined when the flag is absent. */
  readonly credentialFileText?: string | undefined;
  /** Relative paths in flags are resolved against this directory. */
  readonly cwd: string;
  /** Root of the installed package: default Lua scripts live in `<packageRoot>/lua`. */
  readonly packageRoot: string;
}

export interface SettingsProblem {
  /** The flag (`--group`) or environment variable at fault. */
  readonly flag: string;
  readonly message: string;
}

export type SettingsResult =
  | { readonly ok: true; readonly settings: Settings }
  | { readonly ok: false; readonly problems: readonly SettingsProblem[] };

/** Reads typed values from raw args, recording problems instead of throwing. */
class Reader {
  readonly problems: SettingsProblem[] = [];
  constructor(private readonly values: Readonly<Record<string, unknown>>, private readonly env: Env) {}

  given(name: string): boolean {
    return this.values[name] !== undefined;
  }

  problem(flag: string, message: string): void {
    this.problems.push({ flag, message });
  }

  /** The last occurrence's text (argparse's "last wins"), else the env variable, else the table default. */
  text(name: string): string | undefined {
    const raw = this.values[name];
    if (raw !== undefined) return lastScalar(raw);
    const spec = FLAG_BY_NAME.get(name);
    if (spec?.env !== undefined) {
      const fromEnv = this.env[spec.env];
      if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    }
    const dflt = spec?.default;
    return dflt === undefined || typeof dflt === 'object' ? undefined : String(dflt);
  }

  string(name: string): string {
    const v = this.text(name);
    if (v === undefined) throw new Error(`flag --${name} has no default`);
    return v;
  }

  bool(name: string): boolean {
    const raw = this.values[name];
    return raw === undefined ? false : lastScalar(raw) === 'true';
  }

  /** argparse's `type=int`; `min` adds a range check for flags where nonsense would misbehave. */
  int(name: string, min?: number, max?: number): number {
    return this.numeric(name, /^[+-]?\d+$/, 'int', min, max);
  }

  number(name: string, min?: number): number {
    return this.numeric(name, /^[+-]?(\d+\.?\d*|\.\d+)$/, 'number', min);
  }

  private numeric(name: string, shape: RegExp, kind: string, min?: number, max?: number): number {
    const text = this.text(name) ?? '';
    const source = this.given(name) ? `--${name}` : envSource(name) ?? `--${name}`;
    if (!shape.test(text.trim())) {
      this.problem(source, `argument ${source}: invalid ${kind} value: '${text}'`);
      return NaN;
    }
    const n = Number(text);
    if (min !== undefined && n < min) this.problem(source, `argument ${source}: must be at least ${min}, got ${text}`);
    if (max !== undefined && n > max) this.problem(source, `argument ${source}: must be at most ${max}, got ${text}`);
    return n;
  }

  /** Every occurrence's values, in order (append flags). */
  all(name: string): string[] {
    const raw = this.values[name];
    if (raw === undefined) return [];
    return (Array.isArray(raw) ? raw : [raw]).flat().map(String);
  }

  /** A one-or-more list flag where a repeat replaces the list (argparse nargs='+' with store). */
  lastList(name: string): string[] {
    const raw = this.values[name];
    if (raw === undefined) {
      const dflt = FLAG_BY_NAME.get(name)?.default;
      return Array.isArray(dflt) ? [...(dflt as readonly string[])] : [];
    }
    if (!Array.isArray(raw)) return [String(raw)];
    const last = raw.some(Array.isArray) ? raw[raw.length - 1] : raw;
    return (Array.isArray(last) ? last : [last]).map(String);
  }
}

/** A comma list of networks (`10.0.0.0/8`, `fd00::/8`, or one address); each entry checked. */
function networkList(r: Reader, name: string): string[] {
  const entries = (r.text(name) ?? '').split(',').map((e) => e.trim()).filter((e) => e !== '');
  for (const e of entries) {
    const [address = '', prefix, extra] = e.split('/');
    const family = isIP(address);
    const maxPrefix = family === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (family === 0 || !prefixOk || extra !== undefined) {
      r.problem(`--${name}`, `argument --${name}: '${e}' is not an IPv4 or IPv6 address or network (like 10.0.0.0/8 or fd00::/8)`);
    }
  }
  return [...new Set(entries)];
}

const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** --marathon-cluster NAME=URL[,URL...], each checked; names unique. */
function clusterList(r: Reader): Array<{ name: string; urls: string[] }> {
  const out: Array<{ name: string; urls: string[] }> = [];
  for (const entry of r.all('marathon-cluster')) {
    const at = entry.indexOf('=');
    const name = at < 0 ? '' : entry.slice(0, at).trim();
    const urls = at < 0 ? [] : entry.slice(at + 1).split(',').map((u) => u.trim()).filter((u) => u !== '');
    if (!CLUSTER_NAME.test(name) || urls.length === 0) {
      r.problem('--marathon-cluster', `argument --marathon-cluster: expected NAME=URL[,URL...] with NAME of lowercase letters, digits and -, got '${entry.replace(/\/\/[^/@]*@/g, '//')}'`);
      continue;
    }
    for (const url of urls) {
      if (!isHttpUrl(url)) r.problem('--marathon-cluster', `argument --marathon-cluster: not an http(s) URL: '${url.replace(/\/\/[^/@]*@/, '//')}'`);
    }
    if (out.some((c) => c.name === name)) r.problem('--marathon-cluster', `argument --marathon-cluster: cluster ${name} is named twice`);
    out.push({ name, urls });
  }
  return out;
}

function lastScalar(raw: unknown): string {
  if (Array.isArray(raw)) return lastScalar(raw[raw.length - 1]);
  return String(raw);
}

function envSource(name: string): string | undefined {
  const env = FLAG_BY_NAME.get(name)?.env;
  return env === undefined ? undefined : env;
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** `user:pass`, split at the first colon so passwords may contain colons (marathon-lb forbids them). */
export function parseUserPass(text: string): { user: string; password: string } | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** The first line of a credential file, CR/LF stripped (marathon-lb reads only that line). */
export function firstLine(text: string): string {
  const nl = text.search(/\r?\n|\r/);
  return nl === -1 ? text : text.slice(0, nl);
}

function parseDcosCredentials(text: string, source: string, r: Reader): DcosCredentials | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    r.problem(source, `${source}: not valid JSON (expected {"uid", "private_key", "login_endpoint"})`);
    return undefined;
  }
  const obj = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const missing = ['uid', 'private_key', 'login_endpoint'].filter((k) => typeof obj[k] !== 'string' || obj[k] === '');
  if (missing.length > 0) {
    r.problem(source, `${source}: missing or empty field(s): ${missing.join(', ')}`);
    return undefined;
  }
  return { uid: obj['uid'] as string, privateKey: obj['private_key'] as string, loginEndpoint: obj['login_endpoint'] as string };
}

/** HAPROXY_GLOBAL_DEFAULT_OPTIONS: comma list, trimmed, de-duplicated, sorted (as marathon-lb renders it). */
export function globalDefaultOptions(envValue: string | undefined): string[] {
  const source = envValue ?? DEFAULT_GLOBAL_OPTIONS.join(',');
  const entries = source.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return [...new Set(entries)].sort();
}

/** --ssl-certs: comma list; an empty value falls back to /etc/ssl/cert.pem. */
export function sslCertList(value: string): string[] {
  const certs = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return certs.length === 0 ? [DEFAULT_SSL_CERT] : certs;
}

function chooseMode(args: RawArgs, r: Reader): Mode {
  const legacySse = r.bool('sse');
  if (legacySse && args.mode !== undefined && args.mode !== 'sse') {
    r.problem('--sse', `--sse conflicts with the mode '${args.mode}'`);
  }
  if (args.mode !== undefined) return args.mode;
  return legacySse ? 'sse' : 'once';
}

/** `host:port` to listen on for callbacks: from --listening (URL or host:port) or --callback-url's port. */
function callbackListenAddress(listening: string | undefined, callbackUrl: string | undefined, r: Reader): string | undefined {
  if (listening !== undefined) {
    const asUrl = /^[a-z]+:\/\//i.test(listening) ? listening : `http://${listening}`;
    try {
      const u = new URL(asUrl);
      if (u.port === '') throw new Error('no port');
      return `${u.hostname}:${u.port}`;
    } catch {
      r.problem('--listening', `argument --listening: expected host:port or a URL with a port, got '${listening}'`);
      return undefined;
    }
  }
  if (callbackUrl === undefined) return undefined;
  const u = new URL(callbackUrl);
  const port = u.port !== '' ? u.port : u.protocol === 'https:' ? '443' : '80';
  return `0.0.0.0:${port}`;
}

export function buildSettings(input: SettingsInput): SettingsResult {
  const { args, env, cwd, packageRoot } = input;
  const r = new Reader(args.values, env);
  const abs = (p: string): string => path.resolve(cwd, p);

  const mode = chooseMode(args, r);

  const groups = r.all('group');
  if (groups.length === 0) {
    r.problem('--group', 'argument --group is required: please specify at least one group name (use * for all apps)');
  }

  let marathon = r.lastList('marathon');
  for (const url of marathon) {
    if (!isHttpUrl(url)) r.problem('--marathon', `argument --marathon: not an http(s) URL: '${url}'`);
  }
  const marathonClusters = clusterList(r);
  if (marathonClusters.length > 0) {
    if (r.given('marathon')) r.problem('--marathon-cluster', '--marathon-cluster and --marathon do not mix: name every Marathon with --marathon-cluster');
    if (mode === 'event' && marathonClusters.length > 1) r.problem('--marathon-cluster', 'event (callback) mode serves one Marathon: use sse or poll with several --marathon-cluster');
    marathon = [...(marathonClusters[0]?.urls ?? [])];
  }

  const minServ = r.int('min-serv-port-ip-per-task', 0, 65535);
  const maxServ = r.int('max-serv-port-ip-per-task', 0, 65535);
  if ((minServ === 0) !== (maxServ === 0)) {
    r.problem('--min-serv-port-ip-per-task', 'either set both --min-serv-port-ip-per-task and --max-serv-port-ip-per-task or neither (both 0 disables service port assignment)');
  } else if (minServ > maxServ) {
    r.problem('--min-serv-port-ip-per-task', '--min-serv-port-ip-per-task cannot be higher than --max-serv-port-ip-per-task');
  }

  const logLevel = r.string('log-level').toUpperCase();
  if (!isLogLevel(logLevel)) r.problem('--log-level', `Invalid log level: ${logLevel}`);

  // Credentials, in marathon-lb's precedence: credential file, then the flag, then DC/OS.
  let authCredentials: Settings['authCredentials'];
  let basicAuthMalformed = false;
  if (r.given('marathon-auth-credential-file')) {
    const line = firstLine(input.credentialFileText ?? '');
    if (line !== '') {
      authCredentials = parseUserPass(line);
      if (authCredentials === undefined) {
        basicAuthMalformed = true;
        r.problem('--marathon-auth-credential-file', 'Please provide marathon credentials in user:pass format (first line of --marathon-auth-credential-file)');
      }
    }
  } else if (r.given('auth-credentials')) {
    authCredentials = parseUserPass(r.string('auth-credentials'));
    if (authCredentials === undefined) {
      basicAuthMalformed = true;
      r.problem('--auth-credentials', 'Please provide marathon credentials in user:pass format (--auth-credentials)');
    }
  }
  let dcosAuthCredentials: DcosCredentials | undefined;
  const dcosText = r.text('dcos-auth-credentials');
  // DC/OS only when no basic auth applies (an empty credential-file line means "none").
  if (authCredentials === undefined && !basicAuthMalformed && dcosText !== undefined) {
    const source = r.given('dcos-auth-credentials') ? '--dcos-auth-credentials' : 'DCOS_SERVICE_ACCOUNT_CREDENTIAL';
    dcosAuthCredentials = parseDcosCredentials(dcosText, source, r);
  }

  const callbackUrlFlag = r.text('callback-url');
  const listeningFlag = r.text('listening');
  if (callbackUrlFlag !== undefined && !isHttpUrl(callbackUrlFlag)) {
    r.problem('--callback-url', `argument --callback-url: not an http(s) URL: '${callbackUrlFlag}'`);
  }
  const callbackUrlValid = callbackUrlFlag !== undefined && isHttpUrl(callbackUrlFlag) ? callbackUrlFlag : undefined;
  const callbackListen = callbackListenAddress(listeningFlag, callbackUrlValid, r);
  let callbackUrl = callbackUrlValid;
  if (callbackUrl === undefined && listeningFlag !== undefined && isHttpUrl(listeningFlag)) callbackUrl = listeningFlag;
  if (mode === 'event' && callbackUrlFlag === undefined && listeningFlag === undefined) {
    r.problem('--callback-url', 'event mode needs --callback-url (the URL Marathon calls back) or --listening');
  }

  const runDir = abs(r.string('run-dir'));
  const pidFileFlag = r.text('pid-file');
  const luaDirFlag = r.text('lua-dir');
  const ejs = r.text('ejs-template');
  const caCert = r.text('marathon-ca-cert');

  const settings: Settings = {
    mode,
    marathon,
    marathonClusters,
    haproxyConfig: abs(r.string('haproxy-config')),
    groups,
    command: r.text('command'),
    maxReloadRetries: r.int('max-reload-retries', -1),
    reloadInterval: r.int('reload-interval', 0),
    strictMode: r.bool('strict-mode'),
    archiveVersions: r.int('archive-versions', 0),
    healthCheck: r.bool('health-check'),
    lruCacheCapacity: r.int('lru-cache-capacity', 1),
    dnsTtlSeconds: r.int('dns-ttl', 0),
    haproxyMap: r.bool('haproxy-map'),
    dontBindHttpHttps: r.bool('dont-bind-http-https'),
    groupHttpsByVhost: r.bool('group-https-by-vhost'),
    sslCerts: sslCertList(r.string('ssl-certs')),
    skipValidation: r.bool('skip-validation'),
    skipConfigCleanup: r.bool('skip-config-cleanup'),
    dry: r.bool('dry'),
    minServPortIpPerTask: minServ,
    maxServPortIpPerTask: maxServ,
    maxBackoff: r.int('max-backoff', 0),
    sseMaxLineLength: r.int('sse-max-line-length', 1024),
    syslogSocket: r.string('syslog-socket'),
    logFormat: r.string('log-format'),
    logLevel,
    authCredentials,
    dcosAuthCredentials,
    marathonCaCert: caCert === undefined ? undefined : abs(caCert),

    pollInterval: r.number('poll-interval', 0.001),
    resyncInterval: r.number('resync-interval', 0.001),
    debounceMs: r.int('debounce-ms', 0),
    maxDelayMs: r.int('max-delay-ms', 0),
    minReloadInterval: r.number('min-reload-interval', 0),
    haproxyBin: r.string('haproxy-bin'),
    luaDir: luaDirFlag === undefined ? path.join(packageRoot, 'lua') : abs(luaDirFlag),
    runDir,
    superviseHaproxy: r.bool('supervise-haproxy'),
    ejsTemplate: ejs === undefined ? undefined : abs(ejs),
    templatesDir: abs(r.string('templates-dir')),
    pidFile: pidFileFlag === undefined ? path.join(runDir, 'marathon-lb.pid') : abs(pidFileFlag),
    callbackListen,
    callbackUrl,
    statusPort: r.int('status-port', 0, 65535),
    httpPort: r.int('http-port', 1, 65535),
    httpsPort: r.int('https-port', 1, 65535),
    adminPort: r.int('admin-port', 1, 65535),
    appidPort: r.int('appid-port', 1, 65535),
    bindAddress: r.string('bind-address'),
    adminBindAddress: r.text('admin-bind-address') || r.string('bind-address'),
    adminWriteNetworks: networkList(r, 'admin-write-networks'),
    frameworkName: env['FRAMEWORK_NAME'] === '' ? undefined : env['FRAMEWORK_NAME'],
    globalDefaultOptions: globalDefaultOptions(env['HAPROXY_GLOBAL_DEFAULT_OPTIONS']),
  };

  return r.problems.length > 0 ? { ok: false, problems: r.problems } : { ok: true, settings };
}
