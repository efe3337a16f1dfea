// Inspection of a PEM bundle as HAProxy's `crt` reads it: the first certificate is the
// leaf, further certificates are its chain, and a private key must match the leaf.
//
// Pure: text and the current time in, data out. Parsing uses node:crypto rather than
// node-forge because forge reads RSA only, while operators also hand HAProxy ECDSA
// certificates; node:crypto is computation here, no I/O.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';

export type CertProblemCode = 'BAD_PEM' | 'NO_CERT' | 'NO_KEY' | 'KEY_MISMATCH' | 'EXPIRED' | 'NOT_YET_VALID';

export interface CertSummary {
  readonly ok: true;
  /** Subject as `CN=*` / `C=DE, O=Example, CN=www.example.com`. */
  readonly subject: string;
  /** Subject alternative names without their type prefix (`example.com`, `127.0.0.1`). */
  readonly sans: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly keyMatches: true;
}

export interface CertProblem {
  readonly ok: false;
  readonly problem: CertProblemCode;
  readonly message: string;
}

export type PemInspection = CertSummary | CertProblem;

/**
 * HAProxy loads a certificate outside its validity window and serves it; clients then
 * refuse it. Such a bundle is worth a loud warning, but dropping it could leave a `bind`
 * without any certificate and take the whole listener down, so callers still use it.
 */
export function isServableDespite(problem: string): boolean {
  return problem === 'EXPIRED' || problem === 'NOT_YET_VALID';
}

interface PemBlock {
  readonly label: string;
  readonly text: string;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END ([A-Z0-9 ]+)-----/g;
const KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'DSA PRIVATE KEY']);

function splitPem(pem: string): PemBlock[] | string {
  const blocks: PemBlock[] = [];
  for (const match of pem.matchAll(BLOCK)) {
    if (match[1] !== match[2]) return `block BEGIN ${match[1]} ends with END ${match[2]}`;
    blocks.push({ label: match[1]!, text: match[0] });
  }
  const begins = pem.match(/-----BEGIN /g)?.length ?? 0;
  if (begins !== blocks.length) return 'a PEM block is not terminated by its -----END line';
  return blocks;
}

function fail(problem: CertProblemCode, message: string): CertProblem {
  return { ok: false, problem, message };
}

function parseSans(cert: X509Certificate): string[] {
  const raw = cert.subjectAltName;
  if (raw === undefined) return [];
  return raw
    .split(/,\s*/)
    .map((entry) => entry.replace(/^(DNS|IP Address|email|URI):/, ''))
    .filter((entry) => entry !== '');
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function inspectPemBundle(pem: string, now: Date): PemInspection {
  const split = splitPem(pem);
  if (typeof split === 'string') return fail('BAD_PEM', `not valid PEM: ${split}`);
  if (split.length === 0) return fail('BAD_PEM', 'not valid PEM: no -----BEGIN ...----- block found');

  const certs: X509Certificate[] = [];
  let key: KeyObject | undefined;
  for (const [index, block] of split.entries()) {
    if (block.label === 'CERTIFICATE') {
      try {
        certs.push(new X509Certificate(block.text));
      } catch (error) {
        return fail('BAD_PEM', `certificate ${certs.length + 1} cannot be parsed: ${describeError(error)}`);
      }
    } else if (block.label === 'ENCRYPTED PRIVATE KEY' || (KEY_LABELS.has(block.label) && /Proc-Type:\s*4,ENCRYPTED/.test(block.text))) {
      return fail('BAD_PEM', 'the private key is encrypted; HAProxy needs it unencrypted');
    } else if (KEY_LABELS.has(block.label) && key === undefined) {
      try {
        key = createPrivateKey(block.text);
      } catch (error) {
        return fail('BAD_PEM', `private key (block ${index + 1}) cannot be parsed: ${describeError(error)}`);
      }
    }
    // Other blocks (DH PARAMETERS, EC PARAMETERS) are allowed and not checked.
  }

  const leaf = certs[0];
  if (leaf === undefined) return fail('NO_CERT', 'no CERTIFICATE block: HAProxy needs the certificate and its key');
  if (key === undefined) return fail('NO_KEY', 'no PRIVATE KEY block: the bundle must hold the certificate followed by its key');
  if (!leaf.checkPrivateKey(key)) {
    return fail('KEY_MISMATCH', `the private key does not belong to the certificate ${leaf.subject.replace(/\n/g, ', ')}`);
  }

  const subject = leaf.subject.split('\n').join(', ');
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  if (now.getTime() < notBefore.getTime()) {
    return fail('NOT_YET_VALID', `certificate ${subject} is not valid before ${notBefore.toISOString()}`);
  }
  if (now.getTime() > notAfter.getTime()) {
    return fail('EXPIRED', `certificate ${subject} expired at ${notAfter.toISOString()}`);
  }
  return { ok: true, subject, sans: parseSans(leaf), notBefore, notAfter, keyMatches: true };
}
