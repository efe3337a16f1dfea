// Carries out a runtime plan on the admin socket. Leaving servers are drained first (no new
// connections, existing ones finish) before they are removed; new servers are added and then
// enabled. Any failure is returned so the caller can fall back to a reload, which is always
// correct because the files on disk already hold the new config.

import { join } from 'node:path';
import type { RuntimeOp } from './plan.js';
import { mustRun, runtimeCommand, showStat } from './runtime-api.js';

export interface RuntimeApplyOptions {
  readonly socket: string;
  /** Directory of the map files (the config's directory), as HAProxy loaded them. */
  readonly mapDir: string;
  /** How long a leaving server may keep its connections before they are cut. */
  readonly drainTimeoutMs: number;
}

export interface RuntimeApplyResult {
  readonly ok: boolean;
  readonly applied: number;
  readonly failed?: RuntimeOp | undefined;
  readonly error?: string | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sessionsOf(socket: string, targets: ReadonlyArray<{ backend: string; server: string }>): Promise<number> {
  const stats = await showStat(socket);
  let total = 0;
  for (const t of targets) {
    const row = stats.find((r) => r.pxname === t.backend && r.svname === t.server);
    total += Number(row?.scur ?? 0) + Number(row?.qcur ?? 0);
  }
  return total;
}

export async function applyRuntimeOps(ops: readonly RuntimeOp[], o: RuntimeApplyOptions): Promise<RuntimeApplyResult> {
  let applied = 0;
  let current: RuntimeOp | undefined;
  try {
    const leaving = ops.filter((x): x is Extract<RuntimeOp, { op: 'del-server' }> => x.op === 'del-server');
    for (const x of leaving) { current = x; await mustRun(o.socket, `set server ${x.backend}/${x.server} state drain`); }
    const deadline = Date.now() + o.drainTimeoutMs;
    while (leaving.length > 0 && Date.now() < deadline && (await sessionsOf(o.socket, leaving)) > 0) await sleep(100);
    for (const x of leaving) {
      current = x;
      await mustRun(o.socket, `set server ${x.backend}/${x.server} state maint`);
      await runtimeCommand(o.socket, `shutdown sessions server ${x.backend}/${x.server}`);
      await delServer(o.socket, x.backend, x.server);
      applied += 1;
    }
    for (const x of ops) {
      current = x;
      if (x.op === 'add-server') {
        await mustRun(o.socket, `add server ${x.backend}/${x.server} ${x.args}`);
        const words = x.args.split(/\s+/);
        if (!words.includes('disabled')) {
          if (words.includes('check')) await mustRun(o.socket, `enable health ${x.backend}/${x.server}`);
          await mustRun(o.socket, `enable server ${x.backend}/${x.server}`);
        }
      } else if (x.op === 'add-map') {
        await mustRun(o.socket, `add map ${join(o.mapDir, x.map)} ${x.key} ${x.value}`);
      } else if (x.op === 'set-map') {
        await mustRun(o.socket, `set map ${join(o.mapDir, x.map)} ${x.key} ${x.value}`);
      } else if (x.op === 'del-map') {
        await mustRun(o.socket, `del map ${join(o.mapDir, x.map)} ${x.key}`);
      } else continue;
      applied += 1;
    }
    return { ok: true, applied };
  } catch (err) {
    return { ok: false, applied, failed: current, error: (err as Error).message };
  }
}

/** `del server` refuses while connections are still being released; retry briefly. */
async function delServer(socket: string, backend: string, server: string): Promise<void> {
  let last = '';
  for (let i = 0; i < 20; i += 1) {
    const answer = await runtimeCommand(socket, `del server ${backend}/${server}`);
    if (/Server deleted/.test(answer)) return;
    last = answer.trim();
    await sleep(100);
  }
  throw new Error(`del server ${backend}/${server}: ${last}`);
}
