// Binds the reconcile pass's ports to the real HAProxy: files (validate + atomic write) and the
// driver that makes HAProxy pick them up (supervised master, external command, or none).

import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import {
  applyConfigFiles, applyRuntimeOps, connectHaproxyMaster, marathonLbDefaultReload, runReloadCommand, runtimeCommand, showMap, showServersState, startHaproxyMaster,
  validateConfig, withoutPids, writeUncheckedFiles, type ApplyFilesStep, type HaproxyMaster, type HaproxyRecord, type RuntimeOp, type ServerStateRow,
} from '../haproxy/index.js';
import type { Settings } from '../settings.js';
import { bindProblem } from './bind-check.js';
import { certificatesReady } from './certificates.js';
import { configDigest, readLoadedRecord, writeLoadedRecord } from './loaded-config.js';
import { RepeatFilter } from './log-repeats.js';
import type { ConfigWriter, HaproxyDriver, ReloadResult } from './ports.js';

/** The named steps of an apply, in order (the crash test kills the controller at each). */
export const APPLY_STEPS = ['temp-written', 'renamed', 'runtime-applied', 'before-reload', 'after-reload'] as const;
export type ApplyStep = ApplyFilesStep | 'runtime-applied' | 'before-reload' | 'after-reload';

/** Seams for tests: called at each step of an apply. */
export interface AdapterHooks {
  readonly step?: ((step: ApplyStep) => void) | undefined;
}

/**
 * For the crash test only (main.ts wires it from MLB_TEST_CRASH_AT): the process kills itself
 * with SIGKILL, no cleanup of any kind, the first time it reaches the named step.
 */
export function crashAtStep(at: string | undefined): AdapterHooks {
  if (!at) return {};
  if (!(APPLY_STEPS as readonly string[]).includes(at)) throw new Error(`MLB_TEST_CRASH_AT: unknown step ${at} (one of ${APPLY_STEPS.join(', ')})`);
  return { step: (s) => { if (s === at) process.kill(process.pid, 'SIGKILL'); } };
}

/** marathon-lb's admin socket path: its reload script, zdd and operators' scripts expect it. */
export function adminSocket(s: Settings): string {
  return join(s.runDir, 'socket');
}

export function masterSocket(s: Settings): string {
  return join(s.runDir, 'haproxy-master.sock');
}

export function createConfigWriter(s: Settings, _log: Logger, hooks: AdapterHooks = {}): ConfigWriter {
  return {
    // HAProxy reads the certificate when it checks or loads the config: it must be there first.
    write: async (config, maps, opts) => {
      await certificatesReady();
      return applyConfigFiles({
        configPath: s.haproxyConfig, config, maps, validate: !s.skipValidation && opts?.validate !== false, bin: s.haproxyBin, archiveVersions: s.archiveVersions,
        onStep: hooks.step,
      });
    },
    // Nothing is validated here, so the certificate need not be there yet.
    writeUnchecked: (pieces, maps, stop) => writeUncheckedFiles({
      configPath: s.haproxyConfig, pieces, maps, archiveVersions: s.archiveVersions, stop, onStep: hooks.step,
    }),
    check: async (config, maps) => {
      await certificatesReady();
      return applyConfigFiles({
        configPath: s.haproxyConfig, config, maps, validate: true, bin: s.haproxyBin, archiveVersions: 0, checkOnly: true,
      });
    },
    current: () => readFile(s.haproxyConfig, 'utf8').catch(() => undefined),
    async validateCurrent() {
      if (s.skipValidation) return { ok: true, changed: false };
      await certificatesReady();
      const v = await validateConfig({ bin: s.haproxyBin, file: s.haproxyConfig });
      return v.ok ? { ok: true, changed: false } : { ok: false, alerts: v.alerts, output: v.output };
    },
  };
}

/**
 * Saves the servers' state (health, maintenance) where the HEAD's `server-state-file` points,
 * so a reload does not forget that a server was down or draining (marathon-lb's reload script did this).
 */
async function saveServerState(s: Settings): Promise<void> {
  const socket = adminSocket(s);
  if (!existsSync(socket)) return;
  try {
    const state = await runtimeCommand(socket, 'show servers state', 5_000);
    if (state.startsWith('1\n')) await writeFile(join(s.runDir, 'server-state'), state);
  } catch { /* best effort: a reload without saved state is still correct */ }
}

/** Restarts of a dead supervised master before the controller gives up (about 6 s in all). */
const RESTART_ATTEMPTS = 5;

export interface DriverHooks {
  /** A supervised master exited on its own. */
  readonly onMasterExit?: () => void;
  readonly onRestart?: (result: 'success' | 'failure') => void;
  /** One runtime API operation, by result (after a failure the batch stops: a reload follows). */
  readonly onRuntimeOp?: (op: string, result: 'success' | 'failure' | 'no_socket') => void;
}

/**
 * Logs what the supervised HAProxy prints. HAProxy repeats its warnings on every reload: each
 * warning or alert text is logged once, then every REPEAT_LOG_INTERVAL_MS (see log-repeats.ts);
 * the repeats in between at debug level.
 */
