// Credentials for Marathon requests: HTTP basic auth, or a DC/OS service-account token
// obtained by logging in with an RS256-signed service login token. One AuthSource serves both
// the REST client and the event stream so they share one DC/OS token.

import { createSign } from 'node:crypto';
import { MarathonAuthError, MarathonError } from './errors.js';
import { httpRequest } from './http-request.js';
import { redactUrl, scrubSecrets } from './redact.js';

export interface BasicAuth {
  user: string;
  password: string;
}

export interface DcosServiceAccount {
  uid: string;
  /** PEM private key of the service account. */
  privateKey: string;
  loginEndpoint: string;
}

export interface AuthSource {
  /** Value for the Authorization header, or undefined to send none. */
  header(): Promise<string | undefined>;
  /** After a 401: drop any cached token. True when asking again may now succeed. */
  invalidate(): boolean;
  /** Strings that must never appear in logs or messages. */
  readonly secrets: readonly string[];
}

export function basicAuthHeader(auth: BasicAuth): string {
  return `Basic ${Buffer.from(`${auth.user}:${auth.password}`, 'utf8').toString('base64')}`;
}

export function basicAuthSource(auth: BasicAuth): AuthSource {
  const value = basicAuthHeader(auth);
  return {
    header: async () => value,
    invalidate: () => false,
    secrets: [auth.password, value],
  };
}

export const noAuthSource: AuthSource = {
  header: async () => undefined,
  invalidate: () => false,
  secrets: [],
};

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

/** The service login token: a JWT `{uid, exp}` signed RS256 with the account's key (pure). */
export function serviceLoginToken(uid: string, privateKeyPem: string, expSeconds: number): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = base64url(JSON.stringify({ uid, exp: expSeconds }));
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${claims}`);
  return `${header}.${claims}.${base64url(signer.sign(privateKeyPem))}`;
}

/** The DC/OS auth token from a login answer: the cookie first (as marathon-lb), then the body. */
export function tokenFromLoginResponse(setCookie: readonly string[] | undefined, body: string): string | undefined {
  for (const cookie of setCookie ?? []) {
    const match = /^\s*dcos-acs-auth-cookie=([^;]+)/.exec(cookie);
    if (match?.[1]) return match[1];
  }
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed === 'object' && parsed !== null) {
      const token = (parsed as Record<string, unknown>)['token'];
      if (typeof token === 'string' && token !== '') return token;
    }
  } catch {
    // fall through: no token
  }
  return undefined;
}

export interface DcosAuthOptions {
  account: DcosServiceAccount;
  certificateAuthority?: string[];
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
  timeoutMs?: number;
}

/** DC/OS tokens are requested for an hour; refresh a minute early so a call never races expiry. */
const TOKEN_LIFETIME_S = 3600;
const REFRESH_MARGIN_S = 60;

export function dcosAuthSource(opts: DcosAuthOptions): AuthSource {
  const now = opts.now ?? Date.now;
  const secrets: string[] = [];
  let token: string | undefined;
  let expiresAtMs = 0;
  let inflight: Promise<string> | undefined;

  async function login(): Promise<string> {
    const nowS = Math.floor(now() / 1000);
    const loginToken = serviceLoginToken(opts.account.uid, opts.account.privateKey, nowS + 60);
    const endpoint = opts.account.loginEndpoint;
    let response;
    try {
      response = await httpRequest(endpoint, {
        method: 'POST',
        json: { uid: opts.account.uid, token: loginToken, exp: nowS + TOKEN_LIFETIME_S },
        timeout: { request: opts.timeoutMs ?? 10_000 },
        ...(opts.certificateAuthority ? { certificateAuthority: opts.certificateAuthority } : {}),
      });
    } catch (err) {
      throw new MarathonError(
        `DC/OS login at ${redactUrl(endpoint)} failed: ${scrubSecrets((err as Error).message, [loginToken])}`,
        'ERR_MARATHON_UNAVAILABLE',
        true,
      );
    }
    if (response.statusCode === 401 || response.statusCode === 403) {
      throw new MarathonAuthError(response.statusCode, endpoint);
    }
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw new MarathonError(
        `DC/OS login at ${redactUrl(endpoint)} answered ${response.statusCode}`,
        'ERR_MARATHON_UNAVAILABLE',
        true,
      );
    }
    const fresh = tokenFromLoginResponse(response.headers['set-cookie'], response.body);
    if (fresh === undefined) {
      throw new MarathonError(
        `DC/OS login at ${redactUrl(endpoint)} returned no token (no dcos-acs-auth-cookie, no body token)`,
        'ERR_MARATHON_AUTH',
        false,
      );
    }
    secrets.push(fresh);
    token = fresh;
    expiresAtMs = now() + (TOKEN_LIFETIME_S - REFRESH_MARGIN_S) * 1000;
    return fresh;
  }

  return {
    async header() {
      if (token !== undefined && now() < expiresAtMs) return `token=${token}`;
      // Concurrent callers share one login.
      inflight ??= login().finally(() => {
        inflight = undefined;
      });
      return `token=${await inflight}`;
    },
    invalidate() {
      token = undefined;
      expiresAtMs = 0;
      return true;
    },
    secrets,
  };
}

/** Pick the auth source for a set of options: DC/OS wins over basic, as in marathon-lb. */
export function authSourceFor(opts: {
  auth?: BasicAuth;
  dcos?: DcosServiceAccount;
  certificateAuthority?: string[];
  now?: () => number;
}): AuthSource {
  if (opts.dcos) {
    return dcosAuthSource({
      account: opts.dcos,
      ...(opts.certificateAuthority ? { certificateAuthority: opts.certificateAuthority } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    });
  }
  if (opts.auth) return basicAuthSource(opts.auth);
  return noAuthSource;
}
