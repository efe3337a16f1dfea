// Last good means good: an app kept on its last good config follows Marathon's current tasks.

import { reconcileOnce } from '../../../src/controller/reconcile.js';
import { reconcileFakes } from '../../support/reconcile-fakes.js';
import { wireApp } from '../../support/wire-builders.js';

describe('an app kept on its last good config', () => {
  it.each([['a full pass', true], ['an incremental pass', false]])('takes its servers from the current tasks (%s)', async (_what, full) => {
    const f = reconcileFakes();
    f.marathon.put(wireApp({ id: '/web', tasks: [[31000]] }));
    const first = await reconcileOnce(f.deps, undefined, { full: true, apps: [], reasons: ['start'] });
    // A broken label, and Marathon restarted the tasks elsewhere.
    f.marathon.put(wireApp({ id: '/web', tasks: [[32000], [32001]], labels: { HAPROXY_0_MODE: 'udp' } }));
    const r = await reconcileOnce(f.deps, first.applied, { full, apps: full ? [] : ['/web'], reasons: ['change'] });
    expect(r.outcome.stale).toEqual(['/web']);
    expect(r.applied!.byApp.get('/web')![0]!.servers.map((s) => s.port)).toEqual([32000, 32001]);
    expect(f.haproxy.serving('web_10000')).toEqual(['10_0_0_1_32000', '10_0_0_1_32001']);
    expect(r.outcome.skipped.find((s) => s.appId === '/web')!.label).toBe('HAPROXY_0_MODE');
  });
});
