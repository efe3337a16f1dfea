// Certificates made on the fly with node-forge, with whatever dates and keys a test needs.
import forge from 'node-forge';

export interface KeyPair {
  readonly privateKey: forge.pki.rsa.PrivateKey;
  readonly publicKey: forge.pki.rsa.PublicKey;
}

export function makeKeyPair(): KeyPair {
  return forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
}

export interface CertSpec {
  readonly keys: KeyPair;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly commonName?: string;
  readonly dnsNames?: readonly string[];
  /** Sign with this key instead (a chain), default: self-signed. */
  readonly issuer?: { readonly keys: KeyPair; readonly commonName: string };
}

export function makeCertPem(spec: CertSpec): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = spec.keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  cert.setSubject([{ name: 'commonName', value: spec.commonName ?? 'test.example.com' }]);
  cert.setIssuer([{ name: 'commonName', value: spec.issuer?.commonName ?? spec.commonName ?? 'test.example.com' }]);
  if (spec.dnsNames) cert.setExtensions([{ name: 'subjectAltName', altNames: spec.dnsNames.map((value) => ({ type: 2, value })) }]);
  cert.sign((spec.issuer?.keys ?? spec.keys).privateKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

export function keyPem(keys: KeyPair): string {
  return forge.pki.privateKeyToPem(keys.privateKey);
}
