// The golden cases: named after behaviour, each a Marathon /v2/apps payload plus flags.
// Expected output lives in expected/<name>/ (UPDATE_GOLDEN=1 rewrites it).

import type { RenderOptions } from '../../src/config/index.js';
import { TEMPLATES } from '../../src/config/template-registry.js';
import type { WireApp } from '../../src/model/wire.js';
import { HTTP_HEALTH, wireApp } from '../support/wire-builders.js';
import { readTemplateDir, builtinTemplateDir } from '../../src/config/index.js';

export interface GoldenCase {
  readonly name: string;
  readonly apps: WireApp[];
  readonly render?: Partial<RenderOptions>;
  readonly normalize?: { groups?: string[]; strictMode?: boolean; healthCheck?: boolean };
  readonly env?: Record<string, string>;
}

const AUTH = 'realm:user:$6$saltsalt$hash';
const vhostApp = (id: string, port: number, labels: Record<string, string>): WireApp => wireApp({ id, ports: [port], labels: { HAPROXY_0_VHOST: `${id.slice(1)}.example.com`, ...labels } });

/** One app per overridable template, each triggering that template and overriding it by label. */
function overrideCases(): GoldenCase[] {
  const builtin = readTemplateDir(builtinTemplateDir());
  // Labels that make each template appear (beyond a plain app).
  const trigger: Record<string, Record<string, string>> = {
    USERLIST_HEAD: { HAPROXY_0_VHOST: 'a.com', HAPROXY_0_AUTH: AUTH },
    BACKEND_REDIRECT_HTTP_TO_HTTPS: { HAPROXY_0_VHOST: 'a.com', HAPROXY_0_REDIRECT_TO_HTTPS: 'true' },
    BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH: { HAPROXY_0_VHOST: 'a.com', HAPROXY_0_REDIRECT_TO_HTTPS: 'true', HAPROXY_0_PATH: '/p' },
    HTTP_FRONTEND_ACL: { HAPROXY_0_VHOST: 'a.com' },
    HTTP_FRONTEND_ACL_WITH_AUTH: { HAPROXY_0_VHOST: 'a.com', HAPROXY_0_AUTH: AUTH },
    HTTP_FRONTEND_ACL_ONLY: { HAPROXY_0_VHOST: 'a.com,b.com' },
    HTTP_FRONTEND_ROUTING_ONLY: { HAPROXY_0_VHOST: 'a.com,b.com' },
    HTTP_FRONTEND_ROUTING_ONLY_WITH_AUTH: { HAPROXY_0_VHOST: 'a.com,b.com', HAPROXY_0_AUTH: AUTH },
    HTTP_FRONTEND_ACL_WITH_PATH: { HAPROXY_0_VHOST: 'a.com', HAPROXY_0_PATH: '/p' },
    HTTP_FRONTEND_ACL_WITH_AUTH_AND_PATH: { HAPROXY_0_VHOST: 'a.com', HAPROXY_0_PATH: '/p', HAPROXY_0_AUTH: AUTH },
    HTTP_FRONTEND_ACL_ONLY_WITH_PATH: { HAPROXY_0_VHOST: 'a.com,b.com', HAPROXY_0_PATH: '/p' },
    HTTP_FRONTEND_ACL_ONLY_WITH_PATH_AND_AUTH: { HAPROXY_0_VHOST: 'a.com,b.com', HAPROXY_0_PATH: '/p', HAPROXY_0_AUTH: AUTH },
    HTTPS_FRONTEND_ACL_ONLY_WITH_PATH: { HAPROXY_0_VHOST: 'a.com', HAPROXY_0_PATH: '/p' },
    HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH: { HAPROXY_0_VHOST: 'a.com,b.com', HAPROXY_0_PATH: '/p' },
    HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH: { HAPROXY_0_VHOST: 'a.com,b.com', HAPROXY_0_PATH: '/p', HAPROXY_0_AUTH: AUTH },
    HTTP_FRONTEND_APPID_ACL: { HAPROXY_0_MODE: 'http' },
    HTTPS_FRONTEND_ACL: { HAPROXY_0_VHOST: 'a.com' },
    HTTPS_FRONTEND_ACL_WITH_AUTH: { HAPROXY_0_VHOST: 'a.com', HAPROXY_0_AUTH: AUTH },
    HTTPS_FRONTEND_ACL_WITH_PATH: { HAPROXY_0_VHOST: 'a.com', HAPROXY_0_PATH: '/p' },
    HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH: { HAPROXY_0_VHOST: 'a.com', HAPROXY_0_PATH: '/p', HAPROXY_0_AUTH: AUTH },
    BACKEND_HTTP_OPTIONS: { HAPROXY_0_MODE: 'http' },
    HTTP_BACKEND_PROXYPASS_GLUE: { HAPROXY_0_VHOST: 'a.com', HAPROXY_0_HTTP_BACKEND_PROXYPASS_PATH: '/pp' },
    HTTP_BACKEND_REVPROXY_GLUE: { HAPROXY_0_VHOST: 'a.com', HAPROXY_0_HTTP_BACKEND_REVPROXY_PATH: '/rp' },
    BACKEND_HSTS_OPTIONS: { HAPROXY_0_VHOST: 'a.com', HAPROXY_0_USE_HSTS: 'true' },
    BACKEND_HTTP_HEALTHCHECK_OPTIONS: { HAPROXY_0_MODE: 'http' },
    BACKEND_TCP_HEALTHCHECK_OPTIONS: { HAPROXY_0_MODE: 'tcp' },
    BACKEND_STICKY_OPTIONS: { HAPROXY_0_MODE: 'http', HAPROXY_0_STICKY: 'true' },
    BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS: { HAPROXY_0_MODE: 'http' },
    BACKEND_SERVER_TCP_HEALTHCHECK_OPTIONS: { HAPROXY_0_MODE: 'tcp' },
    HTTP_BACKEND_NETWORK_ALLOWED_ACL: { HAPROXY_0_MODE: 'http', HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL: '10.0.0.0/8' },
    TCP_BACKEND_NETWORK_ALLOWED_ACL: { HAPROXY_0_MODE: 'tcp', HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL: '10.0.0.0/8' },
    MAP_HTTP_FRONTEND_ACL: { HAPROXY_0_VHOST: 'a.com' },
    MAP_HTTP_FRONTEND_ACL_ONLY: { HAPROXY_0_VHOST: 'a.com,b.com' },
    MAP_HTTPS_FRONTEND_ACL: { HAPROXY_0_VHOST: 'a.com' },
    MAP_HTTP_FRONTEND_APPID_ACL: { HAPROXY_0_MODE: 'http' },
  };
  const plain = ['FRONTEND_HEAD', 'FRONTEND_BACKEND_GLUE', 'BACKEND_HEAD', 'BACKEND_SERVER_OPTIONS'];
  const mk = (names: string[]) => names.map((name, i) => {
    const labels: Record<string, string> = { ...trigger[name] };
    if (labels.HAPROXY_0_VHOST) labels.HAPROXY_0_VHOST = labels.HAPROXY_0_VHOST.replace(/([ab])\.com/g, `$1${i}.com`);
    const spec = TEMPLATES.find((t) => t.name === name)!;
    const marker = `# ${name} overridden by label${spec.placeholders.includes('backend') ? ' for {backend}' : ''}`;
    // Server check options are spliced into the server line, so their marker stays on that line.
    labels[`HAPROXY_0_${name}`] = /^BACKEND_SERVER_.*HEALTHCHECK/.test(name) ? `${builtin[name]!.trimEnd()} ${marker}` : `  ${marker}\n${builtin[name]}`;
    const healthChecks = /HEALTHCHECK/.test(name) ? [{ ...HTTP_HEALTH, protocol: name.includes('TCP') ? 'TCP' : 'HTTP' }] : [];
    return wireApp({ id: `/ovr/${name.toLowerCase().replace(/_/g, '-')}`, ports: [11000 + i], labels, healthChecks });
  });
  const never = new Set(['HTTPS_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH', 'HTTPS_FRONTEND_AUTH_ACL_ONLY', 'HTTPS_FRONTEND_AUTH_REQUEST_ONLY']);
  const overridable = TEMPLATES.filter((t) => t.overridable && !never.has(t.name)).map((t) => t.name);
  const acl = overridable.filter((n) => !n.startsWith('MAP_'));
  const map = overridable.filter((n) => n.startsWith('MAP_'));
  for (const n of [...acl, ...map]) if (!plain.includes(n) && !trigger[n]) throw new Error(`no trigger for ${n}`);
  return [
    { name: 'label-overrides-every-template', apps: mk(acl) },
    // The shared map line is rendered with the first service's template, so one case per template.
    ...map.map((n) => ({ name: `label-overrides-${n.toLowerCase().replace(/_/g, '-')}`, apps: mk([n]), render: { haproxyMap: true } })),
  ];
}

