// Array.prototype.sort for the short lists normalize() sorts per app (its tasks, its servers,
// its labels, its services). V8's sort allocates its work state on every call of two or more
// elements; normalize sorts a handful of elements thousands of times per full read, so those
// allocations were a measurable share of its garbage. Insertion sort allocates nothing and, like
// Array.prototype.sort, is stable, so the order is the same for any comparator.

/** Longer lists go to Array.prototype.sort. */
const SHORT = 16;

export function sortInPlace<T>(list: T[], compare: (a: T, b: T) => number): T[] {
  if (list.length > SHORT) return list.sort(compare);
  for (let i = 1; i < list.length; i++) {
    const x = list[i]!;
    let j = i - 1;
    while (j >= 0 && compare(list[j]!, x) > 0) {
      list[j + 1] = list[j]!;
      j -= 1;
    }
    list[j + 1] = x;
  }
  return list;
}
