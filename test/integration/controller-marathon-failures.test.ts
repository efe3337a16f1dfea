// How the long-running controller copes with Marathon itself: a standby that redirects the
// stream to the leader, credentials Marathon refuses, and a poll mode that needs no stream.

import { startEmulator, type Emulator } from '../emulator/index.js';
import { request } from '../emulator/http-client.js';
import { findHaproxy, freePorts, tempDir, waitFor } from '../support/haproxy.js';
import { isolatedFlags, runController, type ControllerProcess } from '../support/controller-process.js';

const d = findHaproxy() ? describe : describe.skip;

async function flags(extra: string[] = []): Promise<string[]> {
  const p = await freePorts(5);
  return [...isolatedFlags(await tempDir('mlb-fail-'), { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! }), ...extra];
}

d('Marathon failures', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });
  const track = <T extends Emulator | ControllerProcess>(x: T): T => {
    cleanups.push(() => ('stop' in x ? x.stop() : x.close()));
    return x;
  };

  it('follows a standby\'s redirect to the leader and serves the leader\'s apps', async () => {
    const leader = track(await startEmulator({ taskServers: 'inprocess' }));
    const standby = track(await startEmulator({ taskServers: 'none' }));
    standby.setRole({ kind: 'standby', leaderUrl: leader.url });
    const [svc] = await freePorts(1);
    await leader.putApp({ id: '/led', instances: 1, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: svc! }] });
    const ctl = track(runController(['sse', '--group', 'external', '--marathon', standby.url, '--supervise-haproxy', '--log-level', 'debug', ...(await flags())]));
    const connected = await ctl.waitForLog((l) => l.msg === 'connected to the Marathon event stream', 'stream connected');
    expect(connected.url).toBe(leader.url);
    const [task] = leader.tasks('/led');
    await waitFor('the leader\'s task answers', async () => (await request(`http://127.0.0.1:${svc}/`).catch(() => undefined))?.body.trim() === task!.id, 20_000);
  });

  it('reports refused credentials and does not spin on them', async () => {
    const emu = track(await startEmulator({ taskServers: 'none', auth: { user: 'ops', password: 's3cret' } }));
    const ctl = track(runController(['sse', '--group', 'external', '--marathon', emu.url, '--auth-credentials', 'ops:wrong', '--max-backoff', '2', ...(await flags())]));
    const refused = await ctl.waitForLog((l) => l.msg === 'marathon refused our credentials', 'auth error reported');
    expect(refused.status).toBe(401);
    // No config was ever applied, so the log does not claim a last good one.
    await ctl.waitForLog((l) => l.msg === 'pass failed; no config applied yet', 'the pass fails too');
    expect(ctl.output()).not.toContain('s3cret');
    expect(ctl.output()).not.toContain('ops:wrong');
    // Over a few seconds, the stream is retried at the maximum backoff, not in a tight loop.
    const before = emu.requests.filter((r) => r.path.startsWith('/v2/events')).length;
    await new Promise((r) => setTimeout(r, 3000));
    const after = emu.requests.filter((r) => r.path.startsWith('/v2/events')).length;
    expect(after - before).toBeLessThanOrEqual(3);
  });

  it('poll mode keeps polling with the status server off (nothing else keeps the process alive)', async () => {
    const emu = track(await startEmulator({ taskServers: 'none' }));
    const ctl = track(runController(['poll', '--group', 'external', '--marathon', emu.url, '--poll-interval', '0.2', ...(await flags(['--status-port', '0']))]));
    await waitFor('three reads of Marathon', () => emu.requests.filter((r) => r.path.startsWith('/v2/apps')).length >= 3, 20_000);
    expect(ctl.child.exitCode).toBeNull();
  });

  it('poll mode picks up changes on its timer', async () => {
    const emu = track(await startEmulator({ taskServers: 'inprocess' }));
    const [svc] = await freePorts(1);
    const ctl = track(runController(['poll', '--group', 'external', '--marathon', emu.url, '--poll-interval', '1', '--supervise-haproxy', ...(await flags())]));
    await ctl.waitForLog((l) => l.msg === 'haproxy started', 'haproxy started');
    await emu.putApp({ id: '/polled', instances: 1, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: svc! }] });
    const [task] = emu.tasks('/polled');
    await waitFor('the polled app is served', async () => (await request(`http://127.0.0.1:${svc}/`).catch(() => undefined))?.body.trim() === task!.id, 20_000);
    expect(emu.requests.some((r) => r.path.startsWith('/v2/events'))).toBe(false);
  });
});
