// The fallback certificate for the :443 bind when the operator gives none, as marathon-lb's
// container did: RSA 2048, subject CN=*, about ten years, certificate followed by its key in
// one PEM file. We add subjectAltName and serverAuth so modern clients at least parse it.
import { generateKeyPair, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type * as Forge from 'node-forge';
import { inspectPemBundle, type PemInspection } from './certs.js';
import { writeFileAtomically } from './write-file.js';

export interface SelfSignedOptions {
  readonly now: Date;
  readonly commonName?: string;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly validDays?: number;
  /** Start of validity relative to `now`, to tolerate clocks slightly behind ours. */
  readonly backdateMs?: number;
  readonly keyBits?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

type ForgeModule = typeof Forge;
type ForgeKeys = { publicKey: Forge.pki.rsa.PublicKey; privateKey: Forge.pki.rsa.PrivateKey };

// Loaded on first use, not at import: most starts find a usable certificate and never need forge.
function loadForge(): ForgeModule {
  return createRequire(import.meta.url)('node-forge') as ForgeModule;
}

export function generateSelfSignedPem(options: SelfSignedOptions): string {
  const forge = loadForge();
  // forge uses Node's native key generation when it is available, so this is fast.
  const keys = forge.pki.rsa.generateKeyPair({ bits: options.keyBits ?? 2048, e: 0x10001 });
  return selfSignedPem(forge, keys, options);
}

/**
 * As generateSelfSignedPem, with the key made on libuv's thread pool instead of the main
 * thread (RSA key generation takes from tens to hundreds of milliseconds, at random).
 */
export async function generateSelfSignedPemAsync(options: SelfSignedOptions): Promise<string> {
  const { privateKey } = await new Promise<{ privateKey: string }>((resolve, reject) => {
    generateKeyPair('rsa', {
      modulusLength: options.keyBits ?? 2048,
      publicExponent: 0x10001,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    }, (err, _publicKey, privateKey) => (err ? reject(err) : resolve({ privateKey })));
  });
  const forge = loadForge();
  const key = forge.pki.privateKeyFromPem(privateKey);
  return selfSignedPem(forge, { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e) }, options);
}

function selfSignedPem(forge: ForgeModule, keys: ForgeKeys, options: SelfSignedOptions): string {
  const {
    now,
    commonName = '*',
    dnsNames = ['*', 'localhost'],
    ipAddresses = ['127.0.0.1'],
    validDays = 3650,
    backdateMs = 5 * 60 * 1000,
  } = options;
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  // A positive serial: clear the top bit of 16 random bytes (DER integers are signed).
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - backdateMs);
  cert.validity.notAfter = new Date(now.getTime() + validDays * DAY_MS);
  const name = [{ name: 'commonName', value: commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        ...dnsNames.map((value) => ({ type: 2, value })),
        ...ipAddresses.map((ip) => ({ type: 7, ip })),
      ],
    },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert) + forge.pki.privateKeyToPem(keys.privateKey);
}

export type EnsureResult =
  | { readonly written: false; readonly existing: PemInspection & { ok: true } }
  | { readonly written: true; readonly replaced: PemInspection | undefined };

/**
 * Makes sure `path` holds a usable certificate bundle: an existing valid one is kept (the
 * operator may have put a real certificate there); a missing, broken or expired one is
 * replaced by a fresh self-signed bundle, written atomically with mode 0600.
 */
export async function ensureDefaultCertificate(path: string, now: Date = new Date()): Promise<EnsureResult> {
  let existing: PemInspection | undefined;
  try {
    existing = inspectPemBundle(await readFile(path, 'utf8'), now);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (existing?.ok === true) return { written: false, existing };
  await writeFileAtomically(path, await generateSelfSignedPemAsync({ now }));
  return { written: true, replaced: existing };
}
