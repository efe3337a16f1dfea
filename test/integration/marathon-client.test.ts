// The REST client against small loopback servers standing in for Marathon masters.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import {
  APPS_PATH,
  createMarathonClient,
  MarathonAuthError,
  MarathonHttpError,
  MarathonResponseError,
  MarathonUnavailableError,
} from '../../src/marathon/index.js';
import { selfSignedLoopbackCert } from '../support/tls.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

interface FakeServer {
  url: string;
  requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

async function listen(server: http.Server | https.Server, scheme: string, handler: Handler): Promise<FakeServer> {
  const requests: FakeServer['requests'] = [];
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const startHttp = (handler: Handler): Promise<FakeServer> => listen(http.createServer(), 'http', handler);

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const APPS = { apps: [{ id: '/web', instances: 1, tasks: [] }] };
const appsHandler: Handler = (_req, res) => json(res, 200, APPS);
const jettyElection: Handler = (_req, res) => {
  res.writeHead(503, { 'content-type': 'text/html' });
  res.end('<html><body><h2>HTTP ERROR 503</h2><p>Could not determine the current leader</p></body></html>');
};

/** A port nothing listens on: bind, note it, close. */
async function deadUrl(): Promise<string> {
  const s = await startHttp(() => {});
  await s.close();
  return s.url;
}

const servers: FakeServer[] = [];
async function track(p: Promise<FakeServer>): Promise<FakeServer> {
  const s = await p;
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('Marathon client failover', () => {
  it('skips an electing master, uses the next, and asks that one first afterwards', async () => {
    const electing = await track(startHttp(jettyElection));
    const leader = await track(startHttp(appsHandler));
    const client = createMarathonClient({ urls: [electing.url, leader.url] });

    await expect(client.listApps()).resolves.toEqual(APPS.apps);
    expect(client.currentUrl()).toBe(leader.url);
    await expect(client.listApps()).resolves.toEqual(APPS.apps);
    expect(electing.requests).toHaveLength(1);
    expect(leader.requests).toHaveLength(2);
  });

  it('fails over on a refused connection', async () => {
    const dead = await deadUrl();
    const leader = await track(startHttp(appsHandler));
    const client = createMarathonClient({ urls: [dead, leader.url] });
    await expect(client.listApps()).resolves.toHaveLength(1);
    expect(client.currentUrl()).toBe(leader.url);
  });

  it('fails over on a response timeout', async () => {
    const silent = await track(startHttp(() => {}));
    const leader = await track(startHttp(appsHandler));
    const client = createMarathonClient({ urls: [silent.url, leader.url], timeoutMs: { connect: 500, idle: 300 } });
    await expect(client.listApps()).resolves.toHaveLength(1);
  });

  it('a Marathon that accepts the connection and stays silent is reported within seconds, with its URL', async () => {
    const silent = await track(startHttp(() => {}));
    const started = Date.now();
    const err = await createMarathonClient({ urls: [silent.url] }).listApps().catch((e: unknown) => e);
    const took = Date.now() - started;
    expect(err).toBeInstanceOf(MarathonUnavailableError);
    expect((err as Error).message).toBe(`no Marathon answered: ${silent.url}: connected, then no data for 10000 ms (idle-read timeout)`);
    expect(took).toBeLessThan(15_000);
  }, 20_000);

  it('the idle timeout is not a cap on the whole answer: a body that keeps flowing is read to the end', async () => {
    const body = JSON.stringify(APPS);
    const trickle = await track(startHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let i = 0;
      const t = setInterval(() => {
        res.write(body.slice(i, i + 8));
        i += 8;
        if (i >= body.length) { clearInterval(t); res.end(); }
      }, 100);
    }));
    expect(body.length / 8 * 100).toBeGreaterThan(600); // longer than connect + idle below
    const client = createMarathonClient({ urls: [trickle.url], timeoutMs: { connect: 300, idle: 300 } });
    await expect(client.listApps()).resolves.toEqual(APPS.apps);
  });

  it('reports every master when none answers', async () => {
    const dead = await deadUrl();
    const electing = await track(startHttp(jettyElection));
    const client = createMarathonClient({ urls: [dead, electing.url] });
    const err = await client.listApps().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MarathonUnavailableError);
    expect(err).toMatchObject({ code: 'ERR_MARATHON_UNAVAILABLE', retryable: true });
    expect((err as MarathonUnavailableError).attempts).toHaveLength(2);
    expect((err as Error).message).toContain(electing.url);
    expect((err as Error).message).toContain('503');
  });

  it('returns a non-election error status from the first master without trying others', async () => {
    const first = await track(startHttp((_req, res) => json(res, 404, { message: 'URI not found: /v2/nope' })));
    const second = await track(startHttp(appsHandler));
    const client = createMarathonClient({ urls: [first.url, second.url] });
    const err = await client.get('/v2/nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MarathonHttpError);
    expect(err).toMatchObject({ status: 404, marathonMessage: 'URI not found: /v2/nope' });
    expect(second.requests).toHaveLength(0);
  });
});

describe('Marathon client requests', () => {
  it('asks for the embedded snapshot with the marathon-lb headers and basic auth', async () => {
    const leader = await track(startHttp(appsHandler));
    const client = createMarathonClient({ urls: [leader.url], auth: { user: 'lb', password: 'pw-123' } });
    await client.listApps();
    const [req] = leader.requests;
    expect(req?.url).toBe(APPS_PATH);
    expect(req?.headers['accept']).toBe('application/json');
    expect(req?.headers['user-agent']).toBe('marathon-lb');
    expect(req?.headers['authorization']).toBe(`Basic ${Buffer.from('lb:pw-123').toString('base64')}`);
  });

  it('uses credentials embedded in a URL without sending them in the request line', async () => {
    const leader = await track(startHttp(appsHandler));
    const withCreds = leader.url.replace('http://', 'http://ops:s3cret@');
    const client = createMarathonClient({ urls: [withCreds] });
    await client.listApps();
    expect(leader.requests[0]?.headers['authorization']).toBe(`Basic ${Buffer.from('ops:s3cret').toString('base64')}`);
    expect(client.currentUrl()).toBe(leader.url);
  });

  it('rejects a body without apps, and a 2xx body that is not JSON, clearly', async () => {
    const noApps = await track(startHttp((_req, res) => json(res, 200, { message: 'weird' })));
    await expect(createMarathonClient({ urls: [noApps.url] }).listApps()).rejects.toThrow(/no "apps" array.*weird/);
    const html = await track(
      startHttp((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>proxy login</html>');
      }),
    );
    const err = await createMarathonClient({ urls: [html.url] }).listApps().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MarathonResponseError);
    expect((err as Error).message).toMatch(/not JSON/);
  });

  it('posts and deletes with JSON', async () => {
    const leader = await track(startHttp((req, res) => json(res, 200, { method: req.method })));
    const client = createMarathonClient({ urls: [leader.url] });
    await expect(client.post('/v2/x', { a: 1 })).resolves.toEqual({ method: 'POST' });
    await expect(client.delete('/v2/x')).resolves.toEqual({ method: 'DELETE' });
    expect(leader.requests[0]?.body).toBe('{"a":1}');
  });
});

