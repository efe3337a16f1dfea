import { runCli, type CliIo, type MainFn } from '../../../src/cli/run.js';
import type { Settings } from '../../../src/settings.js';

interface Harness {
  io: CliIo;
  out: string[];
  err: string[];
  calls: Settings[];
}

function harness(opts: { main?: MainFn; files?: Record<string, string>; env?: Record<string, string> } = {}): Harness {
  const out: string[] = [];
  const err: string[] = [];
  const calls: Settings[] = [];
  const main: MainFn = opts.main ?? (async (s) => {
    calls.push(s);
    return 0;
  });
  const io: CliIo = {
    env: opts.env ?? {},
    cwd: '/srv',
    packageRoot: () => '/pkg',
    stdout: async (t) => void out.push(t),
    stderr: async (t) => void err.push(t),
    readFile: async (file) => {
      const text = opts.files?.[file];
      if (text === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      return text;
    },
    loadMain: async () => main,
  };
  return { io, out, err, calls };
}

test('valid flags reach main(), and its exit code is returned', async () => {
  const h = harness({ main: async (s) => (h.calls.push(s), 3) });
  expect(await runCli(['sse', '--group', 'external', '-H'], h.io)).toBe(3);
  expect(h.calls).toHaveLength(1);
  expect(h.calls[0]).toMatchObject({ mode: 'sse', groups: ['external'], healthCheck: true, luaDir: '/pkg/lua', templatesDir: '/srv/templates' });
});

test.each<[string[], RegExp]>([
  [['--group', 'x', '--bogus'], /unrecognized argument: --bogus/],
  [['--group', 'x', '--reload-interval', 'soon'], /--reload-interval: invalid int value: 'soon'/],
  [[], /argument --group is required/],
  [['--group', 'x', '--log-level', 'chatty'], /Invalid log level: CHATTY/],
  [['--gro', 'x'], /ambiguous option: --gro/],
])('%j: exit 2 with a message naming the problem, main not called', async (argv, message) => {
  const h = harness();
  expect(await runCli(argv, h.io)).toBe(2);
  expect(h.err.join('')).toMatch(message);
  expect(h.err.join('')).toMatch(/^marathon-lb: error: /);
  expect(h.calls).toHaveLength(0);
});

test('a bad --auth-credentials is reported without printing it', async () => {
  const h = harness();
  expect(await runCli(['--group', 'x', '--auth-credentials', 'secretWithoutColon'], h.io)).toBe(2);
  expect(h.err.join('')).toContain('user:pass');
  expect(h.err.join('') + h.out.join('')).not.toContain('secretWithoutColon');
});

test('--help prints usage and exits 0 without loading main', async () => {
  const h = harness({ main: async () => { throw new Error('must not run'); } });
  expect(await runCli(['--help'], h.io)).toBe(0);
  expect(h.out.join('')).toContain('--group');
});

test('--longhelp prints the Markdown reference and skips validation', async () => {
  const h = harness();
  expect(await runCli(['--longhelp'], h.io)).toBe(0); // no --group: validation is skipped
  const text = h.out.join('');
  expect(text).toMatch(/^# marathon-lb/);
  expect(text).toContain('HAPROXY_BACKEND_HEAD');
  expect(text).toContain('HAPROXY_GROUP');
  expect(h.calls).toHaveLength(0);
});

test('the credential file is read relative to the working directory', async () => {
  const h = harness({ files: { '/srv/creds': 'dave:pa:ss\n' } });
  expect(await runCli(['--group', 'x', '--marathon-auth-credential-file', 'creds'], h.io)).toBe(0);
  expect(h.calls[0]?.authCredentials).toEqual({ user: 'dave', password: 'pa:ss' });
});

test('an unreadable credential file is a usage error naming the flag', async () => {
  const h = harness();
  expect(await runCli(['--group', 'x', '--marathon-auth-credential-file', '/nope'], h.io)).toBe(2);
  expect(h.err.join('')).toContain('--marathon-auth-credential-file: cannot read /nope (ENOENT)');
});

test('environment reaches the settings', async () => {
  const h = harness({ env: { POLL_INTERVAL: '7', FRAMEWORK_NAME: 'mlb' } });
  expect(await runCli(['poll', '--group', 'x'], h.io)).toBe(0);
  expect(h.calls[0]).toMatchObject({ mode: 'poll', pollInterval: 7, frameworkName: 'mlb' });
});

test('an exception from main is exit 1, with URL credentials scrubbed', async () => {
  const h = harness({ main: async () => { throw new Error('cannot reach http://u:topsecret@m:8080'); } });
  expect(await runCli(['--group', 'x'], h.io)).toBe(1);
  expect(h.err.join('')).toContain('fatal: cannot reach http://***@m:8080');
  expect(h.err.join('')).not.toContain('topsecret');
});
