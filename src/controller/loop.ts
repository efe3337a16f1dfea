// The reconcile loop: every trigger only marks the state dirty (with a reason); passes run one
// at a time; while one runs, any number of new marks collapse into one queued pass (latest
// wins, because every pass reads a full snapshot). A debounce groups bursts, bounded by a
// maximum delay so a steady trickle of events cannot postpone a pass forever.

export interface LoopOptions {
  /** One full pass; receives the reasons collected since the last one. Must not throw. */
  readonly pass: (reasons: readonly string[]) => Promise<void>;
  /** Reload HAProxy with the config already on disk (SIGUSR1). Must not throw. */
  readonly reloadOnly: (reasons: readonly string[]) => Promise<void>;
  readonly debounceMs: number;
  readonly maxDelayMs: number;
  readonly now?: () => number;
}

export interface ReconcileLoop {
  markDirty(reason: string): void;
  requestReload(reason: string): void;
  /** Resolves when no pass is running or queued (for tests and shutdown). */
  idle(): Promise<void>;
  stop(): Promise<void>;
  stats(): { passes: number; pending: boolean; running: boolean };
}

export function createLoop(opts: LoopOptions): ReconcileLoop {
  const now = opts.now ?? Date.now;
  let dirty: string[] = [];
  let reloads: string[] = [];
  let firstMark: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let passes = 0;
  let idleWaiters: Array<() => void> = [];

  const isIdle = () => !running && !timer && dirty.length === 0 && reloads.length === 0;
  const settle = () => {
    if (!isIdle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  const schedule = () => {
    if (stopped || running) return; // the running pass re-schedules when it ends
    if (dirty.length === 0 && reloads.length === 0) { settle(); return; }
    const start = firstMark ?? now();
    const wait = Math.max(0, Math.min(opts.debounceMs, start + opts.maxDelayMs - now()));
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, wait);
  };

  const run = () => {
    timer = undefined;
    if (stopped) { settle(); return; }
    const reasons = dirty;
    const reloadReasons = reloads;
    dirty = [];
    reloads = [];
    firstMark = undefined;
    running = (async () => {
      if (reasons.length > 0) { passes += 1; await opts.pass(reasons); }
      // A pass reloads only when the config changed; an explicit reload request still gets one.
      if (reloadReasons.length > 0) await opts.reloadOnly(reloadReasons);
    })().finally(() => {
      running = undefined;
      schedule();
    });
  };

  const mark = (list: string[], reason: string) => {
    if (stopped) return;
    if (!list.includes(reason)) list.push(reason);
    firstMark ??= now();
    schedule();
  };

  return {
    markDirty: (reason) => mark(dirty, reason),
    requestReload: (reason) => mark(reloads, reason),
    idle: () => (isIdle() ? Promise.resolve() : new Promise<void>((r) => idleWaiters.push(r))),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
      settle();
    },
    stats: () => ({ passes, pending: dirty.length > 0 || reloads.length > 0, running: running !== undefined }),
  };
}
