// The reconcile loop. Every trigger only marks work: some apps (an event named them) or
// everything (start-up, resync, reconnect, SIGHUP, an event that names no app). Passes run one
// at a time; while one runs, new marks collect into the next pass (the latest state wins,
// because every pass reads Marathon). There is no fixed delay: the first mark starts a pass at
// once, and a burst coalesces behind the pass it found running.
//
// A pass that fails (Marathon unreachable, a reload refused) is retried with jittered
// exponential backoff, unless a new mark comes first: then it runs at once, with the failed
// work folded in.
//
// Rewriting the files after runtime changes (flush) is the low-priority work: it starts a short
// while after the last pass, and a mark that arrives while it writes stops it between two
// slices, so a task change never waits for a 10 MB file. The file may lag that way for at most
// maxFileLagMs under a continuous stream of changes; past that, a flush finishes first.

export interface PassRequest {
  readonly full: boolean;
  readonly apps: readonly string[];
  readonly reasons: readonly string[];
}

export interface LoopOptions {
  /** One pass. Resolves true when it succeeded; must not throw. */
  readonly pass: (req: PassRequest) => Promise<boolean>;
  /** Reload HAProxy with the config already on disk (SIGUSR1). Must not throw. */
  readonly reloadOnly: (reasons: readonly string[]) => Promise<void>;
  /**
   * Low-priority work run when no pass is waiting (writing runtime changes to the files).
   * `needsFlush` says whether there is any. `stop` is asked between slices of the work; the
   * flush resolves 'stopped' when it gave up because of it. Must not throw.
   */
  readonly flush?: (stop: () => boolean) => Promise<'stopped' | undefined>;
  readonly needsFlush?: () => boolean;
  /** Quiet time after a pass before a flush starts (default 50 ms): a burst is one write. */
  readonly flushDelayMs?: number;
  /** How long a flush may keep being stopped by new passes before one must finish (default 1000 ms). */
  readonly maxFileLagMs?: number;
  readonly now?: () => number;
  /** Optional wait after the first mark for more (0: none). */
  readonly debounceMs?: number;
  /** More dirty apps than this make the pass read the full snapshot instead (one request, not N). */
  readonly maxApps?: number;
  /** Retry backoff bounds after a failed pass. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  readonly random?: () => number;
}

export interface ReconcileLoop {
  /** Mark some apps (by Marathon app id) dirty, or everything when `apps` is undefined. */
  markDirty(reason: string, apps?: readonly string[]): void;
  requestReload(reason: string): void;
  /** Resolves when no pass is running, queued or waiting to retry (for tests and shutdown). */
  idle(): Promise<void>;
  stop(): Promise<void>;
  stats(): { passes: number; pending: boolean; running: boolean; retries: number };
}

