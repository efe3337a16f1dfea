import fc from 'fast-check';
import { planChange, type DesiredState } from '../../../src/haproxy/plan.js';
import { checkDynamicServerArgs } from '../../../src/haproxy/dynamic-server-args.js';
import { backendTraits, mapMatchKinds, supportsDynamicServers } from '../../../src/haproxy/config-sections.js';

const SKELETON = `global
  stats socket /run/haproxy.sock level admin

defaults
  mode http

frontend marathon_http_in
  bind *:80
  use_backend %[req.hdr(host),lower,regsub(:.*$,,),map(/etc/haproxy/domain2backend.map)]

backend web_10000
  balance roundrobin

backend sticky_10002
  balance source

backend api_10001
  balance leastconn
`;

function state(servers: DesiredState['servers'], maps: DesiredState['maps'] = {}, skeleton = SKELETON): DesiredState {
  // The full text: the skeleton with each backend's server lines appended after its header.
  let config = skeleton;
  for (const [b, list] of Object.entries(servers)) {
    const lines = Object.entries(list).map(([n, a]) => `  server ${n} ${a}\n`).join('');
    config = config.replace(`backend ${b}\n`, `backend ${b}\n${lines}`);
  }
  return { config, skeleton, servers, maps };
}

const S1 = '127.0.0.1:31001 id 101 check inter 2s fall 3';
const S2 = '127.0.0.1:31002 id 102 check inter 2s fall 3';

