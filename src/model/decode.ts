// Label values -> typed settings, with marathon-lb's semantics. Where marathon-lb raised (and so
// froze every app), we return a problem instead: the caller excludes only the service at fault.

import { OVERRIDABLE_TEMPLATE_NAMES } from '../config/template-registry.js';
import { labelName } from './labels.js';
import type { BasicAuth } from './types.js';

export type LabelProblemReason = 'INVALID_LABEL' | 'UNSAFE_VALUE' | 'INVALID_TEMPLATE';

export interface LabelProblem {
  /** The full label name, e.g. HAPROXY_0_AUTH. */
  readonly label: string;
  readonly message: string;
  readonly reason: LabelProblemReason;
}

export type Labels = Readonly<Record<string, string>>;

/** Everything the HAPROXY_{n}_* labels say about one service port (defaults filled in). */
export interface PortSettings {
  readonly vhosts: readonly string[];
  readonly path: string | undefined;
  /** The MODE label only; the effective mode also depends on vhosts and health checks. */
  readonly mode: 'http' | 'tcp' | undefined;
  readonly balance: string;
  readonly sticky: boolean;
  readonly redirectToHttps: boolean;
  readonly useHsts: boolean;
  readonly sslCert: string | undefined;
  readonly bindOptions: string | undefined;
  readonly bindAddr: string;
  readonly port: number | undefined;
  readonly auth: BasicAuth | undefined;
  readonly proxypassPath: string | undefined;
  readonly revproxyPath: string | undefined;
  readonly redirPath: string | undefined;
  readonly backendWeight: number;
  readonly networkAllowed: string | undefined;
  readonly healthCheckPortIndex: number | undefined;
  /** HAPROXY_{n}_GROUP: replaces the app's groups when present. */
  readonly groups: readonly string[] | undefined;
  /** HAPROXY_{n}_ENABLED when present. */
  readonly enabled: boolean | undefined;
  /** Template overrides: template name -> text (CRLF normalised to LF). */
  readonly templates: Readonly<Record<string, string>>;
}

export interface AppSettings {
  /** HAPROXY_GROUP, split on commas, as written. Empty when absent. */
  readonly groups: readonly string[];
  /** HAPROXY_DEPLOYMENT_GROUP with a leading `/`. */
  readonly deploymentGroup: string | undefined;
  /** HAPROXY_DEPLOYMENT_STARTED_AT in epoch milliseconds. */
  readonly deploymentStartedAt: number | undefined;
  readonly deploymentTargetInstances: number | undefined;
  readonly deploymentNewInstances: number | undefined;
}

export interface Decoded<T> {
  readonly settings: T;
  readonly problems: readonly LabelProblem[];
}

const TRUE_WORDS = new Set(['true', 't', 'yes', 'y']);
// A line break or NUL in a value would let an app owner add lines to haproxy.cfg.
const LINE_BREAKING = /[\r\n\0]/;
const INTEGER = /^\s*[+-]?\d+\s*$/;

export function parseBool(value: string): boolean {
  return TRUE_WORDS.has(value.toLowerCase());
}

