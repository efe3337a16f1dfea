// The built executables (dist/, one CommonJS bundle each, with the yargs parts as ES modules
// beside them: scripts/bundle.mjs) reach every part they load lazily: the yargs parser off the
// fast path, long help, and zdd both as its own executable and as `marathon-lb zdd`.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI, REPO, ensureBuilt } from '../support/controller-process.js';

const ZDD = join(REPO, 'dist', 'zdd-cli.js');

function run(file: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [file, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

beforeAll(() => ensureBuilt());

describe('dist executables', () => {
  test('a flag the fast parser does not know goes to yargs, which names it (exit 2)', () => {
    const r = run(CLI, ['--group', 'external', '--no-such-flag-xyz']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no-such-flag-xyz/);
  });

  test('--longhelp renders the long help', () => {
    const r = run(CLI, ['--longhelp']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('# marathon-lb')).toBe(true);
    expect(r.stdout).toContain('--group');
  });

  test('`marathon-lb zdd --help` runs zdd once', () => {
    const r = run(CLI, ['zdd', '--help']);
    expect(r.code).toBe(0);
    expect(count(r.stdout, /^usage: zdd /gm)).toBe(1);
  });

  test('the zdd executable runs zdd once and exits with its code', () => {
    const help = run(ZDD, ['--help']);
    expect(help.code).toBe(0);
    expect(count(help.stdout, /^usage: zdd /gm)).toBe(1);
    const missing = run(ZDD, ['-m', 'http://127.0.0.1:9', '-l', 'http://127.0.0.1:9', '-j', '/nonexistent/app.json']);
    expect(missing.code).not.toBe(0);
    expect(count(missing.stderr, /cannot read the app definition/g)).toBe(1);
  });
});
