// Which task servers answer through an HAProxy service port (each emulator task answers with its id).

import { request } from '../emulator/http-client.js';

/** The task ids that answered `n` requests to 127.0.0.1:`port`. */
export async function answeringTasks(port: number, n = 12): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i += 1) {
    const r = await request(`http://127.0.0.1:${port}/`).catch(() => undefined);
    if (r?.status === 200) seen.add(r.body.trim());
  }
  return seen;
}

/** Exactly these ids answered. */
export const answeredBy = (seen: Set<string>, ids: readonly string[]): boolean => seen.size === ids.length && ids.every((x) => seen.has(x));