export const CASES: GoldenCase[] = [
  { name: 'no-apps', apps: [] },
  { name: 'tcp-app', apps: [wireApp({ id: '/db', ports: [10000], tasks: [[31000], [31001]] })] },
  { name: 'http-health-check', apps: [wireApp({ id: '/nginx', healthChecks: [HTTP_HEALTH], tasks: [[31000], [31001]] })] },
  { name: 'vhost', apps: [vhostApp('/web', 10000, {})] },
  { name: 'vhost-multiple', apps: [vhostApp('/web', 10000, { HAPROXY_0_VHOST: 'web.example.com,www.example.com' })] },
  { name: 'vhost-redirect', apps: [vhostApp('/web', 10000, { HAPROXY_0_REDIRECT_TO_HTTPS: 'true' })] },
  { name: 'vhost-multiple-redirect', apps: [vhostApp('/web', 10000, { HAPROXY_0_VHOST: 'a.com,b.com', HAPROXY_0_REDIRECT_TO_HTTPS: 'true' })] },
  { name: 'vhost-auth', apps: [vhostApp('/web', 10000, { HAPROXY_0_AUTH: AUTH })] },
  { name: 'vhost-path', apps: [vhostApp('/web', 10000, { HAPROXY_0_PATH: '/api' })] },
  { name: 'vhost-path-auth', apps: [vhostApp('/web', 10000, { HAPROXY_0_PATH: '/api', HAPROXY_0_AUTH: AUTH })] },
  { name: 'vhost-path-redirect', apps: [vhostApp('/web', 10000, { HAPROXY_0_PATH: '/api', HAPROXY_0_REDIRECT_TO_HTTPS: 'true' })] },
  { name: 'vhost-multiple-path-auth', apps: [vhostApp('/web', 10000, { HAPROXY_0_VHOST: 'a.com,b.com', HAPROXY_0_PATH: '/api', HAPROXY_0_AUTH: AUTH })] },
  {
    name: 'backend-weight-ordering',
    apps: [0, 1, 2, 3].map((w) => vhostApp(`/nginx${w || ''}`, 10000 + w, { HAPROXY_0_VHOST: 'shared.example.com', HAPROXY_0_PATH: `/p${w}`, HAPROXY_0_BACKEND_WEIGHT: String(w) })),
  },
  {
    name: 'labels-backend-options',
    apps: [
      vhostApp('/hsts', 10000, { HAPROXY_0_USE_HSTS: 'true', HAPROXY_0_BALANCE: 'leastconn', HAPROXY_0_STICKY: 'true' }),
      vhostApp('/proxy', 10001, { HAPROXY_0_HTTP_BACKEND_PROXYPASS_PATH: '/proxy', HAPROXY_0_HTTP_BACKEND_REVPROXY_PATH: '/proxy', HAPROXY_0_HTTP_BACKEND_REDIR: '/landing' }),
      wireApp({ id: '/net', ports: [10002], labels: { HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL: '10.0.0.0/8 192.168.0.0/16', HAPROXY_0_BIND_ADDR: '127.0.0.1', HAPROXY_0_BIND_OPTIONS: 'maxconn 100', HAPROXY_0_PORT: '12000' } }),
      wireApp({ id: '/tls', ports: [10003], labels: { HAPROXY_0_MODE: 'http', HAPROXY_0_SSL_CERT: '/etc/ssl/tls-app.pem' } }),
    ],
  },
  {
    name: 'groups-and-strict-mode',
    normalize: { strictMode: true },
    apps: [
      wireApp({ id: '/enabled', ports: [10000, 10001], labels: { HAPROXY_0_ENABLED: 'true' } }),
      wireApp({ id: '/internal', ports: [10002, 10003], labels: { HAPROXY_GROUP: 'internal', HAPROXY_1_GROUP: 'external', HAPROXY_1_ENABLED: 'yes' } }),
    ],
  },
  {
    name: 'healthcheck-port-index',
    apps: [wireApp({ id: '/two', ports: [10000, 10001], tasks: [[31000, 31001]], labels: { HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX: '1' }, healthChecks: [{ ...HTTP_HEALTH, portIndex: 1 }] })],
  },
  { name: 'map-mode', render: { haproxyMap: true }, apps: [vhostApp('/a', 10000, { HAPROXY_0_VHOST: 'a.com,www.a.com' }), vhostApp('/b', 10001, {}), vhostApp('/p', 10002, { HAPROXY_0_PATH: '/x' }), vhostApp('/s', 10003, { HAPROXY_0_AUTH: AUTH }), vhostApp('/r', 10004, { HAPROXY_0_REDIRECT_TO_HTTPS: 'true' })] },
  { name: 'group-https-by-vhost', render: { groupHttpsByVhost: true }, apps: [vhostApp('/a', 10000, { HAPROXY_0_VHOST: 'a.com,b.com' }), vhostApp('/c', 10001, { HAPROXY_0_VHOST: 'a.com', HAPROXY_0_PATH: '/c', HAPROXY_0_SSL_CERT: '/etc/ssl/c.pem', HAPROXY_0_BIND_OPTIONS: 'alpn h2,http/1.1' })] },
  { name: 'dont-bind-http-https', render: { dontBindHttpHttps: true }, apps: [vhostApp('/web', 10000, {})] },
  { name: 'several-certificates', render: { sslCerts: ['/etc/ssl/a.pem', '/etc/ssl/b.pem'] }, apps: [] },
  {
    name: 'blue-green-deployment',
    apps: [
      wireApp({ id: '/nginx-blue', ports: [10001], tasks: [[31000], [31001]], labels: { HAPROXY_DEPLOYMENT_GROUP: 'nginx', HAPROXY_DEPLOYMENT_ALT_PORT: '10002', HAPROXY_DEPLOYMENT_STARTED_AT: '2024-01-01T00:00:00Z', HAPROXY_0_PORT: '10000', HAPROXY_DEPLOYMENT_COLOUR: 'blue', HAPROXY_APP_ID: '/nginx' } }),
      wireApp({ id: '/nginx-green', ports: [10002], tasks: [[31002]], labels: { HAPROXY_DEPLOYMENT_GROUP: 'nginx', HAPROXY_DEPLOYMENT_ALT_PORT: '10001', HAPROXY_DEPLOYMENT_STARTED_AT: '2024-01-02T00:00:00Z', HAPROXY_DEPLOYMENT_TARGET_INSTANCES: '2', HAPROXY_DEPLOYMENT_NEW_INSTANCES: '1', HAPROXY_0_PORT: '10000', HAPROXY_DEPLOYMENT_COLOUR: 'green', HAPROXY_APP_ID: '/nginx' } }),
    ],
  },
  {
    name: 'bad-label-isolated',
    apps: [
      vhostApp('/good', 10000, {}),
      vhostApp('/badauth', 10001, { HAPROXY_0_AUTH: 'no-colons' }),
      vhostApp('/badtemplate', 10002, { HAPROXY_0_BACKEND_HEAD: '\nbackend {backend}\n  balance {balanse}\n' }),
      vhostApp('/badport', 10003, { HAPROXY_0_PORT: 'eighty' }),
    ],
  },
  { name: 'env-template-override', env: { HAPROXY_HTTP_FRONTEND_HEAD: '\\nfrontend marathon_http_in\\n  bind *:80\\n  mode http\\n  option httplog\\n' }, apps: [vhostApp('/web', 10000, {})] },
  ...overrideCases(),
];
