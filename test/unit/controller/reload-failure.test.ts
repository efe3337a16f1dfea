// A reload HAProxy refuses (a config `haproxy -c` accepted): the last good files go back, the
// app it names is left out, and neither that config nor that app's lines are tried again.

import { reconcileOnce } from '../../../src/controller/reconcile.js';
import { reconcileFakes } from '../../support/reconcile-fakes.js';
import { wireApp } from '../../support/wire-builders.js';

describe('a failed reload', () => {
  function setUp() {
    const f = reconcileFakes();
    const reload = f.haproxy.reload.bind(f.haproxy);
    const attempts: string[] = [];
    f.haproxy.reload = async (reasons) => {
      attempts.push(f.haproxy.lastConfig);
      const lines = f.haproxy.lastConfig.split('\n');
      const n = lines.findIndex((l) => /bind \*:10666/.test(l));
      if (n >= 0) {
        return { ok: false, detail: `haproxy master reports the reload failed, the previous workers keep serving: [ALERT]    (1) : Binding [/x/haproxy.cfg:${n + 1}] for frontend bad_10666: cannot bind socket (Address already in use) for [0.0.0.0:10666]` };
      }
      return reload(reasons);
    };
    return { f, attempts };
  }

  it('restores the last good files, leaves the named app out and applies the others in the same pass', async () => {
    const { f, attempts } = setUp();
    f.marathon.put(wireApp({ id: '/web', ports: [10000] }));
    const first = await reconcileOnce(f.deps, undefined, { full: true, apps: [], reasons: ['start'] });
    const good = f.writes.at(-1)!.config;
    f.marathon.put(wireApp({ id: '/bad', ports: [10666] }));
    f.marathon.put(wireApp({ id: '/new', ports: [10001] }));
    const r = await reconcileOnce(f.deps, first.applied, { full: true, apps: [], reasons: ['resync'] });
    expect(r.outcome.result).toBe('reload');
    expect([...r.applied!.byApp.keys()].sort()).toEqual(['/new', '/web']);
    // The failed config was replaced on disk by the last good one before the next attempt.
    const failedAt = f.writes.findIndex((w) => w.config.includes('bind *:10666'));
    expect(f.writes[failedAt + 1]!.config).toBe(good);
    expect(f.writes.at(-1)!.config).toContain('new_10001');
    const skip = r.outcome.skipped.find((s) => s.appId === '/bad')!;
    expect(skip.reason).toBe('CONFIG_REJECTED');
    expect(skip.message).toContain('cannot bind socket');
    // Later passes do not try its lines again while it is unchanged.
    const before = attempts.length;
    f.marathon.put(wireApp({ id: '/new', ports: [10001, 10002] }));
    const again = await reconcileOnce(f.deps, r.applied, { full: true, apps: [], reasons: ['resync'] });
    expect(again.outcome.result).toBe('reload');
    expect(attempts.slice(before).some((c) => c.includes('bind *:10666'))).toBe(false);
    expect(again.outcome.skipped.find((s) => s.appId === '/bad')).toBeDefined();
    // Once it changes, it is tried again.
    f.marathon.put(wireApp({ id: '/bad', ports: [10667] }));
    const changed = await reconcileOnce(f.deps, again.applied, { full: true, apps: [], reasons: ['resync'] });
    expect(changed.applied!.byApp.has('/bad')).toBe(true);
  });

  it('never reloads a config HAProxy already failed on, when nothing names an app', async () => {
    const f = reconcileFakes();
    f.marathon.put(wireApp({ id: '/web', ports: [10000] }));
    const first = await reconcileOnce(f.deps, undefined, { full: true, apps: [], reasons: ['start'] });
    let reloads = 0;
    f.haproxy.reload = async () => { reloads += 1; return { ok: false, detail: 'haproxy master reports the reload failed: [ALERT] (1) : out of memory' }; };
    f.marathon.put(wireApp({ id: '/new', ports: [10001] }));
    const r1 = await reconcileOnce(f.deps, first.applied, { full: true, apps: [], reasons: ['x'] });
    expect(r1.outcome.result).toBe('error');
    const r2 = await reconcileOnce(f.deps, r1.applied, { full: true, apps: [], reasons: ['retry'] });
    expect(r2.outcome.result).toBe('error');
    expect(r2.outcome.error).toContain('already failed');
    expect(reloads).toBe(1);
    expect(f.writes.at(-1)!.config).toBe(f.writes[0]!.config);
  });
});

describe('port ownership', () => {
  it('the app serving a port keeps it; a newcomer declaring it is skipped, naming the port and the holder', async () => {
    const f = reconcileFakes();
    f.marathon.put(wireApp({ id: '/zeta', ports: [10000] }));
    const first = await reconcileOnce(f.deps, undefined, { full: true, apps: [], reasons: ['start'] });
    f.marathon.put(wireApp({ id: '/alpha', ports: [10000] }));
    for (const req of [{ full: false, apps: ['/alpha'] }, { full: true, apps: [] }]) {
      const r = await reconcileOnce(f.deps, first.applied, { ...req, reasons: ['x'] });
      expect([...r.applied!.byApp.keys()]).toEqual(['/zeta']);
      expect(f.deps.cluster.skippedOf('/alpha').map((s) => s.message).join()).toContain('port 10000 is already used by app /zeta');
    }
  });

  it('after a restart, the config on disk says who holds a port', async () => {
    const f = reconcileFakes();
    const disk = 'frontend marathon_http_in\n  bind *:80\nfrontend zeta_10000\n  bind *:10000\n  mode tcp\nbackend zeta_10000\n';
    const deps = { ...f.deps, writer: { ...f.deps.writer, current: async () => disk } };
    f.marathon.put(wireApp({ id: '/zeta', ports: [10000] }));
    f.marathon.put(wireApp({ id: '/alpha', ports: [10000] }));
    const r = await reconcileOnce(deps, undefined, { full: true, apps: [], reasons: ['start'] });
    expect([...r.applied!.byApp.keys()]).toEqual(['/zeta']);
  });
});
