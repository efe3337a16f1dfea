// How fast this machine runs cold JavaScript right now, measured with a fixed workload that
// shares none of the controller's code: the one-shot benchmark starts it in a fresh process
// before each round and prints its time beside the table.
//
// Why: on this VM the same one-shot run costs 620 ms of CPU in one minute and 860 in another,
// with nothing else running (bench/README.md, round 8). A table is only comparable with another,
// or with a target, when the machine ran at the same speed; this number says at what speed.
//
//   node dist-bench/bench/machine-speed.js        prints the workload's time in ms
//
// The workload has the one-shot's shape, cold: parse a JSON text of ~1.2 MB, walk the objects,
// hash short strings, build lines of text and join them. Seeded, so every run does the same work.

import { hash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { seededPrng } from './prng.js';

interface Item { id: string; labels: Record<string, string>; tasks: Array<{ host: string; port: number }> }

function items(count: number): string {
  const rnd = seededPrng(7);
  const list: Item[] = [];
  for (let i = 0; i < count; i++) {
    const tasks = Array.from({ length: rnd.int(1, 5) }, () => ({ host: `10.0.${rnd.int(0, 255)}.${rnd.int(1, 254)}`, port: rnd.int(1025, 65535) }));
    list.push({ id: `/group-${i % 40}/item-${i}`, labels: { GROUP: 'external', NAME: `item-${i}.example.com` }, tasks });
  }
  return JSON.stringify({ list });
}

/** The measured part: everything after the input text exists. Returns a checksum so nothing is optimized away. */
function work(text: string): number {
  const parsed = JSON.parse(text) as { list: Item[] };
  const lines: string[] = [];
  const byGroup = new Map<string, Set<string>>();
  for (const item of parsed.list) {
    const group = item.id.split('/')[1] ?? '';
    let set = byGroup.get(group);
    if (!set) byGroup.set(group, (set = new Set()));
    set.add(item.id);
    lines.push(`backend ${item.id.slice(1).replace(/\//g, '_')}\n  mode http\n`);
    for (const t of item.tasks) {
      const name = `${t.host.replace(/\./g, '_')}_${t.port}`;
      const id = hash('sha256', name, 'binary').charCodeAt(0);
      lines.push(`  server ${name} ${t.host}:${t.port} id ${id} check\n`);
    }
  }
  return lines.join('').length + byGroup.size;
}

const text = items(6000);
const start = performance.now();
const checksum = work(text);
const ms = performance.now() - start;
if (checksum <= 0) throw new Error('no work done');
console.log(ms.toFixed(1));
