// sortInPlace must order exactly as Array.prototype.sort (stable) does, or normalize()'s output
// would depend on which one ran.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { sortInPlace } from '../../../src/model/sort-in-place.js';

describe('sortInPlace', () => {
  it('gives the order Array.prototype.sort gives, ties kept in input order, short and long lists', () => {
    const seen = { short: 0, long: 0, ties: 0 };
    // Records compared by key only, so equal keys with different tags show stability.
    const item = fc.record({ key: fc.integer({ min: 0, max: 5 }), tag: fc.nat() });
    const list = fc.oneof(fc.array(item, { maxLength: 16 }), fc.array(item, { minLength: 17, maxLength: 40 }));
    fc.assert(fc.property(list, (items) => {
      const compare = (a: { key: number }, b: { key: number }) => a.key - b.key;
      seen[items.length > 16 ? 'long' : 'short'] += 1;
      if (new Set(items.map((i) => i.key)).size < items.length) seen.ties += 1;
      expect(sortInPlace([...items], compare)).toEqual([...items].sort(compare));
    }), { numRuns: 400 });
    for (const [kind, count] of Object.entries(seen)) expect([kind, count > 50]).toEqual([kind, true]);
  });
});
