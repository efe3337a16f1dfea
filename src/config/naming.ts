// Names that appear in the rendered config, derived deterministically (spec §3.2). Pure.

import { hash } from 'node:crypto';

/** Every character outside [a-zA-Z0-9-] becomes `_`. */
export function sanitize(text: string): string {
  return text.replace(/[^a-zA-Z0-9-]/g, '_');
}

/** `/group/app` -> `group_app`. */
export function appIdPath(appId: string): string {
  return appId.replace(/^\//, '').replace(/\//g, '_');
}

/** Suffix of a service's host ACLs: sanitized first vhost + `_` + app id path. */
export function cleanedUpHostname(vhost: string, appId: string): string {
  return `${sanitize(vhost)}_${appIdPath(appId)}`;
}

/** Suffix of the app-id ACL: the sanitized app id (its leading `/` becomes `_`). */
export function cleanedUpAppId(appId: string): string {
  return sanitize(appId);
}

/** Sticky-session cookie value of a server: the first 10 hex digits of SHA-1 of its name. */
export function stickyCookie(serverName: string): string {
  return hash('sha1', serverName, 'hex').slice(0, 10);
}
