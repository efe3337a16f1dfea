// The plan: structured per-backend state in, noop | runtime ops | reload out, with reasons.

import fc from 'fast-check';
import { planChange, type BackendDesired, type DesiredState, type RuntimeOp } from '../../../src/haproxy/plan.js';
import { checkDynamicServerArgs } from '../../../src/haproxy/dynamic-server-args.js';
import { backendTraits, mapMatchKinds, supportsDynamicServers, type BackendTraits } from '../../../src/haproxy/config-sections.js';

const FRAME = 'frontend marathon_http_in\n  use_backend %[req.hdr(host),lower,regsub(:.*$,,),map(/etc/haproxy/domain2backend.map)]\n';
const RR: BackendTraits = { balance: 'roundrobin', hashType: 'map-based', hasDefaultServer: false };

function be(servers: Record<string, string>, o: { traits?: Partial<BackendTraits>; structure?: string; mapEntries?: string } = {}): BackendDesired {
  return { appId: '/app', structure: o.structure ?? 'backend', traits: { ...RR, ...o.traits }, servers, mapEntries: o.mapEntries ?? '' };
}

function state(backends: Record<string, BackendDesired>, maps: Record<string, string> = {}, frameText = FRAME): DesiredState {
  return { backends: new Map(Object.entries(backends)), frame: '', maps: () => maps, mapKinds: (names) => mapMatchKinds(frameText, names) };
}

const S1 = '127.0.0.1:31001 id 101 check inter 2s fall 3';
const S2 = '127.0.0.1:31002 id 102 check inter 2s fall 3';
const SOURCE = { traits: { balance: 'source' } };

