// The event-latency benchmark's prober, in its own process so that its request loop does not
// share an event loop with the emulator (which must answer the controller's reads and send
// events without waiting behind it). LOOPS request loops (default 4) each send one request
// after another to 127.0.0.1:PORT, each on a new connection: several loops so that the moment a
// new task starts taking traffic is seen within a fraction of one request's round trip. Every
// answer is reported to the parent over IPC in batches, stamped with the wall clock at the
// moment it arrived (performance.timeOrigin + now(): the same clock in every process, to the
// microsecond).
//
//   forked by event-latency.ts: node dist-bench/bench/prober.js PORT [LOOPS]

import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface ProbeAnswer {
  /** Wall clock, ms (fractional). */
  readonly at: number;
  /** The answering task's id (the body), or undefined when the request failed. */
  readonly task?: string | undefined;
  /** For a failed request: the status (0: no answer) and the body or error. */
  readonly failure?: string | undefined;
}

const wallNow = () => performance.timeOrigin + performance.now();

function get(port: number): Promise<ProbeAnswer> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve(res.statusCode === 200 ? { at: wallNow(), task: body.trim() } : { at: wallNow(), failure: `${res.statusCode}: ${body.trim().slice(0, 200)}` }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ at: wallNow(), failure: `0: ${e.message}` }));
  });
}

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const loops = Number(process.argv[3] ?? 4);
  let batch: ProbeAnswer[] = [];
  const timer = setInterval(() => {
    if (batch.length === 0 || !process.connected) return;
    process.send!(batch);
    batch = [];
  }, 10);
  let stop = false;
  process.on('disconnect', () => { stop = true; });
  await Promise.all(Array.from({ length: loops }, async () => {
    while (!stop) batch.push(await get(port));
  }));
  clearInterval(timer);
}

void main();