describe('planChange', () => {
  it('reloads when nothing was applied yet', () => {
    expect(planChange(undefined, state({})).kind).toBe('reload');
  });

  it('is a no-op for identical config and maps', () => {
    const s = state({ web_10000: { a: S1 } }, { 'domain2backend.map': 'x.com web_10000\n' });
    expect(planChange(s, { ...s })).toEqual({ kind: 'noop', reasons: [], ops: [] });
  });

  it('adds a server at run time with a specific reason', () => {
    const p = planChange(state({ web_10000: { a: S1 } }), state({ web_10000: { a: S1, b: S2 } }));
    expect(p).toEqual({
      kind: 'runtime', reasons: ['backend web_10000: server added b'], ops: [{ op: 'add-server', backend: 'web_10000', server: 'b', args: S2 }],
    });
  });

  it('drains then deletes a leaving server, after adding its replacement', () => {
    const p = planChange(state({ web_10000: { a: S1 } }), state({ web_10000: { b: S2 } }));
    expect(p.kind).toBe('runtime');
    expect(p.ops.map((o) => `${o.op} ${'server' in o ? o.server : ''}`)).toEqual(['add-server b', 'drain-server a', 'del-server a']);
    expect(p.reasons).toEqual(['backend web_10000: server removed a', 'backend web_10000: server added b']);
  });

  it('turns a changed server line into delete then add of the same name', () => {
    const p = planChange(state({ web_10000: { a: S1 } }), state({ web_10000: { a: `${S1} disabled` } }));
    expect(p.ops.map((o) => o.op)).toEqual(['drain-server', 'del-server', 'add-server']);
    expect(p.reasons).toEqual(['backend web_10000: server changed a']);
  });

  it('adds a server that reuses a leaving server id only after the delete', () => {
    const p = planChange(state({ web_10000: { a: S1 } }), state({ web_10000: { b: '127.0.0.1:31009 id 101' } }));
    expect(p.ops.map((o) => o.op)).toEqual(['drain-server', 'del-server', 'add-server']);
  });

  it('reloads for a backend whose algorithm cannot take dynamic servers', () => {
    const p = planChange(state({ sticky_10002: { a: S1 } }), state({ sticky_10002: { a: S1, b: S2 } }));
    expect(p.kind).toBe('reload');
    expect(p.reasons).toContain('backend sticky_10002: balance source (hash-type map-based) does not allow servers to change at run time');
    expect(p.ops).toEqual([]);
  });

  it('reloads when a new server line uses an option add server refuses (cookie)', () => {
    const p = planChange(state({ web_10000: {} }), state({ web_10000: { b: `${S2} cookie d6ad48c81f` } }));
    expect(p.kind).toBe('reload');
    expect(p.reasons).toContain('backend web_10000: server b: option cookie cannot be set at run time');
  });

  it('reloads when default-server applies, since dynamic servers would ignore it', () => {
    const skeleton = SKELETON.replace('  balance roundrobin\n', '  balance roundrobin\n  default-server inter 3s\n');
    const p = planChange(state({ web_10000: {} }, {}, skeleton), state({ web_10000: { b: S2 } }, {}, skeleton));
    expect(p.kind).toBe('reload');
  });

  it('names the sections that changed when the skeleton differs', () => {
    const next = `${SKELETON.replace('  bind *:80', '  bind *:8080')}\nbackend new_10003\n  balance roundrobin\n`;
    const p = planChange(state({}), state({}, {}, next));
    expect(p.kind).toBe('reload');
    expect(p.reasons).toEqual(['frontend marathon_http_in changed', 'backend new_10003 added']);
  });

  it('edits an exact-match map at run time', () => {
    const before = state({}, { 'domain2backend.map': 'a.com web_10000\nb.com web_10000\n' });
    const after = state({}, { 'domain2backend.map': 'a.com api_10001\nc.com web_10000\n' });
    const p = planChange(before, after);
    expect(p.kind).toBe('runtime');
    expect(p.ops).toEqual([
      { op: 'set-map', map: 'domain2backend.map', key: 'a.com', value: 'api_10001' },
      { op: 'add-map', map: 'domain2backend.map', key: 'c.com', value: 'web_10000' },
      { op: 'del-map', map: 'domain2backend.map', key: 'b.com' },
    ]);
  });

  it('reloads for a map used by an order-sensitive lookup', () => {
    const skeleton = SKELETON.replace('map(/etc/haproxy/domain2backend.map)', 'map_beg(/etc/haproxy/domain2backend.map)');
    const p = planChange(state({}, { 'domain2backend.map': 'a web_10000\n' }, skeleton), state({}, { 'domain2backend.map': 'b web_10000\n' }, skeleton));
    expect(p.kind).toBe('reload');
  });

  it('needs nothing from HAProxy for a map the config does not use', () => {
    const p = planChange(state({}, { 'app2backend.map': '' }), state({}, { 'app2backend.map': '/web web_10000\n' }));
    expect(p).toEqual({ kind: 'runtime', reasons: ['map app2backend.map changed (not used by the config)'], ops: [] });
  });
});

describe('dynamic server rules (as checked on HAProxy 2.6.12)', () => {
  it.each([
    ['roundrobin', undefined, true], ['leastconn', undefined, true], ['first', undefined, true], ['random', undefined, true],
    ['static-rr', undefined, false], ['source', undefined, false], ['source', 'consistent', true], ['hdr(host)', 'consistent', true],
    ['uri', 'map-based', false],
  ])('balance %s hash-type %s -> %s', (balance, hashType, ok) => {
    const text = `defaults\n  mode http\nbackend b\n  balance ${balance}\n${hashType ? `  hash-type ${hashType}\n` : ''}`;
    expect(supportsDynamicServers(backendTraits(text).get('b')!)).toBe(ok);
  });

  it('inherits balance from the last defaults section', () => {
    const t = backendTraits('defaults\n  balance static-rr\nbackend a\n  mode http\ndefaults\n  balance leastconn\nbackend b\n  mode http\n');
    expect(t.get('a')?.balance).toBe('static-rr');
    expect(t.get('b')?.balance).toBe('leastconn');
  });

  it.each([
    ['10.0.0.1:80 id 5 check inter 2s fall 11 port 1024', true],
    ['10.0.0.1:80 check cookie abc', false],
    ['10.0.0.1:80 check-port 9', false],
    ['agent1:80 check', false],
    ['10.0.0.1:80 inter', false],
    ['10.0.0.1:80 disabled weight 5', true],
  ])('%s -> %s', (args, ok) => {
    expect(checkDynamicServerArgs(args).ok).toBe(ok);
  });

  it('tells exact map lookups from others and ignores similarly named files', () => {
    const text = 'use_backend %[req.hdr(host),lower,map(/x/d.map)]\nuse_backend %[path,map_beg(/x/p.map)]\nacl y hdr(x) -f /x/d.map.old\n';
    expect(mapMatchKinds(text, ['d.map', 'p.map', 'q.map'])).toEqual(new Map([['d.map', 'exact'], ['p.map', 'other'], ['q.map', undefined]]));
  });
});

