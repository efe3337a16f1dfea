// Checks the certificate files named by --ssl-certs and HAPROXY_{n}_SSL_CERT before HAProxy
// sees them, following HAProxy's own `crt` rules: a directory means every file in it
// (alphabetic, without dot files and the reserved .key/.issuer/.ocsp/.sctl extensions), and
// a bundle without a key is completed by `<file>.key`. marathon-lb did not check at all; a
// bad file surfaced as a failed `haproxy -c` with no hint which certificate was to blame.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inspectPemBundle, isServableDespite, type CertProblemCode, type PemInspection } from './certs.js';

const RESERVED_EXTENSIONS = ['.key', '.issuer', '.ocsp', '.sctl'];

export type CertFileProblemCode = CertProblemCode | 'MISSING' | 'UNREADABLE';

export interface CertFileProblem {
  readonly path: string;
  readonly problem: CertFileProblemCode;
  /** Names the path, ready for a log line or the status page. */
  readonly message: string;
  /** true when HAProxy would refuse the file (and so the whole config). */
  readonly fatal: boolean;
}

export interface CertFileReport {
  readonly path: string;
  readonly inspection: PemInspection | { readonly ok: false; readonly problem: 'MISSING' | 'UNREADABLE'; readonly message: string };
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

async function readBundle(path: string): Promise<string> {
  const pem = await readFile(path, 'utf8');
  if (/PRIVATE KEY-----/.test(pem)) return pem;
  // HAProxy loads `<crt>.key` when the bundle holds no key.
  try {
    return `${pem}\n${await readFile(`${path}.key`, 'utf8')}`;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return pem;
    throw error;
  }
}

async function filesBehind(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path))
    .filter((name) => !name.startsWith('.') && !RESERVED_EXTENSIONS.some((ext) => name.endsWith(ext)))
    .sort();
  return names.map((name) => join(path, name));
}

async function inspectFile(path: string, now: Date): Promise<CertFileReport> {
  try {
    return { path, inspection: inspectPemBundle(await readBundle(path), now) };
  } catch (error) {
    const missing = errnoCode(error) === 'ENOENT';
    return {
      path,
      inspection: {
        ok: false,
        problem: missing ? 'MISSING' : 'UNREADABLE',
        message: missing ? 'file does not exist' : `cannot be read: ${(error as Error).message}`,
      },
    };
  }
}

/** Every certificate file behind `paths` with what was found in it, in HAProxy's load order. */
export async function inspectCertificateFiles(paths: readonly string[], now: Date): Promise<CertFileReport[]> {
  const reports: CertFileReport[] = [];
  for (const path of paths) {
    let files: string[];
    try {
      files = await filesBehind(path);
    } catch {
      reports.push(await inspectFile(path, now)); // reports MISSING/UNREADABLE for it
      continue;
    }
    if (files.length === 0) {
      reports.push({ path, inspection: { ok: false, problem: 'MISSING', message: 'directory holds no certificate files' } });
    }
    for (const file of files) reports.push(await inspectFile(file, now));
  }
  return reports;
}

/** The problems only, each naming its file. Empty when every file is fine. */
export async function checkCertificateFiles(paths: readonly string[], now: Date): Promise<CertFileProblem[]> {
  const problems: CertFileProblem[] = [];
  for (const { path, inspection } of await inspectCertificateFiles(paths, now)) {
    if (inspection.ok) continue;
    const fatal = !isServableDespite(inspection.problem);
    problems.push({ path, problem: inspection.problem, message: `certificate ${path}: ${inspection.message}`, fatal });
  }
  return problems;
}
