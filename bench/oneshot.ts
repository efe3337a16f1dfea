// Whole-process benchmark of the one-shot run (no mode: fetch, normalize, render, write, exit),
// as an operator runs it: `bin/marathon-lb --marathon URL --group external --skip-validation ...`.
//
//   node dist-bench/bench/oneshot.js                          100, 1000, 5000, 10000 apps
//   node dist-bench/bench/oneshot.js --sizes 100,1000 --runs 5
//   node dist-bench/bench/oneshot.js --cli /old/checkout/dist/cli.js   another build, as `node <file>`
//   node dist-bench/bench/oneshot.js --serve 5000               only the fake Marathon (prints its URL)
//   node dist-bench/bench/oneshot.js --keep-env                 keep NODE_EXTRA_CA_CERTS (see below)
//
// Marathon is a small HTTP server in this process serving a synthetic /v2/apps (bench/
// synth-cluster.ts, agent host names replaced by their IPs so no DNS is involved). Per run it
// records the wall time from spawn to exit, the time from spawn to the first request Marathon
// receives, and the child's peak RSS (from /usr/bin/time). The sizes take turns, one run each
// per round, so a size's best of N is not decided by the one minute its runs would otherwise
// share. Each round also times a fixed workload of none of our code (machine-speed.ts) in a
// fresh process, printed under the table: this VM's speed moves by more than a change does, and
// that number says how fast the machine ran while the table was made. Prints numbers; asserts
// nothing.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { LAUNCHER, launchCommand } from './launch.js';
import { median } from './stats.js';
import { synthesizeCluster } from './synth-cluster.js';

const DEFAULT_SIZES = [100, 1000, 5000, 10000];

interface Run { wallMs: number; firstRequestMs: number; cpuMs: number; rssKiB: number; configBytes: number }

function argValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The /v2/apps body for a cluster of `size` apps, tasks addressed by IP. */
export function appsBody(size: number): string {
  const cluster = synthesizeCluster(size);
  const apps = cluster.apps.map((app) => ({
    ...app,
    tasks: (app.tasks ?? []).map((t) => ({ ...t, host: cluster.resolve(String(t.host)) ?? t.host })),
  }));
  return JSON.stringify({ apps });
}

interface FakeMarathon { server: Server; url: string; firstRequestAt: () => number | undefined; reset: () => void }

