// Carries out a runtime plan on the admin socket, in the plan's order. A new server is added,
// gets its health checks enabled (when its line has `check`) and is then enabled (dynamic
// servers start in maintenance). A leaving server is drained (no new traffic; existing
// sessions finish, bounded by a timeout), then retired: checks off, maintenance, and the sessions
// still open at the drain's deadline cut. The first
// failure stops the run and is returned, so the caller can fall back to a reload - which is
// always correct, because the files on disk already hold the new config.

import { join } from 'node:path';
import { checkDynamicServerArgs, startsDisabled, wantsHealthCheck } from './dynamic-server-args.js';
import type { RuntimeOp } from './plan.js';
import {
  addMapEntry, addServer, cliWord, delMapEntry, enableHealth, mustRun, runtimeCommand, RuntimeApiError, setMapEntry,
  setServerAddr, setServerState, showStat,
} from './runtime-api.js';

export interface RuntimeApplyOptions {
  /** The admin (stats) socket. */
  readonly socket: string;
  /** Directory of the map files (the config's directory): HAProxy names file maps by path. */
  readonly mapDir: string;
  /** How long a leaving server may keep its sessions before they are cut. */
  readonly drainTimeoutMs: number;
  /** Poll interval while draining (default 100 ms). */
  readonly pollMs?: number;
}

export interface RuntimeApplyResult {
  readonly ok: boolean;
  /** How many ops took effect. */
  readonly applied: number;
  readonly failed?: RuntimeOp | undefined;
  readonly error?: string | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type ServerRef = { readonly backend: string; readonly server: string };

/**
 * Current + queued sessions of each server (missing servers count 0). Asks for the servers of
 * the backends concerned only: the whole `show stat` grows with the cluster.
 */
async function busy(socket: string, targets: readonly ServerRef[]): Promise<ServerRef[]> {
  const rows: Array<Record<string, string>> = [];
  for (const backend of new Set(targets.map((t) => t.backend))) rows.push(...await showStat(socket, backend));
  return targets.filter((t) => {
    const row = rows.find((r) => r.pxname === t.backend && r.svname === t.server);
    return Number(row?.scur || 0) + Number(row?.qcur || 0) > 0;
  });
}

/** Drains servers together (so N leaving servers wait once, not N times). Returns those still busy at the deadline. */
async function drainAll(o: RuntimeApplyOptions, servers: readonly ServerRef[]): Promise<ServerRef[]> {
  for (const s of servers) await setServerState(o.socket, s.backend, s.server, 'drain');
  const deadline = Date.now() + o.drainTimeoutMs;
  let left = await busy(o.socket, servers);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(o.pollMs ?? 100);
    left = await busy(o.socket, left);
  }
  return left;
}

/**
 * Stop its checks, maintenance, then cut what the drain could not wait for (`cut`: it was still
 * busy at the deadline, or it was not drained first). A drained server's sessions are left to
 * end by themselves: a request HAProxy gave it in the instant before the drain can appear in
 * the stats after the drain read them as zero, and cutting it would fail that request (seen as
 * one "socket hang up" in 12,000 through a kill). The server is not deleted: on HAProxy 2.6.12
 * `del server` crashes the worker (SIGSEGV) when a stream still refers to the server, which a
 * request loop through a just-killed task reproduces within seconds. A retired server takes no
 * traffic and is gone after the next reload (the file no longer has it).
 */
async function retireServer(o: RuntimeApplyOptions, s: ServerRef, cut: boolean): Promise<void> {
  // Answers an error for a server without checks or agent: that is fine.
  await runtimeCommand(o.socket, `disable health ${s.backend}/${s.server}`);
  await runtimeCommand(o.socket, `disable agent ${s.backend}/${s.server}`);
  await setServerState(o.socket, s.backend, s.server, 'maint');
  if (cut) await runtimeCommand(o.socket, `shutdown sessions server ${s.backend}/${s.server}`);
}

/**
 * Adds a server and puts it in service in one exchange with the CLI (commands separated by ';'):
 * this is the critical path of a scale-up, and each connection to the socket costs a round trip.
 */
async function addAndEnable(o: RuntimeApplyOptions, op: Extract<RuntimeOp, { op: 'add-server' }>): Promise<void> {
  const { words } = checkDynamicServerArgs(op.args);
  const ref = `${op.backend}/${op.server}`;
  const follow = startsDisabled(words) ? [] : [...(wantsHealthCheck(words) ? [`enable health ${ref}`] : []), `enable server ${ref}`];
  if (/[;\r\n]/.test(op.args) || follow.length === 0) {
    await addServer(o.socket, op.backend, op.server, op.args);
    for (const c of follow) await mustRun(o.socket, c);
    return;
  }
  const command = [`add server ${ref} ${op.args}`, ...follow].join('; ');
  const answer = await runtimeCommand(o.socket, command);
  // "New server registered." then nothing from the enable commands (they answer only on error).
  const rest = answer.trim().replace(/^New server registered\./, '').trim();
  if (!/^New server registered\./.test(answer.trim()) || rest !== '') throw new RuntimeApiError(command, answer);
}

export async function applyRuntimeOps(ops: readonly RuntimeOp[], o: RuntimeApplyOptions): Promise<RuntimeApplyResult> {
  let applied = 0;
  let i = 0;
  /** "backend/server" of the servers drained in this run that were idle before the deadline. */
  const drained = new Set<string>();
  while (i < ops.length) {
    const op = ops[i]!;
    try {
      if (op.op === 'drain-server') {
        // Consecutive drains run together.
        let j = i;
        while (j < ops.length && ops[j]!.op === 'drain-server') j += 1;
        const batch = ops.slice(i, j) as Array<Extract<RuntimeOp, { op: 'drain-server' }>>;
        try {
          const busyAtDeadline = new Set((await drainAll(o, batch)).map((s) => `${s.backend}/${s.server}`));
          for (const s of batch) if (!busyAtDeadline.has(`${s.backend}/${s.server}`)) drained.add(`${s.backend}/${s.server}`);
        } catch (err) {
          return { ok: false, applied, failed: op, error: (err as Error).message };
        }
        applied += batch.length;
        i = j;
        continue;
      }
      if (op.op === 'retire-server') await retireServer(o, op, !drained.has(`${op.backend}/${op.server}`));
      else if (op.op === 'add-server') await addAndEnable(o, op);
      else if (op.op === 'revive-server') {
        if (wantsHealthCheck(checkDynamicServerArgs(op.args).words)) await enableHealth(o.socket, op.backend, op.server);
        await setServerState(o.socket, op.backend, op.server, 'ready');
      } else if (op.op === 'set-addr') await setServerAddr(o.socket, op.backend, op.server, op.addr, op.port);
      else if (op.op === 'set-weight') await mustRun(o.socket, `set server ${cliWord(op.backend)}/${cliWord(op.server)} weight ${op.weight}`);
      else if (op.op === 'set-state') await setServerState(o.socket, op.backend, op.server, op.state);
      else if (op.op === 'add-map') await addMapEntry(o.socket, join(o.mapDir, op.map), op.key, op.value);
      else if (op.op === 'set-map') await setMapEntry(o.socket, join(o.mapDir, op.map), op.key, op.value);
      else await delMapEntry(o.socket, join(o.mapDir, op.map), op.key);
    } catch (err) {
      return { ok: false, applied, failed: op, error: (err as Error).message };
    }
    applied += 1;
    i += 1;
  }
  return { ok: true, applied };
}
