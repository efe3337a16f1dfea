// The emulator's event side against spec §4 and §5: SSE framing bytes, heartbeat, event_type
// filter, 405 on a wrong Accept, drop/stall switches, and real POST delivery to callback URLs.

import http from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { startEmulator, type EmulatorWithEvents } from '../emulator/index.js';
import { openEventStream, request, waitFor, type RawEventStream } from '../emulator/http-client.js';

let emu: EmulatorWithEvents | undefined;
const streams: RawEventStream[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  await emu?.close();
  emu = undefined;
});

async function open(url: string, headers?: Record<string, string>): Promise<RawEventStream> {
  const s = await openEventStream(url, headers);
  streams.push(s);
  return s;
}

describe('GET /v2/events', () => {
  it('frames events as "event: X\\r\\ndata: {json}\\r\\n\\r\\n", event_stream_attached first', async () => {
    emu = await startEmulator({ heartbeatMs: 60_000 });
    const s = await open(`${emu.url}/v2/events?plan-format=light`);
    expect(s.status).toBe(200);
    expect(s.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(s.headers['x-marathon-leader']).toBe(emu.url);
    await waitFor(() => s.frames().length >= 1, 'attached event');
    expect(s.text()).toMatch(/^event: event_stream_attached\r\ndata: \{"remoteAddress":"127\.0\.0\.1","eventType":"event_stream_attached","timestamp":"[0-9T:.\-]+Z"\}\r\n\r\n$/);
    expect(emu.streamCount()).toBe(1);

    emu.emit('custom_event', { a: 1 });
    await waitFor(() => s.frames().length >= 2, 'custom event');
    const f = s.frames()[1]!;
    expect(f.event).toBe('custom_event');
    expect(f.data).toMatchObject({ a: 1, eventType: 'custom_event' });
    expect(s.text().endsWith(`event: custom_event\r\ndata: ${JSON.stringify(f.data)}\r\n\r\n`)).toBe(true);
  });

  it('sends a bare CRLF heartbeat every heartbeatMs', async () => {
    emu = await startEmulator({ heartbeatMs: 50 });
    const s = await open(`${emu.url}/v2/events?event_type=none_such`);
    await waitFor(() => s.text().length >= 6, 'three heartbeats', 5000);
    expect(s.text()).toMatch(/^(\r\n)+$/);
  });

  it('filters by repeated event_type', async () => {
    emu = await startEmulator({ heartbeatMs: 60_000 });
    const s = await open(`${emu.url}/v2/events?event_type=status_update_event&event_type=app_terminated_event`);
    await emu.putApp({ id: '/x', instances: 1 });
    await emu.deleteApp('/x');
    await waitFor(() => s.frames().some((f) => f.event === 'app_terminated_event'), 'app_terminated_event');
    const types = new Set(s.frames().map((f) => f.event));
    expect([...types].sort()).toEqual(['app_terminated_event', 'status_update_event']);
    const statuses = s.frames().filter((f) => f.event === 'status_update_event').map((f) => f.data.taskStatus);
    expect(statuses).toEqual(['TASK_STAGING', 'TASK_RUNNING', 'TASK_KILLED']);
    const running = s.frames().find((f) => f.data.taskStatus === 'TASK_RUNNING')!.data;
    expect(Object.keys(running)).toEqual(['slaveId', 'taskId', 'taskStatus', 'message', 'appId', 'host', 'ipAddresses', 'ports', 'version', 'eventType', 'timestamp']);
  });

  it('answers 405 unless an Accept header is exactly text/event-stream', async () => {
    emu = await startEmulator();
    for (const accept of ['*/*', 'text/event-stream, */*', 'application/json']) {
      const res = await request(`${emu.url}/v2/events`, { headers: { Accept: accept } });
      expect(res.status).toBe(405);
      expect(res.body).toContain('HTTP ERROR 405');
    }
    expect((await request(`${emu.url}/v2/events`)).status).toBe(405);
    expect(emu.streamCount()).toBe(0);
  });

  it('publishes the lifecycle events of a deployment and a health flip', async () => {
    emu = await startEmulator({ heartbeatMs: 60_000 });
    const s = await open(`${emu.url}/v2/events`);
    await emu.putApp({ id: '/h', instances: 1, healthChecks: [{ path: '/hc' }] });
    const task = emu.tasks('/h')[0]!;
    emu.setHealth(task.id, false);
    await waitFor(() => s.frames().some((f) => f.event === 'instance_health_changed_event' && f.data.healthy === false), 'unhealthy event');
    const types = s.frames().map((f) => f.event);
    for (const t of ['api_post_event', 'group_change_success', 'deployment_info', 'status_update_event', 'deployment_success', 'health_status_changed_event', 'failed_health_check_event']) {
      expect(types).toContain(t);
    }
    expect(types.indexOf('deployment_info')).toBeLessThan(types.indexOf('deployment_success'));
    const post = s.frames().find((f) => f.event === 'api_post_event')!.data;
    expect(post).toMatchObject({ uri: '/v2/apps/h', appDefinition: { id: '/h', instances: 1 } });
    expect(post.appDefinition).not.toHaveProperty('tasks');
    const flips = s.frames().filter((f) => f.event === 'health_status_changed_event').map((f) => f.data.alive);
    expect(flips).toEqual([true, false]);
  });

  it('dropStreams cuts every connection; stallStreams sends nothing until released', async () => {
    emu = await startEmulator({ heartbeatMs: 30 });
    const a = await open(`${emu.url}/v2/events`);
    const b = await open(`${emu.url}/v2/events`);
    await waitFor(() => emu!.streamCount() === 2, 'two streams');
    emu.dropStreams();
    await waitFor(() => a.ended() && b.ended(), 'streams ended');
    await waitFor(() => emu!.streamCount() === 0, 'no streams');

    const c = await open(`${emu.url}/v2/events`);
    await waitFor(() => c.text().includes('\r\n\r\n\r\n'), 'attached event and a heartbeat');
    emu.stallStreams(true);
    const before = c.text().length;
    emu.emit('lost_event', {});
    // Absence can only be shown by waiting: ten heartbeat periods pass without a byte.
    await new Promise((r) => setTimeout(r, 300));
    expect(c.text().length).toBe(before);
    expect(c.ended()).toBe(false);
    expect(emu.streamCount()).toBe(1);
    emu.stallStreams(false);
    emu.emit('later_event', {});
    await waitFor(() => c.frames().some((f) => f.event === 'later_event'), 'event after release');
    expect(c.frames().some((f) => f.event === 'lost_event')).toBe(false);
  });
});

describe('/v2/eventSubscriptions', () => {
  it('answers 400 with Marathon\'s message when the callback module is off', async () => {
    emu = await startEmulator();
    const res = await request(`${emu.url}/v2/eventSubscriptions`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).message).toBe(
      'http event callback system is not running on this Marathon instance. Please re-start this instance with\n"--event_subscriber http_callback".',
    );
  });

  it('registers, delivers events by POST, lists and unregisters callback URLs', async () => {
    emu = await startEmulator({ eventCallbacks: true, version: '1.4' });
    const received: Array<{ headers: http.IncomingHttpHeaders; body: any }> = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(body) });
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const callbackUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/callback`;
    try {
      const sub = await request(`${emu.url}/v2/eventSubscriptions?callbackUrl=${encodeURIComponent(callbackUrl)}`, { method: 'POST' });
      expect(sub.status).toBe(200);
      expect(JSON.parse(sub.body)).toMatchObject({ callbackUrl, eventType: 'subscribe_event', clientIp: '127.0.0.1' });
      expect(JSON.parse((await request(`${emu.url}/v2/eventSubscriptions`)).body)).toEqual({ callbackUrls: [callbackUrl] });

      await emu.putApp({ id: '/cb', instances: 1 });
      await waitFor(() => received.some((r) => r.body.eventType === 'deployment_success'), 'deployment_success delivered');
      const types = received.map((r) => r.body.eventType);
      expect(types).toContain('api_post_event');
      expect(types).toContain('status_update_event');
      expect(received[0]!.headers['content-type']).toBe('application/json');

      const bad = await request(`${emu.url}/v2/eventSubscriptions?callbackUrl=nope`, { method: 'POST' });
      expect(bad.status).toBe(422);
      const unsub = await request(`${emu.url}/v2/eventSubscriptions?callbackUrl=${encodeURIComponent(callbackUrl)}`, { method: 'DELETE' });
      expect(JSON.parse(unsub.body).eventType).toBe('unsubscribe_event');
      expect(emu.callbackUrls()).toEqual([]);
    } finally {
      await new Promise<void>((r) => {
        receiver.close(() => r());
        receiver.closeAllConnections();
      });
    }
  });
});
