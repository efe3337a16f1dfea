// Formats the per-size results as a plain-text table for a terminal or a README.

import type { SizeResult } from './measure-size.js';
import { MIB } from './stats.js';

const mib = (bytes: number): string => (bytes / MIB).toFixed(1);
const ms = (value: number): string => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

const COLUMNS: readonly (readonly [string, (r: SizeResult) => string])[] = [
  ['apps', (r) => String(r.apps)],
  ['tasks', (r) => String(r.tasks)],
  ['services', (r) => String(r.services)],
  ['servers', (r) => String(r.servers)],
  ['runs', (r) => String(r.runs)],
  ['normalize ms', (r) => ms(r.normalizeMs)],
  ['render ms', (r) => ms(r.renderMs)],
  ['config KiB', (r) => (r.configBytes / 1024).toFixed(0)],
  ['config lines', (r) => String(r.configLines)],
  ['heap apps MiB', (r) => mib(r.heapAppsBytes)],
  ['heap kept MiB', (r) => mib(r.heapRetainedBytes)],
  ['heap after runs MiB', (r) => mib(r.heapAfterRunsBytes)],
  ['rss before MiB', (r) => mib(r.rssBeforeBytes)],
  ['rss after MiB', (r) => mib(r.rssAfterBytes)],
  ['rss peak MiB', (r) => mib(r.rssPeakBytes)],
];

export function formatTable(results: readonly SizeResult[]): string {
  const rows = [COLUMNS.map(([title]) => title), ...results.map((r) => COLUMNS.map(([, cell]) => cell(r)))];
  const widths = COLUMNS.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: readonly string[]): string => `| ${row.map((cell, c) => cell.padStart(widths[c]!)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 1) + ':').join('|')}|`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}