export function haproxyOutputLogger(log: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>, now: () => number): (r: HaproxyRecord) => void {
  const repeats = new RepeatFilter();
  return (r) => {
    const again = (r.level === 'warn' || r.level === 'error') && !repeats.check(r.text, r.text, now()).log;
    log[again ? 'debug' : r.level]({ source: 'haproxy', haproxyLevel: r.haproxyLevel, pid: r.pid, text: r.text }, 'haproxy output');
  };
}

export function createHaproxyDriver(s: Settings, log: Logger, hooks: AdapterHooks & DriverHooks = {}): HaproxyDriver {
  // A one-shot run ends right after writing; it may reload a running master but never starts
  // one that would die with it.
  const mayStart = s.mode !== 'once';
  const runtime = async (ops: readonly { op: string }[]) => {
    if (!existsSync(adminSocket(s))) {
      if (ops[0]) hooks.onRuntimeOp?.(ops[0].op, 'no_socket');
      return { ok: false, error: `no admin socket at ${adminSocket(s)}` };
    }
    const r = await applyRuntimeOps(ops as RuntimeOp[], { socket: adminSocket(s), mapDir: dirname(s.haproxyConfig), drainTimeoutMs: 10_000 });
    if (r.applied > 0) hooks.step?.('runtime-applied');
    for (const op of ops.slice(0, r.applied)) hooks.onRuntimeOp?.(op.op, 'success');
    if (r.failed) hooks.onRuntimeOp?.(r.failed.op, 'failure');
    return { ok: r.ok, error: r.error };
  };
  const readMap = async (name: string): Promise<ReadonlyMap<string, string> | undefined> => {
    if (!existsSync(adminSocket(s))) return undefined;
    try {
      return new Map((await showMap(adminSocket(s), join(dirname(s.haproxyConfig), name))).map((e) => [e.key, e.value]));
    } catch {
      return undefined; // not a map the running config reads
    }
  };
  // Which config HAProxy follows (see loaded-config.ts).
  const followsDisk = async (): Promise<boolean | undefined> => {
    const pid = await processId(adminSocket(s));
    if (pid === undefined) return undefined;
    const record = await readLoadedRecord(s.runDir);
    return record !== undefined && record.pid === pid && record.config === await configDigest(s.haproxyConfig);
  };
  const record = async (pid: string | undefined, config: string | undefined) => {
    if (pid === undefined || config === undefined) return;
    try {
      await writeLoadedRecord(s.runDir, { pid, config });
    } catch (err) {
      log.warn({ error: (err as Error).message }, 'cannot record which config haproxy runs; the next start reloads');
    }
  };
  const synced = async (digest?: string) => record(await processId(adminSocket(s)), digest ?? await configDigest(s.haproxyConfig));
  /** Reloads, then records that the new process runs the config that was on disk before it started. */
  const reloadAndRecord = async (doReload: () => Promise<ReloadResult>): Promise<ReloadResult> => {
    hooks.step?.('before-reload');
    const config = await configDigest(s.haproxyConfig);
    const before = await processId(adminSocket(s));
    const r = await doReload();
    if (!r.ok) return r;
    hooks.step?.('after-reload');
    // Runtime changes and the record must reach the new process, not one that is going away:
    // wait until the admin socket is answered by a process other than the one before the reload.
    const now = before === undefined ? await processId(adminSocket(s)) : await waitForNewProcess(adminSocket(s), before, 10_000);
    if (now === undefined && before !== undefined) return { ok: true, detail: `${r.detail ? `${r.detail}; ` : ''}the admin socket still answers from the old process` };
    await record(now, config);
    return r;
  };
  const cannotBind: HaproxyDriver['cannotBind'] = async (binds) => {
    const out: Array<{ appId: string; addr: string; port: number; error: string }> = [];
    for (const b of binds.slice(0, 200)) {
      const error = await bindProblem(b.addr, b.port);
      if (error) out.push({ ...b, error });
    }
    return out;
  };
  const readServers = async (backends?: readonly string[]): Promise<ServerStateRow[]> => {
    if (!existsSync(adminSocket(s))) throw new Error(`no admin socket at ${adminSocket(s)}`);
    if (backends === undefined || backends.length > 50) return showServersState(adminSocket(s));
    const rows: ServerStateRow[] = [];
    for (const b of backends) {
      try {
        rows.push(...await showServersState(adminSocket(s), b));
      } catch {
        // "Can't find backend": it has no live servers to compare; adding them will tell.
      }
    }
    return rows;
  };

  // What every driver that reloads HAProxy does through the admin socket and the files.
  const onTheSocket = { runtime, cannotBind, readServers, readMap, followsDisk, synced };

  if (s.superviseHaproxy) {
    const logRecord = haproxyOutputLogger(log, Date.now);
    let master: HaproxyMaster | undefined;
    let stopping = false;
    let restarting: Promise<void> | undefined;
    let restarts = 0;
    let lastExit: { at: number; code: number | null } | undefined;
    let giveUp: (why: string) => void = () => undefined;
    const fatal = new Promise<string>((resolve) => { giveUp = resolve; });
    const start = async (): Promise<HaproxyMaster> => {
      const m = await startHaproxyMaster({
        bin: s.haproxyBin, configPath: s.haproxyConfig, masterSocket: masterSocket(s), pidFile: join(s.runDir, 'haproxy.pid'),
        onRecord: logRecord,
      });
      void m.exited.then((code) => {
        if (stopping) { if (code === 0) log.info({ code }, 'haproxy stopped'); else log.error({ code }, 'haproxy master exited'); return; }
        if (master !== m) return;
        master = undefined;
        lastExit = { at: Date.now(), code };
        log.error({ code }, 'haproxy master exited; restarting it');
        hooks.onMasterExit?.();
        restarting ??= restart().finally(() => { restarting = undefined; });
      });
      return m;
    };
    // A dead master is started again from the files on disk (the last good ones: a failed
    // reload puts them back), with backoff. When that keeps failing, the controller gives up so
    // that its own supervisor (Marathon, tini, systemd) restarts it.
    const restart = async () => {
      for (let attempt = 1; attempt <= RESTART_ATTEMPTS && !stopping; attempt += 1) {
        await new Promise((r) => setTimeout(r, Math.min(5_000, 200 * 2 ** (attempt - 1))));
        if (stopping || master) return;
        try {
          master = await start();
          restarts += 1;
          log.warn({ attempt }, 'haproxy master restarted');
          hooks.onRestart?.('success');
          return;
        } catch (err) {
          log.error({ attempt, error: (err as Error).message }, 'haproxy master could not be restarted');
          hooks.onRestart?.('failure');
        }
      }
      if (!stopping && !master) giveUp(`haproxy could not be restarted after ${RESTART_ATTEMPTS} attempts`);
    };
    const reload = async (retry: boolean): Promise<ReloadResult> => {
      if (restarting) await restarting;
      if (!master) {
        master = await connectHaproxyMaster(masterSocket(s));
        if (!master && !mayStart) {
          return { ok: false, detail: `no haproxy master at ${masterSocket(s)} to reload (a one-shot run does not start one; use sse, poll or event mode)` };
        }
        if (!master) {
          try {
            master = await start();
            log.info({ masterSocket: masterSocket(s) }, 'haproxy started');
            return { ok: true, detail: 'started' };
          } catch (err) {
            return { ok: false, detail: (err as Error).message };
          }
        }
        log.info({ masterSocket: masterSocket(s) }, 'attached to a running haproxy master');
      }
      await saveServerState(s);
      const r = await master.reload();
      if (!r.ok && retry && r.reason?.startsWith('master socket unreachable')) {
        // A master we attached to died (we cannot watch its exit): start one instead.
        log.error({ detail: r.reason }, 'haproxy master unreachable; starting a new one');
        master = undefined;
        return reload(false);
      }
      return { ok: r.ok, detail: r.reason !== undefined ? withoutPids(r.reason) : r.workerPid ? `new worker ${r.workerPid}` : undefined };
    };
    return {
      kind: 'master',
      ...onTheSocket,
      fatal,
      supervision: () => ({ restarts, lastExit, running: master !== undefined }),
      reload: () => reloadAndRecord(async () => {
        await certificatesReady();
        return reload(mayStart);
      }),
      async stop() {
        stopping = true;
        await restarting;
        await master?.stop();
      },
    };
  }
  if (s.command) {
    const command = s.command;
    return {
      kind: 'command',
      ...onTheSocket,
      async reload() {
        await certificatesReady();
        await saveServerState(s);
        return reloadAndRecord(async () => {
          const r = await runReloadCommand(command);
          return r.ok ? { ok: true, detail: 'reload command ran' } : { ok: false, detail: `reload command exited ${r.code}: ${withoutPids(r.output).trim().slice(0, 500)}` };
        });
      },
      async stop() {},
    };
  }
  let warned = false;
  return {
    kind: 'none',
    runtime,
    readServers,
    readMap,
    async reload() {
      if (!warned) {
        const theirs = marathonLbDefaultReload(existsSync);
        const hint = theirs ? ` (marathon-lb would have run \`${theirs.command}\` here: give it as --command to do the same)` : '';
        log.warn(theirs ? { marathonLbWouldRun: theirs.command, found: theirs.file } : {},
          `no --command and no --supervise-haproxy: the config is written but haproxy is not reloaded${hint}`);
      }
      warned = true;
      return { ok: true, detail: 'no reload configured' };
    },
    async stop() {},
  };
}

/** The pid of the HAProxy process answering on the admin socket, if one does. */
async function processId(socket: string): Promise<string | undefined> {
  if (!existsSync(socket)) return undefined;
  try {
    return /^Pid:\s*(\d+)/m.exec(await runtimeCommand(socket, 'show info', 2_000))?.[1];
  } catch {
    return undefined;
  }
}

async function waitForNewProcess(socket: string, old: string, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pid = await processId(socket);
    if (pid !== undefined && pid !== old) return pid;
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}
