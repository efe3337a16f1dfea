// Remembers a pure function's results by string key, for values that repeat across thousands of
// tasks or lines (agents' names, label templates). Bounded: past `max` keys it starts over, which
// costs recomputation only, so a cluster with ever-new names cannot grow it without limit.

export function boundedMemo<V>(compute: (key: string) => V, max: number): (key: string) => V {
  const known = new Map<string, V>();
  return (key) => {
    // One lookup for a known key (the common case: it runs for every task); `has` only tells
    // a remembered undefined from a key never seen.
    const hit = known.get(key);
    if (hit !== undefined || known.has(key)) return hit as V;
    const value = compute(key);
    if (known.size >= max) known.clear();
    known.set(key, value);
    return value;
  };
}
