import { MAX_NUMBERED_CERT, planEnvCertificates, unescapePemVariable } from '../../../src/ssl/index.js';
import { keyPem, makeCertPem, makeKeyPair, type KeyPair } from './fixtures.js';

const NOW = new Date('2030-06-01T00:00:00Z');
const DIR = '/etc/ssl';
let keys: KeyPair;
let good: string;
let goodEscaped: string;
let expired: string;

beforeAll(() => {
  keys = makeKeyPair();
  good = makeCertPem({ keys, notBefore: new Date('2029-01-01Z'), notAfter: new Date('2031-01-01Z') }) + keyPem(keys);
  goodEscaped = good.replace(/\n/g, '\\n');
  expired = makeCertPem({ keys, notBefore: new Date('2020-01-01Z'), notAfter: new Date('2021-01-01Z') }) + keyPem(keys);
});

test('`\\n` two-character sequences become newlines; real newlines stay', () => {
  expect(unescapePemVariable('a\\nb\nc')).toBe('a\nb\nc');
  expect(unescapePemVariable(goodEscaped)).toBe(good);
});

test('nothing without HAPROXY_SSL_CERT, even when numbered variables are set (as marathon-lb)', () => {
  expect(planEnvCertificates({ HAPROXY_SSL_CERT0: goodEscaped }, DIR, NOW)).toEqual({ files: [], problems: [] });
  expect(planEnvCertificates({ HAPROXY_SSL_CERT: '', HAPROXY_SSL_CERT0: goodEscaped }, DIR, NOW)).toEqual({ files: [], problems: [] });
});

test('HAPROXY_SSL_CERT, then the numbered ones in index order, empty ones skipped', () => {
  const plan = planEnvCertificates(
    {
      HAPROXY_SSL_CERT10: goodEscaped,
      HAPROXY_SSL_CERT: goodEscaped,
      HAPROXY_SSL_CERT2: goodEscaped,
      HAPROXY_SSL_CERT0: good, // already real newlines
      HAPROXY_SSL_CERT1: '',
      [`HAPROXY_SSL_CERT${MAX_NUMBERED_CERT}`]: goodEscaped,
      [`HAPROXY_SSL_CERT${MAX_NUMBERED_CERT + 1}`]: goodEscaped, // beyond marathon-lb's range
    },
    DIR,
    NOW,
  );
  expect(plan.problems).toEqual([]);
  expect(plan.files.map((f) => [f.variable, f.path])).toEqual([
    ['HAPROXY_SSL_CERT', '/etc/ssl/cert.pem'],
    ['HAPROXY_SSL_CERT0', '/etc/ssl/cert0.pem'],
    ['HAPROXY_SSL_CERT2', '/etc/ssl/cert2.pem'],
    ['HAPROXY_SSL_CERT10', '/etc/ssl/cert10.pem'],
    ['HAPROXY_SSL_CERT100', '/etc/ssl/cert100.pem'],
  ]);
  for (const file of plan.files) expect(file.pem).toBe(good);
});

test('a broken variable is reported by name and left out; the others still go through', () => {
  const plan = planEnvCertificates(
    { HAPROXY_SSL_CERT: goodEscaped, HAPROXY_SSL_CERT0: 'not a pem', HAPROXY_SSL_CERT1: goodEscaped.split('-----END CERTIFICATE-----')[0] + '-----END CERTIFICATE-----' },
    DIR,
    NOW,
  );
  expect(plan.files.map((f) => f.variable)).toEqual(['HAPROXY_SSL_CERT']);
  expect(plan.problems).toEqual([
    { variable: 'HAPROXY_SSL_CERT0', problem: 'BAD_PEM', message: expect.stringMatching(/^HAPROXY_SSL_CERT0: not valid PEM/), skipped: true },
    { variable: 'HAPROXY_SSL_CERT1', problem: 'NO_KEY', message: expect.stringMatching(/^HAPROXY_SSL_CERT1: no PRIVATE KEY/), skipped: true },
  ]);
});

test('an expired certificate is reported but still written (HAProxy serves it; dropping it could leave :443 without any)', () => {
  const plan = planEnvCertificates({ HAPROXY_SSL_CERT: expired }, DIR, NOW);
  expect(plan.files.map((f) => f.variable)).toEqual(['HAPROXY_SSL_CERT']);
  expect(plan.problems).toEqual([
    { variable: 'HAPROXY_SSL_CERT', problem: 'EXPIRED', message: expect.stringContaining('HAPROXY_SSL_CERT: certificate CN=test.example.com expired'), skipped: false },
  ]);
});
