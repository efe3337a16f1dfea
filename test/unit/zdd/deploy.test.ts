// The deployment's step plan against hand-written fakes: a Marathon that keeps apps and tasks, and
// load balancers that behave like the controller (new healthy tasks UP; old tasks drained in id
// order by the blue/green rule; a withdrawn colour's tasks all drained; drained servers keep
// sessions for a while). Every kill and every delete is checked against what the load balancers
// showed at that moment.

import { describe, expect, it } from '@jest/globals';
import type { WireTask } from '../../../src/model/wire.js';
import { runZdd, type ZddDeps } from '../../../src/zdd/deploy.js';
import type { BackendView, ServerView } from '../../../src/zdd/drain-report.js';
import { EXIT, ZddError } from '../../../src/zdd/errors.js';
import type { AppJson } from '../../../src/zdd/labels.js';
import { drainCount } from '../../../src/zdd/steps.js';
import { parseZddArgs, type ZddOptions } from '../../../src/zdd/options.js';

interface FakeApp { app: AppJson; tasks: WireTask[] }

class World {
  readonly apps = new Map<string, FakeApp>();
  readonly actions: string[] = [];
  readonly violations: string[] = [];
  clock = 1_000_000;
  private seq = 0;
  private port = 31000;
  /** Sessions a freshly drained server still holds, counted down by one per observation. */
  readonly lingering = new Map<string, number>();
  /** Per load balancer: the colours it was asked to withdraw. */
  readonly withdrawn: Array<Set<string>>;
  constructor(readonly lbCount: number, readonly opts: { unhealthy?: (id: string) => boolean; sessions?: number; hookSays?: boolean; cannotWithdraw?: boolean } = {}) {
    this.withdrawn = Array.from({ length: lbCount }, () => new Set<string>());
  }

  addTasks(id: string, n: number): void {
    const a = this.apps.get(id)!;
    for (let i = 0; i < n; i += 1) {
      const healthy = !(this.opts.unhealthy?.(id) ?? false);
      this.seq += 1;
      a.tasks.push({ id: `${id.slice(1)}.t${String(this.seq).padStart(3, '0')}`, host: '10.0.0.1', ports: [this.port++], state: 'TASK_RUNNING', healthCheckResults: [{ alive: healthy }] });
    }
  }

  snapshot(id: string): AppJson {
    const a = this.apps.get(id)!;
    return { ...a.app, tasks: a.tasks.map((t) => ({ ...t })) };
  }

  /** What the controller would show: the group's servers with their state. */
  view(lb: number): BackendView {
    const all = [...this.apps.values()].sort((x, y) => String((x.app.labels as any).HAPROXY_DEPLOYMENT_STARTED_AT).localeCompare(String((y.app.labels as any).HAPROXY_DEPLOYMENT_STARTED_AT)));
    const servers = new Map<string, ServerView>();
    const name = (t: WireTask) => `10_0_0_1_${(t.ports as number[])[0]}`;
    const alive = (t: WireTask) => t.healthCheckResults?.[0]?.alive === true;
    const drain = (t: WireTask) => {
      const left = this.lingering.get(t.id!) ?? this.opts.sessions ?? 0;
      this.lingering.set(t.id!, Math.max(0, left - 1));
      servers.set(name(t), { status: 'MAINT', busy: left });
    };
    // A withdrawn colour drains whole, and the rest is merged without it (if any of the rest is healthy).
    const leaving = all.filter((a) => this.withdrawn[lb]!.has(a.app.id as string));
    const staying = all.filter((a) => !leaving.includes(a));
    const honoured = leaving.length > 0 && staying.some((a) => a.tasks.some(alive));
    const group = honoured ? staying : all;
    if (honoured) for (const a of leaving) for (const t of a.tasks) if (alive(t)) drain(t);
    const newest = group[group.length - 1];
    const old = group.length > 1 ? group[0] : undefined;
    for (const t of newest?.tasks ?? []) if (alive(t)) servers.set(name(t), { status: 'UP', busy: 0 });
    if (old) {
      const healthyNew = newest!.tasks.filter(alive).length;
      const target = Number((newest!.app.labels as any).HAPROXY_DEPLOYMENT_TARGET_INSTANCES);
      const n = drainCount({ oldTasks: old.tasks.length, oldInstances: old.app.instances as number, healthyNew, target, keepOld: 0 });
      const draining = new Set(old.tasks.map((t) => t.id!).sort().slice(0, n));
      for (const t of old.tasks) {
        if (!draining.has(t.id!)) servers.set(name(t), { status: 'UP', busy: 1 });
        else drain(t);
      }
    }
    return { backend: 'web_10000', workers: 1, servers };
  }

