// Certificates: inspection (pure), the self-signed fallback, HAPROXY_SSL_CERT* from the
// environment, and checks of the files HAProxy will load.
export { inspectPemBundle, isServableDespite } from './certs.js';
export type { CertProblem, CertProblemCode, CertSummary, PemInspection } from './certs.js';
export { generateSelfSignedPem, generateSelfSignedPemAsync, ensureDefaultCertificate } from './self-signed.js';
export type { EnsureResult, SelfSignedOptions } from './self-signed.js';
export { planEnvCertificates, unescapePemVariable, writeEnvCertificates, MAX_NUMBERED_CERT } from './env-certs.js';
export type { EnvCertFile, EnvCertPlan, EnvCertProblem, EnvCertResult } from './env-certs.js';
export { checkCertificateFiles, inspectCertificateFiles } from './check.js';
export type { CertFileProblem, CertFileProblemCode, CertFileReport } from './check.js';
export { writeFileAtomically } from './write-file.js';