describe('planChange', () => {
  it('reloads when nothing was applied yet', () => {
    expect(planChange(undefined, state({})).kind).toBe('reload');
  });

  it('is a no-op for identical backends and maps', () => {
    const s = state({ web_10000: be({ a: S1 }) }, { 'domain2backend.map': 'x.com web_10000\n' });
    expect(planChange(s, state({ web_10000: be({ a: S1 }) }, { 'domain2backend.map': 'x.com web_10000\n' }))).toEqual({ kind: 'noop', reasons: [], ops: [] });
  });

  it('adds a server at run time with a specific reason', () => {
    const p = planChange(state({ web_10000: be({ a: S1 }) }), state({ web_10000: be({ a: S1, b: S2 }) }));
    expect(p).toEqual({
      kind: 'runtime', reasons: ['backend web_10000: server added b'], ops: [{ op: 'add-server', backend: 'web_10000', server: 'b', args: S2 }],
    });
  });

  it('drains then retires a leaving server, after adding its replacement', () => {
    const p = planChange(state({ web_10000: be({ a: S1 }) }), state({ web_10000: be({ b: S2 }) }));
    expect(p.kind).toBe('runtime');
    expect(p.ops.map((o) => `${o.op} ${'server' in o ? o.server : ''}`)).toEqual(['add-server b', 'drain-server a', 'retire-server a']);
    expect(p.reasons).toEqual(['backend web_10000: server removed a', 'backend web_10000: server added b']);
  });

  it('revives a retired server whose task address comes back with the same line (HAProxy refuses the name twice)', () => {
    const retired = new Map([['web_10000', new Map([['b', S2]])]]);
    const p = planChange(state({ web_10000: be({ a: S1 }) }), state({ web_10000: be({ a: S1, b: S2 }) }), undefined, retired);
    expect(p.ops).toEqual([{ op: 'revive-server', backend: 'web_10000', server: 'b', args: S2 }]);
    const other = new Map([['web_10000', new Map([['b', `${S2} weight 9`]])]]);
    expect(planChange(state({ web_10000: be({ a: S1 }) }), state({ web_10000: be({ a: S1, b: S2 }) }), undefined, other).kind).toBe('reload');
  });

  it('looks only at the backends it is told changed', () => {
    const before = state({ web_10000: be({ a: S1 }), api_10001: be({ x: S1 }) });
    const after = state({ web_10000: be({ a: S1, b: S2 }), api_10001: be({}) });
    expect(planChange(before, after, ['web_10000']).ops).toEqual([{ op: 'add-server', backend: 'web_10000', server: 'b', args: S2 }]);
  });

  it('changes a weight or a disabled flag in place, never by deleting the server', () => {
    const p = planChange(state({ web_10000: be({ a: S1 }) }), state({ web_10000: be({ a: `${S1} weight 5 disabled` }) }));
    expect(p.kind).toBe('runtime');
    expect(p.ops).toEqual([
      { op: 'set-weight', backend: 'web_10000', server: 'a', weight: 5 },
      { op: 'set-state', backend: 'web_10000', server: 'a', state: 'drain' },
    ]);
  });

  it('reloads (never deletes and re-adds) a server whose other arguments change, so the backend never empties', () => {
    const p = planChange(state({ web_10000: be({ a: S1 }) }), state({ web_10000: be({ a: S1.replace('inter 2s', 'inter 5s') }) }));
    expect(p.kind).toBe('reload');
    expect(p.ops).toEqual([]);
    expect(p.reasons.join('\n')).toMatch(/server a: arguments changed/);
  });

  it('adds a server that reuses a leaving server id first, with an id above the config ids (HAProxy refuses an id twice)', () => {
    const p = planChange(state({ web_10000: be({ a: S1 }) }), state({ web_10000: be({ b: '127.0.0.1:31009 id 101 check' }) }));
    const add = p.ops[0] as { op: string; args: string };
    expect(add.op).toBe('add-server');
    const id = Number(/^127\.0\.0\.1:31009 id (\d+) check$/.exec(add.args)?.[1]);
    // Not HAProxy's own numbering (the lowest free id), which a later newcomer's config id could be.
    expect(id).toBeGreaterThanOrEqual(32767);
    expect(id).toBeLessThan(2 ** 31);
    expect(p.ops.slice(1)).toEqual([
      { op: 'drain-server', backend: 'web_10000', server: 'a' },
      { op: 'retire-server', backend: 'web_10000', server: 'a' },
    ]);
  });

  it('a newcomer whose id a server retired earlier still has gets another id; one with a free id keeps it', () => {
    const retired = new Map([['web_10000', new Map([['old', '127.0.0.1:31000 id 7 check']])]]);
    const p = planChange(state({ web_10000: be({ a: S1 }) }), state({ web_10000: be({ a: S1, b: '127.0.0.1:31009 id 7 check', c: '127.0.0.1:31010 id 8 check' }) }), undefined, retired);
    const args = Object.fromEntries(p.ops.map((o) => ['server' in o ? o.server : '', 'args' in o ? o.args : '']));
    expect(args.b).not.toContain('id 7 ');
    expect(args.c).toBe('127.0.0.1:31010 id 8 check');
  });

  it('reloads for a backend whose algorithm cannot take dynamic servers', () => {
    const p = planChange(state({ sticky_10002: be({ a: S1 }, SOURCE) }), state({ sticky_10002: be({ a: S1, b: S2 }, SOURCE) }));
    expect(p.kind).toBe('reload');
    expect(p.reasons).toContain('backend sticky_10002: balance source (hash-type map-based) does not allow servers to change at run time');
    expect(p.ops).toEqual([]);
  });

  it('reloads when a new server line uses an option add server refuses (cookie)', () => {
    const p = planChange(state({ web_10000: be({}) }), state({ web_10000: be({ b: `${S2} cookie d6ad48c81f` }) }));
    expect(p.kind).toBe('reload');
    expect(p.reasons).toContain('backend web_10000: server b: option cookie cannot be set at run time');
  });

  it('reloads when default-server applies, since dynamic servers would ignore it', () => {
    const ds = { traits: { hasDefaultServer: true } };
    const p = planChange(state({ web_10000: be({}, ds) }), state({ web_10000: be({ b: S2 }, ds) }));
    expect(p.kind).toBe('reload');
  });

  it('names the backends whose structure changed, appeared or went away', () => {
    const p = planChange(state({ web_10000: be({}), old_1: be({}) }), state({ web_10000: be({}, { structure: 'other' }), new_10003: be({}) }));
    expect(p.kind).toBe('reload');
    expect(p.reasons).toEqual(['backend new_10003 added', 'backend old_1 removed', 'backend web_10000 changed']);
  });

  it('edits an exact-match map at run time', () => {
    const before = state({ web_10000: be({}, { mapEntries: 'a' }) }, { 'domain2backend.map': 'a.com web_10000\nb.com web_10000\n' });
    const after = state({ web_10000: be({}, { mapEntries: 'b' }) }, { 'domain2backend.map': 'a.com api_10001\nc.com web_10000\n' });
    const p = planChange(before, after);
    expect(p.kind).toBe('runtime');
    expect(p.ops).toEqual([
      { op: 'set-map', map: 'domain2backend.map', key: 'a.com', value: 'api_10001' },
      { op: 'add-map', map: 'domain2backend.map', key: 'c.com', value: 'web_10000' },
      { op: 'del-map', map: 'domain2backend.map', key: 'b.com' },
    ]);
  });

  it('reloads for a map used by an order-sensitive lookup', () => {
    const frame = FRAME.replace('map(/etc/haproxy/domain2backend.map)', 'map_beg(/etc/haproxy/domain2backend.map)');
    const p = planChange(
      state({ w: be({}, { mapEntries: 'a' }) }, { 'domain2backend.map': 'a web_10000\n' }, frame),
      state({ w: be({}, { mapEntries: 'b' }) }, { 'domain2backend.map': 'b web_10000\n' }, frame),
    );
    expect(p.kind).toBe('reload');
  });

  it('needs nothing from HAProxy for a map the config does not use', () => {
    const p = planChange(state({ w: be({}, { mapEntries: 'a' }) }, { 'app2backend.map': '' }), state({ w: be({}, { mapEntries: 'b' }) }, { 'app2backend.map': '/web web_10000\n' }));
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
  // Live HAProxy, as far as the plan cares: per backend, per server, its arguments and whether it takes traffic.
  type Live = Map<string, Map<string, { args: string; weight: number; serving: boolean }>>;
  const words = (args: string) => args.split(' ');
  const weightOf = (args: string) => { const w = words(args); const i = w.indexOf('weight'); return i >= 0 ? Number(w[i + 1]) : 1; };
  const fixed = (args: string) => args.replace(/ weight \d+/, '').replace(/ disabled/, '').replace(/ id \d+/, '');
  const liveOf = (d: DesiredState): Live => new Map([...d.backends.keys()].map((b) => [b, new Map(Object.entries(d.backends.get(b)!.servers)
    .map(([n, a]) => [n, { args: fixed(a), weight: weightOf(a), serving: !/ disabled/.test(a) }]))]));
  function apply(live: Live, ops: readonly RuntimeOp[]): void {
    for (const op of ops) {
      if (!('backend' in op)) continue;
      const b = live.get(op.backend)!;
      if (op.op === 'add-server') {
        expect(b.has(op.server)).toBe(false);
        b.set(op.server, { args: fixed(op.args), weight: weightOf(op.args), serving: !/ disabled/.test(op.args) });
      } else if (op.op === 'drain-server') b.get(op.server)!.serving = false;
      else if (op.op === 'retire-server') { expect(b.get(op.server)?.serving).toBe(false); b.delete(op.server); } // out of service for good
      else if (op.op === 'set-weight') b.get(op.server)!.weight = op.weight;
      else if (op.op === 'set-state') b.get(op.server)!.serving = op.state === 'ready';
    }
  }

  const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/);
  const server = fc.record({
    port: fc.integer({ min: 1, max: 40 }), inter: fc.constantFrom('2s', '5s'), weight: fc.constantFrom(undefined, 1, 5), disabled: fc.boolean(),
  });
  const args = (s: { port: number; inter: string; weight: number | undefined; disabled: boolean }) =>
    `127.0.0.1:${31000 + s.port} id ${s.port} check inter ${s.inter}${s.weight === undefined ? '' : ` weight ${s.weight}`}${s.disabled ? ' disabled' : ''}`;
  const servers = fc.dictionary(name, server, { maxKeys: 4 });
  // One backend before and after, same structure: only its servers differ. Each server of the
  // first side is kept, removed, or changed in weight, in other arguments or in its disabled flag;
  // new servers arrive beside them.
  const mutation = fc.constantFrom('keep', 'remove', 'weight', 'inter', 'disabled');
  const pair = fc.tuple(servers, fc.array(mutation, { minLength: 4, maxLength: 4 }), servers, fc.constantFrom('roundrobin', 'leastconn', 'static-rr'))
    .map(([a, muts, added, balance]) => {
      const after: typeof a = {};
      Object.entries(a).forEach(([n, srv], i) => {
        const m = muts[i % muts.length]!;
        if (m === 'remove') return;
        after[n] = m === 'weight' ? { ...srv, weight: srv.weight === 5 ? 1 : 5 }
          : m === 'inter' ? { ...srv, inter: srv.inter === '2s' ? '5s' : '2s' }
          : m === 'disabled' ? { ...srv, disabled: !srv.disabled } : srv;
      });
      for (const [n, srv] of Object.entries(added)) after[`n${n}`] = srv;
      const mk = (list: typeof a) => state({ web: be(Object.fromEntries(Object.entries(list).map(([n, s]) => [n, args(s)])), { traits: { balance } }) });
      return { before: mk(a), after: mk(after), a, b: after };
    });

  it('applying a runtime plan to the old live state gives exactly the new desired state', () => {
    const seen = { add: 0, remove: 0, weight: 0, args: 0, disabled: 0, reload: 0, runtime: 0 };
    fc.assert(fc.property(pair, ({ before, after, a, b }) => {
      for (const n of Object.keys(b)) if (!(n in a)) seen.add += 1;
      for (const n of Object.keys(a)) if (!(n in b)) seen.remove += 1;
      for (const n of Object.keys(a)) {
        if (!(n in b)) continue;
        if ((a[n]!.weight ?? 1) !== (b[n]!.weight ?? 1)) seen.weight += 1;
        if (a[n]!.inter !== b[n]!.inter || a[n]!.port !== b[n]!.port) seen.args += 1;
        if (a[n]!.disabled !== b[n]!.disabled) seen.disabled += 1;
      }
      const p = planChange(before, after);
      if (p.kind === 'reload') { seen.reload += 1; expect(p.reasons.length).toBeGreaterThan(0); expect(p.ops).toEqual([]); return; }
      if (p.kind === 'runtime') seen.runtime += 1;
      const live = liveOf(before);
      apply(live, p.ops);
      expect(live).toEqual(liveOf(after));
    }), { numRuns: 2000 });
    // The generator must produce every kind of change it is about.
    for (const [kind, count] of Object.entries(seen)) expect([kind, count > 20]).toEqual([kind, true]);
  });

  it('plan(x, x) is always a no-op', () => {
    fc.assert(fc.property(pair, ({ before }) => {
      expect(planChange(before, before)).toEqual({ kind: 'noop', reasons: [], ops: [] });
    }));
  });

  it('runtime plans never leave a backend with no serving server while it is meant to have one', () => {
    fc.assert(fc.property(pair, ({ before, after }) => {
      const p = planChange(before, after);
      if (p.kind !== 'runtime') return;
      const live = liveOf(before);
      const want = Object.values(after.backends.get('web')!.servers).some((x) => !/ disabled/.test(x));
      const had = [...live.get('web')!.values()].some((x) => x.serving);
      for (const op of p.ops) {
        apply(live, [op]);
        if (want && had) expect([...live.get('web')!.values()].some((x) => x.serving)).toBe(true);
      }
    }), { numRuns: 1000 });
  });
});
