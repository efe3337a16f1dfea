// A yardstick for the machine, not for the controller: a fixed piece of work of the same kind as
// a one-shot run's (build objects, JSON out and back in, build and join lines of text), run in
// a fresh process like the CLI is, that uses none of the project's code. This machine is a VM
// whose speed moves by up to ~40% within an hour with nothing else running on it (bench/README.md);
// printed beside the one-shot table, it says whether a slow figure is the code or the machine.
//
//   node dist-bench/bench/machine-check.js      prints the milliseconds the work took

import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { seededPrng } from './prng.js';

/** Always the same work: 10,000 records like Marathon apps, three tasks each, seed fixed. */
export function machineCheckWork(): string {
  const rnd = seededPrng(7);
  const apps = [];
  for (let i = 0; i < 10000; i += 1) {
    const labels: Record<string, string> = { HAPROXY_GROUP: 'external', HAPROXY_0_VHOST: `app${i}.example.com` };
    for (let l = rnd.int(0, 6); l > 0; l -= 1) labels[`LABEL_${l}`] = `value-${rnd.int(0, 1e6)}`;
    const tasks = [];
    for (let t = 0; t < 3; t += 1) {
      tasks.push({ id: `app${i}.${rnd.int(0, 1e9).toString(16)}`, host: `10.0.${rnd.int(0, 255)}.${rnd.int(1, 254)}`, ports: [rnd.int(20000, 32000)], state: 'TASK_RUNNING' });
    }
    apps.push({ id: `/team${i % 50}/app${i}`, instances: 3, labels, portDefinitions: [{ port: 10000 + i, protocol: 'tcp' }], tasks });
  }
  const parsed = JSON.parse(JSON.stringify({ apps })) as { apps: typeof apps };
  const lines: string[] = [];
  for (const app of parsed.apps) {
    lines.push(`backend ${app.id.slice(1).replace(/\//g, '_')}_${app.portDefinitions[0]!.port}`);
    for (const key of Object.keys(app.labels).sort()) lines.push(`  # ${key}=${app.labels[key]}`);
    for (const t of app.tasks) lines.push(`  server ${t.host.replace(/\./g, '_')}_${t.ports[0]} ${t.host}:${t.ports[0]} check`);
  }
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

if (process.argv[1]?.endsWith('machine-check.js')) {
  const start = performance.now();
  machineCheckWork();
  console.log((performance.now() - start).toFixed(1));
}
