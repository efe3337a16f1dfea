// The reconcile loop: no fixed delay, one pass at a time, bursts coalesce (apps unioned, a full
// mark wins), failed passes retried with backoff unless new work supersedes the wait.

import { createLoop, type PassRequest } from '../../../src/controller/loop.js';
import { waitFor } from '../../support/haproxy.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

describe('reconcile loop', () => {
  it('starts the first pass at once, with no debounce', async () => {
    const passes: PassRequest[] = [];
    const loop = createLoop({ pass: async (r) => { passes.push(r); return true; }, reloadOnly: async () => {} });
    loop.markDirty('event:status_update_event', ['/web']);
    // One turn of the event loop is all it takes (no timer).
    await new Promise((r) => setImmediate(r));
    expect(passes).toEqual([{ full: false, apps: ['/web'], reasons: ['event:status_update_event'] }]);
    await loop.stop();
  });

  it('a burst during a running pass gives exactly one more pass with the union of apps, never two at once', async () => {
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    const passes: PassRequest[] = [];
    const loop = createLoop({
      pass: async (r) => {
        running += 1; maxRunning = Math.max(maxRunning, running);
        passes.push(r);
        if (passes.length === 1) await gate.promise;
        running -= 1;
        return true;
      },
      reloadOnly: async () => {},
    });
    loop.markDirty('first', ['/a']);
    await waitFor('the first pass to start', () => passes.length === 1);
    for (let i = 0; i < 500; i += 1) loop.markDirty(i % 2 ? 'event:status_update_event' : 'event:health_status_changed_event', [`/app${i % 7}`]);
    gate.resolve();
    await loop.idle();
    expect(maxRunning).toBe(1);
    expect(passes).toHaveLength(2);
    expect(passes[1]).toEqual({
      full: false,
      apps: ['/app0', '/app1', '/app2', '/app3', '/app4', '/app5', '/app6'],
      reasons: ['event:health_status_changed_event', 'event:status_update_event'],
    });
    await loop.stop();
  });

  it('a mark without apps makes the pass full; so do more apps than maxApps', async () => {
    const gate = deferred();
    const passes: PassRequest[] = [];
    const loop = createLoop({
      pass: async (r) => { passes.push(r); if (passes.length === 1) await gate.promise; return true; },
      reloadOnly: async () => {}, maxApps: 3,
    });
    loop.markDirty('one', ['/a']);
    await waitFor('the first pass', () => passes.length === 1);
    loop.markDirty('event', ['/b']);
    loop.markDirty('stream connected');
    gate.resolve();
    await waitFor('the second pass', () => passes.length === 2);
    expect(passes[1]!.full).toBe(true);
    loop.markDirty('many', ['/1', '/2', '/3', '/4']);
    await loop.idle();
    expect(passes[2]!.full).toBe(true);
    await loop.stop();
  });

  it('retries a failed pass with backoff, folding in its apps, until it succeeds', async () => {
    const passes: PassRequest[] = [];
    let fail = 3;
    const loop = createLoop({
      pass: async (r) => { passes.push(r); return fail-- <= 0; },
      reloadOnly: async () => {}, retryMinMs: 5, retryMaxMs: 20,
    });
    loop.markDirty('event', ['/web']);
    await waitFor('the pass to succeed after retries', () => passes.length === 4, 5_000, 5);
    await loop.idle();
    expect(passes.map((p) => p.apps)).toEqual([['/web'], ['/web'], ['/web'], ['/web']]);
    expect(passes[1]!.reasons).toContain('retry');
    expect(loop.stats().retries).toBe(3);
    await loop.stop();
  });

  it('new work does not wait for a retry backoff', async () => {
    const passes: PassRequest[] = [];
    const loop = createLoop({
      pass: async (r) => { passes.push(r); return passes.length > 1; },
      reloadOnly: async () => {}, retryMinMs: 60_000, retryMaxMs: 60_000,
    });
    loop.markDirty('event', ['/a']);
    await waitFor('the first (failing) pass', () => passes.length === 1);
    loop.markDirty('event', ['/b']);
    await waitFor('the next pass, long before the backoff', () => passes.length === 2, 2_000, 5);
    expect(passes[1]!.apps).toEqual(['/a', '/b']);
    await loop.stop();
  });

  it('an explicit reload request is honoured even when a pass runs first', async () => {
    const calls: string[] = [];
    const loop = createLoop({
      pass: async () => { calls.push('pass'); return true; },
      reloadOnly: async (r) => { calls.push(`reload:${r.join(',')}`); },
    });
    loop.markDirty('startup');
    loop.requestReload('signal:SIGUSR1');
    await loop.idle();
    expect(calls).toEqual(['pass', 'reload:signal:SIGUSR1']);
    await loop.stop();
  });

  it('stop() waits for the running pass and drops queued work', async () => {
    const gate = deferred();
    const passes: PassRequest[] = [];
    const loop = createLoop({ pass: async (r) => { passes.push(r); await gate.promise; return true; }, reloadOnly: async () => {} });
    loop.markDirty('a');
    await waitFor('the pass to start', () => passes.length === 1);
    loop.markDirty('b');
    const stopped = loop.stop();
    gate.resolve();
    await stopped;
    expect(passes).toHaveLength(1);
    await loop.idle();
  });
});

