// Certificate files on disk: the self-signed fallback, HAPROXY_SSL_CERT* files, and the
// checks of --ssl-certs paths; finally HAProxy itself loads and serves the fallback.
import { spawn, spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import {
  checkCertificateFiles,
  ensureDefaultCertificate,
  generateSelfSignedPem,
  inspectPemBundle,
  writeEnvCertificates,
} from '../../src/ssl/index.js';
import { keyPem, makeCertPem, makeKeyPair, type KeyPair } from '../unit/ssl/fixtures.js';

const HAPROXY = process.env['HAPROXY_BIN'] ?? '/usr/sbin/haproxy';
const NOW = new Date('2030-06-01T00:00:00Z');
let dir: string;
let keys: KeyPair;
let otherKeys: KeyPair;
let goodCert: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlb-ssl-'));
  keys = makeKeyPair();
  otherKeys = makeKeyPair();
  goodCert = makeCertPem({ keys, notBefore: new Date('2029-01-01Z'), notAfter: new Date('2031-01-01Z'), commonName: 'good.example.com' });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('self-signed fallback', () => {
  test('generated bundle: CN=*, SANs, RSA 2048, about ten years, cert then key', () => {
    const pem = generateSelfSignedPem({ now: NOW });
    const result = inspectPemBundle(pem, NOW);
    if (!result.ok) throw new Error(result.message);
    expect(result.subject).toBe('CN=*');
    expect(result.sans).toEqual(['*', 'localhost', '127.0.0.1']);
    const days = (result.notAfter.getTime() - NOW.getTime()) / 86_400_000;
    expect(days).toBeGreaterThan(3649);
    expect(days).toBeLessThan(3651);
    expect(pem.indexOf('BEGIN CERTIFICATE')).toBeLessThan(pem.indexOf('PRIVATE KEY'));
    const key = createPrivateKey(pem.slice(pem.indexOf('-----BEGIN RSA PRIVATE KEY')));
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  test('ensureDefaultCertificate writes a missing file (mode 0600), keeps a valid one, replaces a broken or expired one', async () => {
    const path = join(dir, 'fallback', 'cert.pem');
    const first = await ensureDefaultCertificate(path, NOW);
    expect(first.written).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const written = await readFile(path, 'utf8');
    expect(inspectPemBundle(written, NOW).ok).toBe(true);

    const second = await ensureDefaultCertificate(path, NOW);
    expect(second.written).toBe(false);
    expect(await readFile(path, 'utf8')).toBe(written);

    await writeFile(path, 'garbage');
    const third = await ensureDefaultCertificate(path, NOW);
    expect(third).toMatchObject({ written: true, replaced: { ok: false, problem: 'BAD_PEM' } });
    expect(inspectPemBundle(await readFile(path, 'utf8'), NOW).ok).toBe(true);

    const expired = makeCertPem({ keys, notBefore: new Date('2020-01-01Z'), notAfter: new Date('2021-01-01Z') }) + keyPem(keys);
    await writeFile(path, expired);
    expect(await ensureDefaultCertificate(path, NOW)).toMatchObject({ written: true, replaced: { problem: 'EXPIRED' } });
    // No temporary files are left behind.
    expect(await readdir(join(dir, 'fallback'))).toEqual(['cert.pem']);
  });
});

test('writeEnvCertificates writes good variables, names and skips bad ones', async () => {
  const out = join(dir, 'env');
  const result = await writeEnvCertificates(
    { HAPROXY_SSL_CERT: (goodCert + keyPem(keys)).replace(/\n/g, '\\n'), HAPROXY_SSL_CERT3: goodCert + keyPem(otherKeys) },
    out,
    NOW,
  );
  expect(result.paths).toEqual([join(out, 'cert.pem')]);
  expect(result.problems).toMatchObject([{ variable: 'HAPROXY_SSL_CERT3', problem: 'KEY_MISMATCH', skipped: true }]);
  expect(await readFile(join(out, 'cert.pem'), 'utf8')).toBe(goodCert + keyPem(keys));
  expect(await readdir(out)).toEqual(['cert.pem']);
});

describe('checkCertificateFiles', () => {
  test('reports each bad file by path; a good file, a directory and a .key sibling pass', async () => {
    const d = join(dir, 'check');
    await mkdir(join(d, 'certs.d'), { recursive: true });
    await writeFile(join(d, 'good.pem'), goodCert + keyPem(keys));
    await writeFile(join(d, 'split.pem'), goodCert);
    await writeFile(join(d, 'split.pem.key'), keyPem(keys));
    await writeFile(join(d, 'mismatch.pem'), goodCert + keyPem(otherKeys));
    await writeFile(join(d, 'bad.pem'), 'not a certificate');
    await writeFile(
      join(d, 'expired.pem'),
      makeCertPem({ keys, notBefore: new Date('2020-01-01Z'), notAfter: new Date('2021-01-01Z') }) + keyPem(keys),
    );
    // A directory: reserved extensions and dot files are not certificates for HAProxy.
    await writeFile(join(d, 'certs.d', 'a.pem'), goodCert + keyPem(keys));
    await writeFile(join(d, 'certs.d', 'a.pem.ocsp'), 'binary ocsp response');
    await writeFile(join(d, 'certs.d', '.hidden'), 'ignored');
    await writeFile(join(d, 'certs.d', 'z.pem'), goodCert);

    expect(await checkCertificateFiles([join(d, 'good.pem'), join(d, 'split.pem')], NOW)).toEqual([]);

    const problems = await checkCertificateFiles(
      [join(d, 'good.pem'), join(d, 'mismatch.pem'), join(d, 'bad.pem'), join(d, 'expired.pem'), join(d, 'missing.pem'), join(d, 'certs.d')],
      NOW,
    );
    expect(problems.map((p) => [p.path, p.problem, p.fatal])).toEqual([
      [join(d, 'mismatch.pem'), 'KEY_MISMATCH', true],
      [join(d, 'bad.pem'), 'BAD_PEM', true],
      [join(d, 'expired.pem'), 'EXPIRED', false],
      [join(d, 'missing.pem'), 'MISSING', true],
      [join(d, 'certs.d', 'z.pem'), 'NO_KEY', true],
    ]);
    for (const p of problems) expect(p.message).toContain(`certificate ${p.path}: `);
  });
});

test('HAProxy accepts the self-signed fallback and serves it over TLS', async () => {
  const d = join(dir, 'haproxy');
  const certPath = join(d, 'cert.pem');
  await ensureDefaultCertificate(certPath, new Date());
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as { port: number }).port;
  probe.close();
  const cfg = join(d, 'haproxy.cfg');
  await writeFile(
    cfg,
    `defaults\n  mode http\n  timeout connect 3s\n  timeout client 30s\n  timeout server 30s\n` +
      `frontend https\n  bind 127.0.0.1:${port} ssl crt ${certPath}\n  http-request return status 200 content-type text/plain string ok\n`,
  );
  const check = spawnSync(HAPROXY, ['-c', '-f', cfg], { encoding: 'utf8' });
  expect(check.stderr + check.stdout).toContain('Configuration file is valid');

  const haproxy = spawn(HAPROXY, ['-f', cfg], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    let peer: PeerCertificate | undefined;
    const deadline = Date.now() + 10_000;
    for (let i = 0; i < 200 && peer === undefined && Date.now() < deadline; i++) {
      peer = await new Promise<PeerCertificate | undefined>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost' }, () => {
          resolve(socket.getPeerCertificate());
          socket.end();
        });
        socket.on('error', () => setTimeout(() => resolve(undefined), 50));
      });
    }
    expect(peer?.subject.CN).toBe('*');
  } finally {
    haproxy.kill('SIGTERM');
    await once(haproxy, 'exit');
  }
});
