// Reconnect delays for the event stream (pure: time and randomness come in as arguments).
//
// The policy (also in docs/compat.md, "Event stream"):
// - A stream that Marathon ended cleanly (the response finished normally) after delivering at
//   least one wanted event proves Marathon healthy: reconnect at once and start the backoff
//   over. "At once" is bounded: at most one such reconnect per `minGapMs` (1 s), so a server
//   that answers every stream with one event and a close cannot make a hot loop.
// - Anything else is a failure: no connection, an HTTP error, a reset, or a stream that ended
//   without an event. The base delay grows x1.5 per failure (from 2 s) up to --max-backoff; a
//   stream that had stayed up for `stableAfterMs` (60 s) resets it first.
// - The delay is drawn in [base/2, base]: unlike marathon-lb's jitter it keeps at least half the
//   base, so a run of unlucky draws cannot turn into a reconnect storm against a struggling Marathon.
// - (events.ts) A stalled stream (silent past the liveness window) is replaced at once without
//   growing the base; refused credentials are retried with a backoff capped at 10 s.

export interface BackoffPolicy {
  initialMs: number;
  factor: number;
  maxMs: number;
  /** A stream that lived at least this long proves the server healthy: start over. */
  stableAfterMs: number;
  /** After a clean end, the next connect starts no sooner than this after the last one did. */
  minGapMs: number;
}

/** How one stream ended, as far as the backoff cares. */
export interface StreamEnd {
  /** How long the stream was connected; 0 when the attempt never connected. */
  readonly livedMs: number;
  /** The server finished the response normally (no error, reset or liveness timeout). */
  readonly clean: boolean;
  /** Wanted events delivered on this stream. */
  readonly events: number;
}

export const DEFAULT_INITIAL_BACKOFF_MS = 2000;
export const DEFAULT_BACKOFF_FACTOR = 1.5;
export const DEFAULT_STABLE_AFTER_MS = 60_000;
export const DEFAULT_MIN_GAP_MS = 1000;

export function backoffPolicy(maxBackoffSeconds: number, overrides: Partial<BackoffPolicy> = {}): BackoffPolicy {
  const maxMs = Math.max(0, maxBackoffSeconds * 1000);
  const initialMs = Math.min(overrides.initialMs ?? DEFAULT_INITIAL_BACKOFF_MS, maxMs);
  return {
    initialMs,
    factor: overrides.factor ?? DEFAULT_BACKOFF_FACTOR,
    maxMs,
    stableAfterMs: overrides.stableAfterMs ?? DEFAULT_STABLE_AFTER_MS,
    minGapMs: overrides.minGapMs ?? DEFAULT_MIN_GAP_MS,
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

/**
 * The delay before reconnecting after `end`, and the base for the attempt after that: a clean
 * end after events reconnects at once (bounded by `minGapMs`) and resets the base; anything
 * else is a failure and goes through `nextDelay`.
 */
export function delayAfter(
  policy: BackoffPolicy,
  baseMs: number,
  end: StreamEnd,
  random: number,
): { delayMs: number; nextBaseMs: number } {
  if (end.clean && end.events > 0) {
    return { delayMs: Math.max(0, policy.minGapMs - end.livedMs), nextBaseMs: policy.initialMs };
  }
  return nextDelay(policy, baseMs, end.livedMs, random);
}
