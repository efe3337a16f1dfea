// The cost of one reconcile pass for a one-app change, in-process, on a synthetic cluster
// (default 10,000 apps): a task added to one app, as a status_update_event would bring it.
//
//   node dist-bench/bench/pass-cost.js [--size 10000] [--runs 30]
//
// Marathon is a fake that answers from memory; HAProxy is a fake that records runtime ops; the
// files are really written (to a temp dir, without haproxy -c, as the runtime path does). It
// prints the time until the runtime ops are handed to HAProxy (the critical path: what a task
// change waits for), the whole pass, and the config rewrite the loop does afterwards when idle,
// as medians and p90, next to a full pass over the same cluster. It asserts nothing.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { builtinTemplateDir, readTemplateDir, resolveTemplates } from '../src/config/index.js';
import { ClusterModel } from '../src/controller/cluster-model.js';
import { flushFiles, reconcileOnce, type AppliedState, type ReconcileDeps } from '../src/controller/reconcile.js';
import { createRenderer } from '../src/controller/renderer.js';
import { applyConfigFiles, writeUncheckedFiles } from '../src/haproxy/index.js';
import type { WireApp } from '../src/model/wire.js';
import type { Settings } from '../src/settings.js';
import { median } from './stats.js';
import { synthesizeCluster } from './synth-cluster.js';

function arg(flag: string, fallback: number): number {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const p90 = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)] ?? NaN;
const ms = (x: number) => `${x.toFixed(2)} ms`;

async function main(): Promise<void> {
  const size = arg('--size', 10000);
  const runs = arg('--runs', 30);
  const cluster = synthesizeCluster(size);
  const apps = new Map(cluster.apps.map((a) => [a.id!, a]));
  const dir = mkdtempSync(join(tmpdir(), 'mlb-pass-cost-'));
  let handedOver = 0;
  const deps: ReconcileDeps = {
    settings: { dry: false, skipConfigCleanup: false, groups: ['external'] } as unknown as Settings,
    apps: {
      listApps: async () => [...apps.values()],
      getApp: async (id: string) => apps.get(id),
    },
    cluster: new ClusterModel({
      groups: ['*'], strictMode: false, healthCheck: false, minServPortIpPerTask: 10050, maxServPortIpPerTask: 10100,
      frameworkName: undefined, resolve: cluster.resolve, healthCache: new Map(),
    } as unknown as ConstructorParameters<typeof ClusterModel>[0]),
    resolver: { prepare: async () => {}, resolve: cluster.resolve } as unknown as ReconcileDeps['resolver'],
    render: createRenderer(resolveTemplates({ builtin: readTemplateDir(builtinTemplateDir()), files: {}, env: {} }), {
      haproxyDir: dir, sslCerts: [join(dir, 'cert.pem')], haproxyMap: false, dontBindHttpHttps: false, groupHttpsByVhost: false,
      builtins: {
        luaDir: '/usr/share/marathon-lb/lua', runDir: dir, pidFile: join(dir, 'pid'), statusPort: '9092', adminPort: '9090', httpPort: '80',
        httpsPort: '443', appidPort: '9091', bindAddress: '*', globalOptions: '', hardStopAfter: '5m', controllerServer: '127.0.0.1:9092',
        adminBindAddress: '*', adminWriteNetworks: '0.0.0.0/0 ::/0',
      },
    }),
    writer: {
      write: (config, maps) => applyConfigFiles({ configPath: join(dir, 'haproxy.cfg'), config, maps, validate: false, bin: 'haproxy', archiveVersions: 0 }),
      writeUnchecked: (pieces, maps, stop) => writeUncheckedFiles({ configPath: join(dir, 'haproxy.cfg'), pieces, maps, archiveVersions: 0, stop }),
      validateCurrent: async () => ({ ok: true, changed: false }),
    },
    haproxy: {
      kind: 'master',
      reload: async () => ({ ok: true }),
      runtime: async () => { if (handedOver === 0) handedOver = performance.now(); return { ok: true }; },
      // No live HAProxy to read back here (the read-back is measured by the latency benchmark).
      readServers: async () => { throw new Error('no admin socket'); },
      stop: async () => {},
    },
    now: () => Date.now(),
  };

  const t0 = performance.now();
  let applied: AppliedState | undefined = (await reconcileOnce(deps, undefined, { full: true, apps: [], reasons: ['start'] })).applied;
  const fullMs = performance.now() - t0;

  // The app to change: one with tasks, whose backend takes dynamic servers.
  const target = cluster.apps.find((a) => (a.tasks?.length ?? 0) > 0 && !JSON.stringify(a.labels).includes('STICKY') && !JSON.stringify(a.labels).includes('BALANCE'))!;
  const critical: number[] = [];
  const whole: number[] = [];
  const flushes: number[] = [];
  // The longest time the event loop could not run during a rewrite: what an event arriving
  // then would wait for before its pass could start.
  const blocked = monitorEventLoopDelay({ resolution: 1 });
  const flushBlocks: number[] = [];
  const results = new Map<string, number>();
  for (let i = 0; i < runs; i += 1) {
    // A new task on a new port; every other run takes it away again.
    const base = apps.get(target.id!)!;
    const tasks = [...(base.tasks ?? [])];
    if (i % 2 === 0) tasks.push({ ...tasks[0]!, id: `${tasks[0]!.id}-extra-${i}`, ports: (tasks[0]!.ports ?? []).map((p) => p + 1000 + i) });
    else tasks.pop();
    apps.set(target.id!, { ...base, tasks } as WireApp);
    const start = performance.now();
    handedOver = 0;
    const r = await reconcileOnce(deps, applied, { full: false, apps: [target.id!], reasons: ['event:status_update_event'] });
    const end = performance.now();
    applied = r.applied;
    const flushStart = performance.now();
    blocked.reset();
    blocked.enable();
    await flushFiles(deps, applied);
    blocked.disable();
    if (i >= 4) {
      flushes.push(performance.now() - flushStart);
      flushBlocks.push(blocked.max / 1e6);
    }
    const kind = `${r.outcome.result}${r.outcome.scope ? '' : ' (full path)'}`;
    results.set(kind, (results.get(kind) ?? 0) + 1);
    if (process.env['BENCH_DEBUG']) console.log(r.outcome.reasons.slice(0, 3));
    if (i < 4) continue; // warm-up
    if (handedOver > 0) critical.push(handedOver - start);
    whole.push(end - start);
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`one-app change on a ${size}-app cluster (${cluster.taskCount} tasks), ${runs} passes (4 warm-up), node ${process.version}`);
  console.log(`  pass results: ${[...results].map(([k, v]) => `${k} x${v}`).join(', ')}`);
  console.log(`  event -> runtime ops handed to HAProxy: median ${ms(median(critical))}, p90 ${ms(p90(critical))}`);
  console.log(`  whole pass (incl. reading HAProxy back): median ${ms(median(whole))}, p90 ${ms(p90(whole))}`);
  console.log(`  config file rewrite, done by the loop when idle: median ${ms(median(flushes))}, p90 ${ms(p90(flushes))}`);
  console.log(`    longest stretch without the event loop during it: median ${ms(median(flushBlocks))}, p90 ${ms(p90(flushBlocks))} (a rewrite stops between slices for an event)`);
  console.log(`  for comparison, the first full pass (fetch, normalize, render, write, no haproxy -c): ${ms(fullMs)}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
