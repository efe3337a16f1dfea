// A controller killed (SIGKILL) at any step of an apply converges after a restart: HAProxy
// ends up serving exactly Marathon's tasks, the files on disk say the same, and the record of
// which config HAProxy follows is right. Three reload modes, each with a real HAProxy:
// `--command` (a marathon-lb style reload script that starts or `-sf`-replaces a daemon HAProxy),
// `--supervise-haproxy` (the restart attaches to the master the killed run left), and no reload
// at all (the test runs HAProxy; only servers can change, at run time).
//
// Each kill: change Marathon while no controller runs; start a controller told (test-only
// MLB_TEST_CRASH_AT) to kill itself at one named step of its apply; for `runtime-applied`, a
// scale once it is up makes the apply a runtime one. Then a plain controller starts and must
// converge. Before issue 14, a kill right after the rename left HAProxy on the old servers for
// good ("config on disk already current").
//
// MLB_CRASH_KILLS sets the number of kills per mode (defaults: DEFAULT_KILLS); bench/crash-run.sh runs 50.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APPLY_STEPS } from '../../src/controller/index.js';
import { parseServersState, runtimeCommand } from '../../src/haproxy/index.js';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { isolatedFlags, runController, type ControllerProcess } from '../support/controller-process.js';
import { findHaproxy, freePorts, httpGet, tempDir, waitFor } from '../support/haproxy.js';

const bin = findHaproxy();
const d = bin ? describe : describe.skip;
const PASS_MESSAGES = new Set(['no change', 'haproxy reloaded', 'haproxy changed at run time']);
const kills = (fallback: number) => Number(process.env.MLB_CRASH_KILLS ?? fallback);

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** marathon-lb's reload script, in short: check the config, then start HAProxy or replace the running one. */
const RELOAD_SCRIPT = `#!/bin/sh
set -e
cfg="$1"; pidfile="$2"; bin="$3"; out="$4"
"$bin" -c -f "$cfg" >/dev/null 2>&1
if [ -s "$pidfile" ] && kill -0 $(cat "$pidfile") 2>/dev/null; then
  "$bin" -D -p "$pidfile" -f "$cfg" -sf $(cat "$pidfile") >>"$out" 2>&1
else
  "$bin" -D -p "$pidfile" -f "$cfg" >>"$out" 2>&1
fi
`;

type Mode = 'command' | 'supervise' | 'none';
const FLAG: Record<Mode, string> = { command: '--command', supervise: '--supervise-haproxy', none: 'no reload configured, HAProxy run by the test' };
/** Default kills per mode (CI time); MLB_CRASH_KILLS overrides. */
const DEFAULT_KILLS: Record<Mode, number> = { command: 10, supervise: 5, none: 3 };

