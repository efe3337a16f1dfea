import { backoffPolicy, delayAfter, jitteredDelay, nextDelay, type StreamEnd } from '../../../src/marathon/backoff.js';

describe('reconnect backoff', () => {
  const policy = backoffPolicy(300, { initialMs: 2000, factor: 1.5, stableAfterMs: 60_000 });

  it('jitter stays within [base/2, base]', () => {
    expect(jitteredDelay(2000, 0)).toBe(1000);
    expect(jitteredDelay(2000, 0.999999)).toBe(2000);
    expect(jitteredDelay(2000, 0.5)).toBe(1500);
  });

  it('grows x1.5 per failure up to the cap and never beyond', () => {
    let base = policy.initialMs;
    const bases: number[] = [];
    for (let i = 0; i < 30; i++) {
      const step = nextDelay(policy, base, 0, 1);
      expect(step.delayMs).toBeLessThanOrEqual(300_000);
      base = step.nextBaseMs;
      bases.push(base);
    }
    expect(bases.slice(0, 3)).toEqual([3000, 4500, 6750]);
    expect(bases.at(-1)).toBe(300_000);
    expect(bases).toEqual([...bases].sort((a, b) => a - b));
  });

  it('starts over after a stream that lived long', () => {
    const step = nextDelay(policy, 300_000, 60_000, 1);
    expect(step.delayMs).toBe(2000);
    expect(step.nextBaseMs).toBe(3000);
  });

  it('a short-lived stream keeps growing', () => {
    expect(nextDelay(policy, 6750, 59_999, 0).delayMs).toBe(3375);
  });

  it('a max backoff below the initial delay caps the initial delay too', () => {
    const tight = backoffPolicy(1);
    expect(tight.initialMs).toBe(1000);
    expect(nextDelay(tight, tight.initialMs, 0, 1).delayMs).toBe(1000);
  });
});

describe('reconnect policy after a stream ends', () => {
  const policy = backoffPolicy(300, { initialMs: 2000, factor: 1.5, stableAfterMs: 60_000, minGapMs: 1000 });
  const clean = (livedMs: number, events = 3): StreamEnd => ({ livedMs, clean: true, events });
  const failed: StreamEnd = { livedMs: 0, clean: false, events: 0 };

  it('a clean end after events reconnects at once and starts the backoff over', () => {
    expect(delayAfter(policy, 300_000, clean(5000), 0.9)).toEqual({ delayMs: 0, nextBaseMs: 2000 });
  });

  it('six clean ends in a row never wait (the fault run reached 9 s)', () => {
    let base = policy.initialMs;
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const step = delayAfter(policy, base, clean(1500), 1);
      delays.push(step.delayMs);
      base = step.nextBaseMs;
    }
    expect(delays).toEqual([0, 0, 0, 0, 0, 0]);
    expect(base).toBe(2000);
  });

  it('a clean end right after connecting waits out the minimum gap: no hot loop', () => {
    expect(delayAfter(policy, 2000, clean(200), 0).delayMs).toBe(800);
    expect(delayAfter(policy, 2000, clean(0), 0).delayMs).toBe(1000);
  });

  it('after a clean end, a failed reconnect backs off from the start, then grows', () => {
    let base = delayAfter(policy, 45_000, clean(10_000), 1).nextBaseMs;
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const step = delayAfter(policy, base, failed, 1);
      delays.push(step.delayMs);
      base = step.nextBaseMs;
    }
    expect(delays).toEqual([2000, 3000, 4500]);
  });

  it('a clean end without any event, an error or a reset is a failure', () => {
    expect(delayAfter(policy, 4500, { livedMs: 100, clean: true, events: 0 }, 1)).toEqual({ delayMs: 4500, nextBaseMs: 6750 });
    expect(delayAfter(policy, 4500, { livedMs: 100, clean: false, events: 7 }, 1)).toEqual({ delayMs: 4500, nextBaseMs: 6750 });
  });

  it('a failed stream that had lived long starts over', () => {
    expect(delayAfter(policy, 300_000, { livedMs: 60_000, clean: false, events: 9 }, 1)).toEqual({ delayMs: 2000, nextBaseMs: 3000 });
  });
});
