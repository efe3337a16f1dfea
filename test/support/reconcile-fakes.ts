// Hand-written fakes for a reconcile pass: a Marathon that counts reads, a writer that records
// what it was asked to write, and an HAProxy whose live servers follow the runtime ops it is
// given (so the pass's read-back sees what a real HAProxy would).

import { ClusterModel } from '../../src/controller/cluster-model.js';
import { createRenderer } from '../../src/controller/renderer.js';
import type { ReconcileDeps } from '../../src/controller/reconcile.js';
import type { HaproxyDriver, RuntimeOpLike } from '../../src/controller/ports.js';
import { builtinTemplateDir, readTemplateDir, resolveTemplates } from '../../src/config/index.js';
import type { RuntimeOp, ServerStateRow } from '../../src/haproxy/index.js';
import type { WireApp } from '../../src/model/wire.js';
import type { Settings } from '../../src/settings.js';
import { options } from '../unit/model/wire-fixtures.js';
import { renderOptions } from './render-support.js';

export class FakeMarathon {
  readonly apps = new Map<string, WireApp>();
  listCalls = 0;
  readonly getCalls: string[] = [];
  failNext = 0;
  put(app: WireApp): void { this.apps.set(app.id!, app); }
  async listApps(): Promise<WireApp[]> {
    this.listCalls += 1;
    if (this.failNext > 0) { this.failNext -= 1; throw new Error('Marathon answered 500'); }
    return [...this.apps.values()];
  }
  async getApp(id: string): Promise<WireApp | undefined> {
    this.getCalls.push(id);
    if (this.failNext > 0) { this.failNext -= 1; throw new Error('Marathon answered 500'); }
    return this.apps.get(id);
  }
}

interface LiveServer { addr: string; port: number; admin: number; id?: number }

const idIn = (args: string): number | undefined => {
  const m = /(?:^|\s)id\s+(\d+)(?=\s|$)/.exec(args);
  return m ? Number(m[1]) : undefined;
};

/** HAProxy's choice for a server without an `id`: the lowest one no server of the backend has. */
function lowestFreeId(servers: ReadonlyMap<string, LiveServer>): number {
  const used = new Set([...servers.values()].map((s) => s.id));
  let id = 1;
  while (used.has(id)) id += 1;
  return id;
}

/**
 * Live servers per backend, changed by runtime ops and replaced by reloads (from the written
 * config). Server ids behave as in HAProxy 2.6: an `id` a server of the backend already has is
 * refused ("custom id N already used"; retired servers keep theirs), and a server without one
 * gets the lowest free id.
 */
