import { LruCache } from '../../../src/controller/lru-cache.js';

it('evicts the least recently used key when a new one arrives at capacity', () => {
  const c = new LruCache<string, boolean>(2);
  c.set('a', true).set('b', false);
  expect(c.get('a')).toBe(true); // a is now the most recent
  c.set('c', true);
  expect(c.get('b')).toBeUndefined();
  expect(c.get('a')).toBe(true);
  expect(c.get('c')).toBe(true);
  expect(c.size).toBe(2);
});
