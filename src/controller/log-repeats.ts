// A problem that persists is logged once, then again only when its text changes or every
// REPEAT_LOG_INTERVAL_MS (with how many times it recurred meanwhile); in between, its repeats
// go to the debug level. Problems are keyed ("pass", "skip:/app", ...) and compared by text,
// so messages must not carry what changes every time (temp file names, pids, durations).

/** How often an unchanged problem is logged again (docs/architecture.md, "Logs"). */
export const REPEAT_LOG_INTERVAL_MS = 10 * 60_000;

/** Past this many keys, the oldest are forgotten (then logged again when they recur). */
const MAX_KEYS = 10_000;

export interface RepeatVerdict {
  /** Log at the problem's own level (else at debug). */
  readonly log: boolean;
  /** Times it recurred, unlogged, since it was last logged (with `log`). */
  readonly repeats: number;
}

export class RepeatFilter {
  private readonly seen = new Map<string, { text: string; at: number; repeats: number }>();

  constructor(private readonly intervalMs = REPEAT_LOG_INTERVAL_MS) {}

  check(key: string, text: string, now: number): RepeatVerdict {
    const s = this.seen.get(key);
    if (s && s.text === text && now - s.at < this.intervalMs) {
      s.repeats += 1;
      return { log: false, repeats: s.repeats };
    }
    const repeats = s && s.text === text ? s.repeats : 0;
    this.seen.delete(key);
    this.seen.set(key, { text, at: now, repeats: 0 });
    if (this.seen.size > MAX_KEYS) this.seen.delete(this.seen.keys().next().value!);
    return { log: true, repeats };
  }

  /** The problem is gone; returns whether it was known. */
  clear(key: string): boolean {
    return this.seen.delete(key);
  }

  has(key: string): boolean {
    return this.seen.has(key);
  }

  /** Keys that start with `prefix`. */
  keys(prefix: string): string[] {
    return [...this.seen.keys()].filter((k) => k.startsWith(prefix));
  }
}
