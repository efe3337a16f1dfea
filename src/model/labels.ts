// THE label registry: one table of every app label marathon-lb reads (spec §4). Decoding,
// --longhelp and docs/labels.md are all driven from it, so a label documented is a label parsed.

import { OVERRIDABLE_TEMPLATE_NAMES } from '../config/template-registry.js';

/** How a label's value is read. */
export type LabelValueType =
  | 'string'
  /** true/t/yes/y (case-insensitive) is true, anything else false. */
  | 'bool'
  /** A decimal integer; anything else excludes the service. */
  | 'int'
  /** A TCP port, 1..65535. */
  | 'port'
  /** Comma-separated list, kept as written (no trimming). */
  | 'list'
  /** Comma-separated host names, lower-cased. */
  | 'vhosts'
  /** `realm:user:password` with a crypt(3) password hash. */
  | 'auth'
  /** `http` or `tcp`, lower-cased. */
  | 'mode'
  /** A timestamp (ISO 8601). */
  | 'timestamp'
  /** Template text replacing a built-in template for this service port. */
  | 'template';

export interface LabelSpec {
  /** Short name: the label is `HAPROXY_<name>` (app) or `HAPROXY_{n}_<name>` (per port). */
  readonly name: string;
  readonly perPort: boolean;
  readonly type: LabelValueType;
  /** Human-readable default, as documented. */
  readonly default: string;
  readonly description: string;
  readonly example: string;
  /** Read by zdd/bluegreen_deploy only; the controller ignores it. */
  readonly controllerIgnores?: boolean;
}

/** The label's pattern as users write it: `HAPROXY_GROUP`, `HAPROXY_{n}_VHOST`. */
export function labelPattern(spec: Pick<LabelSpec, 'name' | 'perPort'>): string {
  return spec.perPort ? `HAPROXY_{n}_${spec.name}` : `HAPROXY_${spec.name}`;
}

/** The concrete label name: `HAPROXY_0_VHOST` for index 0. */
export function labelName(name: string, index?: number): string {
  return index === undefined ? `HAPROXY_${name}` : `HAPROXY_${index}_${name}`;
}

function app(name: string, type: LabelValueType, dflt: string, description: string, example: string, controllerIgnores = false): LabelSpec {
  return { name, perPort: false, type, default: dflt, description, example, ...(controllerIgnores ? { controllerIgnores } : {}) };
}

function port(name: string, type: LabelValueType, dflt: string, description: string, example: string): LabelSpec {
  return { name, perPort: true, type, default: dflt, description, example };
}

export const APP_LABELS: readonly LabelSpec[] = [
  app('GROUP', 'list', '(none)', 'The load-balancer groups that serve this app. An LB serves the app if its `--group` list contains `*` or shares a group with this list. An app without a group is only served by an LB with `--group \'*\'`.', 'external'),
  app('DEPLOYMENT_GROUP', 'string', '(none)', 'Blue/green: both colours of an app carry the same group; they are served merged as the app `/<group>`, and the old colour\'s tasks are drained as the new colour becomes healthy.', 'nginx'),
  app('DEPLOYMENT_STARTED_AT', 'timestamp', '(oldest possible)', 'Blue/green: when this colour was deployed; the later one is the new colour.', '2017-07-19T17:34:41.967Z'),
  app('DEPLOYMENT_TARGET_INSTANCES', 'int', '1', 'Blue/green: the instance count the deployment aims for; old tasks are drained once healthy new tasks plus old instances exceed it. Read only when HAPROXY_DEPLOYMENT_NEW_INSTANCES is set.', '3'),
  app('DEPLOYMENT_NEW_INSTANCES', 'int', '(none)', 'Blue/green: written by zdd. When non-zero, an older colour that was scaled later than the newer one is treated as the new colour.', '1'),
  app('DEPLOYMENT_ALT_PORT', 'port', '(none)', 'Blue/green: the alternate service port zdd gives the second colour. Ignored by the controller.', '10001', true),
  app('DEPLOYMENT_COLOUR', 'string', '(none)', 'Blue/green: `blue` or `green`, written by zdd. Ignored by the controller.', 'blue', true),
  app('APP_ID', 'string', '(none)', 'Blue/green: the original app id, written by zdd. Ignored by the controller.', '/nginx', true),
];

