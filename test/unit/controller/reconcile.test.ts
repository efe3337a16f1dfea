// One pass, with hand-written fakes: what it reads from Marathon, what it renders, what it asks
// of HAProxy, and what it believes afterwards (checked against the fake's live servers).

import { flushFiles, reconcileOnce, type AppliedState } from '../../../src/controller/reconcile.js';
import { statusSnapshot } from '../../../src/controller/status-snapshot.js';
import type { Settings } from '../../../src/settings.js';
import { reconcileFakes, type Fakes } from '../../support/reconcile-fakes.js';
import { wireApp } from '../../support/wire-builders.js';

async function pass(f: Fakes, applied: AppliedState | undefined, apps?: string[]) {
  return reconcileOnce(f.deps, applied, { full: apps === undefined, apps: apps ?? [], reasons: ['test'] });
}

describe('reconcile pass', () => {
  it('start-up reads the whole snapshot and reloads; HAProxy then serves every task', async () => {
    const f = reconcileFakes();
    f.marathon.put(wireApp({ id: '/web', tasks: [[31000], [31001]] }));
    f.marathon.put(wireApp({ id: '/api', ports: [10001], host: '10.0.0.2' }));
    const r = await pass(f, undefined);
    expect(r.outcome.result).toBe('reload');
    expect(f.marathon.listCalls).toBe(1);
    expect(f.writes.map((w) => w.validate)).toEqual([true]);
    expect(f.haproxy.serving('web_10000')).toEqual(['10_0_0_1_31000', '10_0_0_1_31001']);
    expect(r.outcome.liveDifferences).toEqual([]);
  });

  it('a task change re-reads only that app, changes servers at run time; the file follows later, without haproxy -c', async () => {
    const f = reconcileFakes();
    f.marathon.put(wireApp({ id: '/web', tasks: [[31000]] }));
    f.marathon.put(wireApp({ id: '/api', ports: [10001] }));
    let { applied } = await pass(f, undefined);
    f.marathon.put(wireApp({ id: '/web', tasks: [[31000], [31005]] }));
    const r = await pass(f, applied, ['/web']);
    applied = r.applied;
    expect(r.outcome.result).toBe('runtime');
    expect(f.marathon.listCalls).toBe(1);
    expect(f.marathon.getCalls).toEqual(['/web']);
    expect(f.haproxy.batches.at(-1)!.map((o) => o.op)).toEqual(['add-server']);
    // Traffic first; the loop writes the file when it is idle.
    expect(f.writes).toHaveLength(1);
    expect(applied!.fileBehind).toBe(true);
    expect(await flushFiles(f.deps, applied)).toBeUndefined();
    expect(applied!.fileBehind).toBe(false);
    expect(f.writes.at(-1)!.validate).toBe(false);
    expect(f.writes.at(-1)!.config).toContain('server 10_0_0_1_31005 10.0.0.1:31005');
    expect(f.haproxy.serving('web_10000')).toHaveLength(2);
    expect(f.haproxy.reloads).toHaveLength(1);
    expect(r.outcome.scope).toEqual(new Set(['/web']));
  });

  it('the file written after a runtime change equals a full render of the same Marathon state', async () => {
    const f = reconcileFakes();
    f.marathon.put(wireApp({ id: '/web', tasks: [[31000]] }));
    const { applied } = await pass(f, undefined);
    f.marathon.put(wireApp({ id: '/web', tasks: [[31001], [31002]] }));
    await flushFiles(f.deps, (await pass(f, applied, ['/web'])).applied);
    const incremental = f.writes.at(-1)!.config;
    const g = reconcileFakes();
    g.marathon.put(wireApp({ id: '/web', tasks: [[31001], [31002]] }));
    await pass(g, undefined);
    expect(incremental).toBe(g.writes.at(-1)!.config);
  });

  it('a file rewrite stopped between slices writes nothing and stays behind; the next one catches up', async () => {
    const f = reconcileFakes();
    f.marathon.put(wireApp({ id: '/web', tasks: [[31000]] }));
    const { applied } = await pass(f, undefined);
    f.marathon.put(wireApp({ id: '/web', tasks: [[31000], [31001]] }));
    const r = await pass(f, applied, ['/web']);
    let asked = 0;
    expect(await flushFiles(f.deps, r.applied, () => (asked += 1) === 3)).toBe('stopped');
    expect(asked).toBe(3);
    expect(f.writes).toHaveLength(1);
    expect(r.applied!.fileBehind).toBe(true);
    expect(await flushFiles(f.deps, r.applied)).toBeUndefined();
    expect(r.applied!.fileBehind).toBe(false);
    expect(f.writes.at(-1)!.config).toContain('server 10_0_0_1_31001 10.0.0.1:31001');
  });

  it('a task address that comes back (port reused) revives the retired server instead of adding it twice', async () => {
    const f = reconcileFakes();
    f.marathon.put(wireApp({ id: '/web', tasks: [[31000], [31001]] }));
    let { applied } = await pass(f, undefined);
    f.marathon.put(wireApp({ id: '/web', tasks: [[31000]] }));
    ({ applied } = await pass(f, applied, ['/web']));
    expect(f.haproxy.batches.at(-1)!.map((o) => o.op)).toEqual(['drain-server', 'retire-server']);
    f.marathon.put(wireApp({ id: '/web', tasks: [[31000], [31001]] }));
    const r = await pass(f, applied, ['/web']);
    expect(r.outcome.result).toBe('runtime');
    expect(f.haproxy.batches.at(-1)!.map((o) => o.op)).toEqual(['revive-server']);
    expect(f.haproxy.serving('web_10000')).toEqual(['10_0_0_1_31000', '10_0_0_1_31001']);
    expect(r.applied!.retired.size).toBe(0);
  });

  it('a structural change (new app) takes the full path: validated write and a reload', async () => {
    const f = reconcileFakes();
    f.marathon.put(wireApp({ id: '/web' }));
    const { applied } = await pass(f, undefined);
    f.marathon.put(wireApp({ id: '/new', ports: [10009] }));
    const r = await pass(f, applied, ['/new']);
    expect(r.outcome.result).toBe('reload');
    expect(r.outcome.reasons).toEqual(['backend new_10009 added']);
    expect(f.writes.at(-1)!.validate).toBe(true);
  });

  it('an app Marathon no longer has is removed', async () => {
    const f = reconcileFakes();
    f.marathon.put(wireApp({ id: '/web' }));
    f.marathon.put(wireApp({ id: '/gone', ports: [10002] }));
    const { applied } = await pass(f, undefined);
    f.marathon.apps.delete('/gone');
    const r = await pass(f, applied, ['/gone']);
    expect(r.outcome.reasons).toEqual(['backend gone_10002 removed']);
    expect(r.applied!.byApp.has('/gone')).toBe(false);
  });

  it('reads HAProxy back and corrects a server left in maintenance, and counts the difference', async () => {
    const f = reconcileFakes();
    f.marathon.put(wireApp({ id: '/web', tasks: [[31000], [31001]] }));
    const { applied } = await pass(f, undefined);
    f.haproxy.live.get('web_10000')!.get('10_0_0_1_31000')!.admin = 0x01;
    const r = await pass(f, applied);
    expect(r.outcome.result).toBe('noop');
    expect(r.outcome.liveDifferences).toEqual(['backend web_10000: server 10_0_0_1_31000 held in maintenance']);
    expect(f.haproxy.serving('web_10000')).toHaveLength(2);
  });

  it('a full read that finds what events missed counts it as drift', async () => {
    const f = reconcileFakes();
    f.marathon.put(wireApp({ id: '/web', tasks: [[31000]] }));
    const { applied } = await pass(f, undefined);
    f.marathon.put(wireApp({ id: '/web', tasks: [[31000], [31001]] }));
    const r = await pass(f, applied);
    expect(r.outcome.result).toBe('runtime');
    expect(r.outcome.drift).toBe(1);
  });

  it('in poll mode a full read is how changes arrive: nothing is counted as drift', async () => {
    const f = reconcileFakes({ mode: 'poll' });
    f.marathon.put(wireApp({ id: '/web', tasks: [[31000]] }));
    const { applied } = await pass(f, undefined);
    f.marathon.put(wireApp({ id: '/web', tasks: [[31000], [31001]] }));
    const r = await pass(f, applied);
    expect(r.outcome.result).toBe('runtime');
    expect(r.outcome.drift).toBeUndefined();
  });

  describe('an app whose templates break after it was served keeps its last good config', () => {
    const broken = { HAPROXY_0_BACKEND_HEAD: 'backend {backend}\n  balance {balancee}\n' };
    const served = async () => {
      const f = reconcileFakes();
      f.marathon.put(wireApp({ id: '/tmpl', ports: [10001], tasks: [[31001]] }));
      f.marathon.put(wireApp({ id: '/label', ports: [10002], tasks: [[31002]] }));
      f.marathon.put(wireApp({ id: '/other', ports: [10003], tasks: [[31003]] }));
      return { f, applied: (await pass(f, undefined)).applied };
    };
    const templateSkip = expect.objectContaining({ appId: '/tmpl', reason: 'INVALID_TEMPLATE', label: 'HAPROXY_0_BACKEND_HEAD', message: expect.stringContaining('{balancee}') });

    it('changed alone (an event): its skip names the label, and it stays served', async () => {
      const { f, applied } = await served();
      f.marathon.put(wireApp({ id: '/tmpl', ports: [10001], tasks: [[31001]], labels: broken }));
      const r = await pass(f, applied, ['/tmpl']);
      expect(r.outcome.stale).toEqual(['/tmpl']);
      expect(r.outcome.skipped).toEqual([templateSkip]);
      expect(f.haproxy.serving('tmpl_10001')).toEqual(['10_0_0_1_31001']);
    });

    it('through a later full read, beside another app served from its last good config', async () => {
      const { f, applied: first } = await served();
      // Another app is stale already: its port label is not a number.
      f.marathon.put(wireApp({ id: '/label', ports: [10002], tasks: [[31002]], labels: { HAPROXY_0_PORT: 'ten' } }));
      const { applied } = await pass(f, first, ['/label']);
      f.marathon.put(wireApp({ id: '/tmpl', ports: [10001], tasks: [[31001]], labels: broken }));
      const after = await pass(f, (await pass(f, applied, ['/tmpl'])).applied);
      expect(after.outcome.stale).toEqual(['/label', '/tmpl']);
      expect(after.outcome.skipped).toEqual(expect.arrayContaining([templateSkip]));
      expect(after.outcome.drift).toBe(0);
      expect(f.haproxy.serving('tmpl_10001')).toEqual(['10_0_0_1_31001']);
      expect(f.haproxy.serving('label_10002')).toEqual(['10_0_0_1_31002']);
    });
  });

  it('a failed read is an error the loop retries; nothing applied changes', async () => {
    const f = reconcileFakes();
    f.marathon.put(wireApp({ id: '/web' }));
    const { applied } = await pass(f, undefined);
    f.marathon.failNext = 1;
    const r = await pass(f, applied, ['/web']);
    expect(r.outcome.result).toBe('error');
    expect(r.applied).toBe(applied);
  });

  it('--dry renders but asks HAProxy for nothing', async () => {
    const f = reconcileFakes({ dry: true } as Partial<Settings>);
    f.marathon.put(wireApp({ id: '/web' }));
    const r = await pass(f, undefined);
    expect(r.outcome.dryConfig).toContain('backend web_10000');
    expect(f.haproxy.reloads).toEqual([]);
    expect(f.writes).toEqual([]);
  });
});

