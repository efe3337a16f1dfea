// What went wrong reaching a Marathon, said so that an operator knows what to do: a failed TLS
// verification names --marathon-ca-cert, a timeout says which one and how long it waited.
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
export function describeConnectError(err: unknown, timeouts?: { connect: number; idle: number }): string {
  const message = err instanceof Error ? err.message : String(err);
  const { code, event } = (err ?? {}) as { code?: unknown; event?: unknown };
  if (code === 'ETIMEDOUT' && timeouts !== undefined) {
    if (event === 'connect' || event === 'secureConnect') return `no connection within ${timeouts.connect} ms (connect timeout)`;
    if (event === 'socket') return `connected, then no data for ${timeouts.idle} ms (idle-read timeout)`;
  }
  if (typeof code !== 'string' || !VERIFY_CODES.has(code)) return message;
  return `${message} (TLS verification failed: pass Marathon's CA certificate with --marathon-ca-cert)`;
}
