// What /_mlb_withdraw does in the controller: find the app the request names among the apps it
// serves (a blue/green colour only), start or renew the withdrawal lease of that deployment of
// it (colourKey: a later app under the same id is another colour), and run a pass for it when
// the withdrawal is new (its tasks drain; the other colour's stop draining on its account).

import type { Logger } from 'pino';
import type { WithdrawOutcome } from '../admin/withdraw-endpoint.js';
import { colourKey } from '../model/blue-green.js';
import { splitClusterId } from '../model/cluster-prefix.js';
import type { WireApp } from '../model/wire.js';
import type { ReconcileLoop } from './loop.js';
import type { Withdrawals } from './withdrawals.js';

const GROUP_LABEL = 'HAPROXY_DEPLOYMENT_GROUP';

function groupOf(app: WireApp): string | undefined {
  const labels = app.labels as Record<string, unknown> | null | undefined;
  const group = labels?.[GROUP_LABEL];
  return typeof group === 'string' && group !== '' ? group : undefined;
}

/**
 * The controller's id of the colour `requested` names: the same id, or with several Marathons
 * the one app whose id under its cluster prefix is `requested` (zdd knows only its Marathon's).
 * Pure.
 */
export function resolveColour(apps: Iterable<WireApp>, requested: string): { readonly id: string; readonly key: string } | { readonly problem: string } {
  const matches: WireApp[] = [];
  for (const app of apps) {
    if (typeof app.id !== 'string') continue;
    if (app.id === requested || splitClusterId(app.id)?.id === requested) matches.push(app);
  }
  const exact = matches.find((a) => a.id === requested);
  const app = exact ?? (matches.length === 1 ? matches[0] : undefined);
  if (app === undefined) {
    return { problem: matches.length > 1
      ? `${requested} names an app in several Marathons here (${matches.map((a) => a.id).join(', ')}): give the full id`
      : `no app ${requested} here` };
  }
  if (groupOf(app) === undefined) return { problem: `${String(app.id)} is not a blue/green colour (no ${GROUP_LABEL} label): only a colour can be withdrawn` };
  return { id: String(app.id), key: colourKey(String(app.id), app) };
}

export interface WithdrawDeps {
  readonly apps: () => Iterable<WireApp>;
  readonly withdrawals: Withdrawals;
  readonly loop: Pick<ReconcileLoop, 'markDirty'>;
  readonly log: Pick<Logger, 'info'>;
}

export function withdrawAction(d: WithdrawDeps): (requested: string, seconds: number) => WithdrawOutcome {
  return (requested, seconds) => {
    const outcome = resolveColour(d.apps(), requested);
    if ('problem' in outcome) return outcome;
    if (d.withdrawals.withdraw(outcome.key, outcome.id, seconds)) {
      d.log.info({ app: outcome.id, seconds }, 'colour withdrawn from rotation (zdd rollback): its tasks drain');
      d.loop.markDirty(`withdraw:${outcome.id}`, [outcome.id]);
    }
    return { id: outcome.id };
  };
}