describe('status after a pass', () => {
  const settings = { haproxyConfig: '/etc/haproxy/haproxy.cfg', mode: 'sse' } as Settings;
  const stream = { connected: true, url: undefined, since: undefined, reconnects: 0 };
  const consistency = { checks: 0, differences: 0, lastDifferences: [], drift: 0, lastDrift: undefined };
  const status = async (f: Fakes) => {
    const r = await pass(f, undefined);
    return statusSnapshot({ settings, version: 't', applied: r.applied, lastPass: r.outcome, lastReload: undefined, stream, skipped: r.outcome.skipped, consistency });
  };

  it('an app id with a line break is not listed as served but among the skipped, with its reason', async () => {
    const f = reconcileFakes();
    f.marathon.put(wireApp({ id: '/web' }));
    f.marathon.put(wireApp({ id: '/bad\nid', host: '10.0.0.2' }));
    const s = await status(f);
    expect(s.services.map((x) => x.appId)).toEqual(['/web']);
    expect(s.skipped).toEqual([expect.objectContaining({ appId: '/bad\nid', reason: 'UNSAFE_VALUE', message: expect.stringContaining('line break') })]);
  });

  it('a service whose template failed at render is skipped, not served; the app\'s other port still is', async () => {
    const f = reconcileFakes();
    f.marathon.put(wireApp({ id: '/two', ports: [10001, 10002], labels: { HAPROXY_1_BACKEND_HEAD: 'backend {no_such_placeholder}\n' } }));
    const s = await status(f);
    expect(s.services.map((x) => `${x.appId}:${x.servicePort}`)).toEqual(['/two:10001']);
    expect(s.skipped).toEqual([expect.objectContaining({ appId: '/two', reason: 'INVALID_TEMPLATE', label: 'HAPROXY_1_BACKEND_HEAD' })]);
  });
});
