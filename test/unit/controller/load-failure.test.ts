// A reload HAProxy refuses without naming an app (an attached master whose output is not ours, a
// reload script that keeps HAProxy's output to itself): the apps at fault are found by checks
// that leave the running HAProxy alone (binding their new ports, `haproxy -c` and its bisection),
// never by another reload of the same config; everyone else's changes go through in the same pass.

import { reconcileOnce } from '../../../src/controller/reconcile.js';
import type { WriteResult } from '../../../src/controller/ports.js';
import { reconcileFakes, type Fakes } from '../../support/reconcile-fakes.js';
import { wireApp } from '../../support/wire-builders.js';

const REFUSED = 'haproxy master reports the reload failed, the previous workers keep serving';

/** Fakes whose HAProxy refuses any config containing `poison` (saying only REFUSED), counting the configs it was asked to load. */
function setUp(poison: RegExp) {
  const f = reconcileFakes();
  const reload = f.haproxy.reload.bind(f.haproxy);
  const attempts: string[] = [];
  f.haproxy.reload = async (reasons) => {
    attempts.push(f.haproxy.lastConfig);
    return poison.test(f.haproxy.lastConfig) ? { ok: false, detail: REFUSED } : reload(reasons);
  };
  const checks: string[] = [];
  let check: (config: string) => WriteResult = () => ({ ok: true, changed: false });
  const deps = { ...f.deps, writer: { ...f.deps.writer, check: async (config: string) => { checks.push(config); return check(config); } } };
  return { f, deps, attempts, checks, setCheck: (c: typeof check) => { check = c; } };
}

async function start(f: Fakes, deps: Fakes['deps']) {
  f.marathon.put(wireApp({ id: '/web', ports: [10000] }));
  return (await reconcileOnce(deps, undefined, { full: true, apps: [], reasons: ['start'] })).applied;
}

