// boundedMemo: each key computed once while remembered (undefined results too), and never
// more than `max` keys remembered.

import { describe, expect, it } from '@jest/globals';
import { boundedMemo } from '../../src/bounded-memo.js';

describe('boundedMemo', () => {
  it('computes a key once, an undefined result included', () => {
    const calls: string[] = [];
    const memo = boundedMemo((k: string) => { calls.push(k); return k === 'none' ? undefined : k.toUpperCase(); }, 10);
    expect([memo('a'), memo('none'), memo('a'), memo('none'), memo('b')]).toEqual(['A', undefined, 'A', undefined, 'B']);
    expect(calls).toEqual(['a', 'none', 'b']);
  });

  it('starts over past max keys, so it never holds more', () => {
    const calls: string[] = [];
    const memo = boundedMemo((k: string) => { calls.push(k); return k.length; }, 2);
    for (const k of ['a', 'bb', 'a', 'ccc', 'a', 'bb']) memo(k);
    // a, bb computed; a remembered; ccc clears (2 known) then is remembered alone; a and bb again.
    expect(calls).toEqual(['a', 'bb', 'ccc', 'a', 'bb']);
  });
});
