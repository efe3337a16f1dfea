// A bounded map: the least recently used entry goes when a new key arrives at capacity.
// Holds the last health verdict per task (marathon-lb's --lru-cache-capacity), so the cache
// cannot grow with every task ever seen.

export class LruCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: K, value: V): this {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > Math.max(1, this.capacity)) this.map.delete(this.map.keys().next().value as K);
    return this;
  }

  get size(): number {
    return this.map.size;
  }
}
