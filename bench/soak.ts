// Soak: a long-running controller (poll mode) against a Marathon whose apps keep changing, with
// the controller's resident set printed every 10 s. Growth over time is what it looks for.
//
//   node dist-bench/bench/soak.js                         10000 apps, 60 minutes
//   node dist-bench/bench/soak.js --apps 1000 --minutes 5 --poll 2 --churn 3
//   node dist-bench/bench/soak.js --cli /elsewhere/dist/cli.js     another build, as `node <file>`
//
// The controller is started as bin/marathon-lb starts it (bench/launch.ts).
//
// Marathon is an HTTP server in this process serving a synthetic /v2/apps (bench/synth-cluster.ts,
// hosts as IPs). Every --churn seconds about 1% of the apps change: tasks move to new ports
// (a scale or a restart), and a rotating 0.5% of the apps disappear and come back, so the
// controller renders new services, drops old ones and its caches see ids come and go. The
// controller polls every --poll seconds and writes the config (no HAProxy to reload).
// Prints numbers; asserts nothing.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { WireApp } from '../src/model/index.js';
import { LAUNCHER, launchCommand } from './launch.js';
import { synthesizeCluster } from './synth-cluster.js';


function argValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

function argNumber(args: readonly string[], flag: string, dflt: number): number {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

/** The cluster at churn step `step`: a deterministic function of the step, so runs compare. */
function appsAt(base: readonly WireApp[], step: number): WireApp[] {
  const n = base.length;
  const moved = Math.max(1, Math.floor(n / 100));
  const gone = Math.max(1, Math.floor(n / 200));
  const goneFrom = (step * gone) % n;
  const out: WireApp[] = [];
  for (let i = 0; i < n; i++) {
    if (step > 0 && i >= goneFrom && i < goneFrom + gone) continue;
    const app = base[i]!;
    // Each step moves a different slice; an app keeps the shift of the last step that moved it.
    const lastMove = Math.floor((step * moved - i + n) / n);
    const shift = step > 0 && (i + step * 7) % 100 === 0 ? step : lastMove;
    if (shift === 0) { out.push(app); continue; }
    out.push({
      ...app,
      tasks: (app.tasks ?? []).map((t) => ({
        ...t,
        id: `${String(t.id)}-s${shift}`,
        ports: (t.ports ?? []).map((p) => 1025 + ((p - 1025 + shift * 13) % 30000)),
      })),
    });
  }
  return out;
}

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

async function main(args: readonly string[]): Promise<void> {
  const apps = argNumber(args, '--apps', 10000);
  const minutes = argNumber(args, '--minutes', 60);
  const poll = argNumber(args, '--poll', 5);
  const churn = argNumber(args, '--churn', 5);
  const cluster = synthesizeCluster(apps);
  const base = cluster.apps.map((app) => ({
    ...app,
    tasks: (app.tasks ?? []).map((t) => ({ ...t, host: cluster.resolve(String(t.host)) ?? t.host })),
  }));
  let step = 0;
  let body = JSON.stringify({ apps: appsAt(base, step) });
  let requests = 0;
  const server = createServer((req, res) => {
    if (!req.url?.startsWith('/v2/apps')) { res.writeHead(404).end(); return; }
    requests += 1;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  const dir = mkdtempSync(join(tmpdir(), 'mlb-soak-'));
  const statusPort = argNumber(args, '--status-port', 20000 + (process.pid % 20000));
  const cli = resolve(argValue(args, '--cli') ?? LAUNCHER);
  const [program, ...lead] = launchCommand(cli);
  // bin/marathon-lb replaces itself with node (exec): the pid is the controller's.
  const child = spawn(program!, [
    ...lead, 'poll', '--marathon', `http://127.0.0.1:${addr.port}`, '--group', 'external', '--skip-validation',
    '--haproxy-config', join(dir, 'haproxy.cfg'), '--run-dir', join(dir, 'run'), '--templates-dir', join(dir, 'none'),
    // A status server, as in production (it also keeps the process alive: with --status-port 0
    // nothing but an unref'd timer holds poll mode's event loop; see bench/README.md).
    '--ssl-certs', join(dir, 'cert.pem'), '--status-port', String(statusPort), '--log-level', 'WARNING', '--poll-interval', String(poll),
    '--min-reload-interval', '0',
  ], { stdio: ['ignore', 'ignore', 'inherit'] });
  const pid = child.pid!;
  // Ctrl-C ends the soak early: take the controller down too.
  process.once('SIGINT', () => { child.kill('SIGTERM'); });
  console.log(`soak: ${apps} apps, ${minutes} min, poll every ${poll} s, churn every ${churn} s; controller pid ${pid}; node ${process.version}; ${cli}`);
  console.log('elapsed s | controller RSS MiB | churn steps | /v2/apps requests');
  const started = Date.now();
  const churner = setInterval(() => {
    step += 1;
    body = JSON.stringify({ apps: appsAt(base, step) });
  }, churn * 1000);
  const samples: number[] = [];
  const report = (): void => {
    const rss = rssMiB(pid);
    samples.push(rss);
    console.log(`${String(Math.round((Date.now() - started) / 1000)).padStart(9)} | ${rss.toFixed(1).padStart(18)} | ${String(step).padStart(11)} | ${String(requests).padStart(17)}`);
  };
  const reporter = setInterval(report, 10_000);
  const exited = new Promise<number | null>((ok) => child.on('exit', ok));
  const timeout = new Promise<'time'>((ok) => setTimeout(() => ok('time'), minutes * 60_000));
  const why = await Promise.race([exited, timeout]);
  process.removeAllListeners('SIGINT');
  clearInterval(churner);
  clearInterval(reporter);
  if (why === 'time') {
    report();
    child.kill('SIGTERM');
    await exited;
  } else {
    console.log(`controller exited early (code ${String(why)})`);
    process.exitCode = 1;
  }
  server.close();
  rmSync(dir, { recursive: true, force: true });
  const valid = samples.filter((s) => !Number.isNaN(s));
  if (valid.length >= 4) {
    const firstHalf = valid.slice(0, Math.floor(valid.length / 2));
    const secondHalf = valid.slice(Math.floor(valid.length / 2));
    const max = (xs: number[]): number => Math.max(...xs);
    console.log(`peak RSS first half ${max(firstHalf).toFixed(1)} MiB, second half ${max(secondHalf).toFixed(1)} MiB, last ${valid.at(-1)!.toFixed(1)} MiB`);
  }
}

await main(process.argv.slice(2));
