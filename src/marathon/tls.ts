// TLS trust for Marathon connections. Verification is always on (marathon-lb turned it off
// without --marathon-ca-cert); a CA file ADDS to Node's built-in roots rather than replacing
// them, so a Marathon behind a public certificate keeps working when a private CA is given.

import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

/** undefined = Node's defaults; otherwise the built-in roots plus the PEM file's certificates. */
export function certificateAuthorities(caCertPath: string | undefined): string[] | undefined {
  if (caCertPath === undefined || caCertPath === '') return undefined;
  const pem = readFileSync(caCertPath, 'utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`CA certificate file ${caCertPath} holds no PEM certificate`);
  }
  return [...rootCertificates, pem];
}

/** OpenSSL's verification failures, as Node reports them in `err.code`. */
const VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_SIGNATURE_FAILURE',
]);

/**
 * An error's message, plus what to do when it is a failed TLS verification: operators used to
 * marathon-lb (which did not verify) meet this on their first run against a self-signed Marathon.
 */
export function describeConnectError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !VERIFY_CODES.has(code)) return message;
  return `${message} (TLS verification failed: pass Marathon's CA certificate with --marathon-ca-cert)`;
}