  deps(): ZddDeps {
    let lastViews: BackendView[] = [];
    return {
      marathon: {
        apps: async () => [...this.apps.keys()].map((id) => this.snapshot(id)),
        app: async (id) => (this.apps.has(id) ? this.snapshot(id) : undefined),
        create: async (app) => {
          this.actions.push(`create ${String(app.id)} ${String(app.instances)}`);
          this.apps.set(app.id as string, { app: { ...app }, tasks: [] });
          this.addTasks(app.id as string, app.instances as number);
        },
        scale: async (id, n) => {
          this.actions.push(`scale ${id} ${n}`);
          const a = this.apps.get(id)!;
          const more = n - a.tasks.length;
          a.app = { ...a.app, instances: n };
          if (more > 0) this.addTasks(id, more);
          else a.tasks.splice(n);
        },
        killTasks: async (ids) => {
          this.actions.push(`kill ${ids.length}`);
          for (const id of ids) {
            for (const v of lastViews) {
              const s = [...v.servers.entries()].find(([, _]) => true) && v.servers.get(`10_0_0_1_${this.portOf(id)}`);
              if (s && (s.status === 'UP' || s.busy > 0)) this.violations.push(`${id} killed while ${s.status} with ${s.busy} sessions`);
            }
          }
          for (const a of this.apps.values()) {
            const before = a.tasks.length;
            a.tasks = a.tasks.filter((t) => !ids.includes(t.id!));
            a.app = { ...a.app, instances: (a.app.instances as number) - (before - a.tasks.length) };
          }
        },
        remove: async (id) => {
          this.actions.push(`delete ${id}`);
          for (const t of this.apps.get(id)?.tasks ?? []) {
            for (const v of lastViews) {
              const s = v.servers.get(`10_0_0_1_${(t.ports as number[])[0]}`);
              if (s && (s.status === 'UP' || s.busy > 0)) this.violations.push(`${id} deleted while its task ${t.id!} was ${s.status} with ${s.busy} sessions`);
            }
          }
          this.apps.delete(id);
        },
        deployingApps: async () => new Set(),
      },
      lbs: {
        urls: Array.from({ length: this.lbCount }, (_, i) => `http://lb${i}:9090`),
        backend: async () => (lastViews = Array.from({ length: this.lbCount }, (_, i) => this.view(i))),
        withdraw: async (id, seconds) => this.withdrawn.map((set, i) => {
          this.actions.push(`withdraw ${id} ${seconds}s on lb${i}`);
          if (this.opts.cannotWithdraw) return `http://lb${i}:9090: HTTP 503: No server is available`;
          set.add(id);
          return undefined;
        }),
      },
      resolverFor: async () => () => undefined,
      sleep: async (ms) => { this.clock += ms; },
      now: () => this.clock,
      log: () => undefined,
      print: async () => undefined,
      confirm: async () => true,
      preKillHook: async () => this.opts.hookSays ?? true,
    };
  }

  private portOf(taskId: string): number | undefined {
    for (const a of this.apps.values()) for (const t of a.tasks) if (t.id === taskId) return (t.ports as number[])[0];
    return undefined;
  }
}

