// Finding and driving a headless Chromium for tests that check what a browser shows.
// Missing Chromium: the test is skipped with a visible warning locally, and fails in CI
// (CI=true), so a CI image without a browser cannot pass by skipping.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export function findChromium(): string | undefined {
  const fromEnv = process.env['CHROMIUM_BIN'];
  if (fromEnv !== undefined && fromEnv !== '') return existsSync(fromEnv) ? fromEnv : undefined;
  return CANDIDATES.find((path) => existsSync(path));
}

export const inCi = (): boolean => process.env['CI'] === 'true';

/**
 * `test` when Chromium is there or we are in CI (where its absence must fail the run),
 * otherwise `test.skip` after saying so on stderr.
 */
export function testWithChromium(): jest.It {
  if (findChromium() !== undefined || inCi()) return test;
  process.stderr.write('chromium not found (set CHROMIUM_BIN or apt-get install chromium): browser tests are SKIPPED\n');
  return test.skip;
}

export function requireChromium(): string {
  const path = findChromium();
  if (path === undefined) throw new Error('chromium not found: install it (apt-get install -y chromium) or set CHROMIUM_BIN');
  return path;
}

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

async function runChromium(args: readonly string[], timeoutMs: number): Promise<string> {
  const binary = requireChromium();
  const profile = await mkdtemp(join(tmpdir(), 'mlb-chromium-'));
  try {
    return await new Promise<string>((resolve, reject) => {
      execFile(
        binary,
        [...FLAGS, `--user-data-dir=${profile}`, ...args],
        { timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024, encoding: 'utf8' },
        (error, stdout, stderr) => (error ? reject(new Error(`chromium failed: ${error.message}\n${stderr}`)) : resolve(stdout)),
      );
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** The DOM after the page loaded, serialised as HTML (Chromium's --dump-dom). */
export function dumpDom(url: string, timeoutMs = 60_000): Promise<string> {
  return runChromium(['--dump-dom', url], timeoutMs);
}

/** A PNG screenshot of `url` written to `file`. */
export async function screenshot(url: string, file: string, timeoutMs = 60_000): Promise<void> {
  await runChromium([`--screenshot=${file}`, '--window-size=1280,900', '--hide-scrollbars', url], timeoutMs);
}