describe('planChange properties', () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
  const serverArgs = fc.tuple(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 32766 }), fc.boolean())
    .map(([port, id, check]) => `127.0.0.1:${port} id ${id}${check ? ' check inter 2s fall 3' : ''}`);
  const backend = fc.record({ balance: fc.constantFrom('roundrobin', 'leastconn', 'static-rr', 'source'), servers: fc.dictionary(name, serverArgs, { maxKeys: 4 }) });
  const desired = fc.dictionary(name, backend, { maxKeys: 4 }).chain((backends) => fc.record({
    extra: fc.constantFrom('', '  option httplog\n'),
    map: fc.dictionary(fc.stringMatching(/^[a-z]{1,6}\.com$/), name, { maxKeys: 3 }),
  }).map(({ extra, map }): DesiredState => {
    const skeleton = `defaults\n  mode http\n${extra}frontend f\n  use_backend %[req.hdr(host),map(/etc/haproxy/d.map)]\n`
      + Object.entries(backends).map(([b, v]) => `backend ${b}\n  balance ${v.balance}\n`).join('');
    const servers = Object.fromEntries(Object.entries(backends).map(([b, v]) => [b, v.servers]));
    let config = skeleton;
    for (const [b, list] of Object.entries(servers)) {
      config = config.replace(`backend ${b}\n`, `backend ${b}\n${Object.entries(list).map(([n, a]) => `  server ${n} ${a}\n`).join('')}`);
    }
    return { config, skeleton, servers, maps: { 'd.map': Object.entries(map).map(([k, v]) => `${k} ${v}\n`).join('') } };
  }));

  it('plan(x, x) is always a no-op', () => {
    fc.assert(fc.property(desired, (x) => {
      expect(planChange(x, x)).toEqual({ kind: 'noop', reasons: [], ops: [] });
    }));
  });

  it('plans a reload whenever the skeletons differ, and never a no-op when anything differs', () => {
    fc.assert(fc.property(desired, desired, (a, b) => {
      const p = planChange(a, b);
      if (a.skeleton !== b.skeleton) expect(p.kind).toBe('reload');
      if (a.config !== b.config || a.maps['d.map'] !== b.maps['d.map']) expect(p.kind).not.toBe('noop');
      if (p.kind === 'reload') expect(p.reasons.length).toBeGreaterThan(0);
      if (p.kind !== 'runtime') expect(p.ops).toEqual([]);
    }));
  });

  it('runtime plans delete a server only after draining it, and add each arriving server once', () => {
    fc.assert(fc.property(desired, desired, (a, b0) => {
      const b = { ...b0, skeleton: a.skeleton, config: `${a.config}#changed\n` };
      const p = planChange(a, b);
      if (p.kind !== 'runtime') return;
      p.ops.forEach((op, i) => {
        if (op.op === 'del-server') {
          expect(p.ops.slice(0, i).some((x) => x.op === 'drain-server' && x.backend === op.backend && x.server === op.server)).toBe(true);
        }
      });
      const adds = p.ops.filter((o) => o.op === 'add-server').map((o) => `${'backend' in o ? o.backend : ''}/${'server' in o ? o.server : ''}`);
      expect(new Set(adds).size).toBe(adds.length);
    }));
  });
});
