// --supervise-haproxy: a master that dies is restarted with the last good config, reported,
// and later changes apply again; when it cannot be restarted, the controller exits non-zero
// so that its own supervisor restarts it (issue 9).

import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { request } from '../emulator/http-client.js';
import { findHaproxy, freePorts, tempDir, waitFor } from '../support/haproxy.js';
import { isolatedFlags, runController } from '../support/controller-process.js';

const d = findHaproxy() ? describe : describe.skip;

d('a supervised HAProxy that dies', () => {
  let emu: Emulator;
  beforeAll(async () => { emu = await startEmulator({ taskServers: 'inprocess', heartbeatMs: 500 }); });
  afterAll(async () => { await emu?.close(); });

  async function setUp(group: string) {
    const p = await freePorts(8);
    const dir = await tempDir('mlb-supervise-');
    const ctl = runController(['sse', '--group', group, '--marathon', emu.url, '--supervise-haproxy', '--min-reload-interval', '0',
      ...isolatedFlags(dir, { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! })]);
    await ctl.waitForLog((l) => l.msg === 'haproxy started', 'haproxy started');
    const answers = async (port: number, app: string) => {
      const r = await request(`http://127.0.0.1:${port}/`).catch(() => undefined);
      return r?.status === 200 && emu.tasks(app).some((t) => t.id === r.body.trim());
    };
    const masterPid = async () => Number((await readFile(join(dir, 'run', 'haproxy.pid'), 'utf8')).trim().split(/\s+/)[0]);
    return { p, dir, ctl, answers, masterPid };
  }

  it('is restarted with the last good config, counted, and later changes apply again', async () => {
    const { p, ctl, answers, masterPid } = await setUp('sup1');
    try {
      await emu.putApp({ id: '/sup1-a', instances: 1, labels: { HAPROXY_GROUP: 'sup1' }, portDefinitions: [{ port: p[5]! }] });
      await waitFor('/sup1-a served', () => answers(p[5]!, '/sup1-a'), 20_000);
      const pid = await masterPid();
      process.kill(pid, 'SIGKILL');
      await ctl.waitForLog((l) => l.msg === 'haproxy master restarted', 'the restart', 20_000);
      await waitFor('/sup1-a served again', () => answers(p[5]!, '/sup1-a'), 20_000);
      expect(await masterPid()).not.toBe(pid);
      await emu.putApp({ id: '/sup1-b', instances: 1, labels: { HAPROXY_GROUP: 'sup1' }, portDefinitions: [{ port: p[6]! }] });
      await waitFor('/sup1-b, added after the restart, served', () => answers(p[6]!, '/sup1-b'), 20_000);
      const metrics = (await request(`http://127.0.0.1:${p[4]!}/_mlb_metrics`)).body;
      expect(metrics).toContain('marathon_lb_haproxy_master_restarts_total{result="success"} 1');
      const st = JSON.parse((await request(`http://127.0.0.1:${p[4]!}/_mlb_status`, { headers: { accept: 'application/json' } })).body) as { haproxy: { running: boolean; restarts: number; lastExit?: { code: number | null } } };
      expect(st.haproxy).toMatchObject({ running: true, restarts: 1 });
      expect(st.haproxy.lastExit).toBeDefined();
      expect((await request(`http://127.0.0.1:${p[4]!}/_mlb_status.html`)).body).toContain('id="warn-haproxy-restarted"');
    } finally {
      expect(await ctl.stop()).toBe(0);
    }
  });

  it('when it cannot be restarted, the controller exits non-zero', async () => {
    const { dir, ctl, masterPid } = await setUp('sup2');
    try {
      // Nothing HAProxy can load on disk any more (an operator's mistake, a full disk).
      await writeFile(join(dir, 'haproxy.cfg'), 'this is not a config\n');
      process.kill(await masterPid(), 'SIGKILL');
      await ctl.waitForLog((l) => l.msg === 'haproxy is down and cannot be restarted; exiting', 'giving up', 30_000);
      expect(await ctl.exited).toBe(1);
    } finally {
      await ctl.stop();
    }
  });

  it('runtime API operations are counted by operation and result; a failed one falls back to a reload', async () => {
    const { p, dir, ctl, answers } = await setUp('sup3');
    const metric = async (op: string, result: string) => {
      const m = new RegExp(`marathon_lb_haproxy_runtime_changes_total\\{op="${op}",result="${result}"\\} (\\d+)`).exec((await request(`http://127.0.0.1:${p[4]!}/_mlb_metrics`)).body);
      return m ? Number(m[1]) : 0;
    };
    const servers = async (n: number) => {
      const st = JSON.parse((await request(`http://127.0.0.1:${p[4]!}/_mlb_status`, { headers: { accept: 'application/json' } })).body) as { services: Array<{ appId: string; servers: unknown[] }> };
      return st.services.find((s) => s.appId === '/sup3')?.servers.length === n;
    };
    try {
      await emu.putApp({ id: '/sup3', instances: 1, labels: { HAPROXY_GROUP: 'sup3' }, portDefinitions: [{ port: p[5]! }] });
      await waitFor('/sup3 served', () => answers(p[5]!, '/sup3'), 20_000);
      await emu.scale('/sup3', 2);
      await waitFor('an add-server counted', async () => (await metric('add-server', 'success')) >= 1 && servers(2), 20_000);
      // The admin socket gone (an operator removed it): the next change cannot use it.
      await rm(join(dir, 'run', 'socket'));
      await emu.scale('/sup3', 3);
      await waitFor('the failure counted, and the change applied by a reload', async () => (await metric('add-server', 'no_socket')) >= 1 && servers(3), 20_000);
    } finally {
      expect(await ctl.stop()).toBe(0);
    }
  });
});