for (const mode of ['command', 'supervise', 'none'] as const satisfies readonly Mode[]) {
  // Without a reload, only servers can follow Marathon (at run time): no app comes or goes, and
  // the reload steps never happen.
  const steps = mode === 'none' ? APPLY_STEPS.filter((s) => !s.includes('reload')) : APPLY_STEPS;
  d(`a controller killed at each step of an apply converges after restart (${FLAG[mode]})`, () => {
    let emu: Emulator;
    let dir: string;
    let flags: string[];
    let socket: string;
    let ports: { a: number; b: number };
    const haproxyPids = new Set<number>();
    const running: ControllerProcess[] = [];
    const pidFile = () => join(dir, 'run', mode === 'supervise' ? 'haproxy.pid' : 'haproxy-test.pid');
    const notePids = () => {
      if (!existsSync(pidFile())) return;
      for (const p of readFileSync(pidFile(), 'utf8').split(/\s+/).map(Number)) if (p > 0) haproxyPids.add(p);
    };

    beforeAll(async () => {
      emu = await startEmulator({ taskServers: 'inprocess', heartbeatMs: 500 });
      dir = await tempDir(`mlb-crash-${mode}-`);
      const p = await freePorts(7);
      ports = { a: p[5]!, b: p[6]! };
      socket = join(dir, 'run', 'socket');
      flags = ['sse', '--group', 'external', '--marathon', emu.url, '--min-reload-interval', '0', '--log-level', 'debug',
        ...isolatedFlags(dir, { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! })];
      if (mode === 'command') {
        await writeFile(join(dir, 'reload.sh'), RELOAD_SCRIPT);
        flags.push('--command', `/bin/sh ${join(dir, 'reload.sh')} ${join(dir, 'haproxy.cfg')} ${pidFile()} ${bin} ${join(dir, 'haproxy.out')}`);
      } else if (mode === 'supervise') {
        flags.push('--supervise-haproxy');
      }
      await emu.putApp({ id: '/a', instances: 2, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: ports.a }] });
    });

    afterAll(async () => {
      for (const c of running) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
      await Promise.all(running.map((c) => c.exited));
      notePids();
      for (const pid of haproxyPids) {
        if (!alive(pid)) continue;
        // The supervised master runs in its own process group, with its workers.
        try { process.kill(mode === 'supervise' ? -pid : pid, 'SIGKILL'); } catch { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
      }
      await waitFor('every haproxy of the test gone', () => [...haproxyPids].every((p) => !alive(p)), 10_000);
      await emu?.close();
      await rm(dir, { recursive: true, force: true });
    });

    const start = (env: Record<string, string> = {}) => {
      const c = runController(flags, env);
      running.push(c);
      return c;
    };

    /** Running tasks of an app, as `addr:port`. */
    const wanted = (app: string) => emu.tasks(app).filter((t) => t.state === 'TASK_RUNNING').map((t) => t.endpoints[0]!).sort();
    /** Servers HAProxy serves for a backend right now (retired ones are in maintenance); undefined: no such backend. */
    const inService = async (backend: string): Promise<string[] | undefined> => {
      const answer = await runtimeCommand(socket, `show servers state ${backend}`);
      if (!/^\d+\n/.test(answer)) return undefined;
      return parseServersState(answer).filter((r) => (r.adminState & 0x01) === 0 && (r.adminState & 0x20) === 0).map((r) => `${r.addr}:${r.port}`).sort();
    };
    const converged = async (hasB: boolean): Promise<boolean> => {
      const a = await inService(`a_${ports.a}`);
      if (a === undefined || a.join() !== wanted('/a').join() || a.length === 0) return false;
      const b = await inService(`b_${ports.b}`);
      if (hasB ? b === undefined || b.join() !== wanted('/b').join() : b !== undefined && b.length > 0) return false;
      if ((await httpGet(ports.a)).status !== 200) return false;
      if (hasB && (await httpGet(ports.b)).status !== 200) return false;
      return true;
    };

    /** The servers the config on disk gives a backend (`addr:port`); undefined: no such backend. */
    const diskServers = (backend: string): string[] | undefined => {
      const lines = readFileSync(join(dir, 'haproxy.cfg'), 'utf8').split('\n');
      const at = lines.indexOf(`backend ${backend}`);
      if (at < 0) return undefined;
      const body = lines.slice(at + 1);
      const end = body.findIndex((l) => l !== '' && !/^\s/.test(l));
      return body.slice(0, end < 0 ? undefined : end).map((l) => /^\s+server \S+ (\S+)/.exec(l)?.[1]).filter((x) => x !== undefined).sort();
    };
    /** The config on disk says Marathon's state, and the record says HAProxy follows it. */
    const filesAgree = async (hasB: boolean): Promise<boolean> => {
      if (diskServers(`a_${ports.a}`)?.join() !== wanted('/a').join()) return false;
      if (hasB ? diskServers(`b_${ports.b}`)?.join() !== wanted('/b').join() : diskServers(`b_${ports.b}`) !== undefined) return false;
      if (mode === 'none') return true; // nothing reloads, so nothing is recorded
      const record = JSON.parse(readFileSync(join(dir, 'run', 'loaded-config.json'), 'utf8')) as { pid: string; config: string };
      const pid = /^Pid:\s*(\d+)/m.exec(await runtimeCommand(socket, 'show info'))?.[1];
      return record.pid === pid && record.config === createHash('sha256').update(readFileSync(join(dir, 'haproxy.cfg'))).digest('hex');
    };

    const killedBy = async (c: ControllerProcess) => {
      await c.exited;
      return c.child.signalCode;
    };

    it(`kills ${kills(DEFAULT_KILLS[mode])} times, at every step in turn, and converges after each`, async () => {
      // A first run brings HAProxy up (without a reload configured, it writes the config and the test starts HAProxy on it).
      const first = start();
      if (mode === 'none') {
        await first.waitForLog((l) => PASS_MESSAGES.has(l.msg), 'the first run wrote the config');
        execFileSync(bin!, ['-D', '-p', pidFile(), '-f', join(dir, 'haproxy.cfg')], { stdio: 'ignore' });
      }
      await waitFor('the first run serves /a', () => converged(false), 30_000).catch((e: Error) => { throw new Error(`${e.message}\n${first.output().slice(-3000)}\n${existsSync(join(dir, 'haproxy.out')) ? readFileSync(join(dir, 'haproxy.out'), 'utf8') : 'no haproxy.out'}`); });
      first.child.kill('SIGKILL');
      await first.exited;
      let hasB = false;
      let instances = 2;
      /** Per step, how long the restarted run took to converge (ms). */
      const times: Record<string, number[]> = {};
      const n = kills(DEFAULT_KILLS[mode]);
      for (let i = 0; i < n; i += 1) {
        const step = steps[i % steps.length]!;
        notePids();
        // A structural change (an app comes or goes) and a server change, made while no controller runs.
        if (mode !== 'none') {
          hasB = !hasB;
          if (hasB) await emu.putApp({ id: '/b', instances: 1, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: ports.b }] });
          else await emu.deleteApp('/b');
        }
        instances = instances % 3 + 1;
        await emu.scale('/a', instances);
        await waitFor('Marathon runs the tasks', () => wanted('/a').length === instances && (!hasB || wanted('/b').length === 1), 20_000);

        const doomed = start({ MLB_TEST_CRASH_AT: step });
        if (step === 'runtime-applied') {
          // Up first (its start reloads), then a scale it applies at run time.
          await waitFor('the doomed run is up', () => doomed.child.exitCode !== null || doomed.child.signalCode !== null
            || doomed.logs.some((l) => l.msg === 'haproxy reloaded' || l.msg === 'no change'), 20_000);
          instances = instances % 3 + 1;
          await emu.scale('/a', instances);
        }
        const signal = await Promise.race([killedBy(doomed), new Promise((r) => setTimeout(() => r('still running'), 30_000).unref())]);
        expect({ kill: i, step, signal }).toEqual({ kill: i, step, signal: 'SIGKILL' });

        const again = start();
        const restartedAt = Date.now();
        // Its first pass is done; then HAProxy, the files and the record all say Marathon's state
        // (a kill after runtime ops leaves HAProxy right and the files wrong: both must be fixed).
        await again.waitForLog((l) => PASS_MESSAGES.has(l.msg), `the first pass after a kill at ${step} (kill ${i})`, 30_000);
        await waitFor(`convergence after a kill at ${step} (kill ${i})`, async () => await converged(hasB) && await filesAgree(hasB), 30_000);
        (times[step] ??= []).push(Date.now() - restartedAt);
        // Whatever the kill left in the writer's temp directory is gone.
        expect(await readdir(dir)).not.toContain('.mlb-tmp');
        again.child.kill('SIGKILL');
        await again.exited;
      }
      if (process.env.MLB_CRASH_KILLS !== undefined) {
        const rows = Object.entries(times).map(([step, ms]) => `${step}: ${ms.length} kills, converged in max ${Math.max(...ms)} ms, median ${ms.sort((a, b) => a - b)[ms.length >> 1]} ms`);
        process.stderr.write(`crash run (${mode}): ${n} kills, all converged\n  ${rows.join('\n  ')}\n`);
      }
    }, 600_000);

    it('a plain restart reloads nothing and puts back a server held in maintenance behind its back', async () => {
      const rows = parseServersState(await runtimeCommand(socket, `show servers state a_${ports.a}`));
      const victim = rows.find((r) => r.adminState === 0)!;
      expect(await runtimeCommand(socket, `set server a_${ports.a}/${victim.server} state maint`)).toBe('\n');
      const pid = /^Pid:\s*(\d+)/m.exec(await runtimeCommand(socket, 'show info'))?.[1];
      const c = start();
      await c.waitForLog((l) => PASS_MESSAGES.has(l.msg), 'the first pass');
      await waitFor('the server back in service', () => converged(wanted('/b').length > 0), 20_000);
      expect(c.logs.filter((l) => l.msg === 'haproxy reloaded')).toEqual([]);
      expect(/^Pid:\s*(\d+)/m.exec(await runtimeCommand(socket, 'show info'))?.[1]).toBe(pid);
      const corrected = c.logs.find((l) => l.msg === 'haproxy differed from the desired state; corrected');
      expect(JSON.stringify(corrected?.['differences'])).toContain(`server ${victim.server} held in maintenance`);
      c.child.kill('SIGKILL');
      await c.exited;
    }, 60_000);
  });
}
