// /_mlb_status lists only what the config serves: services that render or HAProxy left out
// are among the skipped, with their reason.

import { statusSnapshot } from '../../../src/controller/status-snapshot.js';
import type { AppliedState, PassOutcome } from '../../../src/controller/reconcile.js';
import { normalize } from '../../../src/model/index.js';
import type { Model, Skipped } from '../../../src/model/types.js';
import type { Settings } from '../../../src/settings.js';
import { renderModel } from '../../support/render-support.js';
import { wireApp } from '../../support/wire-builders.js';
import { options } from '../model/wire-fixtures.js';

const settings = { haproxyConfig: '/etc/haproxy/haproxy.cfg', mode: 'sse' } as Settings;
const stream = { connected: true, url: undefined, since: undefined, reconnects: 0 };

/** The applied state and pass outcome a pass over `model` produces, as the reconcile pass builds them. */
function afterPass(model: Model, stale: string[] = []): { applied: AppliedState; lastPass: PassOutcome } {
  const rendered = renderModel(model);
  const skipped: Skipped[] = [...model.skipped, ...rendered.excluded];
  return {
    applied: { desired: {} as AppliedState['desired'], model, at: 0 },
    lastPass: { result: 'reload', reasons: [], skipped, stale, trigger: ['test'], at: 0, durationMs: 1 },
  };
}

const snapshot = (p: { applied: AppliedState; lastPass: PassOutcome }) =>
  statusSnapshot({ settings, version: 'test', lastReload: undefined, stream, ...p });

describe('status snapshot', () => {
  it('an app id with a line break is not listed as served but among the skipped, with its reason', () => {
    const model = normalize([wireApp({ id: '/web' }), wireApp({ id: '/bad\nid', host: '10.0.0.2' })], options());
    const s = snapshot(afterPass(model));
    expect(s.services.map((x) => x.appId)).toEqual(['/web']);
    expect(s.skipped).toEqual([expect.objectContaining({ appId: '/bad\nid', reason: 'UNSAFE_VALUE', message: expect.stringContaining('line break') })]);
  });

  it('a service whose template failed at render is skipped, not served; the app\'s other port still is', () => {
    const app = wireApp({ id: '/two', ports: [10001, 10002], labels: { HAPROXY_1_BACKEND_HEAD: 'backend {no_such_placeholder}\n' } });
    const model = normalize([app], options());
    expect(model.services).toHaveLength(2);
    const s = snapshot(afterPass(model));
    expect(s.services.map((x) => `${x.appId}:${x.servicePort}`)).toEqual(['/two:10001']);
    expect(s.skipped).toEqual([expect.objectContaining({ appId: '/two', reason: 'INVALID_TEMPLATE', label: 'HAPROXY_1_BACKEND_HEAD' })]);
  });

  it('an app served from its last good services (stale) is listed as served and as skipped', () => {
    const model = normalize([wireApp({ id: '/web' })], options());
    const p = afterPass(model, ['/web']);
    const lastPass = { ...p.lastPass, skipped: [{ appId: '/web', index: 0, reason: 'INVALID_TEMPLATE' as const, message: 'app /web: bad label' }] };
    const s = snapshot({ applied: p.applied, lastPass });
    expect(s.services.map((x) => x.appId)).toEqual(['/web']);
    expect(s.skipped.map((x) => x.appId)).toEqual(['/web']);
  });
});
