// Marathon faults heal fast (issue 9): after a period of refused credentials the next change is
// applied within seconds, and an event stream that accepts the connection but never answers is
// given up within the liveness window and retried.

import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { request } from '../emulator/http-client.js';
import { findHaproxy, freePorts, tempDir, waitFor } from '../support/haproxy.js';
import { isolatedFlags, runController, type ControllerProcess } from '../support/controller-process.js';
import { watchEvents } from '../../src/marathon/index.js';

const d = findHaproxy() ? describe : describe.skip;

d('Marathon faults heal fast', () => {
  let emu: Emulator | undefined;
  let ctl: ControllerProcess | undefined;
  afterEach(async () => {
    if (ctl) expect(await ctl.stop()).toBe(0);
    await emu?.close();
    ctl = undefined;
    emu = undefined;
  });

  it('after Marathon refused our credentials for a while, the next change is applied within seconds', async () => {
    emu = await startEmulator({ taskServers: 'inprocess', heartbeatMs: 500 });
    const p = await freePorts(7);
    ctl = runController(['sse', '--group', 'external', '--marathon', emu.url, '--supervise-haproxy', '--min-reload-interval', '0',
      ...isolatedFlags(await tempDir('mlb-heal-'), { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! })]);
    await ctl.waitForLog((l) => l.msg === 'connected to the Marathon event stream', 'stream connected');
    // Credentials refused (a rotation under way): the stream is cut and every request gets 401.
    for (const path of ['/v2/events', '/v2/apps']) emu.failNext(path, 401, 1_000_000);
    emu.dropStreams();
    const streams = () => emu!.requests.filter((r) => r.path.startsWith('/v2/events')).length;
    const from = streams();
    await ctl.waitForLog((l) => l.msg === 'marathon refused our credentials', 'the refusal reported');
    await waitFor('the stream asked again three times while refused', () => streams() >= from + 3, 30_000);
    // Accepted again; a change right after must be applied within seconds, not minutes.
    for (const path of ['/v2/events', '/v2/apps']) emu.failNext(path, 401, 0);
    await emu.putApp({ id: '/healed', instances: 1, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: p[5]! }] });
    // Served means in HAProxy's config, as the status page says (whether its task is up is not the point here).
    await waitFor('the change is applied', async () => {
      const st = JSON.parse((await request(`http://127.0.0.1:${p[4]!}/_mlb_status`, { headers: { accept: 'application/json' } })).body) as { services: Array<{ appId: string }> };
      return st.services.some((s) => s.appId === '/healed');
    }, 20_000);
  });

  it('an event stream that accepts the connection and never sends headers is given up within the liveness window', async () => {
    const accepted: number[] = [];
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => { accepted.push(Date.now()); sockets.push(s); s.resume(); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const livenessMs = 300;
    const logs: string[] = [];
    const watcher = watchEvents({
      urls: [`http://127.0.0.1:${(silent.address() as AddressInfo).port}`],
      eventTypes: ['status_update_event'], maxBackoffSeconds: 1, livenessMs, backoff: { initialMs: 50, minGapMs: 20 }, random: () => 0.5,
      onEvent: () => undefined, onResyncNeeded: () => undefined, onConnected: () => undefined, onDisconnected: () => undefined,
      onAuthError: () => undefined, log: (_level, obj, msg) => logs.push(`${msg} ${JSON.stringify(obj)}`),
    });
    try {
      await waitFor('three connections', () => accepted.length >= 3, 10_000);
      expect(accepted[1]! - accepted[0]!).toBeGreaterThanOrEqual(livenessMs - 20);
      expect(accepted[1]! - accepted[0]!).toBeLessThan(livenessMs + 1000);
      expect(logs.join('\n')).toContain(`no answer within ${livenessMs} ms`);
      // Each abandoned connection was closed, not left open.
      await waitFor('earlier connections closed', () => sockets.slice(0, 2).every((s) => s.destroyed || s.readableEnded), 5_000);
    } finally {
      await watcher.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
