// Everything one service contributes to the config, rendered in isolation so that a bad
// label template fails only this service. Pure.

import type { Service } from '../model/types.js';
import { fillLayered, type Lookup } from './template-lookup.js';
import { flatten } from './placeholders.js';
import { isTcpCheck, serviceValues } from './service-values.js';
import { stickyCookie } from './naming.js';
import { vhostRouting, type VhostRouting } from './vhost-routing.js';

export interface ServerLine {
  readonly name: string;
  /** The rendered text (one line with its newline, unless an override made it something else). */
  readonly text: string;
}

export interface ServiceFragments {
  readonly service: Service;
  readonly userlist: string;
  readonly frontend: string;
  /** The backend up to (not including) its server lines. */
  readonly backend: string;
  readonly servers: readonly ServerLine[];
  /** Vhost routing, or undefined when :80/:443 are not bound or the service has no vhost. */
  readonly routing: VhostRouting | undefined;
  /** :9091 lines (empty when the app is routed through the app map or is not http). */
  readonly appIdLines: string;
  readonly appIdMap: string | undefined;
  readonly appEntries: Array<[string, string]>;
  /** The shared map lookup lines, rendered with this service's templates in case it is the first to need them. */
  readonly httpMapLine: string | undefined;
  readonly httpsMapLine: string | undefined;
  readonly appIdMapLine: string | undefined;
}

export interface FragmentOptions {
  readonly haproxyDir: string;
  readonly haproxyMap: boolean;
  readonly bindHttpHttps: boolean;
  /** Is this the first http-mode service of its app (the one :9091 routes to)? */
  readonly appIdTarget: boolean;
}

export function serviceFragments(s: Service, lookup: Lookup, opts: FragmentOptions): ServiceFragments {
  const values = serviceValues(s, opts.haproxyDir);
  const override = { index: s.index, templates: s.templates };
  const fill = (name: string, extra?: Record<string, string>): string => fillLayered(lookup, name, values, extra, override);
  const http = s.mode === 'http';

  const userlist = s.auth ? fill('USERLIST_HEAD') : '';

  let frontend = fill('FRONTEND_HEAD');
  if (s.auth && http) {
    // marathon-lb left the service port open to anyone; the app asked for auth, so ask here too.
    frontend += `  acl auth_${s.backend} http_auth(user_${s.backend})\n`;
    frontend += `  http-request auth realm "${values.realm}" if !auth_${s.backend}\n`;
  }
  frontend += fill('FRONTEND_BACKEND_GLUE');

  let backend = fill('BACKEND_HEAD');
  if (http) {
    if (s.useHsts) backend += fill('BACKEND_HSTS_OPTIONS');
    backend += fill('BACKEND_HTTP_OPTIONS');
    if (s.proxypassPath) backend += fill('HTTP_BACKEND_PROXYPASS_GLUE', { hostname: values.hostname || '%[req.hdr(host)]' });
    if (s.revproxyPath) backend += fill('HTTP_BACKEND_REVPROXY_GLUE', { hostname: values.hostname || '[^/]+' });
    if (s.redirPath) backend += fill('HTTP_BACKEND_REDIR');
  }
  if (s.networkAllowed) {
    const flavour = http ? 'HTTP' : 'TCP';
    for (const net of s.networkAllowed.split(/\s+/).filter(Boolean)) {
      backend += fill(`${flavour}_BACKEND_NETWORK_ALLOWED_ACL`, { network_allowed: net });
    }
    backend += fill(`${flavour}_BACKEND_ACL_ALLOW_DENY`);
  }
  // Cookies only mean something in http mode (marathon-lb emitted them in tcp mode too, ignored).
  const sticky = s.sticky && http;
  if (sticky) backend += fill('BACKEND_STICKY_OPTIONS');
  if (s.healthCheck) {
    backend += fill(isTcpCheck(s) ? 'BACKEND_TCP_HEALTHCHECK_OPTIONS' : 'BACKEND_HTTP_HEALTHCHECK_OPTIONS');
  }

  // A server's check options differ from its siblings' only by the check port: fill once per
  // port (the map only for a service that has a check).
  let checkOptions: Map<number | undefined, string> | undefined;
  const serverCheckOptions = (checkPort: number | undefined): string => {
    checkOptions ??= new Map();
    let options = checkOptions.get(checkPort);
    if (options === undefined) {
      const portOptions = checkPort !== undefined ? ` port ${checkPort}` : '';
      const text = fill(isTcpCheck(s) ? 'BACKEND_SERVER_TCP_HEALTHCHECK_OPTIONS' : 'BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS', {
        healthCheckPortOptions: portOptions,
      }).trim();
      options = text ? ` ${text}` : '';
      checkOptions.set(checkPort, options);
    }
    return options;
  };

  const servers = s.servers.map((srv): ServerLine => {
    const healthCheckOptions = s.healthCheck ? serverCheckOptions(srv.checkPort) : '';
    const text = fill('BACKEND_SERVER_OPTIONS', {
      host: srv.host,
      host_ipv4: srv.ip,
      port: String(srv.port),
      serverName: srv.name,
      serverId: String(srv.id),
      cookieOptions: sticky ? ` cookie ${stickyCookie(srv.name)}` : '',
      healthCheckOptions,
      otherOptions: srv.draining ? ' disabled' : '',
    });
    return { name: srv.name, text };
  });

  const routing = opts.bindHttpHttps && s.vhosts.length > 0 ? vhostRouting(s, opts.haproxyMap, fill) : undefined;

  let appIdLines = '';
  let appIdMap: string | undefined;
  const appEntries: Array<[string, string]> = [];
  if (opts.appIdTarget) {
    if (opts.haproxyMap && !s.auth) {
      appIdMap = 'MAP_HTTP_FRONTEND_APPID_ACL';
      appEntries.push([s.appId, s.backend]);
    } else {
      appIdLines = fill('HTTP_FRONTEND_APPID_ACL');
      if (s.auth) {
        // Auth covers the app-id frontend too (marathon-lb forgot it). The challenge must come
        // before routing, so it is inserted ahead of the template's use_backend.
        const acl = `app_${values.cleanedUpAppId}`;
        appIdLines = `  acl auth_${acl} http_auth(user_${s.backend})\n` +
          `  acl ${acl} hdr(x-marathon-app-id) -i ${s.appId}\n` +
          `  http-request auth realm "${values.realm}" if ${acl} !auth_${acl}\n` + appIdLines;
      }
    }
  }
  const httpMapLine = routing?.httpMap ? fill(routing.httpMap) : undefined;
  const httpsMapLine = routing?.httpsMap ? fill(routing.httpsMap) : undefined;
  const appIdMapLine = appIdMap ? fill(appIdMap) : undefined;
  // Flattened now, while their pieces are young (see flatten()): the renderer keeps them to the end.
  return {
    service: s, userlist, frontend: flatten(frontend), backend: flatten(backend), servers, routing, appIdLines: flatten(appIdLines),
    appIdMap, appEntries, httpMapLine, httpsMapLine, appIdMapLine,
  };
}

