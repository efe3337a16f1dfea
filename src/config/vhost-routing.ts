// The :80 and :443 routing lines of one service: marathon-lb's decision table (spec §3.4),
// by vhost count, path, redirect and auth. Map mode sends plain vhost routes to one shared
// map lookup line instead. Pure.

import type { Service } from '../model/types.js';

export type Fill = (template: string, extra?: Record<string, string>) => string;

export interface VhostRouting {
  /** :80 snippets, in order. */
  readonly http: string[];
  /** :443 snippets per vhost (the plain :443 frontend takes them all in order). */
  readonly https: Array<{ vhost: string; text: string }>;
  /** Set when the service routes :80 / :443 through the domain map: the template to render the map line with. */
  readonly httpMap: string | undefined;
  readonly httpsMap: string | undefined;
  /** `<vhost> <backend>` pairs for domain2backend.map. */
  readonly domainEntries: Array<[string, string]>;
}

export function vhostRouting(s: Service, useMap: boolean, fill: Fill): VhostRouting {
  const http: string[] = [];
  const https: Array<{ vhost: string; text: string }> = [];
  const entries: Array<[string, string]> = [];
  let httpMap: string | undefined;
  let httpsMap: string | undefined;
  const path = s.path !== undefined && s.path !== '';
  const auth = s.auth !== undefined;
  const redirect = s.redirectToHttps;

  const httpsFor = (vhost: string): void => {
    const h = { hostname: vhost };
    if (path && auth) https.push({ vhost, text: fill('HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH', h) });
    else if (path) https.push({ vhost, text: fill('HTTPS_FRONTEND_ACL_WITH_PATH', h) });
    else if (auth) https.push({ vhost, text: fill('HTTPS_FRONTEND_ACL_WITH_AUTH', h) });
    else if (useMap) { httpsMap = 'MAP_HTTPS_FRONTEND_ACL'; entries.push([vhost, s.backend]); }
    else https.push({ vhost, text: fill('HTTPS_FRONTEND_ACL', h) });
  };
  // On :443 a path route needs its path ACL once, before the per-vhost lines.
  const httpsPathAcl = (): void => {
    if (path) https.push({ vhost: '', text: fill('HTTPS_FRONTEND_ACL_ONLY_WITH_PATH') });
  };

  if (s.vhosts.length === 1) {
    const vhost = s.vhosts[0]!;
    if (path && redirect) {
      http.push(fill('HTTP_FRONTEND_ACL_ONLY'), fill('HTTP_FRONTEND_ACL_ONLY_WITH_PATH'), fill('BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH'));
    } else if (path && auth) {
      http.push(fill('HTTP_FRONTEND_ACL_WITH_AUTH_AND_PATH'));
    } else if (path) {
      http.push(fill('HTTP_FRONTEND_ACL_WITH_PATH'));
    } else if (redirect) {
      http.push(fill('HTTP_FRONTEND_ACL'), fill('BACKEND_REDIRECT_HTTP_TO_HTTPS'));
    } else if (auth) {
      http.push(fill('HTTP_FRONTEND_ACL_WITH_AUTH'));
    } else if (useMap) {
      httpMap = 'MAP_HTTP_FRONTEND_ACL';
    } else {
      http.push(fill('HTTP_FRONTEND_ACL'));
    }
    httpsPathAcl();
    httpsFor(vhost);
  } else {
    // Several vhosts share one ACL name (from the first vhost); HAProxy ORs its definitions.
    if (path) http.push(fill(auth ? 'HTTP_FRONTEND_ACL_ONLY_WITH_PATH_AND_AUTH' : 'HTTP_FRONTEND_ACL_ONLY_WITH_PATH'));
    httpsPathAcl();
    const plainMap = useMap && !path && !auth && !redirect;
    for (const vhost of s.vhosts) {
      if (plainMap) httpMap = 'MAP_HTTP_FRONTEND_ACL_ONLY';
      else http.push(fill('HTTP_FRONTEND_ACL_ONLY', { hostname: vhost }));
      httpsFor(vhost);
    }
    if (redirect) http.push(fill(path ? 'BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH' : 'BACKEND_REDIRECT_HTTP_TO_HTTPS'));
    else if (path) http.push(fill(auth ? 'HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH' : 'HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH'));
    else if (auth) http.push(fill('HTTP_FRONTEND_ROUTING_ONLY_WITH_AUTH'));
    else if (!useMap) http.push(fill('HTTP_FRONTEND_ROUTING_ONLY'));
  }
  // :80 map routes are only those without path/auth/redirect; :443 ones without path/auth.
  if (httpMap !== undefined || httpsMap !== undefined) {
    for (const v of s.vhosts) if (!entries.some(([e]) => e === v)) entries.push([v, s.backend]);
  }
  return { http, https, httpMap, httpsMap, domainEntries: entries };
}
