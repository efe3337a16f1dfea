import { backoffPolicy, jitteredDelay, nextDelay } from '../../../src/marathon/backoff.js';

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
