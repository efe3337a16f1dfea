// The reconcile loop: one pass at a time, bursts coalesce, latest wins, bounded delay.

import { createLoop } from '../../../src/controller/loop.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

describe('reconcile loop', () => {
  it('a burst of 500 marks gives one pass with every distinct reason', async () => {
    const passes: string[][] = [];
    const loop = createLoop({ pass: async (r) => { passes.push([...r]); }, reloadOnly: async () => {}, debounceMs: 20, maxDelayMs: 200 });
    for (let i = 0; i < 500; i += 1) loop.markDirty(i % 2 ? 'event:status_update_event' : 'event:api_post_event');
    await loop.idle();
    expect(passes).toEqual([['event:api_post_event', 'event:status_update_event']]);
    await loop.stop();
  });

  it('marks during a running pass give exactly one more pass, never two at once', async () => {
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    const passes: string[][] = [];
    const loop = createLoop({
      pass: async (r) => {
        running += 1; maxRunning = Math.max(maxRunning, running);
        passes.push([...r]);
        if (passes.length === 1) await gate.promise;
        running -= 1;
      },
      reloadOnly: async () => {}, debounceMs: 1, maxDelayMs: 10,
    });
    loop.markDirty('first');
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 100; i += 1) loop.markDirty(`during-${i % 3}`);
    gate.resolve();
    await loop.idle();
    expect(passes).toEqual([['first'], ['during-0', 'during-1', 'during-2']]);
    expect(maxRunning).toBe(1);
    await loop.stop();
  });

  it('a steady trickle cannot postpone a pass past the maximum delay', async () => {
    let passes = 0;
    const loop = createLoop({ pass: async () => { passes += 1; }, reloadOnly: async () => {}, debounceMs: 50, maxDelayMs: 120 });
    const started = Date.now();
    while (passes === 0 && Date.now() - started < 2000) {
      loop.markDirty('trickle');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(passes).toBeGreaterThan(0);
    await loop.stop();
  });

  it('a reload request runs reloadOnly, also after a pending full pass', async () => {
    const calls: string[] = [];
    const loop = createLoop({ pass: async () => { calls.push('pass'); }, reloadOnly: async (r) => { calls.push(`reload:${r.join(',')}`); }, debounceMs: 5, maxDelayMs: 50 });
    loop.requestReload('SIGUSR1');
    await loop.idle();
    loop.requestReload('SIGUSR1');
    loop.markDirty('SIGHUP');
    await loop.idle();
    expect(calls).toEqual(['reload:SIGUSR1', 'pass', 'reload:SIGUSR1']);
    await loop.stop();
  });

  it('stop waits for the running pass and ignores later marks', async () => {
    let passes = 0;
    const loop = createLoop({ pass: async () => { passes += 1; await new Promise((r) => setTimeout(r, 30)); }, reloadOnly: async () => {}, debounceMs: 1, maxDelayMs: 5 });
    loop.markDirty('x');
    await new Promise((r) => setTimeout(r, 10));
    await loop.stop();
    loop.markDirty('after stop');
    await new Promise((r) => setTimeout(r, 30));
    expect(passes).toBe(1);
  });
});