const labels = { HAPROXY_GROUP: 'external', HAPROXY_DEPLOYMENT_GROUP: 'web', HAPROXY_DEPLOYMENT_ALT_PORT: '10001' };
const def = (instances: number, extra: Record<string, unknown> = {}) => ({ id: '/web', instances, labels, portDefinitions: [{ port: 10000 }], healthChecks: [{ protocol: 'HTTP' }], ...extra });

function options(extra: string[] = []): ZddOptions {
  const r = parseZddArgs(['-m', 'http://m', '-l', 'http://lb0:9090', '-j', 'x', '-f', '-s', '1', '-w', '30', ...extra]);
  if (!r.ok) throw new Error(r.problem);
  return r.options;
}

async function deployTwice(world: World, first: number, second: number, extra: string[] = []): Promise<number> {
  expect(await runZdd(options(), def(first), world.deps())).toBe(EXIT.done);
  world.clock += 60_000;
  world.actions.length = 0;
  return runZdd(options(extra), def(second, { env: { V: '2' } }), world.deps());
}

describe('runZdd step plan', () => {
  it('first deployment creates the blue colour at full size and stops', async () => {
    const w = new World(1);
    expect(await runZdd(options(), def(3), w.deps())).toBe(EXIT.done);
    expect(w.actions).toEqual(['create /web-blue 3']);
  });

  it('3 -> 3: grows the new colour, kills only drained tasks, deletes the old colour', async () => {
    const w = new World(2);
    expect(await deployTwice(w, 3, 3)).toBe(EXIT.done);
    expect(w.actions).toEqual(['create /web-green 1', 'kill 1', 'scale /web-green 3', 'kill 2', 'delete /web-blue']);
    expect(w.violations).toEqual([]);
    expect([...w.apps.keys()]).toEqual(['/web-green']);
  });

  it('3 -> 10: keeps the old capacity until the new colour is big enough', async () => {
    const w = new World(1);
    expect(await deployTwice(w, 3, 10)).toBe(EXIT.done);
    expect(w.actions).toEqual(['create /web-green 1', 'scale /web-green 2', 'scale /web-green 10', 'kill 3', 'delete /web-blue']);
    expect(w.violations).toEqual([]);
  });

  it('waits for sessions on drained servers to end before killing', async () => {
    const w = new World(3, { sessions: 3 });
    expect(await deployTwice(w, 3, 3)).toBe(EXIT.done);
    expect(w.violations).toEqual([]);
    expect(w.actions).toContain('delete /web-blue');
  });

  it('--linear-increase grows by that many', async () => {
    const w = new World(1);
    expect(await deployTwice(w, 4, 4, ['--linear-increase', '1'])).toBe(EXIT.done);
    expect(w.actions.filter((a) => a.startsWith('scale'))).toEqual(['scale /web-green 2', 'scale /web-green 3', 'scale /web-green 4']);
    expect(w.violations).toEqual([]);
  });

  it('hybrid (--new-instances 2 of 6) stops with both colours serving', async () => {
    const w = new World(1);
    expect(await deployTwice(w, 6, 6, ['-n', '2', '-i', '2'])).toBe(EXIT.done);
    expect(w.actions).toEqual(['create /web-green 2', 'kill 2']);
    expect(w.apps.get('/web-blue')!.app.instances).toBe(4);
    expect(w.violations).toEqual([]);
  });

  it('a version that never becomes healthy is rolled back: its app deleted at once (it never took traffic), exit 2', async () => {
    const w = new World(2, { unhealthy: (id) => id === '/web-green' });
    expect(await deployTwice(w, 3, 3)).toBe(EXIT.error);
    expect(w.actions.filter((a) => !a.startsWith('withdraw'))).toEqual(['create /web-green 1', 'delete /web-green']);
    expect(w.apps.get('/web-blue')!.tasks).toHaveLength(3);
    expect(w.violations).toEqual([]);
  });

  it('a pre-kill hook that says no after a new task serves: the new colour is withdrawn on every LB, drained, deleted; exit 1', async () => {
    const w = new World(2, { hookSays: false, sessions: 2 });
    expect(await deployTwice(w, 3, 3)).toBe(EXIT.declined);
    expect(w.actions).not.toContain('kill 1');
    expect(w.actions).toContain('withdraw /web-green 30s on lb0');
    expect(w.actions).toContain('withdraw /web-green 30s on lb1');
    expect(w.actions.at(-1)).toBe('delete /web-green');
    expect([...w.apps.keys()]).toEqual(['/web-blue']);
    expect(w.apps.get('/web-blue')!.tasks).toHaveLength(3);
    // Deleted only once every new task was out of rotation with no session, on both LBs.
    expect(w.violations).toEqual([]);
  });

  it('a load balancer that cannot withdraw (an older one): the new colour is left in place, exit 2, and the error says which', async () => {
    const w = new World(1, { hookSays: false, cannotWithdraw: true });
    await expect(deployTwice(w, 3, 3)).rejects.toMatchObject({ code: EXIT.error, message: expect.stringMatching(/rollback incomplete: 1 tasks .*lb0:9090: HTTP 503/) });
    expect(w.actions).not.toContain('delete /web-green');
    expect(w.apps.get('/web-blue')!.tasks).toHaveLength(3);
  });

  it('two colours without --resume/--complete-*: refuses; --complete-* without a hybrid: exit 3', async () => {
    const w = new World(1);
    await runZdd(options(), def(6), w.deps());
    w.clock += 60_000;
    await runZdd(options(['-n', '2']), def(6), w.deps());
    await expect(runZdd(options(), def(6), w.deps())).rejects.toMatchObject({ code: EXIT.error });
    const plain = new World(1);
    await runZdd(options(), def(3), plain.deps());
    await expect(runZdd(options(['--complete-cur']), def(3), plain.deps())).rejects.toMatchObject({ code: EXIT.noHybrid });
  });

  it('--complete-cur finishes a hybrid deployment as soon as the old tasks are drained', async () => {
    const w = new World(1);
    await deployTwice(w, 6, 6, ['-n', '2', '-i', '2']);
    w.actions.length = 0;
    expect(await runZdd(options(['--complete-cur']), def(6), w.deps())).toBe(EXIT.done);
    expect(w.actions).toEqual(['scale /web-green 3', 'kill 1', 'scale /web-green 6', 'kill 3', 'delete /web-blue']);
    expect(w.violations).toEqual([]);
  });

  it('--resume finishes a deployment that was interrupted (here: a kill failed, exit 9)', async () => {
    const w = new World(2);
    await runZdd(options(), def(3), w.deps());
    w.clock += 60_000;
    const failing = w.deps();
    let failed = false;
    const broken: ZddDeps = { ...failing, marathon: { ...failing.marathon, killTasks: async (ids) => {
      if (!failed) { failed = true; throw new ZddError(EXIT.scaleFailed, 'Marathon said no'); }
      return failing.marathon.killTasks(ids);
    } } };
    await expect(runZdd(options(), def(3, { env: { V: '2' } }), broken)).rejects.toMatchObject({ code: EXIT.scaleFailed });
    expect([...w.apps.keys()].sort()).toEqual(['/web-blue', '/web-green']);
    await expect(runZdd(options(), def(3, { env: { V: '2' } }), w.deps())).rejects.toMatchObject({ code: EXIT.error, message: expect.stringContaining('--resume') });
    w.actions.length = 0;
    expect(await runZdd(options(['--resume']), def(3, { env: { V: '2' } }), w.deps())).toBe(EXIT.done);
    expect(w.actions).toEqual(['kill 1', 'scale /web-green 3', 'kill 2', 'delete /web-blue']);
    expect(w.violations).toEqual([]);
  });

  it('dry run creates nothing', async () => {
    const w = new World(1);
    await runZdd(options(), def(3), w.deps());
    w.actions.length = 0;
    expect(await runZdd(options(['-d']), def(10), w.deps())).toBe(EXIT.done);
    expect(w.actions).toEqual([]);
  });
});