describe('Marathon client auth failures', () => {
  it('stops at the first 401 with an auth error that leaks no credentials', async () => {
    const unauthorized: Handler = (_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'basic realm="Mesosphere"', 'content-type': 'text/html' });
      res.end('<html><title>Error 401 </title>Unauthorized</html>');
    };
    const first = await track(startHttp(unauthorized));
    const second = await track(startHttp(appsHandler));
    const client = createMarathonClient({
      urls: [first.url.replace('http://', 'http://ops:s3cret-pw@'), second.url],
    });
    const err = await client.listApps().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MarathonAuthError);
    expect(err).toMatchObject({ code: 'ERR_MARATHON_AUTH', retryable: false, status: 401 });
    expect((err as Error).message).not.toContain('s3cret-pw');
    expect((err as Error).message).not.toContain(Buffer.from('ops:s3cret-pw').toString('base64'));
    expect((err as Error).message).toContain(first.url);
    expect(second.requests).toHaveLength(0);
  });

  it('reports 403 as an auth error', async () => {
    const forbidden = await track(startHttp((_req, res) => json(res, 403, { message: 'Not Authorized' })));
    await expect(createMarathonClient({ urls: [forbidden.url] }).listApps()).rejects.toMatchObject({ status: 403 });
  });
});

describe('Marathon client TLS', () => {
  let dir: string;
  let certPem: string;
  let keyPem: string;

  beforeAll(async () => {
    ({ keyPem, certPem } = await selfSignedLoopbackCert());
    dir = mkdtempSync(join(tmpdir(), 'mlb-ca-'));
    writeFileSync(join(dir, 'ca.pem'), certPem);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects a self-signed Marathon by default and accepts it with --marathon-ca-cert', async () => {
    const secure = await track(listen(https.createServer({ key: keyPem, cert: certPem }), 'https', appsHandler));

    const unverified = await createMarathonClient({ urls: [secure.url] }).listApps().catch((e: unknown) => e);
    expect(unverified).toBeInstanceOf(MarathonUnavailableError);
    expect((unverified as Error).message).toMatch(/certificate/i);
    expect(secure.requests).toHaveLength(0);

    const trusted = createMarathonClient({ urls: [secure.url], caCert: join(dir, 'ca.pem') });
    await expect(trusted.listApps()).resolves.toEqual(APPS.apps);
  });
});

