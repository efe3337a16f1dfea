import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { resolveHost, sanitize, serverId, serverIds, serverName, stickyCookie } from '../../../src/model/index.js';

describe('server naming (spec §3.2)', () => {
  it.each([
    ['agent1', '1.1.1.1', 1024, 'agent1_1_1_1_1_1024'],
    ['10.0.2.148', '10.0.2.148', 1565, '10_0_2_148_1565'],
    ['my-host.example.com', '10.0.0.1', 80, 'my-host_example_com_10_0_0_1_80'],
  ])('serverName(%s, %s, %d) = %s', (host, ip, port, name) => {
    expect(serverName(host, ip, port)).toBe(name);
  });

  it('sanitize keeps [a-zA-Z0-9-] only', () => {
    expect(sanitize('/a.b:c d-E_9')).toBe('_a_b_c_d-E_9');
  });

  it.each([
    ['agent1_1_1_1_1_1024', 28363],
    ['0', 17068],
    ['1', 25733],
    ['a', 25929],
    ['10_0_6_25_23336', 14676],
  ])('known id: %s -> %d', (name, id) => {
    expect(serverId(name, new Set())).toBe(id);
  });

  it('a clash is resolved by rehashing name + space + digest, deterministically', () => {
    const [first, second] = serverIds(['agent1_1_1_1_1_1024', 'agent1_1_1_1_1_1024']);
    expect(first).toBe(28363);
    expect(second).toBe(22125); // SHA-256 of 'agent1_1_1_1_1_1024 <hex digest>' mod 32767, as marathon-lb
    expect(serverIds(['agent1_1_1_1_1_1024', 'agent1_1_1_1_1_1024'])).toEqual([first, second]);
  });

  it('a used id is skipped and the set is updated', () => {
    const used = new Set([28363]);
    const id = serverId('agent1_1_1_1_1_1024', used);
    expect(id).not.toBe(28363);
    expect(used.has(id as number)).toBe(true);
  });

  it('3000 distinct names get distinct ids in 1..32766, stable across runs', () => {
    const names = Array.from({ length: 3000 }, (_, i) => `host${i}_10_0_0_${i % 255}_${31000 + i}`);
    const ids = serverIds(names);
    expect(new Set(ids).size).toBe(names.length);
    for (const id of ids) expect(id).toBeGreaterThanOrEqual(1);
    for (const id of ids) expect(id).toBeLessThanOrEqual(32766);
    expect(serverIds(names)).toEqual(ids);
  });

  it('a full backend gets no id instead of looping', () => {
    const used = new Set(Array.from({ length: 32766 }, (_, i) => i + 1));
    expect(serverId('x', used)).toBeUndefined();
  });

  it('sticky cookie is the first 10 hex digits of SHA-1 of the server name', () => {
    expect(stickyCookie('agent1_1_1_1_1_1024')).toBe('d6ad48c81f');
  });
});

describe('fast paths give the plain definitions', () => {
  it('serverName is sanitize of the joined parts, whatever the characters', () => {
    fc.assert(fc.property(fc.string(), fc.string(), fc.integer({ min: 1, max: 65535 }), (host, ip, port) => {
      expect(serverName(host, ip, port)).toBe(sanitize(host !== ip ? `${host}_${ip}_${port}` : `${ip}_${port}`));
      expect(serverName(host, ip, port)).toBe(sanitize(host !== ip ? `${host}_${ip}_${port}` : `${ip}_${port}`)); // remembered parts
    }));
  });

  it('server ids match SHA-256 read as a big number mod 32767', () => {
    fc.assert(fc.property(fc.string({ minLength: 1 }), (name) => {
      const expected = Number(BigInt(`0x${createHash('sha256').update(name, 'utf8').digest('hex')}`) % 32767n);
      const id = serverId(name, new Set());
      if (expected !== 0) expect(id).toBe(expected);
    }));
  });

  it.each([
    ['10.0.0.1', '10.0.0.1'], ['::1', '::1'], ['fe80::1%eth0', 'fe80::1%eth0'], ['abc', 'resolved'], ['cafe', 'resolved'],
    ['agent-1.example.com', 'resolved'], ['1.2.3', 'resolved'], ['dead:beef::', 'dead:beef::'],
  ])('resolveHost(%s) = %s', (host, expected) => {
    expect(resolveHost(host, () => 'resolved')).toBe(expected);
  });
});
