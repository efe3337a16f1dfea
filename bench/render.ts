// Benchmark of the pure pipeline (normalize + render) on synthetic clusters of several sizes.
//
//   node dist-bench/bench/render.js                   all sizes, one fresh child process each
//   node dist-bench/bench/render.js --sizes 100,1000  chosen sizes
//   node dist-bench/bench/render.js --size 1000       one size in this process; prints one JSON line
//
// Each size runs in its own child (started with --expose-gc) so one size's garbage and JIT state
// cannot pollute the next one's numbers. It prints numbers and asserts nothing about time.

import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { measureSize, type SizeResult } from './measure-size.js';
import { formatTable } from './report-table.js';

const DEFAULT_SIZES = [100, 1000, 5000, 10000];
/** A child that takes longer than this is stuck, not slow. */
const CHILD_TIMEOUT_MS = 15 * 60 * 1000;
const RESULT_PREFIX = 'BENCH_RESULT ';

function argValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

function parseSize(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100000) throw new Error(`bad size ${JSON.stringify(text)}: want an integer 1..100000`);
  return n;
}

function runChild(size: number): SizeResult {
  const script = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, ['--expose-gc', script, '--size', String(size)], {
    encoding: 'utf8', timeout: CHILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const line = (child.stdout ?? '').split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (child.status !== 0 || line === undefined) {
    const why = child.error?.message ?? `exit ${child.status ?? child.signal}`;
    throw new Error(`size ${size} failed (${why}):\n${child.stderr ?? ''}${child.stdout ?? ''}`);
  }
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as SizeResult;
}

function main(args: readonly string[]): void {
  const one = argValue(args, '--size');
  if (one !== undefined) {
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(measureSize(parseSize(one)))}\n`);
    return;
  }
  const list = argValue(args, '--sizes');
  const sizes = list === undefined ? DEFAULT_SIZES : list.split(',').map(parseSize);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`normalize + render benchmark: node ${process.version}, ${cpus().length} x ${cpu}`);
  const results: SizeResult[] = [];
  for (const size of sizes) {
    process.stdout.write(`  measuring ${size} apps...\n`);
    results.push(runChild(size));
  }
  console.log('');
  console.log(formatTable(results));
  console.log('');
  console.log('Times are medians over "runs" passes after warm-up passes. "heap apps" is the wire input held;');
  console.log('"heap kept" is one Model + one Rendered still referenced after a full GC; "heap after runs" includes garbage.');
  if (results.some((r) => !r.gcExposed)) console.log('NOTE: global.gc was not available, so heap figures include uncollected garbage.');
}

try {
  main(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
