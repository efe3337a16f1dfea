// The SSE watcher against loopback servers that speak Marathon's event stream the way Jetty
// does: CRLF frames, bare CRLF heartbeats, 302 from standbys, 401/502 answers.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { MarathonAuthError, watchEvents, type EventWatcher, type WatchEventsOptions } from '../../src/marathon/index.js';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

interface FakeServer {
  url: string;
  requests: Array<{ url: string; headers: http.IncomingHttpHeaders; at: number }>;
  close(): Promise<void>;
}

const servers: FakeServer[] = [];
const watchers: EventWatcher[] = [];
const timers: NodeJS.Timeout[] = [];

async function startServer(handler: Handler): Promise<FakeServer> {
  const requests: FakeServer['requests'] = [];
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers, at: Date.now() });
    handler(req, res, requests.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fake: FakeServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  servers.push(fake);
  return fake;
}

function openStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream;charset=UTF-8', connection: 'close' });
  res.flushHeaders();
}

const frame = (type: string, extra: Record<string, unknown> = {}): string =>
  `event: ${type}\r\ndata: ${JSON.stringify({ ...extra, eventType: type, timestamp: '2024-01-01T00:00:00.000Z' })}\r\n\r\n`;

/** Heartbeats like Jetty's (CRLF), bounded in count so no test can run away. */
function heartbeat(res: ServerResponse, everyMs: number, count: number): void {
  let sent = 0;
  const t = setInterval(() => {
    if (res.destroyed || sent >= count) {
      clearInterval(t);
      return;
    }
    sent++;
    res.write('\r\n');
  }, everyMs);
  timers.push(t);
}

