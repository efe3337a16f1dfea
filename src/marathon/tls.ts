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
