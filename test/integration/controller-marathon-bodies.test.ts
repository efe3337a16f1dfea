// Bad answers from Marathon never stop the controller (issue 9): a pass that fails on a 500 is
// retried with backoff at once, not parked until the next event or resync; truncated and
// malformed bodies are errors a later pass heals; malformed apps are skipped, the rest served.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { request } from '../emulator/http-client.js';
import { findHaproxy, freePorts, tempDir, waitFor } from '../support/haproxy.js';
import { isolatedFlags, runController, type ControllerProcess } from '../support/controller-process.js';

const d = findHaproxy() ? describe : describe.skip;

interface Status { services: Array<{ appId: string }>; skipped: Array<{ appId: string; reason: string }> }

d('bad answers from Marathon', () => {
  let ctl: ControllerProcess | undefined;
  let emu: Emulator | undefined;
  let marathon: Server | undefined;
  afterEach(async () => {
    if (ctl) expect(await ctl.stop()).toBe(0);
    await emu?.close();
    if (marathon) await new Promise((r) => marathon!.close(r));
    ctl = undefined; emu = undefined; marathon = undefined;
  });
  const statusOf = async (port: number): Promise<Status | undefined> => {
    const r = await request(`http://127.0.0.1:${port}/_mlb_status`, { headers: { accept: 'application/json' } }).catch(() => undefined);
    return r?.status === 200 ? JSON.parse(r.body) as Status : undefined;
  };

  it('a pass that fails on a 500 is retried at once, without waiting for another event', async () => {
    emu = await startEmulator({ taskServers: 'none', heartbeatMs: 500 });
    const p = await freePorts(6);
    ctl = runController(['sse', '--group', 'external', '--marathon', emu.url, '--supervise-haproxy', '--min-reload-interval', '0',
      ...isolatedFlags(await tempDir('mlb-500-'), { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! })]);
    await ctl.waitForLog((l) => l.msg === 'haproxy started', 'haproxy started');
    // The pass this change triggers reads Marathon (the app, or the whole list) and gets a 500, once.
    emu.failNext('/v2/apps/retried', 500, 1);
    emu.failNext('/v2/apps', 500, 1);
    await emu.putApp({ id: '/retried', instances: 1, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: p[5]! }] });
    await waitFor('the change applied by the retry', async () => (await statusOf(p[4]!))?.services.some((s) => s.appId === '/retried'), 10_000);
    expect(emu.requests.some((r) => r.path.startsWith('/v2/apps'))).toBe(true);
    expect(ctl.logs.some((l) => l.msg === 'pass failed; haproxy keeps the last good config')).toBe(true);
  });

  it('truncated and malformed bodies are errors that a later pass heals; malformed apps are skipped, the others served', async () => {
    const p = await freePorts(7);
    let n = 0;
    const good = { id: '/fine', instances: 1, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: p[5]!, protocol: 'tcp' }], healthChecks: [], deployments: [],
      tasks: [{ id: 'fine.t1', appId: '/fine', host: '127.0.0.1', state: 'TASK_RUNNING', ports: [31999] }] };
    const answers = [
      '{"apps": [{"id": "/fine", "instan',                                   // truncated
      '<html>502 Bad Gateway</html>',                                          // not JSON
      JSON.stringify({ apps: 'nope' }),                                         // wrong type
      JSON.stringify({ apps: [good, { id: 7 }, { id: '/odd', labels: 'x', tasks: {}, portDefinitions: [{ port: 'a' }] }, null, 'str'] }),
    ];
    marathon = createServer((req, res) => {
      if (!req.url?.startsWith('/v2/apps')) { res.statusCode = 404; res.end('{}'); return; }
      res.setHeader('content-type', 'application/json');
      res.end(answers[Math.min(n++, answers.length - 1)]);
    });
    await new Promise<void>((r) => marathon!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(marathon.address() as AddressInfo).port}`;
    ctl = runController(['poll', '--group', 'external', '--marathon', url, '--poll-interval', '1', '--supervise-haproxy',
      ...isolatedFlags(await tempDir('mlb-bodies-'), { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! })]);
    await waitFor('the healthy app served after the bad answers', async () => (await statusOf(p[4]!))?.services.some((s) => s.appId === '/fine'), 20_000);
    expect(n).toBeGreaterThanOrEqual(4);
    const st = (await statusOf(p[4]!))!;
    expect(st.skipped.some((s) => s.appId === '/odd')).toBe(true);
    expect(ctl.child.exitCode).toBeNull();
  });
});
