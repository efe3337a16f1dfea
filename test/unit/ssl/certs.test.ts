import forge from 'node-forge';
import { inspectPemBundle, isServableDespite } from '../../../src/ssl/index.js';
import { keyPem, makeCertPem, makeKeyPair, type KeyPair } from './fixtures.js';

const NOW = new Date('2030-06-01T00:00:00Z');
const YEAR_MS = 365 * 24 * 3600 * 1000;

let keys: KeyPair;
let otherKeys: KeyPair;
let validCert: string;

beforeAll(() => {
  keys = makeKeyPair();
  otherKeys = makeKeyPair();
  validCert = makeCertPem({
    keys,
    notBefore: new Date(NOW.getTime() - YEAR_MS),
    notAfter: new Date(NOW.getTime() + YEAR_MS),
    commonName: 'www.example.com',
    dnsNames: ['www.example.com', 'example.com'],
  });
});

test('a matching cert + key bundle is summarised', () => {
  const result = inspectPemBundle(validCert + keyPem(keys), NOW);
  expect(result).toEqual({
    ok: true,
    subject: 'CN=www.example.com',
    sans: ['www.example.com', 'example.com'],
    notBefore: new Date(NOW.getTime() - YEAR_MS),
    notAfter: new Date(NOW.getTime() + YEAR_MS),
    keyMatches: true,
  });
});

test('key before certificate, PKCS#8 key, CRLF line ends and text between blocks are all accepted', () => {
  const pkcs8 = forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keys.privateKey)));
  const bundle = `Bag Attributes: from openssl pkcs12\n${pkcs8}${validCert}`.replace(/\n/g, '\r\n');
  expect(inspectPemBundle(bundle, NOW).ok).toBe(true);
});

test('the first certificate is the leaf; a chain after it is fine', () => {
  const ca = makeKeyPair();
  const leaf = makeCertPem({
    keys,
    notBefore: new Date(NOW.getTime() - YEAR_MS),
    notAfter: new Date(NOW.getTime() + YEAR_MS),
    commonName: 'leaf.example.com',
    issuer: { keys: ca, commonName: 'Test CA' },
  });
  const caCert = makeCertPem({ keys: ca, notBefore: new Date(0), notAfter: new Date(NOW.getTime() + YEAR_MS), commonName: 'Test CA' });
  const result = inspectPemBundle(leaf + caCert + keyPem(keys), NOW);
  expect(result.ok && result.subject).toBe('CN=leaf.example.com');
  // The same chain with the CA's key does not match the leaf.
  expect(inspectPemBundle(leaf + caCert + keyPem(ca), NOW)).toMatchObject({ ok: false, problem: 'KEY_MISMATCH' });
});

describe('problems', () => {
  const cases: { name: string; pem: () => string; problem: string; message: RegExp }[] = [
    { name: 'empty text', pem: () => '', problem: 'BAD_PEM', message: /no -----BEGIN/ },
    { name: 'plain garbage', pem: () => 'hello world', problem: 'BAD_PEM', message: /not valid PEM/ },
    {
      name: 'a truncated block',
      pem: () => validCert.slice(0, 300),
      problem: 'BAD_PEM',
      message: /not terminated/,
    },
    {
      name: 'corrupted base64 inside a certificate',
      pem: () => validCert.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA') + keyPem(keys),
      problem: 'BAD_PEM',
      message: /certificate 1 cannot be parsed/,
    },
    {
      name: 'the `\\n` escapes left in (an env variable written without unescaping)',
      pem: () => (validCert + keyPem(keys)).replace(/\n/g, '\\n'),
      problem: 'BAD_PEM',
      message: /./,
    },
    { name: 'key only', pem: () => keyPem(keys), problem: 'NO_CERT', message: /no CERTIFICATE/ },
    { name: 'certificate only', pem: () => validCert, problem: 'NO_KEY', message: /no PRIVATE KEY/ },
    { name: 'key of another pair', pem: () => validCert + keyPem(otherKeys), problem: 'KEY_MISMATCH', message: /does not belong.*www\.example\.com/ },
    {
      name: 'an encrypted key',
      pem: () => validCert + forge.pki.encryptRsaPrivateKey(keys.privateKey, 'secret'),
      problem: 'BAD_PEM',
      message: /encrypted/,
    },
  ];
  test.each(cases)('$name -> $problem', ({ pem, problem, message }) => {
    const result = inspectPemBundle(pem(), NOW);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem).toBe(problem);
    expect(result.message).toMatch(message);
  });

  test('an expired certificate names its end date', () => {
    const expired = makeCertPem({ keys, notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
    const result = inspectPemBundle(expired + keyPem(keys), NOW);
    expect(result).toEqual({ ok: false, problem: 'EXPIRED', message: 'certificate CN=test.example.com expired at 2021-01-01T00:00:00.000Z' });
  });

  test('a certificate from the future is NOT_YET_VALID', () => {
    const future = makeCertPem({ keys, notBefore: new Date('2031-01-01T00:00:00Z'), notAfter: new Date('2032-01-01T00:00:00Z') });
    expect(inspectPemBundle(future + keyPem(keys), NOW)).toMatchObject({ ok: false, problem: 'NOT_YET_VALID', message: /2031-01-01/ });
  });

  test('date problems are servable (HAProxy loads them); structural ones are not', () => {
    expect(isServableDespite('EXPIRED')).toBe(true);
    expect(isServableDespite('NOT_YET_VALID')).toBe(true);
    for (const code of ['BAD_PEM', 'NO_CERT', 'NO_KEY', 'KEY_MISMATCH', 'MISSING']) expect(isServableDespite(code)).toBe(false);
  });
});
