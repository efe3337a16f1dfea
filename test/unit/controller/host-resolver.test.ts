// The agent-address cache: refreshed after its TTL, last good address kept on failure, and a
// name the current pass uses never evicted.

import { createHostResolver } from '../../../src/controller/host-resolver.js';

describe('host resolver', () => {
  it('a failed lookup keeps the last good address, and a later success replaces it', async () => {
    let answer: string | undefined = '10.0.0.1';
    const r = createHostResolver({ ttlMs: 1000, capacity: 10, lookupFn: async () => { if (!answer) throw new Error('ENOTFOUND'); return answer; } });
    await r.prepare(['agent'], 0);
    expect(r.resolve('agent')).toBe('10.0.0.1');
    answer = undefined;
    await r.prepare(['agent'], 5000);
    expect(r.resolve('agent')).toBe('10.0.0.1');
    expect(r.stats!()).toEqual({ failures: 1, keptLastGood: 1 });
    answer = '10.0.0.2';
    await r.prepare(['agent'], 6000);
    expect(r.resolve('agent')).toBe('10.0.0.2');
  });

  it('asks again only after the TTL', async () => {
    let calls = 0;
    const r = createHostResolver({ ttlMs: 1000, capacity: 10, lookupFn: async () => { calls += 1; return '10.0.0.1'; } });
    await r.prepare(['agent'], 0);
    await r.prepare(['agent'], 999);
    expect(calls).toBe(1);
    await r.prepare(['agent'], 1000);
    expect(calls).toBe(2);
  });

  it('never evicts a name the current pass uses, beyond capacity', async () => {
    const r = createHostResolver({ ttlMs: 1000, capacity: 2, lookupFn: async (h) => `10.0.0.${h.slice(1)}` });
    await r.prepare(['a1', 'a2', 'a3', 'a4'], 0);
    for (const h of ['a1', 'a2', 'a3', 'a4']) expect(r.resolve(h)).toBe(`10.0.0.${h.slice(1)}`);
    await r.prepare(['a4'], 10);
    expect(r.resolve('a4')).toBe('10.0.0.4');
    expect(['a1', 'a2', 'a3'].filter((h) => r.resolve(h) !== undefined)).toHaveLength(1);
  });
});
