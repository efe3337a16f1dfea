// Measures one cluster size: normalize and render times, config size, and memory.
// Meant to run alone in a fresh process (see render.ts), so the heap holds nothing but this size.

import { performance } from 'node:perf_hooks';
import { builtinTemplateDir, readTemplateDir, render, resolveTemplates, type Rendered, type TemplateSet } from '../src/config/index.js';
import { normalize, normalizeOptionsFrom, type Model, type NormalizeOptions, type Resolver } from '../src/model/index.js';
import { renderOptions } from '../test/support/render-support.js';
import { median } from './stats.js';
import { synthesizeCluster } from './synth-cluster.js';

export interface SizeResult {
  readonly apps: number;
  readonly tasks: number;
  readonly services: number;
  readonly servers: number;
  readonly skipped: number;
  readonly runs: number;
  readonly normalizeMs: number;
  readonly renderMs: number;
  readonly configBytes: number;
  readonly configLines: number;
  /** Whether global.gc existed, i.e. whether the heap figures below are after a full collection. */
  readonly gcExposed: boolean;
  /** Heap right after start-up (templates loaded, nothing synthesized). */
  readonly heapBaseBytes: number;
  /** Heap held by the synthesized Marathon apps (the controller holds the same between passes). */
  readonly heapAppsBytes: number;
  /** Heap still held by one Model plus one Rendered after a collection: the real cost of keeping them. */
  readonly heapRetainedBytes: number;
  /** heapUsed after all timed runs, garbage included (no collection). */
  readonly heapAfterRunsBytes: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  /** The process's peak resident set (getrusage maxrss). */
  readonly rssPeakBytes: number;
}

/** Fewer runs for big clusters: the median of 3 is plenty when one run takes seconds. */
export function runsFor(apps: number): { warmups: number; runs: number } {
  if (apps >= 10000) return { warmups: 1, runs: 3 };
  if (apps >= 1000) return { warmups: 2, runs: 7 };
  return { warmups: 3, runs: 15 };
}

function collect(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  gc();
  gc();
  return true;
}

function heapUsed(): number {
  return process.memoryUsage().heapUsed;
}

function options(resolve: Resolver): NormalizeOptions {
  return normalizeOptionsFrom(
    { groups: ['external'], strictMode: false, healthCheck: false, minServPortIpPerTask: 10050, maxServPortIpPerTask: 10100, frameworkName: undefined },
    resolve,
    new Map(),
  );
}

function renderOrThrow(model: Model, templates: TemplateSet): Rendered {
  const out = render(model, templates, renderOptions());
  if (!out.ok) throw out.error;
  return out.rendered;
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

export function measureSize(appCount: number): SizeResult {
  // Templates are read once at start-up by the controller, so they are outside every timing.
  const templates = resolveTemplates({ builtin: readTemplateDir(builtinTemplateDir()), files: {}, env: {} });
  const gcExposed = collect();
  const heapBase = heapUsed();
  const rssBefore = process.memoryUsage().rss;

  const cluster = synthesizeCluster(appCount);
  collect();
  const heapApps = heapUsed() - heapBase;

  const { warmups, runs } = runsFor(appCount);
  const normalizeTimes: number[] = [];
  const renderTimes: number[] = [];
  let model: Model | undefined;
  let rendered: Rendered | undefined;
  for (let i = 0; i < warmups + runs; i += 1) {
    // Drop the previous pass first, so at most one Model and one Rendered are alive, as in the controller.
    model = undefined;
    rendered = undefined;
    const n = timed(() => normalize(cluster.apps, options(cluster.resolve)));
    const r = timed(() => renderOrThrow(n.value, templates));
    model = n.value;
    rendered = r.value;
    if (i >= warmups) {
      normalizeTimes.push(n.ms);
      renderTimes.push(r.ms);
    }
  }
  if (model === undefined || rendered === undefined) throw new Error('no run happened');
  const heapAfterRuns = heapUsed();
  const rssAfter = process.memoryUsage().rss;
  collect();
  const heapRetained = heapUsed() - heapBase - heapApps;

  const config = rendered.config;
  return {
    apps: appCount,
    tasks: cluster.taskCount,
    services: model.services.length,
    servers: model.services.reduce((sum, s) => sum + s.servers.length, 0),
    skipped: model.skipped.length + rendered.excluded.length,
    runs,
    normalizeMs: median(normalizeTimes),
    renderMs: median(renderTimes),
    configBytes: Buffer.byteLength(config, 'utf8'),
    configLines: config.split('\n').length - (config.endsWith('\n') ? 1 : 0),
    gcExposed,
    heapBaseBytes: heapBase,
    heapAppsBytes: heapApps,
    heapRetainedBytes: heapRetained,
    heapAfterRunsBytes: heapAfterRuns,
    rssBeforeBytes: rssBefore,
    rssAfterBytes: rssAfter,
    // maxRSS is in kilobytes.
    rssPeakBytes: process.resourceUsage().maxRSS * 1024,
  };
}
