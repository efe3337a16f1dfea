// Certificates for :443, settled once at start: HAPROXY_SSL_CERT* from the environment are
// written to files, every file is checked before HAProxy sees it, and the default path gets a
// self-signed certificate when nothing usable is there (marathon-lb's run script did this with
// openssl; we do it in-process with node-forge, in any mode).

import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { checkCertificateFiles, ensureDefaultCertificate, writeEnvCertificates } from '../ssl/index.js';
import type { Settings } from '../settings.js';

export const DEFAULT_CERT = '/etc/ssl/cert.pem';

export async function prepareCertificates(settings: Settings, env: Readonly<Record<string, string | undefined>>, log: Logger): Promise<string[]> {
  const now = new Date();
  let certs = [...settings.sslCerts];
  if (env.HAPROXY_SSL_CERT) {
    const dir = dirname(certs[0] ?? DEFAULT_CERT);
    const written = await writeEnvCertificates(env, dir, now);
    for (const p of written.problems) log.error({ variable: p.variable, problem: p.problem, detail: p.message }, 'certificate from the environment rejected');
    // As marathon-lb's run script: the env certificate joins an explicit list, or is the list.
    const explicit = certs.length === 1 && certs[0] === DEFAULT_CERT ? [] : certs;
    certs = [...explicit, ...written.paths.filter((p) => !explicit.includes(p))];
    if (certs.length === 0) certs = [join(dir, 'cert.pem')];
  }
  for (const p of await checkCertificateFiles(certs, now)) {
    if (p.problem === 'MISSING' && certs.length === 1) continue; // filled in below
    log[p.fatal ? 'error' : 'warn']({ path: p.path, problem: p.problem, detail: p.message }, 'certificate problem');
  }
  if (certs.length === 1) {
    // Off the critical path: the first request to Marathon does not wait for a key to be made.
    // HAProxy needs the file only when it reads the config: the writer and the reload wait for it.
    const path = certs[0]!;
    pending = ensureDefaultCertificate(path, now).then(
      (r) => { if (r.written) log.info({ path }, 'wrote a self-signed certificate (no usable certificate given)'); },
      (err: unknown) => { throw new Error(`cannot provide the certificate ${path}: ${err instanceof Error ? err.message : String(err)}`); },
    );
    pending.catch(() => {}); // reported by certificatesReady(), to whoever needs the file
  }
  return certs;
}

let pending: Promise<void> | undefined;

/** Resolves once the default certificate prepareCertificates() may still be making is on disk. */
export function certificatesReady(): Promise<void> {
  return pending ?? Promise.resolve();
}