describe('Marathon client with a DC/OS service account', () => {
  it('logs in with a signed service token, sends token=..., and logs in again once on a 401', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { createVerify } = await import('node:crypto');
    let issued = 0;
    const login = await track(
      startHttp((_req, res, body) => {
        const { uid, token } = JSON.parse(body) as { uid: string; token: string };
        const [h, c, s] = token.split('.') as [string, string, string];
        const ok = createVerify('RSA-SHA256').update(`${h}.${c}`).verify(publicKey, Buffer.from(s, 'base64url'));
        if (!ok || uid !== 'svc-lb') return json(res, 401, { title: 'bad login' });
        issued++;
        res.writeHead(200, {
          'content-type': 'application/json',
          'set-cookie': [`dcos-acs-auth-cookie=tok-${issued}; Path=/; HttpOnly`],
        });
        res.end(JSON.stringify({ token: `tok-${issued}` }));
      }),
    );
    let valid = 'token=tok-1';
    const marathon = await track(
      startHttp((req, res) => (req.headers['authorization'] === valid ? appsHandler(req, res, '') : json(res, 401, {}))),
    );
    const client = createMarathonClient({
      urls: [marathon.url],
      dcos: {
        uid: 'svc-lb',
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        loginEndpoint: `${login.url}/acs/api/v1/auth/login`,
      },
    });

    await expect(client.listApps()).resolves.toHaveLength(1);
    await expect(client.listApps()).resolves.toHaveLength(1);
    expect(login.requests).toHaveLength(1);

    valid = 'token=tok-2'; // the first token was revoked
    await expect(client.listApps()).resolves.toHaveLength(1);
    expect(login.requests).toHaveLength(2);
    expect(marathon.requests.map((r) => r.headers['authorization'])).toEqual([
      'token=tok-1',
      'token=tok-1',
      'token=tok-1',
      'token=tok-2',
    ]);
  });

  it('reports a refused login as an auth error without asking Marathon', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const login = await track(startHttp((_req, res) => json(res, 401, { title: 'Invalid credentials' })));
    const marathon = await track(startHttp(appsHandler));
    const client = createMarathonClient({
      urls: [marathon.url],
      dcos: { uid: 'svc-lb', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), loginEndpoint: login.url },
    });
    await expect(client.listApps()).rejects.toMatchObject({ code: 'ERR_MARATHON_AUTH', status: 401 });
    expect(marathon.requests).toHaveLength(0);
  });
});