/** Python-int-like parse of a decimal integer, or undefined. */
export function parseInteger(value: string): number | undefined {
  if (!INTEGER.test(value)) return undefined;
  const n = Number(value.trim());
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Reads labels, collecting problems instead of throwing. */
class LabelReader {
  readonly problems: LabelProblem[] = [];

  /** `labels`: an app's labels, or only those of one service port (see decodePortLabels). */
  constructor(private readonly labels: Labels | ReadonlyMap<string, string>) {}

  /** The raw value, or undefined when absent or unsafe (unsafe values are reported). */
  raw(label: string): string | undefined {
    const value = this.labels instanceof Map ? this.labels.get(label) : (this.labels as Labels)[label];
    if (typeof value !== 'string') return undefined;
    if (LINE_BREAKING.test(value)) {
      this.problem(label, 'UNSAFE_VALUE', 'value contains a line break or NUL character');
      return undefined;
    }
    return value;
  }

  /** A string where empty means "not set" (as marathon-lb's truthiness tests did). */
  text(label: string): string | undefined {
    const value = this.raw(label);
    return value === undefined || value === '' ? undefined : value;
  }

  bool(label: string): boolean | undefined {
    const value = this.raw(label);
    return value === undefined ? undefined : parseBool(value);
  }

  int(label: string): number | undefined {
    const value = this.raw(label);
    if (value === undefined) return undefined;
    const n = parseInteger(value);
    if (n === undefined) this.problem(label, 'INVALID_LABEL', `expected an integer, got ${JSON.stringify(value)}`);
    return n;
  }

  port(label: string): number | undefined {
    const n = this.int(label);
    if (n === undefined) return undefined;
    if (n < 1 || n > 65535) {
      this.problem(label, 'INVALID_LABEL', `expected a port 1..65535, got ${n}`);
      return undefined;
    }
    return n;
  }

  list(label: string): string[] | undefined {
    const value = this.raw(label);
    return value === undefined ? undefined : value.split(',');
  }

  problem(label: string, reason: LabelProblemReason, message: string): void {
    this.problems.push({ label, reason, message });
  }
}

function decodeAuth(r: LabelReader, label: string): BasicAuth | undefined {
  const value = r.raw(label);
  if (value === undefined) return undefined;
  const parts = value.split(':');
  const [realm, user, passwd] = parts;
  if (parts.length !== 3 || !realm || !user || !passwd) {
    r.problem(label, 'INVALID_LABEL', 'expected realm:user:password');
    return undefined;
  }
  return { realm, user, passwd };
}

/**
 * Comma-separated vhosts, as marathon-lb splits them (a space after a comma is kept: HAProxy
 * reads it as a separator). A space inside one, `a b.example.com`, is refused: HAProxy would
 * read two names, and the second can be another app's vhost, taking its traffic.
 */
function decodeVhosts(r: LabelReader, label: string): string[] {
  const vhosts = (r.raw(label) ?? '').toLowerCase().split(',').filter((v) => v !== '');
  const spaced = vhosts.find((v) => /\S\s+\S/.test(v));
  if (spaced === undefined) return vhosts;
  r.problem(label, 'INVALID_LABEL', `vhost ${JSON.stringify(spaced.trim())} contains a space: separate vhosts with commas`);
  return [];
}

function decodeMode(r: LabelReader, label: string): 'http' | 'tcp' | undefined {
  const value = r.text(label)?.toLowerCase();
  if (value === undefined) return undefined;
  if (value === 'http' || value === 'tcp') return value;
  r.problem(label, 'INVALID_LABEL', `expected http or tcp, got ${JSON.stringify(value)}`);
  return undefined;
}

/**
 * One service port's labels (HAPROXY_{index}_*; undefined when it has none), found with one walk
 * over the app's labels: an app has a handful of labels, and looking up each of the twenty names
 * a port can have in every app's differently shaped labels object cost more than the rest of the
 * decoding.
 */
function portLabels(labels: Labels, index: number): Map<string, string> | undefined {
  const prefix = `HAPROXY_${index}_`;
  let own: Map<string, string> | undefined;
  for (const label in labels) {
    const value = labels[label];
    if (label.startsWith(prefix) && typeof value === 'string') (own ??= new Map()).set(label, value);
  }
  return own;
}

function decodeTemplates(own: ReadonlyMap<string, string>, index: number, r: LabelReader): Record<string, string> {
  const templates: Record<string, string> = {};
  const prefix = `HAPROXY_${index}_`;
  for (const [label, value] of own) {
    const name = label.slice(prefix.length);
    if (!OVERRIDABLE_TEMPLATE_NAMES.has(name)) continue;
    // Templates are multi-line by nature; only NUL cannot be meant.
    if (value.includes('\0')) {
      r.problem(label, 'UNSAFE_VALUE', 'template contains a NUL character');
      continue;
    }
    templates[name] = value.replace(/\r\n/g, '\n');
  }
  return templates;
}

// Label names per service-port index, made once: every app reads the same twenty names.
const PORT_LABELS = ['VHOST', 'PATH', 'BACKEND_WEIGHT', 'MODE', 'BALANCE', 'STICKY', 'REDIRECT_TO_HTTPS', 'USE_HSTS', 'SSL_CERT',
  'BIND_OPTIONS', 'BIND_ADDR', 'PORT', 'AUTH', 'HTTP_BACKEND_PROXYPASS_PATH', 'HTTP_BACKEND_REVPROXY_PATH', 'HTTP_BACKEND_REDIR',
  'BACKEND_NETWORK_ALLOWED_ACL', 'BACKEND_HEALTHCHECK_PORT_INDEX', 'GROUP', 'ENABLED'];
const portLabelCache: Array<ReadonlyMap<string, string>> = [];
function portLabelNames(index: number): ReadonlyMap<string, string> {
  if (index >= 64) return new Map();
  return portLabelCache[index] ??= new Map(PORT_LABELS.map((n) => [n, labelName(n, index)]));
}

/** HAPROXY_{index}_* labels -> settings for that service port, plus problems as data. */
export function decodePortLabels(labels: Labels, index: number): Decoded<PortSettings> {
  const own = portLabels(labels, index);
  // Many service ports have no label of their own (every port but the first, often): they
  // share one frozen decoding of nothing instead of each making it again.
  if (own === undefined) return UNLABELLED_PORT;
  const r = new LabelReader(own);
  const names = portLabelNames(index);
  const l = (name: string): string => names.get(name) ?? labelName(name, index);
  const vhosts = decodeVhosts(r, l('VHOST'));
  const path = r.text(l('PATH'));
  let backendWeight = r.int(l('BACKEND_WEIGHT')) ?? 0;
  // marathon-lb: a path raises a zero weight to 1 so path routes sort before plain vhost routes.
  if (path !== undefined && backendWeight === 0) backendWeight = 1;
  const settings: PortSettings = {
    vhosts,
    path,
    mode: decodeMode(r, l('MODE')),
    balance: r.text(l('BALANCE')) ?? 'roundrobin',
    sticky: r.bool(l('STICKY')) ?? false,
    redirectToHttps: r.bool(l('REDIRECT_TO_HTTPS')) ?? false,
    useHsts: r.bool(l('USE_HSTS')) ?? false,
    sslCert: r.text(l('SSL_CERT')),
    bindOptions: r.text(l('BIND_OPTIONS')),
    bindAddr: r.text(l('BIND_ADDR')) ?? '*',
    port: r.port(l('PORT')),
    auth: decodeAuth(r, l('AUTH')),
    proxypassPath: r.text(l('HTTP_BACKEND_PROXYPASS_PATH')),
    revproxyPath: r.text(l('HTTP_BACKEND_REVPROXY_PATH')),
    redirPath: r.text(l('HTTP_BACKEND_REDIR')),
    backendWeight,
    networkAllowed: r.text(l('BACKEND_NETWORK_ALLOWED_ACL')),
    healthCheckPortIndex: r.int(l('BACKEND_HEALTHCHECK_PORT_INDEX')),
    groups: r.list(l('GROUP')),
    enabled: r.bool(l('ENABLED')),
    templates: decodeTemplates(own, index, r),
  };
  return { settings, problems: r.problems };
}

/** What decodePortLabels gives a port without labels of its own (the unit tests hold it to the long way). */
const UNLABELLED_PORT: Decoded<PortSettings> = Object.freeze({
  settings: Object.freeze({
    vhosts: Object.freeze([]), path: undefined, mode: undefined, balance: 'roundrobin', sticky: false, redirectToHttps: false,
    useHsts: false, sslCert: undefined, bindOptions: undefined, bindAddr: '*', port: undefined, auth: undefined,
    proxypassPath: undefined, revproxyPath: undefined, redirPath: undefined, backendWeight: 0,
    networkAllowed: undefined, healthCheckPortIndex: undefined, groups: undefined, enabled: undefined, templates: Object.freeze({}),
  }),
  problems: Object.freeze([]),
});

function decodeTimestamp(r: LabelReader, label: string): number | undefined {
  const value = r.text(label);
  if (value === undefined) return undefined;
  // A date-time without a zone is read as UTC: JavaScript would use the host's zone.
  const ms = Date.parse(/T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(value) ? `${value}Z` : value);
  if (Number.isNaN(ms)) r.problem(label, 'INVALID_LABEL', `expected an ISO 8601 timestamp, got ${JSON.stringify(value)}`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** App-level HAPROXY_* labels (groups and blue/green). */
export function decodeAppLabels(labels: Labels): Decoded<AppSettings> {
  const r = new LabelReader(labels);
  const group = r.text('HAPROXY_DEPLOYMENT_GROUP');
  const settings: AppSettings = {
    groups: r.list('HAPROXY_GROUP') ?? [],
    deploymentGroup: group === undefined ? undefined : group.startsWith('/') ? group : `/${group}`,
    deploymentStartedAt: decodeTimestamp(r, 'HAPROXY_DEPLOYMENT_STARTED_AT'),
    deploymentTargetInstances: r.int('HAPROXY_DEPLOYMENT_TARGET_INSTANCES'),
    deploymentNewInstances: r.int('HAPROXY_DEPLOYMENT_NEW_INSTANCES'),
  };
  return { settings, problems: r.problems };
}
