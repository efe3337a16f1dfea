// Reconnect delays for the event stream (pure: time and randomness come in as arguments).
// Like marathon-lb the base grows x1.5 per failure up to --max-backoff and resets after a
// stream that stayed up; unlike marathon-lb the jitter keeps at least half the base, so a
// run of unlucky draws cannot turn into a reconnect storm against a struggling Marathon.

export interface BackoffPolicy {
  initialMs: number;
  factor: number;
  maxMs: number;
  /** A stream that lived at least this long proves the server healthy: start over. */
  stableAfterMs: number;
}

export const DEFAULT_INITIAL_BACKOFF_MS = 2000;
export const DEFAULT_BACKOFF_FACTOR = 1.5;
export const DEFAULT_STABLE_AFTER_MS = 60_000;

export function backoffPolicy(maxBackoffSeconds: number, overrides: Partial<BackoffPolicy> = {}): BackoffPolicy {
  const maxMs = Math.max(0, maxBackoffSeconds * 1000);
  const initialMs = Math.min(overrides.initialMs ?? DEFAULT_INITIAL_BACKOFF_MS, maxMs);
  return {
    initialMs,
    factor: overrides.factor ?? DEFAULT_BACKOFF_FACTOR,
    maxMs,
    stableAfterMs: overrides.stableAfterMs ?? DEFAULT_STABLE_AFTER_MS,
  };
}

/** Delay before the next attempt: uniformly in [base/2, base], `random` in [0, 1). */
export function jitteredDelay(baseMs: number, random: number): number {
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(baseMs / 2 + (baseMs / 2) * r);
}

/**
 * The delay before the next attempt and the base for the one after it. `livedMs` is how long
 * the last stream stayed connected (0 when the attempt never connected): a stream that lived
 * past `stableAfterMs` starts the sequence over, so one drop after hours up waits little.
 */
export function nextDelay(
  policy: BackoffPolicy,
  baseMs: number,
  livedMs: number,
  random: number,
): { delayMs: number; nextBaseMs: number } {
  const base = livedMs >= policy.stableAfterMs ? policy.initialMs : Math.min(Math.max(baseMs, policy.initialMs), policy.maxMs);
  return {
    delayMs: jitteredDelay(base, random),
    nextBaseMs: Math.min(policy.maxMs, base * policy.factor),
  };
}
