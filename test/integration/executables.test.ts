// The built executables (dist/: the controller's CommonJS bundle, which dist/cli.js runs from its
// code cache, zdd's own, and the yargs parts as ES modules beside them: scripts/bundle.mjs) reach
// every part they load lazily: the yargs parser off the fast path, long help, and zdd both as its
// own executable and as `marathon-lb zdd` (import() through dist/import-esm.js). And
// bin/marathon-lb, the launcher, starts node with V8's worker pool sized to the CPUs.

import { spawnSync } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { CLI, REPO, ensureBuilt } from '../support/controller-process.js';
import { tempDir } from '../support/haproxy.js';

const ZDD = join(REPO, 'dist', 'zdd-cli.js');
const LAUNCHER = join(REPO, 'bin', 'marathon-lb');

interface Ran { code: number | null; stdout: string; stderr: string }

function run(file: string, args: string[]): Ran {
  const r = spawnSync(process.execPath, [file, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function launch(args: string[], env: Record<string, string>): Ran {
  const r = spawnSync(LAUNCHER, args, { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env } });
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

describe('bin/marathon-lb', () => {
  let dir: string;
  let fake: string;

  beforeAll(async () => {
    // A stand-in for dist/cli.js that reports how node was started, and exits with a code of its own.
    dir = await tempDir('mlb-launch-');
    fake = join(dir, 'fake-cli.cjs');
    await writeFile(fake, 'console.log(JSON.stringify({ execArgv: process.execArgv, argv: process.argv.slice(2) })); process.exitCode = 7;\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const report = (r: Ran) => JSON.parse(r.stdout) as { execArgv: string[]; argv: string[] };

  test('runs node with a worker pool of the usable CPUs less one (1 to 4), the arguments untouched, and its exit code', () => {
    const r = launch(['sse', '--group', 'a b'], { MARATHON_LB_CLI: fake });
    expect(r.code).toBe(7);
    const { execArgv, argv } = report(r);
    expect(argv).toEqual(['sse', '--group', 'a b']);
    const pools = execArgv.filter((a) => a.startsWith('--v8-pool-size='));
    expect(pools).toHaveLength(1);
    const size = Number(pools[0]!.split('=')[1]);
    // A CPU quota can only lower it below what the scheduler offers.
    expect(size).toBeGreaterThanOrEqual(1);
    expect(size).toBeLessThanOrEqual(Math.min(4, Math.max(1, availableParallelism() - 1)));
  });

  test('a --v8-pool-size in NODE_OPTIONS is the operator\'s: no other is added', () => {
    const r = launch(['poll'], { MARATHON_LB_CLI: fake, NODE_OPTIONS: '--v8-pool-size=3' });
    expect(r.code).toBe(7);
    expect(report(r).execArgv).toEqual([]);
  });

  test('runs the real controller: --help', () => {
    const r = launch(['--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^marathon-lb \[mode\]/);
  });
});
