// Auth (spec §7.1) and leader/standby/election behaviour (spec §6, §4.2) of the emulator.

import { afterEach, describe, expect, it } from '@jest/globals';
import { startEmulator, type EmulatorWithEvents } from '../emulator/index.js';
import { getJson, openEventStream, request, waitFor } from '../emulator/http-client.js';

const started: EmulatorWithEvents[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((e) => e.close()));
});
async function start(...args: Parameters<typeof startEmulator>): Promise<EmulatorWithEvents> {
  const e = await startEmulator(...args);
  started.push(e);
  return e;
}

describe('basic auth', () => {
  it('answers 401 with a Jetty HTML page and WWW-Authenticate on every path without valid credentials', async () => {
    const emu = await start({ auth: { user: 'marathon', password: 's3cret' } });
    for (const path of ['/v2/apps', '/ping', '/v2/events', '/v2/info']) {
      const res = await request(`${emu.url}${path}`, { headers: { Accept: 'text/event-stream' } });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('basic realm="Mesosphere"');
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('HTTP ERROR 401');
    }
    const wrong = 'Basic ' + Buffer.from('marathon:nope').toString('base64');
    expect((await request(`${emu.url}/v2/apps`, { headers: { Authorization: wrong } })).status).toBe(401);
    const right = 'Basic ' + Buffer.from('marathon:s3cret').toString('base64');
    expect(await getJson(`${emu.url}/v2/apps`, { Authorization: right })).toEqual({ apps: [] });
    const s = await openEventStream(`${emu.url}/v2/events`, { Accept: 'text/event-stream', Authorization: right });
    expect(s.status).toBe(200);
    s.close();
  });
});

describe('leader roles', () => {
  it('standby: 302 for /v2/events to the leader with the same query; REST proxied to the leader', async () => {
    const leader = await start();
    await leader.putApp({ id: '/on-leader', instances: 0 });
    const standby = await start();
    standby.setRole({ kind: 'standby', leaderUrl: leader.url });

    const q = '?plan-format=light&event_type=api_post_event&event_type=status_update_event';
    const redirect = await request(`${standby.url}/v2/events${q}`, { headers: { Accept: 'text/event-stream' } });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe(`${leader.url}/v2/events${q}`);

    const proxied = await request(`${standby.url}/v2/apps`);
    expect(proxied.status).toBe(200);
    expect(JSON.parse(proxied.body).apps.map((a: any) => a.id)).toEqual(['/on-leader']);
    expect(proxied.headers['x-marathon-leader']).toBe(leader.url);
    expect(proxied.headers['x-marathon-via']).toBe(`1.1 ${new URL(standby.url).host}`);
    const seen = leader.requests.find((r) => r.path === '/v2/apps');
    expect(seen?.headers['x-marathon-via']).toBe(`1.1 ${new URL(standby.url).host}`);
  });

  it('standby whose leader is gone answers a Jetty 502', async () => {
    const gone = await startEmulator();
    const deadUrl = gone.url;
    await gone.close();
    const standby = await start({ version: '1.5' });
    standby.setRole({ kind: 'standby', leaderUrl: deadUrl });
    const res = await request(`${standby.url}/v2/apps`);
    expect(res.status).toBe(502);
    expect(res.body).toContain('Connection to leader refused.');
  });

  it('electing: Jetty 503 everywhere; losing leadership drops event streams; leading again serves', async () => {
    const emu = await start({ heartbeatMs: 60_000 });
    const s = await openEventStream(`${emu.url}/v2/events`);
    await waitFor(() => emu.streamCount() === 1, 'stream open');
    emu.setRole({ kind: 'electing' });
    await waitFor(() => s.ended(), 'stream dropped on leadership loss');
    for (const path of ['/v2/apps', '/v2/events', '/ping']) {
      const res = await request(`${emu.url}${path}`, { headers: { Accept: 'text/event-stream' } });
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('Could not determine the current leader');
      expect(res.headers['x-marathon-leader']).toBeUndefined();
    }
    emu.setRole({ kind: 'leader' });
    expect((await request(`${emu.url}/v2/apps`)).status).toBe(200);
  });
});