/** A stream with one event, then ended cleanly or kept alive with heartbeats. */
function oneEventThen(res: ServerResponse, then: 'end' | 'heartbeats'): void {
  openStream(res);
  res.write(frame('status_update_event'));
  if (then === 'end') res.end();
  else heartbeat(res, 100, 50);
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Recorder {
  events: string[];
  data: string[];
  resyncs: string[];
  connected: Array<{ url: string; at: number }>;
  disconnected: string[];
  authErrors: Array<{ err: MarathonAuthError; at: number }>;
  logs: Array<{ level: string; msg: string; obj: Record<string, unknown> }>;
}

function watch(overrides: Partial<WatchEventsOptions> & { urls: string[] }): { rec: Recorder; watcher: EventWatcher } {
  const rec: Recorder = { events: [], data: [], resyncs: [], connected: [], disconnected: [], authErrors: [], logs: [] };
  const watcher = watchEvents({
    eventTypes: ['api_post_event', 'health_status_changed_event', 'status_update_event'],
    maxBackoffSeconds: 2,
    livenessMs: 2000,
    backoff: { initialMs: 50, minGapMs: 20 },
    random: () => 0.5,
    onEvent: (type, data) => {
      rec.events.push(type);
      rec.data.push(data);
    },
    onResyncNeeded: (reason) => rec.resyncs.push(reason),
    onConnected: (url) => rec.connected.push({ url, at: Date.now() }),
    onDisconnected: (reason) => rec.disconnected.push(reason),
    onAuthError: (err) => rec.authErrors.push({ err, at: Date.now() }),
    log: (level, obj, msg) => rec.logs.push({ level, obj, msg }),
    ...overrides,
  });
  watchers.push(watcher);
  return { rec, watcher };
}

afterEach(async () => {
  await Promise.all(watchers.splice(0).map((w) => w.close()));
  timers.splice(0).forEach(clearInterval);
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('event stream watcher', () => {
  it('subscribes with the marathon-lb query and headers and reports wanted event types', async () => {
    const marathon = await startServer((_req, res) => {
      openStream(res);
      res.write(frame('event_stream_attached', { remoteAddress: '127.0.0.1' }));
      res.write(frame('status_update_event', { taskStatus: 'TASK_RUNNING' }));
      res.write('\r\n');
      res.write(frame('deployment_info'));
      res.write(frame('api_post_event', { appDefinition: { id: '/web' } }));
    });
    const { rec, watcher } = watch({ urls: [marathon.url] });

    await waitFor('two events', () => rec.events.length >= 2);
    expect(rec.events).toEqual(['status_update_event', 'api_post_event']);
    expect(rec.connected.map((c) => c.url)).toEqual([marathon.url]);
    const req = marathon.requests[0];
    expect(req?.url).toBe('/v2/events?plan-format=light&event_type=api_post_event&event_type=health_status_changed_event&event_type=status_update_event');
    expect(req?.headers['accept']).toBe('text/event-stream');
    expect(watcher.state()).toMatchObject({ connected: true, reconnects: 0 });
  });

  it('passes each event\'s raw JSON text along with its type', async () => {
    const marathon = await startServer((_req, res) => {
      openStream(res);
      res.write(frame('api_post_event', { appDefinition: { id: '/web' } }));
    });
    const { rec } = watch({ urls: [marathon.url] });
    await waitFor('the event', () => rec.events.length >= 1);
    expect(JSON.parse(rec.data[0]!)).toEqual({ appDefinition: { id: '/web' }, eventType: 'api_post_event', timestamp: '2024-01-01T00:00:00.000Z' });
  });

  it('drops an event past the line limit, asks for a resync, and keeps the stream and the next event', async () => {
    const marathon = await startServer((_req, res) => {
      openStream(res);
      // 3 MiB in 64 KiB writes, past a 1 MiB limit: dropped, never buffered whole.
      res.write('event: api_post_event\r\ndata: {"eventType":"api_post_event","x":"');
      const piece = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 48; i++) res.write(piece);
      res.write('"}\r\n\r\n');
      res.write(frame('status_update_event', { taskStatus: 'TASK_RUNNING' }));
    });
    const { rec } = watch({ urls: [marathon.url], maxLineLength: 1024 * 1024 });
    await waitFor('the event after the oversized one', () => rec.events.length >= 1);
    expect(rec.events).toEqual(['status_update_event']);
    expect(rec.resyncs).toHaveLength(1);
    expect(rec.resyncs[0]).toMatch(/oversized Marathon event \(api_post_event\)/);
    const warn = rec.logs.find((l) => l.level === 'warn' && /oversized/.test(l.msg));
    expect(warn?.msg).toMatch(/full resync/);
    expect(marathon.requests).toHaveLength(1);
    expect(rec.disconnected).toEqual([]);
  });

  it('skips a malformed payload and keeps the stream', async () => {
    const marathon = await startServer((_req, res) => {
      openStream(res);
      res.write('event: status_update_event\r\ndata: {"eventType": "status_upd\r\n\r\n');
      res.write(frame('status_update_event'));
    });
    const { rec } = watch({ urls: [marathon.url] });
    await waitFor('the good event', () => rec.events.length >= 1);
    expect(rec.events).toEqual(['status_update_event']);
    expect(rec.logs.some((l) => l.level === 'warn' && /malformed/.test(l.msg))).toBe(true);
    expect(marathon.requests).toHaveLength(1);
    expect(rec.disconnected).toEqual([]);
  });

  it('stays connected while heartbeats arrive faster than the liveness window', async () => {
    let beats = 0;
    const marathon = await startServer((_req, res) => {
      openStream(res);
      res.write(frame('status_update_event'));
      const t = setInterval(() => {
        if (res.destroyed || beats >= 20) return clearInterval(t);
        beats++;
        res.write('\r');
        res.write('\n');
      }, 50);
      timers.push(t);
    });
    const { rec, watcher } = watch({ urls: [marathon.url], livenessMs: 400 });
    // 20 beats x 50 ms = 1 s: two and a half liveness windows with nothing but heartbeats.
    await waitFor('twenty heartbeats', () => beats >= 20);
    expect(marathon.requests).toHaveLength(1);
    expect(rec.disconnected).toEqual([]);
    expect(watcher.state().connected).toBe(true);
  });

  it('detects a stalled stream (no bytes at all) and reconnects within the liveness window', async () => {
    const marathon = await startServer((_req, res) => {
      openStream(res);
      res.write(frame('status_update_event'));
      // then silence: no heartbeat, no end
    });
    const livenessMs = 300;
    const { rec, watcher } = watch({ urls: [marathon.url], livenessMs });
    await waitFor('a second connection', () => rec.connected.length >= 2);
    const [first, second] = rec.connected.map((c) => c.at) as [number, number];
    expect(second - first).toBeGreaterThanOrEqual(livenessMs - 20);
    expect(second - first).toBeLessThan(livenessMs + 1000);
    expect(rec.disconnected[0]).toMatch(/no bytes/);
    expect(watcher.state().reconnects).toBeGreaterThanOrEqual(1);
  });

  it('reconnects after the server drops the stream and calls onConnected again', async () => {
    const marathon = await startServer((_req, res, n) => {
      oneEventThen(res, n === 1 ? 'end' : 'heartbeats');
    });
    const { rec, watcher } = watch({ urls: [marathon.url] });
    await waitFor('reconnect', () => rec.connected.length >= 2 && rec.events.length >= 2);
    expect(rec.disconnected).toEqual(['Marathon closed the event stream']);
    expect(watcher.state()).toMatchObject({ connected: true, reconnects: 1 });
  });

  it('reconnects at once after each clean end that delivered events, with no growing backoff', async () => {
    const marathon = await startServer((_req, res, n) => {
      oneEventThen(res, n <= 6 ? 'end' : 'heartbeats');
    });
    // A 4 s initial backoff: before this policy, six clean ends took 2 + 3 + 4.5 + ... seconds.
    const { rec } = watch({ urls: [marathon.url], backoff: { initialMs: 4000, minGapMs: 20 }, maxBackoffSeconds: 60 });
    await waitFor('seven connections', () => rec.connected.length >= 7, 3000);
    expect(rec.disconnected).toEqual(Array(6).fill('Marathon closed the event stream'));
    expect(rec.logs.filter((l) => /reconnecting at once/.test(l.msg))).toHaveLength(6);
  });

  it('after a clean end, a failed reconnect backs off from the initial delay', async () => {
    const marathon = await startServer((_req, res, n) => {
      if (n === 2) {
        res.writeHead(503);
        res.end();
        return;
      }
      oneEventThen(res, n === 1 ? 'end' : 'heartbeats');
    });
    const { rec } = watch({ urls: [marathon.url], backoff: { initialMs: 400, minGapMs: 0 }, random: () => 0.999 });
    await waitFor('third request', () => marathon.requests.length >= 3);
    const [first, second, third] = marathon.requests.map((r) => r.at) as [number, number, number];
    expect(second - first).toBeLessThan(300);
    expect(third - second).toBeGreaterThanOrEqual(350);
    expect(rec.logs.some((l) => l.level === 'warn' && /503/.test(String(l.obj['reason'])))).toBe(true);
  });

  it('rotates to the next URL when a master is down or electing', async () => {
    const electing = await startServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>Could not determine the current leader</html>');
    });
    const down = await startServer(() => {});
    const downUrl = down.url;
    await down.close();
    const leader = await startServer((_req, res) => {
      openStream(res);
      heartbeat(res, 100, 50);
    });
    const { rec, watcher } = watch({ urls: [downUrl, electing.url, leader.url] });
    await waitFor('connected to the leader', () => rec.connected.length >= 1);
    expect(rec.connected[0]?.url).toBe(leader.url);
    expect(electing.requests).toHaveLength(1);
    expect(watcher.state().reconnects).toBe(2);
    expect(rec.logs.some((l) => /502/.test(String(l.obj['reason'])))).toBe(true);
  });

  it('follows a standby redirect to the leader and keeps the credentials', async () => {
    const expected = `Basic ${Buffer.from('lb:pw-9').toString('base64')}`;
    const leader = await startServer((req, res) => {
      if (req.headers['authorization'] !== expected) {
        res.writeHead(401);
        res.end();
        return;
      }
      openStream(res);
      res.write(frame('api_post_event'));
    });
    const standby = await startServer((req, res) => {
      res.writeHead(302, { location: `${leader.url}${req.url ?? ''}` });
      res.end();
    });
    const { rec } = watch({ urls: [standby.url], auth: { user: 'lb', password: 'pw-9' } });
    await waitFor('event via the leader', () => rec.events.length >= 1);
    expect(rec.authErrors).toEqual([]);
    expect(rec.connected[0]?.url).toBe(leader.url);
    expect(leader.requests[0]?.url).toBe(standby.requests[0]?.url);
    expect(leader.requests[0]?.headers['authorization']).toBe(expected);
  });

  it('reports 401 and retries with a backoff that grows to its cap, never spinning', async () => {
    const marathon = await startServer((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'basic realm="Mesosphere"' });
      res.end('<html>Unauthorized</html>');
    });
    const creds = marathon.url.replace('http://', 'http://ops:hunter2-pw@');
    const { rec } = watch({ urls: [creds], maxBackoffSeconds: 1 });
    await waitFor('seven auth errors', () => rec.authErrors.length >= 7, 10_000);
    const at = rec.authErrors.map((e) => e.at);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // 50 ms doubling to the cap (--max-backoff 1 s here), drawn in [base/2, base] (random 0.5: 3/4 of it).
    expect(gaps[0]).toBeGreaterThanOrEqual(30);
    expect(gaps[5]).toBeGreaterThanOrEqual(700);
    expect(gaps[5]).toBeLessThan(1500);
    const a = rec.authErrors[0]!;
    expect(marathon.requests.length).toBeLessThanOrEqual(8);
    expect(a.err).toMatchObject({ code: 'ERR_MARATHON_AUTH', status: 401 });
    expect(a.err.message).not.toContain('hunter2-pw');
    expect(JSON.stringify(rec.logs)).not.toContain('hunter2-pw');
    expect(rec.connected).toEqual([]);
  });

  it('does not take a 200 that is not an event stream for a connection', async () => {
    const proxy = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>sign in</html>');
    });
    const { rec } = watch({ urls: [proxy.url] });
    await waitFor('a retry', () => proxy.requests.length >= 2);
    expect(rec.connected).toEqual([]);
    expect(rec.logs.some((l) => /not an event stream/.test(String(l.obj['reason'])))).toBe(true);
  });

  it('with a DC/OS account, sends token=... and logs in again once when the token is refused', async () => {
    let issued = 0;
    const login = await startServer((_req, res) => {
      issued++;
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': [`dcos-acs-auth-cookie=tok-${issued}; Path=/`] });
      res.end('{}');
    });
    const marathon = await startServer((req, res, n) => {
      // The first token is revoked after the first stream ends.
      const valid = n === 1 ? 'token=tok-1' : 'token=tok-2';
      if (req.headers['authorization'] !== valid) {
        res.writeHead(401);
        res.end();
        return;
      }
      oneEventThen(res, n === 1 ? 'end' : 'heartbeats');
    });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { rec } = watch({
      urls: [marathon.url],
      dcos: { uid: 'svc', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), loginEndpoint: login.url },
    });
    await waitFor('second connection', () => rec.connected.length >= 2);
    expect(rec.authErrors).toEqual([]);
    expect(marathon.requests.map((r) => r.headers['authorization'])).toEqual(['token=tok-1', 'token=tok-1', 'token=tok-2']);
    expect(login.requests).toHaveLength(2);
  });

  it('close() ends the stream and stops reconnecting', async () => {
    const marathon = await startServer((_req, res) => {
      openStream(res);
      heartbeat(res, 100, 50);
    });
    const { rec, watcher } = watch({ urls: [marathon.url] });
    await waitFor('connected', () => rec.connected.length === 1);
    await watcher.close();
    expect(watcher.state().connected).toBe(false);
    expect(marathon.requests).toHaveLength(1);
  });
});