describe('reconcile loop: the file rewrite (flush) is low-priority work', () => {
  /** A flush that runs in steps until stopped or done; `steps` counts the steps it took. */
  function flusher(stepsToFinish: number) {
    const state = { behind: false, started: 0, stopped: 0, finished: 0 };
    const flush = async (stop: () => boolean): Promise<'stopped' | undefined> => {
      state.started += 1;
      for (let i = 0; i < stepsToFinish; i += 1) {
        await new Promise((r) => setImmediate(r));
        if (stop()) { state.stopped += 1; return 'stopped'; }
      }
      state.behind = false;
      state.finished += 1;
      return undefined;
    };
    return { state, flush, needsFlush: () => state.behind };
  }

  it('waits for a quiet moment after a pass, and a mark in that moment runs its pass at once', async () => {
    const f = flusher(1);
    const passes: PassRequest[] = [];
    const loop = createLoop({
      pass: async (r) => { passes.push(r); f.state.behind = true; return true; },
      reloadOnly: async () => {}, flush: f.flush, needsFlush: f.needsFlush, flushDelayMs: 60_000,
    });
    loop.markDirty('a', ['/a']);
    await waitFor('the first pass', () => passes.length === 1);
    // The flush waits a minute; a new mark must not wait behind that timer.
    loop.markDirty('b', ['/b']);
    await waitFor('the second pass', () => passes.length === 2);
    expect(f.state.started).toBe(0);
    await loop.stop();
  });

  it('a mark during a flush stops it between two steps; the pass runs, then the flush starts again and finishes', async () => {
    const f = flusher(3);
    const gate = deferred();
    const order: string[] = [];
    let passes = 0;
    const loop = createLoop({
      pass: async (r) => { passes += 1; order.push(`pass ${r.apps.join()}`); f.state.behind = true; return true; },
      reloadOnly: async () => {},
      // The first flush holds before its first step until the test has marked.
      flush: async (stop) => { order.push('flush'); await gate.promise; const out = await f.flush(stop); order.push(out ?? 'written'); return out; },
      needsFlush: f.needsFlush, flushDelayMs: 0,
    });
    loop.markDirty('a', ['/a']);
    await waitFor('the flush to start', () => order.includes('flush'));
    loop.markDirty('b', ['/b']);
    gate.resolve();
    await loop.idle();
    expect(order).toEqual(['pass /a', 'flush', 'stopped', 'pass /b', 'flush', 'written']);
    expect(passes).toBe(2);
    expect(f.state.behind).toBe(false);
    await loop.stop();
  });

  it('under a continuous stream of marks the file lags at most maxFileLagMs: then a flush finishes first', async () => {
    const f = flusher(20);
    let clock = 0;
    let passes = 0;
    const loop = createLoop({
      pass: async () => { passes += 1; f.state.behind = true; return true; },
      reloadOnly: async () => {},
      flush: async (stop) => {
        // Every flush step brings a new mark and 100 ms of time, until a flush gets through.
        return f.flush(() => {
          clock += 100;
          if (f.state.finished === 0) loop.markDirty('stream', [`/app${passes}`]);
          return stop();
        });
      },
      needsFlush: f.needsFlush, flushDelayMs: 0, maxFileLagMs: 1000, now: () => clock,
    });
    loop.markDirty('first', ['/a']);
    await loop.idle();
    // The one that got through brought marks while it wrote: one more pass, one more flush.
    expect(f.state.finished).toBe(2);
    // Stopped flushes until the lag passed 1000 ms of the fake clock, then one ran to the end.
    expect(f.state.stopped).toBeGreaterThanOrEqual(10);
    expect(f.state.stopped).toBeLessThanOrEqual(12);
    await loop.stop();
  });
});
