// The one table of marathon-lb's templates. It drives template loading, per-port label
// overrides, placeholder checking, --longhelp and docs/templates.md. A leaf module: no imports,
// so the model can ask "is HAPROXY_{n}_X a template override?" without depending on render.

const HC = [
  'healthCheckPortIndex', 'healthCheckPort', 'healthCheckProtocol', 'healthCheckPath',
  'healthCheckTimeoutSeconds', 'healthCheckIntervalSeconds', 'healthCheckGracePeriodSeconds',
  'healthCheckMaxConsecutiveFailures', 'healthCheckFalls', 'healthCheckPortOptions',
] as const;

export interface TemplateSpec {
  /** Short name; the global name is `HAPROXY_` + name. */
  readonly name: string;
  /** May an app override it with the label HAPROXY_{n}_<name>? */
  readonly overridable: boolean;
  /** Emitted verbatim: `{...}` is not substituted. */
  readonly raw: boolean;
  /** Placeholders the renderer supplies; any other `{name}` is an error. */
  readonly placeholders: readonly string[];
  readonly description: string;
}

function t(name: string, overridable: boolean, placeholders: readonly string[] | 'raw', description: string): TemplateSpec {
  return { name, overridable, raw: placeholders === 'raw', placeholders: placeholders === 'raw' ? [] : placeholders, description };
}

const HOST_ACL = ['cleanedUpHostname', 'hostname', 'appId', 'backend'] as const;

