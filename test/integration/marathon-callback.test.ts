// Legacy HTTP-callback event mode against a loopback stand-in for Marathon 1.4.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMarathonClient, MarathonError, startCallbackReceiver } from '../../src/marathon/index.js';

interface FakeMarathon {
  url: string;
  calls: Array<{ method: string; url: string }>;
  close(): Promise<void>;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function fakeMarathon(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<FakeMarathon> {
  const calls: FakeMarathon['calls'] = [];
  const server = http.createServer((req, res) => {
    calls.push({ method: req.method ?? '', url: req.url ?? '' });
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fake = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  closers.push(fake.close);
  return fake;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function post(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('callback receiver', () => {
  it('registers, receives posted events, and unregisters on close', async () => {
    const marathon = await fakeMarathon((req, res) =>
      json(res, 200, { eventType: req.method === 'POST' ? 'subscribe_event' : 'unsubscribe_event' }),
    );
    const client = createMarathonClient({ urls: [marathon.url] });
    const events: string[] = [];
    const bodies: string[] = [];
    const receiver = await startCallbackReceiver({
      listen: { host: '127.0.0.1', port: 0 },
      callbackUrl: (port) => `http://127.0.0.1:${port}/marathon-callback`,
      client,
      onEvent: (type, data) => {
        events.push(type);
        bodies.push(data);
      },
    });
    closers.push(() => receiver.close());

    const encoded = encodeURIComponent(receiver.url);
    expect(marathon.calls).toEqual([{ method: 'POST', url: `/v2/eventSubscriptions?callbackUrl=${encoded}` }]);

    expect(await post(receiver.url, JSON.stringify({ eventType: 'status_update_event', taskStatus: 'TASK_RUNNING' }))).toBe(200);
    expect(await post(receiver.url, '{broken')).toBe(400);
    expect(await post(receiver.url, JSON.stringify({ eventType: 'api_post_event' }))).toBe(200);
    expect(events).toEqual(['status_update_event', 'api_post_event']);
    expect(JSON.parse(bodies[0]!)).toEqual({ eventType: 'status_update_event', taskStatus: 'TASK_RUNNING' });

    await receiver.close();
    expect(marathon.calls[1]).toEqual({ method: 'DELETE', url: `/v2/eventSubscriptions?callbackUrl=${encoded}` });
    await expect(post(receiver.url, '{}')).rejects.toThrow();
  });

  it('explains a Marathon without the callback system and frees the port', async () => {
    const marathon = await fakeMarathon((_req, res) =>
      json(res, 400, {
        message:
          'http event callback system is not running on this Marathon instance. Please re-start this instance with\n"--event_subscriber http_callback".',
      }),
    );
    const client = createMarathonClient({ urls: [marathon.url] });
    let boundUrl = '';
    const err = await startCallbackReceiver({
      listen: { host: '127.0.0.1', port: 0 },
      callbackUrl: (port) => (boundUrl = `http://127.0.0.1:${port}/cb`),
      client,
      onEvent: () => {},
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MarathonError);
    expect(err).toMatchObject({ code: 'ERR_MARATHON_CALLBACKS_DISABLED', retryable: false });
    expect((err as Error).message).toMatch(/--event_subscriber http_callback/);
    expect((err as Error).message).toMatch(/sse/);
    await expect(post(boundUrl, '{}')).rejects.toThrow();
  });
});
