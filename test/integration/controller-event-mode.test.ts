// The legacy event mode (Marathon < 1.5): the controller registers an HTTP callback with
// /v2/eventSubscriptions, Marathon POSTs events to it, and it unregisters on shutdown.

import { startEmulator } from '../emulator/index.js';
import { request } from '../emulator/http-client.js';
import { findHaproxy, freePorts, tempDir, waitFor } from '../support/haproxy.js';
import { isolatedFlags, runController } from '../support/controller-process.js';

const d = findHaproxy() ? describe : describe.skip;

d('event (callback) mode', () => {
  it('registers, serves what the callbacks announce, and unregisters on SIGTERM', async () => {
    const emu = await startEmulator({ version: '1.4', taskServers: 'inprocess', eventCallbacks: true });
    try {
      const p = await freePorts(7);
      const callback = `http://127.0.0.1:${p[5]}/callback`;
      const ctl = runController(['event', '--group', 'external', '--marathon', emu.url, '--callback-url', callback,
        '--listening', `127.0.0.1:${p[5]}`, '--supervise-haproxy', '--resync-interval', '3600',
        ...isolatedFlags(await tempDir('mlb-event-'), { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! })]);
      try {
        await waitFor('callback registered', () => emu.callbackUrls().includes(callback), 20_000);
        await ctl.waitForLog((l) => l.msg === 'haproxy started', 'haproxy started');
        // Only a delivered callback can make the controller see this app (no stream, no resync timer).
        await emu.putApp({ id: '/cb', instances: 1, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: p[6]! }] });
        const [task] = emu.tasks('/cb');
        await waitFor('the app announced by callback is served', async () => (await request(`http://127.0.0.1:${p[6]}/`).catch(() => undefined))?.body.trim() === task!.id, 20_000);
      } finally {
        expect(await ctl.stop()).toBe(0);
      }
      expect(emu.callbackUrls()).not.toContain(callback);
    } finally {
      await emu.close();
    }
  });
});
