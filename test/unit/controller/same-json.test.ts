// sameJson decides whether a full read may keep an app's services: a false "same" would serve a
// stale app, a false "different" only costs work. Both directions are checked against
// JSON.stringify of key-sorted copies.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { sameJson } from '../../../src/controller/same-json.js';

function sortedText(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'object' && x !== null && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x);
}

/** The same value with every object's keys in reverse order. */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversedKeys(x)]));
  return v;
}

describe('sameJson', () => {
  it('tells apart what JSON tells apart', () => {
    expect(sameJson({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(sameJson({ a: undefined }, { b: undefined })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson([], {})).toBe(false);
    expect(sameJson({}, [])).toBe(false);
    expect(sameJson(null, {})).toBe(false);
    expect(sameJson('1', 1)).toBe(false);
    expect(sameJson({ ports: [31000] }, { ports: [31001] })).toBe(false);
  });

  it('agrees with comparing the key-sorted JSON text, whatever the key order', () => {
    const seen = { same: 0, different: 0 };
    const json = fc.jsonValue({ maxDepth: 3 });
    // Pairs that are often equal: a value and a copy of it that may have one leaf changed.
    const pair = json.chain((a) => fc.oneof(fc.constant(a), fc.constant(reversedKeys(a)), json).map((b) => [a, b] as const));
    fc.assert(fc.property(pair, ([a, b]) => {
      const expected = sortedText(a) === sortedText(b);
      seen[expected ? 'same' : 'different'] += 1;
      expect(sameJson(a, b)).toBe(expected);
      expect(sameJson(b, a)).toBe(expected);
    }), { numRuns: 500 });
    expect(seen.same).toBeGreaterThan(100);
    expect(seen.different).toBeGreaterThan(100);
  });
});
