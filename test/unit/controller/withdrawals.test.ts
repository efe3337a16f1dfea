// Withdrawal leases: started, renewed, ended by themselves (telling the controller), against a
// hand-set clock and a hand-run timer list.

import { createWithdrawals } from '../../../src/controller/withdrawals.js';

function world() {
  const clock = { t: 1_000_000 };
  const timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];
  const ended: string[] = [];
  const w = createWithdrawals({
    now: () => clock.t,
    onEnd: (id, colour) => ended.push(`${id} (${colour})`),
    schedule: (fn, ms) => {
      const timer = { at: clock.t + ms, fn, cancelled: false };
      timers.push(timer);
      return () => { timer.cancelled = true; };
    },
  });
  /** Moves the clock and fires the timers due, in order. */
  const advance = (ms: number) => {
    clock.t += ms;
    for (;;) {
      const due = timers.filter((x) => !x.cancelled && x.at <= clock.t).sort((a, b) => a.at - b.at)[0];
      if (!due) return;
      due.cancelled = true;
      due.fn();
    }
  };
  return { w, advance, ended, timers };
}

describe('withdrawals', () => {
  it('a lease starts (true once), holds, and ends by itself, telling onEnd once', () => {
    const { w, advance, ended } = world();
    expect(w.isWithdrawn('/web-green t')).toBe(false);
    expect(w.withdraw('/web-green t', '/web-green', 30)).toBe(true);
    expect(w.withdraw('/web-green t', '/web-green', 30)).toBe(false); // a renewal
    expect(w.isWithdrawn('/web-green t')).toBe(true);
    expect(w.isWithdrawn('/web-blue t')).toBe(false);
    advance(29_999);
    expect([w.isWithdrawn('/web-green t'), ended]).toEqual([true, []]);
    advance(1);
    expect([w.isWithdrawn('/web-green t'), ended]).toEqual([false, ['/web-green (/web-green t)']]);
    advance(60_000);
    expect(ended).toEqual(['/web-green (/web-green t)']);
  });

  it('a renewal pushes the end back; the first timer re-arms instead of ending it', () => {
    const { w, advance, ended } = world();
    w.withdraw('/web-green t', '/web-green', 10);
    advance(8_000);
    w.withdraw('/web-green t', '/web-green', 10);
    advance(5_000); // past the first end
    expect([w.isWithdrawn('/web-green t'), ended]).toEqual([true, []]);
    advance(5_000);
    expect([w.isWithdrawn('/web-green t'), ended]).toEqual([false, ['/web-green (/web-green t)']]);
    expect(w.withdraw('/web-green t', '/web-green', 10)).toBe(true); // a new lease after the end
  });

  it('lease lengths are bounded (1 s to an hour); stop() ends every lease silently', () => {
    const { w, advance, ended, timers } = world();
    w.withdraw('/a t', '/a', 0);
    w.withdraw('/b t', '/b', 10 ** 9);
    advance(1_000);
    expect(ended).toEqual(['/a (/a t)']);
    advance(3_600_000 - 1_000);
    expect(ended).toEqual(['/a (/a t)', '/b (/b t)']);
    w.withdraw('/c t', '/c', 30);
    w.stop();
    expect(w.isWithdrawn('/c t')).toBe(false);
    expect(timers.every((t) => t.cancelled)).toBe(true);
    advance(60_000);
    expect(ended).toEqual(['/a (/a t)', '/b (/b t)']);
  });
});
