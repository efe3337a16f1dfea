import { expandAbbreviations } from '../../../src/cli/abbreviations.js';
import { parseArgs } from '../../../src/cli/args.js';

function values(argv: string[]): Readonly<Record<string, unknown>> {
  const r = parseArgs(argv);
  if (r.kind !== 'args') throw new Error(`expected args, got ${JSON.stringify(r)}`);
  return r.args.values;
}

function error(argv: string[]): string {
  const r = parseArgs(argv);
  if (r.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(r)}`);
  return r.message;
}

describe('argparse-style prefixes of long flags', () => {
  test.each<[string[], string, unknown]>([
    [['--lru', '5'], 'lru-cache-capacity', '5'],
    [['--health'], 'health-check', true],
    [['--haproxy-c', '/c.cfg'], 'haproxy-config', '/c.cfg'],
    [['--log-l=INFO'], 'log-level', 'INFO'],
    [['--skip-v'], 'skip-validation', true],
  ])('%j sets %s', (argv, key, expected) => {
    expect(values(argv)[key]).toEqual(expected);
  });

  test('an exact name wins over longer names it prefixes (--group vs --group-https-by-vhost)', () => {
    expect(values(['--group', 'x'])['group']).toBe('x');
  });

  test('an ambiguous prefix names every candidate', () => {
    expect(error(['--gro', 'x'])).toBe('ambiguous option: --gro could match --group, --group-https-by-vhost');
  });

  test('a prefix shared by --marathon and --marathon-ca-cert is ambiguous, as in argparse', () => {
    expect(error(['--marath', 'http://x'])).toContain('could match --marathon, --marathon-auth-credential-file, --marathon-ca-cert');
  });

  test('tokens after -- are not touched', () => {
    expect(expandAbbreviations(['--marath', '--', '--marath'], ['marathon'])).toEqual({ argv: ['--marathon', '--', '--marath'], errors: [] });
  });
});

describe('unknown and malformed input', () => {
  test('an unknown long flag is named', () => {
    expect(error(['--group', 'x', '--frobnicate'])).toBe('unrecognized argument: --frobnicate');
  });
  test('an unknown short flag is named', () => {
    expect(error(['--group', 'x', '-Z'])).toContain('Z');
  });
  test('an unknown mode lists the choices', () => {
    expect(error(['serve'])).toMatch(/serve.*sse.*poll.*event/s);
  });
  test('an extra positional is rejected', () => {
    expect(error(['poll', 'extra'])).toContain('extra');
  });
  test.each(['--group', '--reload-interval', '--marathon', '-c'])('%s without a value', (flag) => {
    expect(error([flag])).toContain('Not enough arguments');
  });
});

describe('shape of values', () => {
  test('--marathon takes several URLs; a repeat keeps each list separate', () => {
    expect(values(['-m', 'http://a', 'http://b', '--marathon', 'http://c'])['marathon']).toEqual([['http://a', 'http://b'], ['http://c']]);
  });
  test('short switches combine like argparse (-sHd)', () => {
    expect(values(['-sHd'])).toEqual({ sse: true, 'health-check': true, dry: true });
  });
  test('numbers stay text so settings.ts can name a bad one', () => {
    expect(values(['--max-reload-retries', '-1'])['max-reload-retries']).toBe('-1');
  });
  test('the positional mode', () => {
    const r = parseArgs(['sse', '--group', 'external']);
    expect(r.kind === 'args' && r.args.mode).toBe('sse');
  });
});

test('--help and -h give the usage text', () => {
  for (const argv of [['--help'], ['-h'], ['--group', 'x', '--help']]) {
    const r = parseArgs(argv);
    expect(r.kind).toBe('help');
    if (r.kind === 'help') expect(r.text).toContain('--marathon');
  }
});
