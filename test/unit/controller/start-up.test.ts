// The first pass of a controller whose config on disk already says what it would write
// (a restart): it asks HAProxy before trusting the disk, in every reload mode.

import { flushFiles, reconcileOnce } from '../../../src/controller/reconcile.js';
import type { HaproxyDriver } from '../../../src/controller/ports.js';
import { reconcileFakes, type Fakes } from '../../support/reconcile-fakes.js';
import { wireApp } from '../../support/wire-builders.js';

interface Setup {
  kind: HaproxyDriver['kind'];
  /** What the driver says of the running HAProxy (undefined: nothing answers). */
  follows: boolean | undefined;
  /** Live map entries HAProxy answers with (default: as the file says). */
  liveMaps?: Record<string, Map<string, string>>;
}

/** Fakes where a first pass already ran (HAProxy loaded it) and the disk holds its config. */
async function restarted(s: Setup): Promise<Fakes & { synced: number }> {
  const f = reconcileFakes();
  f.marathon.put(wireApp({ id: '/web', labels: { HAPROXY_0_VHOST: 'web.example.com' }, tasks: [[31000], [31001]] }));
  await reconcileOnce(f.deps, undefined, { full: true, apps: [], reasons: ['first run'] });
  f.haproxy.reloads = [];
  f.haproxy.batches.length = 0;
  const out = Object.assign(f, { synced: 0 });
  const h = f.haproxy as unknown as { -readonly [K in keyof HaproxyDriver]: HaproxyDriver[K] };
  h.kind = s.kind;
  h.followsDisk = async () => s.follows;
  h.synced = async () => { out.synced += 1; };
  h.readMap = async (name) => s.liveMaps?.[name];
  // The disk already says it: the writer finds nothing to change.
  (f.deps as { writer: Fakes['deps']['writer'] }).writer = { ...f.deps.writer, write: async () => ({ ok: true, changed: false }) };
  return out;
}

const start = (f: Fakes) => reconcileOnce(f.deps, undefined, { full: true, apps: [], reasons: ['startup'] });

describe('start-up with the config on disk already current', () => {
  it.each(['command', 'master'] as const)('%s: HAProxy runs another config (a run killed after the rename): reload', async (kind) => {
    const f = await restarted({ kind, follows: false });
    const r = await start(f);
    expect(r.outcome.result).toBe('reload');
    expect(r.outcome.reasons.join('\n')).toContain('another config than the one on disk');
    expect(f.haproxy.reloads).toHaveLength(1);
  });

  it.each(['command', 'master'] as const)('%s: no HAProxy answers: reload (which starts it, or runs the command)', async (kind) => {
    const f = await restarted({ kind, follows: undefined });
    const r = await start(f);
    expect(r.outcome.result).toBe('reload');
    expect(r.outcome.reasons).toContain('no haproxy answers on the admin socket');
  });

  it.each(['command', 'master'] as const)('%s: HAProxy follows the disk: no reload, its servers are checked', async (kind) => {
    const f = await restarted({ kind, follows: true });
    const r = await start(f);
    expect(r.outcome).toMatchObject({ result: 'noop', reasons: ['haproxy already runs the config on disk'], liveDifferences: [] });
    expect(f.haproxy.reloads).toEqual([]);
    expect(r.applied).toBeDefined();
  });

  it('HAProxy follows the disk but lost a server (a run killed mid runtime batch): corrected at run time', async () => {
    const f = await restarted({ kind: 'command', follows: true });
    f.haproxy.live.get('web_10000')!.delete('10_0_0_1_31001');
    const r = await start(f);
    expect(r.outcome.result).toBe('noop');
    expect(r.outcome.liveDifferences).toEqual(['backend web_10000: server 10_0_0_1_31001 missing']);
    expect(f.haproxy.batches.at(-1)!.map((o) => o.op)).toEqual(['add-server']);
    expect(f.haproxy.serving('web_10000')).toEqual(['10_0_0_1_31000', '10_0_0_1_31001']);
    expect(f.haproxy.reloads).toEqual([]);
  });

  it('servers HAProxy keeps retired (in maintenance) are counted, so enough of them still force the clearing reload', async () => {
    const f = await restarted({ kind: 'master', follows: true });
    f.haproxy.live.get('web_10000')!.set('10_0_0_1_30999', { addr: '10.0.0.1', port: 30999, admin: 0x01 });
    f.haproxy.live.get('web_10000')!.set('10_0_0_1_30998', { addr: '10.0.0.1', port: 30998, admin: 0 });
    const r = await start(f);
    expect(r.outcome.liveDifferences).toEqual(['backend web_10000: server 10_0_0_1_30998 should not be there']);
    expect([...r.applied!.retired.get('web_10000')!.keys()].sort()).toEqual(['10_0_0_1_30998', '10_0_0_1_30999']);
  });

  it('a map whose live entries differ from its file: reload', async () => {
    const f = await restarted({ kind: 'command', follows: true, liveMaps: { 'domain2backend.map': new Map([['old.example.com', 'web_10000']]) } });
    const r = await start(f);
    expect(r.outcome.result).toBe('reload');
    expect(r.outcome.reasons).toContain("map domain2backend.map: haproxy's entries differ from the file");
  });

  it('a correction the runtime API refuses: reload', async () => {
    const f = await restarted({ kind: 'master', follows: true });
    f.haproxy.live.get('web_10000')!.delete('10_0_0_1_31001');
    f.haproxy.runtime = async () => ({ ok: false, error: 'No such backend.' });
    const r = await start(f);
    expect(r.outcome.result).toBe('reload');
    expect(r.outcome.reasons.join('\n')).toContain('runtime API failed (No such backend.)');
  });

  it('none (no reload configured): servers are corrected at run time, whatever config HAProxy runs', async () => {
    const f = await restarted({ kind: 'none', follows: undefined });
    f.haproxy.live.get('web_10000')!.delete('10_0_0_1_31000');
    const r = await start(f);
    expect(r.outcome.result).toBe('noop');
    expect(r.outcome.liveDifferences).toEqual(['backend web_10000: server 10_0_0_1_31000 missing']);
    expect(f.haproxy.serving('web_10000')).toEqual(['10_0_0_1_31000', '10_0_0_1_31001']);
    expect(f.haproxy.reloads).toEqual([]);
  });

  it('a runtime change the files were made to say is recorded as followed (so a restart need not reload)', async () => {
    const f = await restarted({ kind: 'command', follows: true });
    const { applied } = await start(f);
    f.marathon.put(wireApp({ id: '/web', labels: { HAPROXY_0_VHOST: 'web.example.com' }, tasks: [[31000], [31001], [31002]] }));
    (f.deps as { writer: Fakes['deps']['writer'] }).writer = { ...f.deps.writer, write: async () => ({ ok: true, changed: true }) };
    const r = await reconcileOnce(f.deps, applied, { full: false, apps: ['/web'], reasons: ['event'] });
    expect(r.outcome.result).toBe('runtime');
    // Traffic first; the record follows once the loop has written the files.
    expect(f.synced).toBe(0);
    await flushFiles(f.deps, r.applied);
    expect(f.synced).toBe(1);
  });
});
