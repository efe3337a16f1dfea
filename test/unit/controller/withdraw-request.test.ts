// Which app a withdrawal names (the same id, or its id under one Marathon's prefix; a blue/green
// colour only), and that only a new withdrawal runs a pass. Fakes are hand-written.

import { resolveColour, withdrawAction } from '../../../src/controller/withdraw-request.js';
import { createWithdrawals } from '../../../src/controller/withdrawals.js';
import type { WireApp } from '../../../src/model/wire.js';

const colour = (id: string, startedAt = '2026-01-01T00:00:00Z'): WireApp => ({ id, labels: { HAPROXY_DEPLOYMENT_GROUP: 'web', HAPROXY_DEPLOYMENT_STARTED_AT: startedAt } });

describe('resolveColour', () => {
  it('finds the colour by its id, or by its id under a single cluster prefix', () => {
    expect(resolveColour([colour('/web-green'), colour('/web-blue')], '/web-green')).toEqual({ id: '/web-green', key: '/web-green 2026-01-01T00:00:00Z' });
    expect(resolveColour([colour('/east/web-green')], '/web-green')).toMatchObject({ id: '/east/web-green' });
  });

  it('refuses what it cannot pin to one colour', () => {
    expect(resolveColour([colour('/web-blue')], '/web-green')).toEqual({ problem: 'no app /web-green here' });
    expect(resolveColour([colour('/east/web-green'), colour('/west/web-green')], '/web-green')).toMatchObject({ problem: expect.stringContaining('several Marathons') });
    expect(resolveColour([{ id: '/plain', labels: {} }], '/plain')).toMatchObject({ problem: expect.stringContaining('not a blue/green colour') });
  });
});

describe('withdrawAction', () => {
  it('a new withdrawal marks the app dirty and logs once; renewals do neither', () => {
    const marks: string[] = [];
    const logs: string[] = [];
    const withdrawals = createWithdrawals({ now: () => 0, onEnd: () => undefined, schedule: () => () => undefined });
    const act = withdrawAction({
      apps: () => [colour('/web-green')],
      withdrawals,
      loop: { markDirty: (reason, apps) => { marks.push(`${reason} ${String(apps)}`); } },
      log: { info: (_obj: unknown, msg: string) => { logs.push(msg); } } as never,
    });
    expect(act('/web-green', 30)).toEqual({ id: '/web-green' });
    expect(act('/web-green', 30)).toEqual({ id: '/web-green' });
    expect(act('/web-blue', 30)).toEqual({ problem: 'no app /web-blue here' });
    expect(marks).toEqual(['withdraw:/web-green /web-green']);
    expect(logs).toHaveLength(1);
    expect(withdrawals.isWithdrawn('/web-green 2026-01-01T00:00:00Z')).toBe(true);
  });
});
