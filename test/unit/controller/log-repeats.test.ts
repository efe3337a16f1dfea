// A repeated problem is logged once, then again when it changes or every
// REPEAT_LOG_INTERVAL_MS; a pass with 1,000 skipped apps logs a bounded number of lines.

import pino from 'pino';
import { Writable } from 'node:stream';
import { createMetrics } from '../../../src/admin/index.js';
import { createController, MAX_SKIP_LINES_PER_PASS } from '../../../src/controller/controller.js';
import { haproxyOutputLogger } from '../../../src/controller/haproxy-adapters.js';
import { REPEAT_LOG_INTERVAL_MS, RepeatFilter } from '../../../src/controller/log-repeats.js';
import { reconcileFakes } from '../../support/reconcile-fakes.js';
import { wireApp } from '../../support/wire-builders.js';

describe('RepeatFilter', () => {
  it('logs a problem when new, changed or due again, counting the repeats in between', () => {
    const f = new RepeatFilter(1000);
    expect(f.check('k', 'a', 0)).toEqual({ log: true, repeats: 0 });
    expect(f.check('k', 'a', 10)).toEqual({ log: false, repeats: 1 });
    expect(f.check('k', 'a', 20)).toEqual({ log: false, repeats: 2 });
    expect(f.check('k', 'a', 1020)).toEqual({ log: true, repeats: 2 });
    expect(f.check('k', 'b', 1030)).toEqual({ log: true, repeats: 0 });
    expect(f.clear('k')).toBe(true);
    expect(f.check('k', 'b', 1040)).toEqual({ log: true, repeats: 0 });
    expect(f.keys('k')).toEqual(['k']);
  });
});

function controllerWithLog() {
  const lines: Array<{ level: number; msg: string; [k: string]: unknown }> = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l)); done(); } });
  const log = pino({ level: 'info' }, sink);
  const f = reconcileFakes();
  let now = 0;
  const c = createController({ ...f.deps, now: () => now, log, metrics: createMetrics(), version: 'test' });
  return { f, c, lines, advance: (ms: number) => { now += ms; } };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('controller logs', () => {
  it('a pass with 1,000 skipped apps logs a bounded number of lines; the next passes log none; every interval a bounded few again', async () => {
    const { f, c, lines, advance } = controllerWithLog();
    f.marathon.put(wireApp({ id: '/fine', tasks: [[31000]] }));
    for (let i = 0; i < 1000; i += 1) f.marathon.put(wireApp({ id: `/bad-${String(i).padStart(4, '0')}`, ports: [11000 + i], labels: { HAPROXY_0_MODE: 'bogus' } }));
    await c.runPass(['startup']);
    await settle();
    const first = lines.length;
    expect(lines.filter((l) => l.msg === 'app not served')).toHaveLength(MAX_SKIP_LINES_PER_PASS);
    expect(lines.find((l) => l.msg.startsWith('more apps not served'))).toMatchObject({ count: 1000 - MAX_SKIP_LINES_PER_PASS });
    expect(first).toBeLessThanOrEqual(MAX_SKIP_LINES_PER_PASS + 5);
    for (let i = 0; i < 5; i += 1) await c.runPass(['resync']);
    await settle();
    expect(lines.slice(first)).toEqual([]);
    advance(REPEAT_LOG_INTERVAL_MS);
    await c.runPass(['resync']);
    await settle();
    expect(lines.slice(first).filter((l) => l.msg === 'app not served')).toHaveLength(MAX_SKIP_LINES_PER_PASS);
    expect(lines.length - first).toBeLessThanOrEqual(MAX_SKIP_LINES_PER_PASS + 1);
    // The status page still lists every one of them.
    expect(c.snapshot().skipped.filter((s) => s.reason === 'INVALID_LABEL')).toHaveLength(1000);
    await c.stop();
  });

  it('a skip that changes is logged again at once', async () => {
    const { f, c, lines } = controllerWithLog();
    f.marathon.put(wireApp({ id: '/bad', labels: { HAPROXY_0_MODE: 'bogus' } }));
    await c.runPass(['startup']);
    f.marathon.put(wireApp({ id: '/bad', labels: { HAPROXY_0_MODE: 'worse' } }));
    await c.runPass(['resync']);
    await settle();
    expect(lines.filter((l) => l.msg === 'app not served').map((l) => l.detail)).toEqual([expect.stringContaining('bogus'), expect.stringContaining('worse')]);
    await c.stop();
  });

  it('a failing pass is logged once until it changes or recovers, then says it recovered', async () => {
    const { f, c, lines, advance } = controllerWithLog();
    f.marathon.put(wireApp({ id: '/web' }));
    f.marathon.failNext = 4;
    for (let i = 0; i < 4; i += 1) await c.runPass(['retry']);
    await settle();
    expect(lines.filter((l) => l.msg.startsWith('pass failed'))).toHaveLength(1);
    f.marathon.failNext = 2;
    advance(REPEAT_LOG_INTERVAL_MS);
    await c.runPass(['retry']);
    await settle();
    expect(lines.filter((l) => l.msg.startsWith('pass failed')).at(-1)).toMatchObject({ repeats: 3 });
    await c.runPass(['retry']);
    await c.runPass(['retry']);
    await settle();
    expect(lines.filter((l) => l.msg.startsWith('pass failed'))).toHaveLength(2);
    expect(lines.some((l) => l.msg === 'passes succeed again')).toBe(true);
    await c.stop();
  });
});

describe('HAProxy output', () => {
  it('a warning HAProxy repeats on every reload is logged once per interval; routine output every time', () => {
    const seen: string[] = [];
    const at = (level: string) => (_o: object, msg: string) => { seen.push(`${level} ${msg}`); };
    let now = 0;
    const logRecord = haproxyOutputLogger({ debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as never, () => now);
    const warning = { level: 'warn' as const, haproxyLevel: 'WARNING', text: "config : 'option forwardfor' ignored for proxy 'x'" };
    for (let i = 0; i < 3; i += 1) {
      logRecord({ ...warning, pid: 100 + i });
      logRecord({ level: 'info', haproxyLevel: 'NOTICE', text: 'New worker (1) forked', pid: 1 });
    }
    now += REPEAT_LOG_INTERVAL_MS;
    logRecord({ ...warning, pid: 200 });
    expect(seen).toEqual([
      'warn haproxy output', 'info haproxy output', 'debug haproxy output', 'info haproxy output', 'debug haproxy output', 'info haproxy output',
      'warn haproxy output',
    ]);
  });
});