export const TEMPLATES: readonly TemplateSpec[] = [
  t('HEAD', false, 'raw', 'The head of the file: `global` and `defaults` sections and the :9090 `listen stats` admin section with its Lua endpoints.'),
  t('HTTP_FRONTEND_HEAD', false, 'raw', 'The :80 frontend `marathon_http_in` that routes vhosts by Host header.'),
  t('HTTP_FRONTEND_APPID_HEAD', false, 'raw', 'The :9091 frontend `marathon_http_appid_in` that routes by the `X-Marathon-App-Id` header.'),
  t('HTTPS_FRONTEND_HEAD', false, ['sslCerts'], 'The :443 frontend `marathon_https_in` that terminates TLS and routes vhosts by SNI. `{sslCerts}` is `crt <path>` for each certificate.'),
  t('HTTPS_GROUPED_FRONTEND_HEAD', false, 'raw', 'With --group-https-by-vhost: the :443 TCP frontend that switches on SNI without terminating TLS.'),
  t('HTTPS_GROUPED_VHOST_FRONTEND_ACL', false, ['backend', 'host'], 'With --group-https-by-vhost: one SNI switch line per vhost.'),
  t('HTTPS_GROUPED_VHOST_BACKEND_HEAD', false, ['name'], 'With --group-https-by-vhost: the loopback backend that hands a vhost\'s TLS connections to its own frontend.'),
  t('HTTPS_GROUPED_VHOST_FRONTEND_HEAD', false, ['name', 'sslCerts', 'bindOpts'], 'With --group-https-by-vhost: the TLS frontend of one vhost, with its certificates and bind options.'),
  t('USERLIST_HEAD', true, ['backend', 'user', 'passwd', 'realm'], 'The userlist of a service with HAPROXY_{n}_AUTH.'),
  t('FRONTEND_HEAD', true, ['backend', 'bindAddr', 'servicePort', 'mode', 'sslCert', 'bindOptions'], 'The frontend of one service port.'),
  t('FRONTEND_BACKEND_GLUE', true, ['backend'], 'Connects a service port\'s frontend to its backend.'),
  t('BACKEND_HEAD', true, ['backend', 'balance', 'mode'], 'The backend of one service port.'),
  t('BACKEND_HTTP_OPTIONS', true, 'raw', 'HTTP options of an http-mode backend: X-Forwarded-For, -Port and -Proto.'),
  t('BACKEND_HSTS_OPTIONS', true, 'raw', 'With HAPROXY_{n}_USE_HSTS: the Strict-Transport-Security response header.'),
  t('BACKEND_STICKY_OPTIONS', true, 'raw', 'With HAPROXY_{n}_STICKY: the persistence cookie.'),
  t('BACKEND_SERVER_OPTIONS', true, ['host', 'host_ipv4', 'port', 'serverName', 'serverId', 'cookieOptions', 'healthCheckOptions', 'otherOptions'], 'One server line per task.'),
  t('BACKEND_HTTP_HEALTHCHECK_OPTIONS', true, HC, 'Backend-level HTTP health check (from the app\'s Marathon health check).'),
  t('BACKEND_TCP_HEALTHCHECK_OPTIONS', true, HC, 'Backend-level TCP health check (empty by default: TCP checks need no backend option).'),
  t('BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS', true, HC, 'Per-server check options for HTTP health checks.'),
  t('BACKEND_SERVER_TCP_HEALTHCHECK_OPTIONS', true, HC, 'Per-server check options for TCP health checks.'),
  t('BACKEND_REDIRECT_HTTP_TO_HTTPS', true, ['bindAddr', 'cleanedUpHostname', 'backend'], 'With HAPROXY_{n}_REDIRECT_TO_HTTPS: the :80 redirect to https.'),
  t('BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH', true, ['bindAddr', 'cleanedUpHostname', 'backend'], 'The :80 redirect to https for a service with a path.'),
  t('HTTP_FRONTEND_ACL', true, HOST_ACL, ':80 routing for a single vhost: a Host ACL and its use_backend.'),
  t('MAP_HTTP_FRONTEND_ACL', true, ['haproxy_dir'], ':80 routing through domain2backend.map (--haproxy-map).'),
  t('HTTP_FRONTEND_ACL_WITH_AUTH', true, [...HOST_ACL, 'realm'], ':80 routing for a vhost with basic auth.'),
  t('HTTP_FRONTEND_ACL_ONLY', true, ['cleanedUpHostname', 'hostname', 'appId', 'backend'], ':80 Host ACL without routing (multi-vhost services).'),
  t('MAP_HTTP_FRONTEND_ACL_ONLY', true, ['haproxy_dir'], ':80 map lookup for multi-vhost services (--haproxy-map).'),
  t('HTTP_FRONTEND_ROUTING_ONLY', true, ['cleanedUpHostname', 'backend', 'appId'], ':80 use_backend for a multi-vhost service.'),
  t('HTTP_FRONTEND_ROUTING_ONLY_WITH_AUTH', true, ['cleanedUpHostname', 'backend', 'appId', 'realm'], ':80 use_backend with basic auth for a multi-vhost service.'),
  t('HTTP_FRONTEND_ACL_WITH_PATH', true, [...HOST_ACL, 'path'], ':80 routing for a vhost with a path.'),
  t('HTTP_FRONTEND_ACL_WITH_AUTH_AND_PATH', true, [...HOST_ACL, 'path', 'realm'], ':80 routing for a vhost with a path and basic auth.'),
  t('HTTP_FRONTEND_ACL_ONLY_WITH_PATH', true, [...HOST_ACL, 'path'], ':80 path ACL without routing.'),
  t('HTTP_FRONTEND_ACL_ONLY_WITH_PATH_AND_AUTH', true, [...HOST_ACL, 'path', 'realm'], ':80 path and auth ACLs without routing.'),
  t('HTTPS_FRONTEND_ACL_ONLY_WITH_PATH', true, [...HOST_ACL, 'path', 'realm'], ':443 path ACL.'),
  t('HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH', true, ['cleanedUpHostname', 'backend', 'appId', 'path'], ':80 use_backend for a multi-vhost service with a path.'),
  t('HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH', true, ['cleanedUpHostname', 'backend', 'appId', 'path', 'realm'], ':80 use_backend with path and basic auth for a multi-vhost service.'),
  t('HTTPS_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH', true, ['cleanedUpHostname', 'backend', 'appId', 'path', 'realm'], 'Accepted for compatibility; marathon-lb never emits it.'),
  t('HTTP_FRONTEND_APPID_ACL', true, ['cleanedUpAppId', 'hostname', 'appId', 'backend'], ':9091 routing by the X-Marathon-App-Id header.'),
  t('MAP_HTTP_FRONTEND_APPID_ACL', true, ['haproxy_dir'], ':9091 routing through app2backend.map (--haproxy-map).'),
  t('HTTPS_FRONTEND_ACL', true, HOST_ACL, ':443 routing for a vhost by SNI.'),
  t('MAP_HTTPS_FRONTEND_ACL', true, ['hostname', 'haproxy_dir'], ':443 routing through domain2backend.map (--haproxy-map).'),
  t('HTTPS_FRONTEND_ACL_WITH_AUTH', true, [...HOST_ACL, 'realm'], ':443 routing for a vhost with basic auth.'),
  t('HTTPS_FRONTEND_AUTH_ACL_ONLY', true, [...HOST_ACL, 'realm'], 'Accepted for compatibility; marathon-lb never emits it.'),
  t('HTTPS_FRONTEND_AUTH_REQUEST_ONLY', true, [...HOST_ACL, 'realm'], 'Accepted for compatibility; marathon-lb never emits it.'),
  t('HTTPS_FRONTEND_ACL_WITH_PATH', true, [...HOST_ACL, 'path'], ':443 routing for a vhost with a path.'),
  t('HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH', true, [...HOST_ACL, 'path', 'realm'], ':443 routing for a vhost with a path and basic auth.'),
  t('HTTP_BACKEND_PROXYPASS_GLUE', true, ['hostname', 'proxypath'], 'With HAPROXY_{n}_HTTP_BACKEND_PROXYPASS_PATH: strip a path prefix and set the Host header.'),
  t('HTTP_BACKEND_REVPROXY_GLUE', true, ['hostname', 'rootpath'], 'With HAPROXY_{n}_HTTP_BACKEND_REVPROXY_PATH: rewrite Location headers under a root path.'),
  t('HTTP_BACKEND_REDIR', false, ['hostname', 'redirpath'], 'With HAPROXY_{n}_HTTP_BACKEND_REDIR: redirect `/` on the vhost to a path. The label of this name sets the path, so the template cannot be overridden per app.'),
  t('HTTP_BACKEND_NETWORK_ALLOWED_ACL', true, ['network_allowed'], 'With HAPROXY_{n}_BACKEND_NETWORK_ALLOWED_ACL (http mode): one source ACL.'),
  t('HTTP_BACKEND_ACL_ALLOW_DENY', false, 'raw', 'Allow listed networks, deny the rest (http mode).'),
  t('TCP_BACKEND_NETWORK_ALLOWED_ACL', true, ['network_allowed'], 'With HAPROXY_{n}_BACKEND_NETWORK_ALLOWED_ACL (tcp mode): one source ACL.'),
  t('TCP_BACKEND_ACL_ALLOW_DENY', false, 'raw', 'Accept listed networks, reject the rest (tcp mode).'),
];

export const TEMPLATE_BY_NAME: ReadonlyMap<string, TemplateSpec> = new Map(TEMPLATES.map((s) => [s.name, s]));

/** Names that an app may override with HAPROXY_{n}_<NAME>. */
export const OVERRIDABLE_TEMPLATE_NAMES: ReadonlySet<string> = new Set(
  TEMPLATES.filter((s) => s.overridable).map((s) => s.name),
);
