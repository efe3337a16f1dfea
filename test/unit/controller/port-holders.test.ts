// portHoldersInConfig reads who serves which port from the config on disk when the controller
// restarts. It walks the text in place; the reading it must agree with is the plain one: split
// into lines, then match each line from its start.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { portHoldersInConfig } from '../../../src/controller/reconcile.js';

function byLines(config: string): Map<number, string> {
  const out = new Map<number, string>();
  let frontend: string | undefined;
  for (const line of config.split('\n')) {
    const section = /^(frontend|backend|listen|defaults|global|userlist|peers|resolvers|program|http-errors|ring|cache)\b\s*(\S*)/.exec(line);
    if (section) { frontend = section[1] === 'frontend' ? section[2] : undefined; continue; }
    const bind = frontend && /^\s+bind\s+\S*:(\d+)\b/.exec(line);
    if (bind && !out.has(Number(bind[1]))) out.set(Number(bind[1]), frontend!);
  }
  return out;
}

describe('portHoldersInConfig', () => {
  it('reads a config as the default templates write it', () => {
    const config = [
      'global', '  daemon', 'defaults', '  mode http',
      'frontend marathon_http_in', '  bind *:80', '  mode http',
      'frontend nginx_10000', '  bind *:10000', '  mode http', '  use_backend nginx_10000',
      'backend nginx_10000', '  server a 127.0.0.1:31000 check',
      'frontend tcp_10001', '  bind 10.0.0.1:10001 ssl crt /etc/ssl/cert.pem', '  bind *:10000',
      'listen stats', '  bind 0.0.0.0:9090', '',
    ].join('\n');
    expect([...portHoldersInConfig(config)]).toEqual([[80, 'marathon_http_in'], [10000, 'nginx_10000'], [10001, 'tcp_10001']]);
  });

  it('agrees with reading it line by line, whatever the lines', () => {
    const seen = { holders: 0, notInFrontend: 0, oddSpace: 0, noFinalNewline: 0, carriageReturnMidLine: 0 };
    const space = fc.constantFrom(' ', '  ', '\t', ' \t', '\r', '\f');
    const keyword = fc.constantFrom('frontend', 'backend', 'listen', 'defaults', 'global', 'userlist', 'frontendx', 'frontend-a', 'cache', 'ring');
    const word = fc.constantFrom('web_80', 'a', '', 'b-c', 'x:1');
    const port = fc.integer({ min: 1, max: 12 });
    const bindLine = fc.oneof(
      fc.tuple(space, fc.constantFrom('*', '0.0.0.0', '[::]', 'a:b', ''), port, fc.constantFrom('', ' ssl', 'x', '\r')).map(([s, a, p, t]) => `${s}bind${s}${a}:${p}${t}`),
      fc.tuple(space, port).map(([s, p]) => `${s}bind *:${p}`),
    );
    // A \r ends no line: what follows one is not a header or a bind line of its own.
    const otherLine = fc.constantFrom('  mode http', 'bind *:3', '#frontend f', '', '  server s 1.2.3.4:5 check', 'x\rfrontend r', 'x\r bind *:7');
    // Sections: a header line (or none: lines before the first section), then its lines.
    const section = fc.tuple(
      fc.option(fc.tuple(keyword, space, word).map(([k, s, w]) => `${k}${s}${w}`)),
      fc.array(fc.oneof(bindLine, otherLine), { maxLength: 6 }),
    ).map(([head, body]) => (head === null ? body : [head, ...body]));
    fc.assert(fc.property(fc.array(section, { maxLength: 8 }), fc.boolean(), (sections, finalNewline) => {
      const lines = sections.flat();
      const config = lines.join('\n') + (finalNewline ? '\n' : '');
      const expected = byLines(config);
      if (expected.size > 0) seen.holders += 1;
      if (byLines(config.replace(/^(backend|listen)\b/gm, 'frontend')).size > expected.size) seen.notInFrontend += 1;
      if (/[\r\f]/.test(config)) seen.oddSpace += 1;
      if (/x\r/.test(config)) seen.carriageReturnMidLine += 1;
      if (!finalNewline && lines.length > 0) seen.noFinalNewline += 1;
      expect([...portHoldersInConfig(config)]).toEqual([...expected]);
    }), { numRuns: 600 });
    for (const [kind, count] of Object.entries(seen)) expect([kind, count > 50]).toEqual([kind, true]);
  });
});
