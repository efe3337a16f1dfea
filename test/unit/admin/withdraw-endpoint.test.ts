// /_mlb_withdraw's parsing and answers; the action is a hand-written fake.

import { answerWithdraw } from '../../../src/admin/withdraw-endpoint.js';

function fake() {
  const calls: Array<[string, number]> = [];
  const withdraw = (app: string, seconds: number) => {
    calls.push([app, seconds]);
    return app === '/nope' ? { problem: 'no app /nope here' } : { id: `/c${app}` };
  };
  return { calls, withdraw };
}

describe('/_mlb_withdraw', () => {
  it('POST with an app id: 200 naming the colour the controller found; seconds default to 30', () => {
    const { calls, withdraw } = fake();
    expect(answerWithdraw('POST', new URLSearchParams('app=/web-green'), withdraw)).toEqual({
      status: 200, body: 'withdrawn for 30s: /c/web-green (its tasks drain on this load balancer)\n', headers: {},
    });
    expect(answerWithdraw('POST', new URLSearchParams('app=/web-green&seconds=90'), withdraw).status).toBe(200);
    expect(calls).toEqual([['/web-green', 30], ['/web-green', 90]]);
  });

  it('only POST; a missing or bad app or seconds is 400; an app the controller does not have is 404', () => {
    const { calls, withdraw } = fake();
    expect(answerWithdraw('GET', new URLSearchParams('app=/web-green'), withdraw)).toMatchObject({ status: 405, headers: { allow: 'POST' } });
    for (const q of ['', 'app=web-green', 'app=/w&seconds=0', 'app=/w&seconds=3601', 'app=/w&seconds=1.5', 'app=/w&seconds=x']) {
      expect(answerWithdraw('POST', new URLSearchParams(q), withdraw).status).toBe(400);
    }
    expect(answerWithdraw('POST', new URLSearchParams('app=/nope'), withdraw)).toMatchObject({ status: 404, body: 'no app /nope here\n' });
    expect(calls).toEqual([['/nope', 30]]);
  });
});
