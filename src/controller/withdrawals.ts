// Blue/green colours withdrawn from rotation on this load balancer: zdd rolling back a version
// whose tasks already serve asks every load balancer to drain them (/_mlb_withdraw), then waits
// for /_mlb_drain to show them drained before deleting the app.
//
// A withdrawal is a lease: it ends by itself unless renewed (zdd renews it on every look), so
// a zdd that dies half way does not leave a colour out of rotation for good; the tasks come
// back as they were. Kept in memory: a restarted controller forgets it, and zdd's next renewal
// brings it back. The model reads isWithdrawn() on every normalization (model/blue-green.ts).

// Leases are keyed by colour (model/blue-green.ts colourKey: app id and deployment start).
export interface Withdrawals {
  /** Starts or renews the lease of `colour` (of app `appId`) for `seconds`; true when it was not withdrawn before. */
  withdraw(colour: string, appId: string, seconds: number): boolean;
  isWithdrawn(colour: string): boolean;
  /** Ends every lease without telling anyone (shutdown). */
  stop(): void;
}

export interface WithdrawalOptions {
  readonly now: () => number;
  /** A lease ran out: the colour's tasks must serve again (mark its app dirty). */
  readonly onEnd: (appId: string, colour: string) => void;
  /** Runs `fn` after `ms`; a timer that does not keep the process alive unless given. */
  readonly schedule?: (fn: () => void, ms: number) => Cancel;
}

export type Cancel = () => void;

function unrefTimer(fn: () => void, ms: number): Cancel {
  const t = setTimeout(fn, Math.max(0, ms));
  t.unref(); // a pending lease must not keep a stopping process alive
  return () => clearTimeout(t);
}

/** Bounds of a lease: long enough for any renewal interval, short enough to come back by itself. */
export const WITHDRAW_MIN_SECONDS = 1;
export const WITHDRAW_MAX_SECONDS = 3600;

export function createWithdrawals(o: WithdrawalOptions): Withdrawals {
  const schedule = o.schedule ?? unrefTimer;
  const leases = new Map<string, { appId: string; until: number; cancel: Cancel }>();
  const end = (colour: string) => {
    const lease = leases.get(colour);
    if (lease === undefined) return;
    // A timer can fire a little early; the lease still decides.
    if (o.now() < lease.until) {
      lease.cancel = later(colour, lease.until - o.now());
      return;
    }
    leases.delete(colour);
    o.onEnd(lease.appId, colour);
  };
  const later = (colour: string, ms: number): Cancel => schedule(() => end(colour), ms);
  return {
    withdraw(colour, appId, seconds) {
      const ms = Math.min(WITHDRAW_MAX_SECONDS, Math.max(WITHDRAW_MIN_SECONDS, seconds)) * 1000;
      const until = o.now() + ms;
      const lease = leases.get(colour);
      if (lease !== undefined) {
        // Renewal: the timer re-arms itself when it fires before the new end.
        lease.until = Math.max(lease.until, until);
        return false;
      }
      leases.set(colour, { appId, until, cancel: later(colour, ms) });
      return true;
    },
    isWithdrawn: (colour) => {
      const lease = leases.get(colour);
      return lease !== undefined && o.now() < lease.until;
    },
    stop() {
      for (const lease of leases.values()) lease.cancel();
      leases.clear();
    },
  };
}
