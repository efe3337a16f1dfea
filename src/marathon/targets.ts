// The configured Marathon URLs turned into request targets: credentials embedded in a URL
// (`http://user:pass@host:8080`) are taken out of the URL and become that target's basic auth,
// unless explicit credentials were given, which apply to every URL.

import { authSourceFor, basicAuthSource, noAuthSource, type AuthSource, type BasicAuth, type DcosServiceAccount } from './auth.js';
import { splitUrlCredentials } from './redact.js';

export interface MarathonTarget {
  /** Base URL without credentials and without a trailing slash. */
  url: string;
  auth: AuthSource;
}

export function buildTargets(opts: {
  urls: readonly string[];
  auth?: BasicAuth;
  dcos?: DcosServiceAccount;
  certificateAuthority?: string[];
}): MarathonTarget[] {
  if (opts.urls.length === 0) throw new Error('at least one Marathon URL is required');
  const shared = opts.auth || opts.dcos ? authSourceFor(opts) : undefined;
  return opts.urls.map((raw) => {
    let split;
    try {
      split = splitUrlCredentials(raw);
    } catch {
      throw new Error(`not a valid Marathon URL: ${raw.replace(/\/\/[^/@]*@/, '//')}`);
    }
    const url = split.url.replace(/\/+$/, '');
    const auth = shared ?? (split.auth ? basicAuthSource(split.auth) : noAuthSource);
    return { url, auth };
  });
}

/** Every secret of every target, for scrubbing messages. */
export function allSecrets(targets: readonly MarathonTarget[]): string[] {
  return targets.flatMap((t) => [...t.auth.secrets]);
}