export const PORT_LABELS: readonly LabelSpec[] = [
  port('VHOST', 'vhosts', '(none)', 'Virtual host(s) routed on :80 and :443 to this service port (comma-separated, lower-cased). Forces `mode http`.', 'www.example.com,example.com'),
  port('PATH', 'string', '(none)', 'Also require this path prefix (HAProxy `path_beg` arguments, e.g. `-i /api /v2`). Needs a VHOST. Raises a backend weight of 0 to 1.', '/api'),
  port('MODE', 'mode', 'http with a VHOST or an HTTP health check, else tcp', 'HAProxy `mode` of the frontend and backend. A VHOST forces `http`.', 'tcp'),
  port('BALANCE', 'string', 'roundrobin', 'HAProxy `balance` algorithm of the backend.', 'leastconn'),
  port('STICKY', 'bool', 'false', 'Sticky sessions with an inserted cookie naming the server.', 'true'),
  port('REDIRECT_TO_HTTPS', 'bool', 'false', 'Redirect plain-HTTP requests for the vhost(s) to https.', 'true'),
  port('USE_HSTS', 'bool', 'false', 'Send a Strict-Transport-Security header (http mode).', 'true'),
  port('SSL_CERT', 'string', '(none)', 'Terminate TLS on the service port\'s own frontend with this certificate file.', '/etc/ssl/site.pem'),
  port('BIND_OPTIONS', 'string', '(none)', 'Extra options appended to the service port\'s `bind` line.', 'verify required'),
  port('BIND_ADDR', 'string', '*', 'Address the service port\'s frontend binds.', '10.0.0.42'),
  port('PORT', 'port', 'the Marathon service port', 'Bind this port instead of Marathon\'s service port (also used in the backend name). Not one of the load balancer\'s own (`--http-port`, `--https-port`, `--admin-port`, `--appid-port`, `--status-port`): such a port is left out, named (with `--dont-bind-http-https` the HTTP and HTTPS ports are free).', '8080'),
  port('AUTH', 'auth', '(none)', 'HTTP basic auth on the vhost routes: `realm:user:password-hash` (crypt(3) hash).', 'internal:admin:$5$salt$hash'),
  port('HTTP_BACKEND_PROXYPASS_PATH', 'string', '(none)', 'Strip this path prefix before forwarding and set the Host header to the vhost (http mode).', '/app'),
  port('HTTP_BACKEND_REVPROXY_PATH', 'string', '(none)', 'Rewrite `Location` response headers under this root path (http mode).', '/app'),
  port('HTTP_BACKEND_REDIR', 'string', '(none)', 'Redirect requests for `/` on the vhost to this path (http mode).', '/home'),
  port('BACKEND_WEIGHT', 'int', '0', 'Order of this service\'s rules in the shared :80/:443 frontends: higher first.', '10'),
  port('BACKEND_NETWORK_ALLOWED_ACL', 'string', '(none)', 'Only accept clients from these whitespace-separated addresses/networks.', '10.0.0.0/8 192.168.0.1'),
  port('BACKEND_HEALTHCHECK_PORT_INDEX', 'int', '(none)', 'Health-check each task on the port of its service port with this index (and, without an own health check, use the app\'s check for that index).', '1'),
  port('GROUP', 'list', 'the app\'s HAPROXY_GROUP', 'Load-balancer groups for this service port only; replaces HAPROXY_GROUP.', 'internal'),
  port('ENABLED', 'bool', 'true (false with --strict-mode)', 'Serve this service port.', 'true'),
];

/** Every label with a fixed name (the template overrides are the open-ended family below). */
export const LABELS: readonly LabelSpec[] = [...APP_LABELS, ...PORT_LABELS];

/** The template-override family: `HAPROXY_{n}_<TEMPLATE>` for every overridable template. */
export const TEMPLATE_OVERRIDE_LABEL: LabelSpec = port(
  '<TEMPLATE>',
  'template',
  'the global template',
  'Replace the template `HAPROXY_<TEMPLATE>` for this service port (any overridable template, including the MAP_* ones). CRLF line ends become LF; placeholders are checked when rendering.',
  'HAPROXY_0_BACKEND_HEAD',
);

export const PORT_LABEL_BY_NAME: ReadonlyMap<string, LabelSpec> = new Map(PORT_LABELS.map((s) => [s.name, s]));
export const APP_LABEL_BY_NAME: ReadonlyMap<string, LabelSpec> = new Map(APP_LABELS.map((s) => [s.name, s]));

/** Per-port label names that override a template (`HAPROXY_{n}_<name>`), sorted. */
export function templateOverrideNames(): readonly string[] {
  return [...OVERRIDABLE_TEMPLATE_NAMES].sort();
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function table(specs: readonly LabelSpec[]): string[] {
  const rows = ['| Label | Type | Default | Description | Example |', '|---|---|---|---|---|'];
  for (const s of specs) {
    rows.push(`| \`${labelPattern(s)}\` | ${s.type} | ${cell(s.default)} | ${cell(s.description)} | \`${cell(s.example)}\` |`);
  }
  return rows;
}

/** docs/labels.md, generated from the registry. */
export function renderLabelDocs(): string {
  const lines = [
    '# App labels',
    '',
    '<!-- Generated from src/model/labels.ts by renderLabelDocs(); do not edit by hand. -->',
    '',
    'Labels are read from the Marathon app definition. `{n}` is the service-port index (0 for the',
    'first service port). Booleans are true for `true`, `t`, `yes` or `y` (any case). A value that',
    'cannot be read (a bad integer, an AUTH without three parts, a line break in a value) excludes',
    'only that service port, and the reason names the app and the label.',
    '',
    '## App-level labels',
    '',
    ...table(APP_LABELS),
    '',
    '## Per service-port labels',
    '',
    ...table(PORT_LABELS),
    '',
    '## Template overrides',
    '',
    ...table([TEMPLATE_OVERRIDE_LABEL]),
    '',
    'Overridable templates:',
    '',
    ...templateOverrideNames().map((n) => `- \`HAPROXY_{n}_${n}\``),
    '',
    '## Pods',
    '',
    'Marathon pods (1.4+, `GET /v2/pods/::status`) take the same labels in the pod\'s `labels`, and are',
    'served like apps (backend `<pod id>_<port>`, the same groups, the same status page and maps).',
    '`{n}` indexes the pod\'s endpoints in container order (the first endpoint of the first container',
    'is 0). Pods have no service ports: an endpoint is served on `HAPROXY_{n}_PORT`, and one without',
    'it is skipped (`NO_SERVICE_PORT`) without shifting the index of the others. Servers: with host',
    'networking the instance\'s agent and the endpoint\'s allocated host port; with container',
    'networking the instance\'s network address and the endpoint\'s `containerPort`; with',
    '`container/bridge` the agent and the allocated host port. A container that is not running is not',
    'served; with `--health-check`, an endpoint named by a container\'s http or tcp health check is',
    'served only while Marathon reports it healthy. An HTTP health check puts the endpoint in http',
    'mode and becomes HAProxy\'s check, as for apps. `HAPROXY_DEPLOYMENT_GROUP` is ignored on pods.',
    '',
  ];
  return lines.join('\n');
}
