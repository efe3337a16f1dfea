// Two Marathons behind one load balancer (--marathon-cluster, repeated, one with its own
// credentials): both have an app `/web`,
// served side by side under their cluster names; a port claimed by the second is refused and
// named; one Marathon taken down while the other keeps changing, then back.

import { startEmulator, type EmulatorWithEvents } from '../emulator/index.js';
import { request } from '../emulator/http-client.js';
import { findHaproxy, freePorts, tempDir, waitFor } from '../support/haproxy.js';
import { isolatedFlags, runController, type ControllerProcess } from '../support/controller-process.js';

const d = findHaproxy() ? describe : describe.skip;

interface Status {
  services: Array<{ appId: string; servicePort: number; backend: string; servers: unknown[] }>;
  skipped: Array<{ appId: string; message: string }>;
}

d('two Marathons behind one HAProxy', () => {
  let east: EmulatorWithEvents;
  let west: EmulatorWithEvents;
  let ctl: ControllerProcess;
  let pEast: number;
  let pWest: number;
  let status: number;

  async function answering(port: number, n = 12): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < n; i += 1) {
      const r = await request(`http://127.0.0.1:${port}/`).catch(() => undefined);
      if (r?.status === 200) seen.add(r.body.trim());
    }
    return seen;
  }
  const ids = (emu: EmulatorWithEvents, app = '/web') => emu.tasks(app).filter((t) => t.state === 'TASK_RUNNING').map((t) => t.id).sort();
  const same = (a: Set<string>, b: string[]) => a.size === b.length && b.every((x) => a.has(x));
  const page = async (): Promise<Status> => JSON.parse((await request(`http://127.0.0.1:${status}/_mlb_status`, { headers: { Accept: '*/*' } })).body) as Status;
  const web = (port: number) => ({ id: '/web', instances: 1, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port }] });

  beforeAll(async () => {
    [east, west] = await Promise.all([
      // East wants its own credentials (given in its URL); west none.
      startEmulator({ taskServers: 'inprocess', heartbeatMs: 500, auth: { user: 'east', password: 's3cret' } }),
      startEmulator({ taskServers: 'inprocess', heartbeatMs: 500 }),
    ]);
    const p = await freePorts(7);
    pEast = p[5]!;
    pWest = p[6]!;
    status = p[4]!;
    const dir = await tempDir('mlb-clusters-');
    ctl = runController(['sse', '--group', 'external', '--marathon-cluster', `east=${east.url.replace('//', '//east:s3cret@')}`, '--marathon-cluster', `west=${west.url}`,
      '--supervise-haproxy', '--min-reload-interval', '0', '--max-backoff', '1', '--log-level', 'debug',
      ...isolatedFlags(dir, { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! })]);
    await ctl.waitForLog((l) => l.msg === 'haproxy started', 'haproxy started');
  });

  afterAll(async () => {
    const code = await ctl?.stop();
    // East's password never reaches a log line.
    expect(ctl.output()).not.toContain('s3cret');
    await Promise.all([east?.close(), west?.close()]);
    expect(code).toBe(0);
  });

  it('the same app id in both Marathons is served side by side, named by cluster', async () => {
    await east.putApp(web(pEast));
    await west.putApp({ ...web(pWest), instances: 2 });
    await waitFor('east /web answers', async () => same(await answering(pEast), ids(east)), 20_000);
    await waitFor('west /web answers', async () => same(await answering(pWest), ids(west)), 20_000);
    // The status page follows once the pass that changed HAProxy has ended.
    const want = JSON.stringify([['/east/web', `east_web_${pEast}`], ['/west/web', `west_web_${pWest}`]]);
    await waitFor('the status page names both', async () => JSON.stringify((await page()).services.map((x) => [x.appId, x.backend]).sort()) === want, 20_000);
    // Its stream line names each Marathon, without credentials.
    const stream = JSON.parse((await request(`http://127.0.0.1:${status}/_mlb_status`, { headers: { Accept: '*/*' } })).body).stream as { url: string; connected: boolean };
    expect(stream.url).toMatch(new RegExp(`^east=${east.url}\\S* west=${west.url}`));
    expect(stream.url).not.toContain('s3cret');
  });

  it('a service port held by one cluster\'s app is refused to the other\'s, and named', async () => {
    await west.putApp({ ...web(pEast), id: '/intruder' });
    await waitFor('the intruder is named', async () => (await page()).skipped.some((x) => x.appId === '/west/intruder' && x.message.includes(`port ${pEast} is already used by app /east/web`)), 20_000);
    expect(same(await answering(pEast), ids(east))).toBe(true);
    await west.deleteApp('/intruder');
  });

  it('one Marathon down: the other\'s changes still go through, and the first\'s apps stay served', async () => {
    const eastTasks = ids(east);
    east.setRole({ kind: 'electing' }); // every request 503, its stream dropped; its tasks keep running
    await ctl.waitForLog((l) => l.msg === 'event stream lost' && l['cluster'] === 'east', 'east stream lost');
    await west.scale('/web', 3);
    await waitFor('west scaled to 3 while east is down', async () => same(await answering(pWest, 16), ids(west)), 20_000);
    // A full read while east is down keeps east as last read.
    ctl.child.kill('SIGHUP');
    await ctl.waitForLog((l) => l.msg === 'marathon cluster unreadable; its apps stay as last read' && l['cluster'] === 'east', 'east unreadable');
    await west.scale('/web', 1);
    await waitFor('west scaled to 1', async () => same(await answering(pWest, 8), ids(west)), 20_000);
    expect(same(await answering(pEast), eastTasks)).toBe(true);

    east.setRole({ kind: 'leader' });
    await east.scale('/web', 2);
    await waitFor('east is followed again', async () => same(await answering(pEast, 12), ids(east)), 20_000);
  });
});