export class FakeHaproxy implements HaproxyDriver {
  readonly kind = 'master' as const;
  readonly live = new Map<string, Map<string, LiveServer>>();
  readonly batches: RuntimeOp[][] = [];
  reloads: string[][] = [];
  lastConfig = '';
  /** Set by a test to say which new service ports cannot be bound. */
  cannotBind?: HaproxyDriver['cannotBind'];
  /** What HAProxy would have refused for a server id, config lines and `add server` alike. */
  readonly idRefusals: string[] = [];
  async reload(reasons: readonly string[]) {
    this.reloads.push([...reasons]);
    // A reload loads every server line of the config, in service.
    this.live.clear();
    let backend = '';
    const unnumbered: Array<[Map<string, LiveServer>, LiveServer]> = [];
    for (const line of this.lastConfig.split('\n')) {
      const b = /^backend (\S+)/.exec(line);
      if (b) { backend = b[1]!; this.live.set(backend, new Map()); continue; }
      const s = /^\s+server (\S+) ([\d.]+):(\d+)(.*)$/.exec(line);
      if (!s || !backend) continue;
      const servers = this.live.get(backend)!;
      const id = idIn(s[4]!);
      if (id !== undefined && [...servers.values()].some((x) => x.id === id)) {
        this.idRefusals.push(`config: backend ${backend}: server ${s[1]}: custom id ${id} already used`);
        return { ok: false, detail: `[ALERT] (1) : backend ${backend}: server ${s[1]}: custom id ${id} already used` };
      }
      const server = { addr: s[2]!, port: Number(s[3]), admin: / disabled/.test(s[4]!) ? 0x04 : 0, id };
      servers.set(s[1]!, server);
      if (id === undefined) unnumbered.push([servers, server]);
    }
    // HAProxy numbers the servers without an id once the config is read.
    for (const [servers, server] of unnumbered) server.id = lowestFreeId(servers);
    return { ok: true };
  }
  async runtime(ops: readonly RuntimeOpLike[]) {
    this.batches.push(ops as RuntimeOp[]);
    for (const op of ops as RuntimeOp[]) {
      if (!('backend' in op)) continue;
      const b = this.live.get(op.backend) ?? this.live.set(op.backend, new Map()).get(op.backend)!;
      if (op.op === 'add-server') {
        if (b.has(op.server)) return { ok: false, error: 'Already exists a server with the same name' };
        const [addr, port] = op.args.split(' ')[0]!.split(':');
        const id = idIn(op.args);
        if (id !== undefined && [...b.values()].some((x) => x.id === id)) {
          this.idRefusals.push(`add server ${op.backend}/${op.server}: custom id ${id} already used`);
          return { ok: false, error: `'id' : custom id ${id} already used` };
        }
        b.set(op.server, { addr: addr!, port: Number(port), admin: / disabled/.test(op.args) ? 0x01 : 0, id: id ?? lowestFreeId(b) });
      } else if (op.op === 'drain-server') b.get(op.server)!.admin |= 0x08;
      else if (op.op === 'retire-server') b.get(op.server)!.admin |= 0x01;
      else if (op.op === 'revive-server') b.get(op.server)!.admin = 0;
      else if (op.op === 'set-state') b.get(op.server)!.admin = op.state === 'ready' ? 0 : op.state === 'drain' ? 0x08 : 0x01;
    }
    return { ok: true };
  }
  async readServers(backends?: readonly string[]): Promise<ServerStateRow[]> {
    const rows: ServerStateRow[] = [];
    for (const [backend, servers] of this.live) {
      if (backends && !backends.includes(backend)) continue;
      for (const [server, s] of servers) {
        rows.push({ backend, backendId: 1, server, serverId: s.id ?? 0, addr: s.addr, port: s.port, opState: 2, adminState: s.admin, weight: 1 });
      }
    }
    return rows;
  }
  async stop() {}
  /** Names of the servers in service (not in maintenance or drain) per backend. */
  serving(backend: string): string[] {
    return [...(this.live.get(backend) ?? new Map<string, LiveServer>())].filter(([, s]) => s.admin === 0).map(([n]) => n).sort();
  }
}

export interface Fakes {
  readonly deps: ReconcileDeps;
  readonly marathon: FakeMarathon;
  readonly haproxy: FakeHaproxy;
  readonly writes: Array<{ config: string; validate: boolean }>;
}

export function reconcileFakes(settings: Partial<Settings> = {}): Fakes {
  const marathon = new FakeMarathon();
  const haproxy = new FakeHaproxy();
  const writes: Array<{ config: string; validate: boolean }> = [];
  const templates = resolveTemplates({ builtin: readTemplateDir(builtinTemplateDir()), files: {}, env: {} });
  const deps: ReconcileDeps = {
    settings: { dry: false, skipConfigCleanup: false, ...settings } as Settings,
    apps: marathon,
    cluster: new ClusterModel(options()),
    resolver: { prepare: async () => {}, resolve: (h: string) => h } as unknown as ReconcileDeps['resolver'],
    render: createRenderer(templates, renderOptions()),
    writer: {
      async write(config, _maps, opts) {
        writes.push({ config, validate: opts?.validate !== false });
        haproxy.lastConfig = config;
        return { ok: true, changed: true };
      },
      // As the real writer: pieces consumed in order, `stop` asked between them (each piece is
      // a slice here), nothing kept when it says yes.
      async writeUnchecked(pieces, _maps, stop) {
        let config = '';
        for (const p of pieces) {
          config += p;
          if (stop()) return { ok: true, changed: false, stopped: true };
        }
        writes.push({ config, validate: false });
        haproxy.lastConfig = config;
        return { ok: true, changed: true };
      },
      async validateCurrent() { return { ok: true, changed: false }; },
    },
    haproxy,
    now: () => 0,
  };
  return { deps, marathon, haproxy, writes };
}
