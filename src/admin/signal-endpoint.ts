// /_mlb_signal/hup and /_mlb_signal/usr1: what SIGHUP (a full resync) and SIGUSR1 (a reload of
// the file on disk) do, asked for over HTTP. The controller runs the action itself, in-process:
// marathon-lb's Lua forked `pkill` from inside an HAProxy worker, which could break unrelated
// requests, and signalled whatever process matched.
//
// The endpoint has no authentication (as in marathon-lb; --admin-write-networks narrows who
// reaches it), so each signal is taken at most once per second; more gets 429 with
// Retry-After, so a flood cannot become a storm of resyncs and reloads. Pure apart from the
// action it calls: the clock comes in.

export type SignalName = 'HUP' | 'USR1';

export interface SignalAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface SignalEndpoint {
  /** The signal a path names, or undefined when it names none. */
  signalOf(path: string): SignalName | undefined;
  /** Runs the signal's action unless the rate limit says no; the answer to send. */
  take(signal: SignalName): SignalAnswer;
}

const PATHS: Readonly<Record<string, SignalName>> = { '/_mlb_signal/hup': 'HUP', '/_mlb_signal/usr1': 'USR1' };

export const SIGNAL_MIN_INTERVAL_MS = 1000;

export function createSignalEndpoint(
  actions: Readonly<Record<SignalName, () => void>>,
  now: () => number = Date.now,
  minIntervalMs = SIGNAL_MIN_INTERVAL_MS,
): SignalEndpoint {
  const lastTaken = new Map<SignalName, number>();
  return {
    signalOf: (path) => PATHS[path],
    take(signal): SignalAnswer {
      const t = now();
      const last = lastTaken.get(signal);
      // A clock that went backwards must not block signals until it catches up.
      if (last !== undefined && t >= last && t - last < minIntervalMs) {
        const wait = String(Math.max(1, Math.ceil((minIntervalMs - (t - last)) / 1000)));
        return { status: 429, body: `Too many ${signal} requests; retry in ${wait}s`, headers: { 'retry-after': wait } };
      }
      lastTaken.set(signal, t);
      actions[signal]();
      // marathon-lb's words, which scripts may match on.
      return { status: 200, body: `Sent SIG${signal} signal to marathon-lb`, headers: {} };
    },
  };
}