describe('a reload refused without naming an app', () => {
  it('a new service port taken since the check before the reload: pinned by binding it again, the others applied in the same pass', async () => {
    const { f, deps, attempts } = setUp(/bind \*:10666/);
    let taken = false;
    f.haproxy.cannotBind = async (binds) => (taken ? binds.filter((b) => b.port === 10666).map((b) => ({ ...b, error: 'EADDRINUSE' })) : []);
    const applied = await start(f, deps);
    f.marathon.put(wireApp({ id: '/bad', ports: [10666] }));
    f.marathon.put(wireApp({ id: '/new', ports: [10001] }));
    // Free at the check before the reload, taken by the time HAProxy binds it.
    const reload = f.haproxy.reload;
    f.haproxy.reload = async (reasons) => { taken = true; return reload(reasons); };
    const r = await reconcileOnce(deps, applied, { full: true, apps: [], reasons: ['resync'] });
    expect(r.outcome.result).toBe('reload');
    expect([...r.applied!.byApp.keys()].sort()).toEqual(['/new', '/web']);
    expect(r.outcome.skipped.find((s) => s.appId === '/bad')).toMatchObject({ reason: 'CONFIG_REJECTED', label: 'HAPROXY_0_PORT' });
    expect(r.outcome.skipped.find((s) => s.appId === '/bad')!.message).toContain('10666');
    expect(attempts.filter((c) => c.includes('bind *:10666'))).toHaveLength(1);
  });

  it('haproxy -c now rejects it, naming no line: bisected over the changed apps, the others applied in the same pass, the failed config never sent again', async () => {
    const { f, deps, attempts, checks, setCheck } = setUp(/bad_10666/);
    const applied = await start(f, deps);
    // Rejected by a check without a line number or a quoted name that points at an app.
    setCheck((config) => (config.includes('bad_10666') ? { ok: false, alerts: [{ message: 'Fatal errors found in configuration.' }], output: '' } : { ok: true, changed: false }));
    for (const id of ['/a', '/b', '/bad', '/c', '/d']) f.marathon.put(wireApp({ id, ports: [id === '/bad' ? 10666 : 10001 + '/a/b/c/d'.indexOf(id) / 2] }));
    const r = await reconcileOnce(deps, applied, { full: true, apps: [], reasons: ['resync'] });
    expect(r.outcome.result).toBe('reload');
    expect([...r.applied!.byApp.keys()].sort()).toEqual(['/a', '/b', '/c', '/d', '/web']);
    expect(r.outcome.skipped.map((s) => s.appId)).toEqual(['/bad']);
    expect(attempts.filter((c) => c.includes('bad_10666'))).toHaveLength(1);
    // Halves, not one check per app: the config again, the base, then about log2(5) more.
    expect(checks.length).toBeLessThanOrEqual(6);
    // A later pass does not try its lines again while it is unchanged.
    f.marathon.put(wireApp({ id: '/e', ports: [10009] }));
    const again = await reconcileOnce(deps, r.applied, { full: true, apps: [], reasons: ['resync'] });
    expect(again.applied!.byApp.has('/e')).toBe(true);
    expect(attempts.filter((c) => c.includes('bad_10666'))).toHaveLength(1);
  });

  it('nothing reproduces it: the changed apps are held back with a reason, HAProxy keeps the last good config, later changes go through', async () => {
    const { f, deps, attempts } = setUp(/odd_10666/);
    const applied = await start(f, deps);
    f.marathon.put(wireApp({ id: '/odd', ports: [10666] }));
    // In the same pass /web's tasks change: a task moving cannot make HAProxy refuse a config, so that goes through.
    f.marathon.put(wireApp({ id: '/web', ports: [10000], tasks: [[31000], [31001]] }));
    const r = await reconcileOnce(deps, applied, { full: true, apps: [], reasons: ['resync'] });
    expect(r.outcome.result).toBe('runtime');
    expect([...r.applied!.byApp.keys()]).toEqual(['/web']);
    expect(f.haproxy.serving('web_10000')).toHaveLength(2);
    const skip = r.outcome.skipped.find((s) => s.appId === '/odd')!;
    expect(skip.reason).toBe('CONFIG_REJECTED');
    expect(skip.message).toMatch(/held back: HAProxy could not load the config with it .*named no app/);
    // The failed files are not left on disk: what HAProxy runs is.
    expect(f.writes.at(-1)!.config).not.toContain('odd_10666');
    f.marathon.put(wireApp({ id: '/new', ports: [10001] }));
    const later = await reconcileOnce(deps, r.applied, { full: true, apps: [], reasons: ['resync'] });
    expect(later.outcome.result).toBe('reload');
    expect([...later.applied!.byApp.keys()].sort()).toEqual(['/new', '/web']);
    expect(attempts.filter((c) => c.includes('odd_10666'))).toHaveLength(1);
    // Changed, it is tried again.
    f.marathon.put(wireApp({ id: '/odd', ports: [10667] }));
    const changed = await reconcileOnce(deps, later.applied, { full: true, apps: [], reasons: ['resync'] });
    expect(changed.applied!.byApp.has('/odd')).toBe(true);
  });

  it('at most two refused reloads a pass: the apps pinned after the second are left out from the next pass on', async () => {
    const f = reconcileFakes();
    const attempts: string[] = [];
    const reload = f.haproxy.reload.bind(f.haproxy);
    // Each config HAProxy fails on names its first bad line (as a bind failure does).
    f.haproxy.reload = async (reasons) => {
      attempts.push(f.haproxy.lastConfig);
      const n = f.haproxy.lastConfig.split('\n').findIndex((l) => /^\s+bind \*:1066\d/.test(l));
      return n < 0 ? reload(reasons) : { ok: false, detail: `${REFUSED}: [ALERT] (1) : Binding [/x/haproxy.cfg:${n + 1}] for frontend x: cannot bind socket (Permission denied) for [0.0.0.0:1]` };
    };
    const applied = await start(f, f.deps);
    for (const id of ['/bad1', '/bad2', '/bad3']) f.marathon.put(wireApp({ id, ports: [10660 + Number(id.slice(-1))] }));
    f.marathon.put(wireApp({ id: '/new', ports: [10001] }));
    const r = await reconcileOnce(f.deps, applied, { full: true, apps: [], reasons: ['resync'] });
    expect(r.outcome.result).toBe('error');
    expect(attempts).toHaveLength(3);
    expect(r.outcome.skipped.map((s) => s.appId).sort()).toEqual(['/bad1', '/bad2']);
    const next = await reconcileOnce(f.deps, r.applied, { full: true, apps: [], reasons: ['retry'] });
    expect(next.outcome.result).toBe('reload');
    expect([...next.applied!.byApp.keys()].sort()).toEqual(['/new', '/web']);
    expect(next.outcome.skipped.map((s) => s.appId).sort()).toEqual(['/bad1', '/bad2', '/bad3']);
    // Every config HAProxy was sent differs: none it failed on was sent again.
    expect(new Set(attempts).size).toBe(attempts.length);
  });
});