export function createLoop(opts: LoopOptions): ReconcileLoop {
  const maxApps = opts.maxApps ?? 50;
  const retryMin = opts.retryMinMs ?? 250;
  const retryMax = opts.retryMaxMs ?? 30_000;
  const random = opts.random ?? Math.random;
  let full = false;
  let apps = new Set<string>();
  let reasons: string[] = [];
  let reloads: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  /** What the timer waits for: a debounce is not cut short by more marks; a retry or a flush is. */
  let timerFor: 'debounce' | 'retry' | 'flush' | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let passes = 0;
  let retries = 0;
  let failures = 0;
  let retrying = false;
  let flushFailed = false;
  /** When a flush was first stopped by a pass (undefined: the last flush was not stopped). */
  let flushStoppedSince: number | undefined;
  const now = opts.now ?? Date.now;
  const flushDelay = opts.flushDelayMs ?? 50;
  const maxFileLag = opts.maxFileLagMs ?? 1000;
  let idleWaiters: Array<() => void> = [];

  const hasPassWork = () => full || apps.size > 0 || reloads.length > 0;
  const hasWork = () => hasPassWork() || (!retrying && opts.needsFlush?.() === true);
  const isIdle = () => !running && !timer && !immediate && !hasWork();
  const settle = () => {
    if (!isIdle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };
  const clearTimers = () => {
    if (timer) clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
    timer = undefined;
    timerFor = undefined;
    immediate = undefined;
  };

  const schedule = (delayMs: number, why: 'debounce' | 'retry' | 'flush') => {
    if (stopped || running) return; // the running pass re-schedules when it ends
    if (!hasWork()) { settle(); return; }
    clearTimers();
    if (delayMs <= 0) immediate = setImmediate(run);
    else { timer = setTimeout(run, delayMs); timerFor = why; }
  };

  const run = () => {
    timer = undefined;
    timerFor = undefined;
    immediate = undefined;
    if (stopped) { settle(); return; }
    const req: PassRequest = { full: full || apps.size > maxApps, apps: [...apps].sort(), reasons };
    const reloadReasons = reloads;
    const hadPass = full || apps.size > 0;
    full = false;
    apps = new Set();
    reasons = [];
    reloads = [];
    retrying = false;
    running = (async () => {
      if (!hadPass && reloadReasons.length === 0) {
        // Nothing urgent: catch the files up with what the runtime API did. A pass that comes
        // up meanwhile stops it, unless the file has lagged too long already. If the write
        // failed, try again a second later rather than in a tight loop.
        const preemptible = flushStoppedSince === undefined || now() - flushStoppedSince < maxFileLag;
        const result = await opts.flush?.(() => preemptible && hasPassWork());
        if (result === 'stopped') flushStoppedSince ??= now();
        else {
          flushStoppedSince = undefined;
          flushFailed = opts.needsFlush?.() === true;
        }
        return;
      }
      if (hadPass) {
        passes += 1;
        const ok = await opts.pass(req);
        if (!ok) {
          // Fold the failed work back in; it waits for the backoff unless new work arrives.
          failures += 1;
          retries += 1;
          if (req.full) full = true;
          for (const a of req.apps) apps.add(a);
          for (const r of req.reasons) if (!reasons.includes(r)) reasons.push(r);
          if (!reasons.includes('retry')) reasons.push('retry');
          retrying = true;
        } else {
          failures = 0;
        }
      }
      // A pass reloads only when the config changed; an explicit reload request still gets one.
      if (reloadReasons.length > 0) await opts.reloadOnly(reloadReasons);
    })().finally(() => {
      running = undefined;
      if (retrying) schedule(backoff(), 'retry');
      else if (hasPassWork()) schedule(opts.debounceMs ?? 0, 'debounce');
      else schedule(flushFailed ? 1000 : flushDelay, 'flush');
      flushFailed = false;
    });
  };

  const backoff = () => {
    const ceiling = Math.min(retryMax, retryMin * 2 ** Math.min(failures - 1, 16));
    return ceiling / 2 + random() * (ceiling / 2);
  };

  const mark = (what: () => void) => {
    if (stopped) return;
    what();
    // New work supersedes a retry's wait and a flush's; a debounce keeps its first deadline.
    if (timerFor !== 'debounce') { retrying = false; schedule(opts.debounceMs ?? 0, 'debounce'); }
  };

  return {
    markDirty: (reason, list) => mark(() => {
      if (list === undefined) full = true;
      else for (const a of list) apps.add(a);
      if (!reasons.includes(reason)) reasons.push(reason);
    }),
    requestReload: (reason) => mark(() => { if (!reloads.includes(reason)) reloads.push(reason); }),
    idle: () => (isIdle() ? Promise.resolve() : new Promise<void>((r) => idleWaiters.push(r))),
    async stop() {
      stopped = true;
      clearTimers();
      await running;
      full = false;
      apps.clear();
      reloads = [];
      settle();
    },
    stats: () => ({ passes, pending: hasWork(), running: running !== undefined, retries }),
  };
}
