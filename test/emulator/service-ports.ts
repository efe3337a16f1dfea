// Marathon's dynamic service-port assignment (spec §3): every requested 0 is replaced, first by a
// port the same app had before and no longer uses, then by the lowest port in the range that no
// other app uses. 1.4 treats the upper bound as exclusive, 1.5+ as inclusive. Pure.

export interface PortRange {
  min: number;
  max: number;
  maxInclusive: boolean;
}

export type AssignResult = { ok: true; ports: number[] } | { ok: false; message: string };

export function assignServicePorts(
  requested: readonly number[],
  previous: readonly number[],
  usedByOthers: ReadonlySet<number>,
  range: PortRange,
): AssignResult {
  const taken = new Set<number>([...usedByOthers, ...requested.filter((p) => p !== 0)]);
  const reusable = previous.filter((p) => p !== 0 && !taken.has(p));
  const last = range.maxInclusive ? range.max : range.max - 1;
  let cursor = range.min;
  const ports: number[] = [];
  for (const want of requested) {
    if (want !== 0) {
      ports.push(want);
      continue;
    }
    const again = reusable.shift();
    if (again !== undefined) {
      taken.add(again);
      ports.push(again);
      continue;
    }
    while (cursor <= last && taken.has(cursor)) cursor++;
    if (cursor > last) {
      return { ok: false, message: `All service ports in the range [${range.min}, ${range.max}] are already in use` };
    }
    taken.add(cursor);
    ports.push(cursor);
  }
  return { ok: true, ports };
}
