// Pinning a rejection that names no line: bisection over the suspect apps, within a budget.

import { bisect } from '../../../src/controller/attribution.js';
import { reconcileOnce, MAX_CHECKS } from '../../../src/controller/reconcile.js';
import { statusSnapshot } from '../../../src/controller/status-snapshot.js';
import type { Settings } from '../../../src/settings.js';
import { reconcileFakes } from '../../support/reconcile-fakes.js';
import { wireApp } from '../../support/wire-builders.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `/app${String(i).padStart(4, '0')}`);

describe('bisect', () => {
  it.each([[1, 1], [16, 1], [16, 3], [2000, 1], [2000, 5]])('finds every bad app among %i suspects (%i bad) in few checks', async (n, k) => {
    const all = ids(n);
    const badSet = new Set(all.filter((_, i) => i % Math.floor(n / k) === 0).slice(0, k));
    const r = await bisect(all, async (inc) => ![...inc].some((a) => badSet.has(a)), 1000);
    expect(r.bad).toEqual([...badSet].sort());
    expect(r.unchecked).toEqual([]);
    expect(r.checks).toBeLessThanOrEqual(1 + 2 * k * Math.ceil(Math.log2(n) + 1));
  });

  it('with hundreds of bad apps, the budget bounds the checks and leaves the rest unchecked, never wrongly good', async () => {
    const all = ids(2000);
    const badSet = new Set(all.filter((_, i) => i % 7 === 0));
    const r = await bisect(all, async (inc) => ![...inc].some((a) => badSet.has(a)), 48);
    expect(r.checks).toBe(48);
    for (const a of r.bad) expect(badSet.has(a)).toBe(true);
    const decided = new Set([...r.bad, ...r.unchecked]);
    for (const a of badSet) expect(decided.has(a)).toBe(true);
  });

  it('says so when the suspects are not the cause', async () => {
    const r = await bisect(ids(4), async () => false, 10);
    expect(r).toEqual({ bad: [], unchecked: [], checks: 1, notTheSuspects: true });
  });
});

describe('a rejection without a line number', () => {
  /** A writer that rejects, like HAProxy does after parsing, any config using a backend it lacks. */
  function rejectingMissingBackends(f: ReturnType<typeof reconcileFakes>, quote = true) {
    const checks: string[] = [];
    const judge = (config: string) => {
      const backends = new Set([...config.matchAll(/^backend (\S+)/gm)].map((m) => m[1]));
      const missing = [...config.matchAll(/use_backend (\S+)/g)].map((m) => m[1]!).find((b) => !backends.has(b));
      return missing ? { ok: false as const, alerts: [{ message: quote ? `Proxy 'marathon_http_in': unable to find required use_backend: '${missing}'.` : 'a backend is missing' }], output: '' } : undefined;
    };
    const write = f.deps.writer.write.bind(f.deps.writer);
    const writer = {
      ...f.deps.writer,
      async write(config: string, maps: Readonly<Record<string, string>>, opts?: { validate?: boolean }) {
        if (opts?.validate !== false) { checks.push('write'); const no = judge(config); if (no) return no; }
        return write(config, maps, opts);
      },
      async check(config: string) { checks.push('check'); return judge(config) ?? { ok: true as const, changed: false }; },
    };
    return { deps: { ...f.deps, writer }, checks };
  }
  const badAcl = { HAPROXY_0_VHOST: 'bad.example', HAPROXY_0_HTTP_FRONTEND_ACL: '  acl host_{cleanedUpHostname} hdr(host) -i {hostname}\n  use_backend nope_backend if host_{cleanedUpHostname}\n' };

  it.each([['the name the alert quotes', true], ['bisection', false]])('pins the app by %s, and applies everyone else\'s changes in the same pass', async (_how, quote) => {
    const f = reconcileFakes();
    f.marathon.put(wireApp({ id: '/web', ports: [10000] }));
    for (const id of ids(20)) f.marathon.put(wireApp({ id, ports: [11000 + Number(id.slice(4))] }));
    const { deps, checks } = rejectingMissingBackends(f, quote);
    const { applied } = await reconcileOnce(deps, undefined, { full: true, apps: [], reasons: ['start'] });
    f.marathon.put(wireApp({ id: '/web', ports: [10000], tasks: [[31000], [31001]] }));
    f.marathon.put(wireApp({ id: '/new', ports: [10001] }));
    f.marathon.put(wireApp({ id: '/bad', ports: [10002], labels: badAcl }));
    checks.length = 0;
    const r = await reconcileOnce(deps, applied, { full: true, apps: [], reasons: ['resync'] });
    expect(r.outcome.result).toBe('reload');
    const served = [...r.applied!.byApp.keys()].sort();
    expect(served).toEqual(['/new', ...ids(20), '/web'].sort());
    expect(f.haproxy.serving('web_10000')).toHaveLength(2);
    const skip = r.outcome.skipped.find((s) => s.appId === '/bad')!;
    expect(skip).toMatchObject({ reason: 'CONFIG_REJECTED' });
    if (quote) expect(skip).toMatchObject({ label: 'HAPROXY_0_HTTP_FRONTEND_ACL' });
    expect(skip.message).toContain(quote ? 'nope_backend' : 'a backend is missing');
    expect(checks.length).toBeLessThanOrEqual(quote ? 3 : 8);
  });

  it('hundreds of bad apps among two thousand: a bounded number of checks, and every good app served', async () => {
    const f = reconcileFakes();
    const { deps, checks } = rejectingMissingBackends(f);
    let applied;
    for (const [i, id] of ids(2000).entries()) {
      f.marathon.put(wireApp({ id, ports: [10000 + i], labels: i % 9 === 0 ? badAcl : {} }));
    }
    let r = await reconcileOnce(deps, applied, { full: true, apps: [], reasons: ['start'] });
    // Each pass spends at most the budget (plus the writes themselves) and makes progress.
    let passes = 1;
    expect(checks.length).toBeLessThanOrEqual(MAX_CHECKS + 14);
    while (r.applied?.byApp.size !== 2000 - 223 && passes < 40) {
      checks.length = 0;
      r = await reconcileOnce(deps, r.applied, { full: true, apps: [], reasons: ['retry'] });
      expect(checks.length).toBeLessThanOrEqual(MAX_CHECKS + 14);
      passes += 1;
    }
    expect(r.applied!.byApp.size).toBe(2000 - 223);
    expect(r.outcome.skipped.filter((s) => s.reason === 'CONFIG_REJECTED')).toHaveLength(223);
    const snap = statusSnapshot({ settings: {} as Settings, version: 't', applied: r.applied, lastPass: r.outcome, lastReload: undefined,
      stream: { connected: true, url: undefined, since: undefined, reconnects: 0 }, skipped: r.outcome.skipped, consistency: { checks: 0, differences: 0, lastDifferences: [], drift: 0, lastDrift: undefined } });
    expect(snap.skipped.every((s) => s.label === 'HAPROXY_0_HTTP_FRONTEND_ACL')).toBe(true);
  });
});
