import fc from 'fast-check';
import { parseArgs } from '../../../src/cli/args.js';
import { fastParseArgs } from '../../../src/cli/fast-args.js';
import { FLAGS, MODES } from '../../../src/cli/flags.js';

// The fast path must never disagree with yargs: whenever it answers, yargs answers the same.
function agrees(argv: string[]): boolean {
  const fast = fastParseArgs(argv);
  if (fast === undefined) return false;
  expect(fast).toEqual(parseArgs(argv));
  return true;
}

describe('fastParseArgs', () => {
  test.each<[string[]]>([
    [['--marathon', 'http://m:8080', '--group', 'external']],
    [['sse', '--marathon', 'http://a:8080', 'http://b:8080', '--group', 'external', '--haproxy-map', '--health-check']],
    [['--group', 'external', '-m', 'http://m:8080', 'poll', '--poll-interval', '5', '--lru', '20']],
    [['--haproxy-config=/etc/haproxy/haproxy.cfg', '--group', '*', '--skip-validation', '-d', '-H', '--log-level', 'WARNING']],
    [['--marath', 'x']],
    [['--ssl-certs', '/a.pem,/b.pem', '--command', 'sv reload haproxy', '--dont-bind-http-https', 'event', '--callback-url', 'http://me:8090']],
  ])('%j: the same result as yargs', (argv) => {
    const fast = fastParseArgs(argv);
    if (fast !== undefined) expect(fast).toEqual(parseArgs(argv));
  });

  test('typical command lines take the fast path', () => {
    expect(agrees(['--marathon', 'http://m:8080', '--group', 'external'])).toBe(true);
    expect(agrees(['sse', '-m', 'http://a:8080', 'http://b:8080', '--group', 'external', '--haproxy-map'])).toBe(true);
    expect(agrees(['poll', '--group', 'external', '--haproxy-config=/tmp/h.cfg', '--status-port', '0', '--skip-validation'])).toBe(true);
  });

  test.each<[string[]]>([
    [['--help']], [['-h']], [['--group', 'a', '--group', 'b']], [['--group', '-x']], [['--dry', 'true']],
    [['--dry=false']], [['-dH']], [['--', 'x']], [['nonsense']], [['sse', 'poll']], [['--group']], [['--unknown-flag']],
    [['--marathon=http://x']], [['--group', '']],
  ])('%j goes to yargs', (argv) => {
    expect(fastParseArgs(argv)).toBeUndefined();
  });

  test('random command lines: the fast answer, when there is one, is the yargs answer', () => {
    const names = FLAGS.filter((f) => !f.builtin);
    const value = fc.constantFrom('x', 'http://m:8080', '5', '0', 'true', 'false', '', '-1', '-x', '--dry', '/a,b', 'a=b', 'sse', 'poll');
    const flagToken = fc.constantFrom(...names.flatMap((f) => [`--${f.name}`, ...(f.short ? [`-${f.short}`] : []), `--${f.name.slice(0, 6)}`]));
    const token = fc.oneof(
      flagToken,
      fc.tuple(flagToken, value).map(([f, v]) => `${f}=${v}`),
      value,
      fc.constantFrom(...MODES, '--', '-h', '--help'),
    );
    let fastCount = 0;
    fc.assert(fc.property(fc.array(token, { maxLength: 8 }), (argv) => {
      if (agrees(argv)) fastCount += 1;
    }), { numRuns: 3000 });
    expect(fastCount).toBeGreaterThan(0);
  });
});
