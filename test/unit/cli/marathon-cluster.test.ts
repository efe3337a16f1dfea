// --marathon-cluster NAME=URL[,URL...]: several Marathons, each named.

import { parseSettings } from '../../../src/cli/parse-settings.js';

const G = ['--group', 'external'];
const parse = (argv: string[]) => parseSettings(argv, { cwd: '/work', packageRoot: '/pkg' });

describe('--marathon-cluster', () => {
  test('repeated, in order; --marathon then means the first cluster', () => {
    const r = parse(['sse', ...G, '--marathon-cluster', 'east=http://m1:8080,http://m2:8080', '--marathon-cluster', 'west=https://u:p@m3:8443']);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.settings.marathonClusters).toEqual([
      { name: 'east', urls: ['http://m1:8080', 'http://m2:8080'] },
      { name: 'west', urls: ['https://u:p@m3:8443'] },
    ]);
    expect(r.settings.marathon).toEqual(['http://m1:8080', 'http://m2:8080']);
  });

  test('without it: no clusters, plain --marathon as before', () => {
    const r = parse(['sse', ...G, '--marathon', 'http://m:8080']);
    expect(r.ok && [r.settings.marathonClusters, r.settings.marathon]).toEqual([[], ['http://m:8080']]);
  });

  test.each([
    [['--marathon-cluster', 'East=http://m:8080'], 'expected NAME=URL'],
    [['--marathon-cluster', 'east'], 'expected NAME=URL'],
    [['--marathon-cluster', 'east=ftp://m'], 'not an http(s) URL'],
    [['--marathon-cluster', 'east=http://a', '--marathon-cluster', 'east=http://b'], 'named twice'],
    [['--marathon-cluster', 'east=http://a', '--marathon', 'http://b'], 'do not mix'],
  ])('%j is refused', (flags, message) => {
    const r = parse(['sse', ...G, ...flags]);
    expect(r.ok ? [] : r.problems.map((p) => p.message)).toEqual([expect.stringContaining(message)]);
  });

  test('event mode takes one Marathon', () => {
    const r = parse(['event', ...G, '--callback-url', 'http://lb:8090', '--marathon-cluster', 'a=http://a', '--marathon-cluster', 'b=http://b']);
    expect(r.ok ? [] : r.problems.map((p) => p.message)).toEqual([expect.stringContaining('event (callback) mode serves one Marathon')]);
  });

  test('a URL with credentials is not echoed in a problem', () => {
    const r = parse(['sse', ...G, '--marathon-cluster', 'BAD=http://user:secret@m']);
    expect(JSON.stringify(r.ok ? [] : r.problems)).not.toContain('secret');
  });
});
