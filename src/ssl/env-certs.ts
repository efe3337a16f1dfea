// HAPROXY_SSL_CERT and HAPROXY_SSL_CERT0..100 from the container environment, as
// marathon-lb's `run` script handled them: PEM text in a variable, `\n` written as the two
// characters backslash and n, each one turned into a file for the :443 bind. Unlike
// `run`, every bundle is inspected first, so a broken one is named by its variable
// instead of surfacing later as an HAProxy start failure.
import { join } from 'node:path';
import { inspectPemBundle, isServableDespite, type CertProblemCode } from './certs.js';
import { writeFileAtomically } from './write-file.js';

export const MAX_NUMBERED_CERT = 100;

export interface EnvCertFile {
  readonly variable: string;
  readonly path: string;
  readonly pem: string;
}

export interface EnvCertProblem {
  readonly variable: string;
  readonly problem: CertProblemCode;
  readonly message: string;
  /** false: the file is written anyway (see isServableDespite); true: it is left out. */
  readonly skipped: boolean;
}

export interface EnvCertPlan {
  /** Files to write, in the order their `crt` entries must appear. */
  readonly files: readonly EnvCertFile[];
  readonly problems: readonly EnvCertProblem[];
}

/** The two-character sequence `\n` becomes a newline (what `echo -e` did for PEM text). */
export function unescapePemVariable(value: string): string {
  return value.replace(/\\n/g, '\n');
}

/** Pure: which variables become which files, and what is wrong with the others. */
export function planEnvCertificates(env: Readonly<Record<string, string | undefined>>, dir: string, now: Date): EnvCertPlan {
  const main = env['HAPROXY_SSL_CERT'];
  if (main === undefined || main === '') return { files: [], problems: [] };
  const candidates: { variable: string; path: string; value: string }[] = [
    { variable: 'HAPROXY_SSL_CERT', path: join(dir, 'cert.pem'), value: main },
  ];
  // Numbered variables only count together with HAPROXY_SSL_CERT, as in marathon-lb.
  for (let i = 0; i <= MAX_NUMBERED_CERT; i++) {
    const value = env[`HAPROXY_SSL_CERT${i}`];
    if (value !== undefined && value !== '') candidates.push({ variable: `HAPROXY_SSL_CERT${i}`, path: join(dir, `cert${i}.pem`), value });
  }
  const files: EnvCertFile[] = [];
  const problems: EnvCertProblem[] = [];
  for (const { variable, path, value } of candidates) {
    const pem = unescapePemVariable(value);
    const inspection = inspectPemBundle(pem, now);
    const usable = inspection.ok || isServableDespite(inspection.problem);
    if (!inspection.ok) {
      problems.push({ variable, problem: inspection.problem, message: `${variable}: ${inspection.message}`, skipped: !usable });
    }
    if (usable) files.push({ variable, path, pem });
  }
  return { files, problems };
}

export interface EnvCertResult {
  /** Written files, in `crt` order. */
  readonly paths: readonly string[];
  readonly problems: readonly EnvCertProblem[];
}

export async function writeEnvCertificates(
  env: Readonly<Record<string, string | undefined>>,
  dir: string,
  now: Date = new Date(),
): Promise<EnvCertResult> {
  const plan = planEnvCertificates(env, dir, now);
  for (const file of plan.files) await writeFileAtomically(file.path, file.pem);
  return { paths: plan.files.map((file) => file.path), problems: plan.problems };
}
