// /_mlb_signal/*: which path is which signal, marathon-lb's answers, and the one-per-second
// limit per signal (429 with Retry-After), against a hand-set clock.

import { createSignalEndpoint, type SignalName } from '../../../src/admin/signal-endpoint.js';

function endpoint() {
  const taken: SignalName[] = [];
  const clock = { t: 1_000_000 };
  const e = createSignalEndpoint({ HUP: () => taken.push('HUP'), USR1: () => taken.push('USR1') }, () => clock.t);
  return { e, taken, clock };
}

describe('signal endpoint', () => {
  it('knows the two paths marathon-lb had, and nothing else', () => {
    const { e } = endpoint();
    expect(e.signalOf('/_mlb_signal/hup')).toBe('HUP');
    expect(e.signalOf('/_mlb_signal/usr1')).toBe('USR1');
    expect(e.signalOf('/_mlb_signal/term')).toBeUndefined();
    expect(e.signalOf('/_mlb_signal/HUP')).toBeUndefined();
  });

  it('runs the action and answers in marathon-lb\'s words', () => {
    const { e, taken } = endpoint();
    expect(e.take('HUP')).toEqual({ status: 200, body: 'Sent SIGHUP signal to marathon-lb', headers: {} });
    expect(e.take('USR1')).toEqual({ status: 200, body: 'Sent SIGUSR1 signal to marathon-lb', headers: {} });
    expect(taken).toEqual(['HUP', 'USR1']);
  });

  it('takes one per second per signal; the rest get 429 and Retry-After, and run nothing', () => {
    const { e, taken, clock } = endpoint();
    e.take('HUP');
    clock.t += 400;
    expect(e.take('HUP')).toEqual({ status: 429, body: 'Too many HUP requests; retry in 1s', headers: { 'retry-after': '1' } });
    expect(e.take('USR1').status).toBe(200); // the other signal has its own budget
    clock.t += 599;
    expect(e.take('HUP').status).toBe(429);
    clock.t += 1;
    expect(e.take('HUP').status).toBe(200);
    expect(taken).toEqual(['HUP', 'USR1', 'HUP']);
  });

  it('a clock that went backwards does not block signals', () => {
    const { e, taken, clock } = endpoint();
    e.take('HUP');
    clock.t -= 60_000;
    expect(e.take('HUP').status).toBe(200);
    expect(taken).toEqual(['HUP', 'HUP']);
  });
});
