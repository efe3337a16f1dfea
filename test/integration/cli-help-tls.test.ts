// What --help and docs/flags.md say about TLS to Marathon, checked against what the CLI does:
// verification is on without --marathon-ca-cert (a self-signed Marathon is refused, and the
// error names the flag), and the flag makes the same Marathon trusted. Also: --help types the
// numeric flags, and a misspelt flag gets the nearest real one.

import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FLAG_BY_NAME, FLAGS } from '../../src/cli/flags.js';
import { REPO, runController } from '../support/controller-process.js';
import { tempDir } from '../support/haproxy.js';
import { selfSignedLoopbackCert } from '../support/tls.js';

/** --help as one line per flag: yargs wraps descriptions, so words are joined back. */
async function helpText(): Promise<string> {
  const ctl = runController(['--help']);
  expect(await ctl.exited).toBe(0);
  return ctl.stdout().replace(/\s+/g, ' ');
}

const flat = (s: string) => s.replace(/\s+/g, ' ');

describe('--marathon-ca-cert: help, docs and behaviour agree', () => {
  const caHelp = FLAG_BY_NAME.get('marathon-ca-cert')!.help;
  let server: https.Server;
  let url: string;
  let caFile: string;
  let dir: string;

  beforeAll(async () => {
    const { keyPem, certPem } = await selfSignedLoopbackCert();
    dir = await tempDir('mlb-tls-');
    caFile = join(dir, 'ca.pem');
    await writeFile(caFile, certPem);
    server = https.createServer({ key: keyPem, cert: certPem }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"apps":[]}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('the help says verification is always on, in --help and in docs/flags.md', async () => {
    expect(caHelp).toMatch(/Verification is always on/);
    expect(caHelp).not.toMatch(/verification is off/i);
    expect(await helpText()).toContain(flat(caHelp));
    expect(readFileSync(join(REPO, 'docs', 'flags.md'), 'utf8')).toContain(caHelp.replace(/\|/g, '\\|'));
  });

  test('without the flag, a self-signed Marathon is refused and the error names --marathon-ca-cert', async () => {
    const ctl = runController(['--dry', '--group', 'x', '--marathon', url, '--status-port', '0', '--run-dir', join(dir, 'run'), '--haproxy-config', join(dir, 'haproxy.cfg')]);
    expect(await ctl.exited).toBe(1);
    const failure = ctl.logs.find((l) => l.level >= 50);
    expect(String(failure?.['error'])).toMatch(/self[- ]signed certificate/);
    expect(String(failure?.['error'])).toContain('--marathon-ca-cert');
    expect(ctl.stdout()).toBe('');
  });

  test('with the flag, the same Marathon is trusted and --dry prints the config', async () => {
    const ctl = runController(['--dry', '--group', 'x', '--marathon', url, '--marathon-ca-cert', caFile, '--status-port', '0', '--run-dir', join(dir, 'run'), '--haproxy-config', join(dir, 'haproxy.cfg')]);
    expect(await ctl.exited).toBe(0);
    expect(ctl.stdout()).toMatch(/^global/);
  });
});

describe('--help types numeric flags; a misspelt flag gets a suggestion', () => {
  test('every int or number flag is tagged with its type, never [string]', async () => {
    const help = await helpText();
    for (const spec of FLAGS.filter((f) => f.kind === 'int' || f.kind === 'number')) {
      // The last mention is the flag's own entry (the mode's text mentions --poll-interval).
      const entry = [...help.matchAll(new RegExp(`--${spec.name} (.*?)(?= --[a-z]|$)`, 'g'))].at(-1)?.[1] ?? '';
      expect({ flag: spec.name, tag: /\[(integer|number|string)\]/.exec(entry)?.[0] })
        .toEqual({ flag: spec.name, tag: spec.kind === 'int' ? '[integer]' : '[number]' });
    }
  });

  test('a bad number is still named with the text typed', async () => {
    const ctl = runController(['--group', 'x', '--max-backoff', 'abc']);
    expect(await ctl.exited).toBe(2);
    expect(ctl.output()).toContain("argument --max-backoff: invalid int value: 'abc'");
  });

  test.each([
    ['--helth-check', '--health-check'],
    ['--marathon-ca-crt', '--marathon-ca-cert'],
    ['--statusport', '--status-port'],
  ])('%s suggests %s', async (typo, real) => {
    const ctl = runController(['--group', 'x', typo]);
    expect(await ctl.exited).toBe(2);
    expect(ctl.output()).toContain(`unrecognized argument: ${typo} (did you mean ${real}?)`);
  });

  test('a word far from every flag gets no guess', async () => {
    const ctl = runController(['--group', 'x', '--frobnicate']);
    expect(await ctl.exited).toBe(2);
    expect(ctl.output()).toContain('unrecognized argument: --frobnicate\n');
  });
});
