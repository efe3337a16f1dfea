// What an operator reads in the logs of an ordinary run: the controller in sse mode with its own
// HAProxy, one deploy (a reload), a scale up and down (servers in and drained out at run time),
// then SIGTERM. HAProxy's output comes once per event at its level (no "[WARNING]" for routine
// reloads or for the changes the controller asked for, no `log stdout` copies); a clean stop is
// INFO only.

import { createServer, type AddressInfo } from 'node:net';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { findHaproxy, freePorts, tempDir } from '../support/haproxy.js';
import { isolatedFlags, runController, type ControllerProcess, type LogLine } from '../support/controller-process.js';

const d = findHaproxy() ? describe : describe.skip;
const WARN = 40;

d('the logs of a run and a clean stop', () => {
  let emu: Emulator;
  let ctl: ControllerProcess;
  let code: number | null;

  beforeAll(async () => {
    emu = await startEmulator({ taskServers: 'inprocess', heartbeatMs: 500 });
    const p = await freePorts(6);
    const dir = await tempDir('mlb-logs-');
    ctl = runController(['sse', '--group', 'external', '--marathon', emu.url, '--supervise-haproxy',
      '--min-reload-interval', '0', '--debounce-ms', '100', '--log-level', 'debug',
      ...isolatedFlags(dir, { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! })]);
    await ctl.waitForLog((l) => l.msg === 'haproxy started', 'haproxy started');
    await emu.putApp({ id: '/app', instances: 2, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: p[5]! }] });
    // (Not just any reload: the first pass at start logs one too.)
    await ctl.waitForLog((l) => l.msg === 'haproxy reloaded' && String(l['reasons']).includes('added'), 'a reload for the new app');
    // Servers taken in and drained out on the runtime API: HAProxy prints each state change.
    await emu.scale('/app', 3);
    await ctl.waitForLog((l) => l.msg === 'haproxy output' && /UP\/READY/.test(String(l['text'])), 'HAProxy reporting a server taken in');
    await emu.scale('/app', 1);
    await ctl.waitForLog((l) => l.msg === 'haproxy output' && /going DOWN for maintenance/.test(String(l['text'])), 'HAProxy reporting a drained server taken out');
    code = await ctl.stop('SIGTERM');
  });

  afterAll(async () => {
    // SIGTERM (a no-op when beforeAll stopped it): a killed controller would leave its HAProxy running.
    await ctl?.stop();
    await emu?.close();
  });

  const haproxy = (): LogLine[] => ctl.logs.filter((l) => l.msg === 'haproxy output');

  test('a clean stop exits 0 and logs nothing at WARN or above', () => {
    expect(code).toBe(0);
    const from = ctl.logs.findIndex((l) => l.msg === 'shutting down');
    expect(from).toBeGreaterThan(-1);
    const loud = ctl.logs.slice(from).filter((l) => l.level >= WARN);
    expect(loud.map((l) => `${l.msg} ${String(l['text'] ?? l['reason'] ?? '')}`)).toEqual([]);
    expect(ctl.logs.slice(from).some((l) => l.msg === 'haproxy stopped' && l.level === 30)).toBe(true);
  });

  test('HAProxy\'s output is parsed: its level is a field, the text has no prefix', () => {
    expect(haproxy().length).toBeGreaterThan(0);
    for (const l of haproxy()) {
      expect(String(l['text'])).not.toMatch(/^\[(ALERT|WARNING|NOTICE)\]/);
      expect(l['haproxyLevel']).toBeDefined();
    }
  });

  test('routine reload and stop messages are debug, not warnings', () => {
    const routine = haproxy().filter((l) => /^(Proxy \S+ stopped|Former worker|Exiting Master|All workers exited|Loading success|New worker)/.test(String(l['text'])));
    expect(routine.length).toBeGreaterThan(0);
    expect(routine.filter((l) => l.level !== 20)).toEqual([]);
  });

  test('the server changes the controller asks for on the runtime API are debug, not warnings', () => {
    const ours = haproxy().filter((l) => /^CLI : Server \S+ (is UP\/READY|enters drain|is going DOWN for maintenance)/.test(String(l['text'])));
    expect(ours.length).toBeGreaterThanOrEqual(3);
    expect(ours.filter((l) => l.level !== 20).map((l) => String(l['text']))).toEqual([]);
  });

  test('no event is logged twice (stderr and its `log stdout` copy)', () => {
    const bare = haproxy().filter((l) => l['haproxyLevel'] === 'LOG').map((l) => String(l['text']));
    const prefixed = new Set(haproxy().filter((l) => l['haproxyLevel'] !== 'LOG').map((l) => String(l['text']).replace(/['"]/g, '')));
    expect(bare.filter((t) => prefixed.has(t))).toEqual([]);
  });

  test('a connection to the event stream is logged once', () => {
    expect(ctl.logs.filter((l) => /connected/i.test(l.msg) && l.level === 30).map((l) => l.msg)).toEqual(['connected to the Marathon event stream']);
  });

  test('each Marathon event is logged once', () => {
    const perEvent = ctl.logs.filter((l) => /^marathon event$/i.test(l.msg));
    expect(perEvent.length).toBeGreaterThan(0);
    expect([...new Set(perEvent.map((l) => l.msg))]).toEqual(['Marathon event']);
  });
});

describe('a busy status port', () => {
  test('is reported naming --status-port, and the controller exits 1', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const busy = (blocker.address() as AddressInfo).port;
    try {
      const dir = await tempDir('mlb-busy-');
      const p = await freePorts(5);
      const ctl = runController(['poll', '--group', 'external', '--marathon', 'http://127.0.0.1:1',
        ...isolatedFlags(dir, { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: busy })]);
      expect(await ctl.exited).toBe(1);
      const fatal = ctl.logs.find((l) => l.msg === 'cannot start the status server');
      expect(fatal?.level).toBe(60);
      expect(String(fatal?.['error'])).toBe(`127.0.0.1:${busy} is in use: choose another --status-port (0 turns the status server off)`);
    } finally {
      blocker.close();
    }
  });
});