async function startMarathon(body: () => string): Promise<FakeMarathon> {
  let first: number | undefined;
  const server = createServer((req, res) => {
    first ??= performance.now();
    if (req.url?.startsWith('/v2/apps')) {
      const text = body();
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  return { server, url: `http://127.0.0.1:${addr.port}`, firstRequestAt: () => first, reset: () => { first = undefined; } };
}

let runNumber = 0;

const MACHINE_SPEED = join(dirname(fileURLToPath(import.meta.url)), 'machine-speed.js');

/** One timing of the fixed reference workload, in a fresh process (ms; lower is a faster machine). */
function machineSpeedMs(env: NodeJS.ProcessEnv): number {
  return Number(execFileSync(process.execPath, [MACHINE_SPEED], { env, encoding: 'utf8' }).trim());
}

/**
 * One run in a fresh config directory, so the config is really written (an unchanged file is
 * not rewritten). The certificate stays in `dir`: it is made once and then reused, as in a
 * long-lived installation.
 */
/**
 * The child's environment. NODE_EXTRA_CA_CERTS is removed unless asked: Node 20 reads and parses
 * that file before running any script (~40 ms per start for the system bundle that this build
 * machine sets it to), and the controller's image does not set it (--marathon-ca-cert is its
 * way to trust a CA), so it would measure this machine, not the controller.
 */
function childEnv(keep: boolean): NodeJS.ProcessEnv {
  if (keep) return process.env;
  const { NODE_EXTRA_CA_CERTS: _dropped, ...rest } = process.env;
  return rest;
}

async function oneRun(marathon: FakeMarathon, dir: string, cli: string, env: NodeJS.ProcessEnv): Promise<Run> {
  marathon.reset();
  runNumber += 1;
  const cfg = join(dir, `run-${runNumber}`, 'haproxy.cfg');
  const args = [
    '-f', 'MAXRSS_KIB %M CPU_S %U %S', ...launchCommand(cli),
    '--marathon', marathon.url, '--group', 'external', '--skip-validation',
    '--haproxy-config', cfg, '--run-dir', join(dir, 'run'), '--templates-dir', join(dir, 'no-templates'),
    '--ssl-certs', join(dir, 'cert.pem'), '--status-port', '0', '--log-level', 'WARNING',
  ];
  const start = performance.now();
  const child = spawn('/usr/bin/time', args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir, env });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const code = await new Promise<number | null>((ok) => child.on('close', ok));
  const wallMs = performance.now() - start;
  if (code !== 0) throw new Error(`one-shot run failed (exit ${code}):\n${stderr}`);
  const m = /MAXRSS_KIB (\d+) CPU_S ([\d.]+) ([\d.]+)/.exec(stderr);
  const first = marathon.firstRequestAt();
  return {
    wallMs,
    firstRequestMs: first === undefined ? Number.NaN : first - start,
    rssKiB: m ? Number(m[1]) : Number.NaN,
    // User + system CPU of the whole process (all threads): less sensitive than wall time to
    // other processes competing for the cores, so closer to what a quiet machine would show.
    cpuMs: m ? (Number(m[2]) + Number(m[3])) * 1000 : Number.NaN,
    configBytes: statSync(cfg).size,
  };
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: readonly string[]): string => `| ${r.map((cell, c) => cell.padStart(widths[c]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 1) + ':').join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

async function main(args: readonly string[]): Promise<void> {
  const serve = argValue(args, '--serve');
  if (serve !== undefined) {
    // Just the fake Marathon, for profiling a run by hand; stop it with Ctrl-C.
    const body = appsBody(Number(serve));
    const marathon = await startMarathon(() => body);
    console.log(marathon.url);
    return;
  }
  const sizes = (argValue(args, '--sizes') ?? DEFAULT_SIZES.join(',')).split(',').map(Number);
  const runs = Number(argValue(args, '--runs') ?? 5);
  // Another build to compare with (e.g. an older commit's dist/cli.js).
  const cli = resolve(argValue(args, '--cli') ?? LAUNCHER);
  const keepEnv = args.includes('--keep-env');
  const env = childEnv(keepEnv);
  console.log(`one-shot benchmark: node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${runs} runs per size, ${cli}`);
  console.log(`NODE_EXTRA_CA_CERTS: ${env['NODE_EXTRA_CA_CERTS'] ?? '(unset)'}`);
  const rows: string[][] = [['apps', 'body KiB', 'config KiB', 'wall ms best', 'wall ms median', 'cpu ms best', 'cpu ms median', 'first request ms best', 'first request ms median', 'peak RSS MiB best', 'peak RSS MiB median']];
  // Every size's fake Marathon up front; then round after round, one run of each size per
  // round, so each size's runs are spread over the whole table instead of falling into the
  // same minute (this machine's speed changes from one minute to the next).
  const setups = [];
  const reference: number[] = [];
  for (const size of sizes) {
    const body = appsBody(size);
    setups.push({ size, body, marathon: await startMarathon(() => body), dir: mkdtempSync(join(tmpdir(), 'mlb-oneshot-')), results: [] as Run[] });
  }
  try {
    // Warm the page cache and make the certificate; not counted.
    for (const s of setups) await oneRun(s.marathon, s.dir, cli, env);
    for (let i = 0; i < runs; i += 1) {
      reference.push(machineSpeedMs(env));
      for (const s of setups) s.results.push(await oneRun(s.marathon, s.dir, cli, env));
      process.stdout.write(`  round ${i + 1} of ${runs} done\n`);
    }
  } finally {
    for (const s of setups) {
      s.marathon.server.close();
      rmSync(s.dir, { recursive: true, force: true });
    }
  }
  for (const { size, body, results } of setups) {
    const col = (pick: (r: Run) => number, digits = 0): [string, string] => {
      const v = results.map(pick);
      return [Math.min(...v).toFixed(digits), median(v).toFixed(digits)];
    };
    rows.push([
      String(size), (Buffer.byteLength(body) / 1024).toFixed(0), (results[0]!.configBytes / 1024).toFixed(0),
      ...col((r) => r.wallMs), ...col((r) => r.cpuMs), ...col((r) => r.firstRequestMs), ...col((r) => r.rssKiB / 1024, 1),
    ]);
  }
  console.log('');
  console.log(table(rows));
  console.log('');
  console.log(`machine speed (machine-speed.js, one per round): best ${Math.min(...reference).toFixed(1)} ms, median ${median(reference).toFixed(1)} ms`);
}

await main(process.argv.slice(2));
