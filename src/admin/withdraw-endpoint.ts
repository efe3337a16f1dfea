// POST /_mlb_withdraw?app=<app id>&seconds=<n>: take a blue/green colour out of rotation on this
// load balancer for n seconds (a lease; default 30), so zdd can drain the tasks of a version it
// rolls back before deleting it. Renewing is the same request. A write: behind
// --admin-write-networks like any other method than GET on :9090.
//
// Parsing and answers only; what withdrawing does is the controller's (controller/withdraw-request.ts).

export type WithdrawOutcome = { readonly id: string } | { readonly problem: string };

export interface WithdrawAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export const WITHDRAW_PATH = '/_mlb_withdraw';
const DEFAULT_SECONDS = 30;

export function answerWithdraw(method: string | undefined, query: URLSearchParams, withdraw: (appId: string, seconds: number) => WithdrawOutcome): WithdrawAnswer {
  if (method !== 'POST') return { status: 405, body: 'only POST\n', headers: { allow: 'POST' } };
  const app = query.get('app') ?? '';
  const secondsText = query.get('seconds');
  const seconds = secondsText === null ? DEFAULT_SECONDS : Number(secondsText);
  if (!app.startsWith('/') || app.length > 1024 || !Number.isInteger(seconds) || seconds < 1 || seconds > 3600) {
    return { status: 400, body: `usage: POST ${WITHDRAW_PATH}?app=/<app id>&seconds=<1..3600, default ${DEFAULT_SECONDS}>\n`, headers: {} };
  }
  const outcome = withdraw(app, seconds);
  if ('problem' in outcome) return { status: 404, body: `${outcome.problem}\n`, headers: {} };
  return { status: 200, body: `withdrawn for ${seconds}s: ${outcome.id} (its tasks drain on this load balancer)\n`, headers: {} };
}
