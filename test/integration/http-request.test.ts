// The got-free HTTP exchange (src/marathon/http-request.ts) against loopback servers.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { rootCertificates } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { HttpTimeoutError, httpRequest, TooManyRedirectsError, type HttpRequestOptions } from '../../src/marathon/http-request.js';
import { describeConnectError } from '../../src/marathon/connect-errors.js';
import { generateSelfSignedPem } from '../../src/ssl/index.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const servers: Array<http.Server | https.Server> = [];

async function serve(handler: Handler, server: http.Server | https.Server = http.createServer()): Promise<string> {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  servers.push(server);
  const scheme = server instanceof https.Server ? 'https' : 'http';
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((ok) => s.close(ok));
  }
});

const timeout = { connect: 1000, idle: 1000 };
const get = (extra: Partial<HttpRequestOptions> = {}): HttpRequestOptions => ({ method: 'GET', timeout, ...extra });

describe('httpRequest', () => {
  it('returns the status and the text body, sends the headers, and does not throw on an HTTP error', async () => {
    let seen: http.IncomingHttpHeaders = {};
    const url = await serve((req, res) => {
      seen = req.headers;
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json' }).end(req.url === '/missing' ? 'nope' : '{"apps":[]}');
    });
    expect(await httpRequest(`${url}/v2/apps`, get({ headers: { accept: 'application/json', 'user-agent': 'marathon-lb' } })))
      .toMatchObject({ statusCode: 200, body: '{"apps":[]}', headers: { 'content-type': 'application/json' } });
    expect(seen).toMatchObject({ accept: 'application/json', 'user-agent': 'marathon-lb' });
    expect(await httpRequest(`${url}/missing`, get())).toMatchObject({ statusCode: 404, body: 'nope' });
  });

  it('decodes a gzip body', async () => {
    const text = JSON.stringify({ apps: Array.from({ length: 200 }, (_, i) => ({ id: `/app-${i}` })) });
    const url = await serve((req, res) => {
      expect(req.headers['accept-encoding']).toContain('gzip');
      res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(text));
    });
    expect((await httpRequest(url, get())).body).toBe(text);
  });

  it('posts JSON', async () => {
    let got: { type: string | undefined; body: string } | undefined;
    const url = await serve((req, res, body) => {
      got = { type: req.headers['content-type'], body };
      res.writeHead(201).end('');
    });
    expect(await httpRequest(url, { method: 'POST', timeout, json: { a: 1 } })).toMatchObject({ statusCode: 201, body: '' });
    expect(got).toEqual({ type: 'application/json', body: '{"a":1}' });
  });

  it('follows redirects as got did: same method on 307, GET after a 303, no credentials to another origin', async () => {
    const seen: Array<{ method: string | undefined; url: string | undefined; auth: string | undefined; body: string }> = [];
    const other = await serve((req, res, body) => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
      res.writeHead(200).end('elsewhere');
    });
    const url = await serve((req, res, body) => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
      if (req.url === '/old') res.writeHead(307, { location: '/new' }).end();
      else if (req.url === '/see-other') res.writeHead(303, { location: '/new' }).end();
      else if (req.url === '/away') res.writeHead(302, { location: `${other}/there` }).end();
      else res.writeHead(200).end(`at ${req.url}`);
    });
    const auth = { authorization: 'Basic c2VjcmV0' };
    expect(await httpRequest(`${url}/old`, { method: 'POST', timeout, json: { a: 1 }, headers: auth })).toMatchObject({ statusCode: 200, body: 'at /new' });
    expect(seen.splice(0)).toEqual([
      { method: 'POST', url: '/old', auth: auth.authorization, body: '{"a":1}' },
      { method: 'POST', url: '/new', auth: auth.authorization, body: '{"a":1}' },
    ]);
    await httpRequest(`${url}/see-other`, { method: 'POST', timeout, json: { a: 1 } });
    expect(seen.splice(0).map((r) => [r.method, r.url, r.body])).toEqual([['POST', '/see-other', '{"a":1}'], ['GET', '/new', '']]);
    expect(await httpRequest(`${url}/away`, get({ headers: auth }))).toMatchObject({ body: 'elsewhere' });
    expect(seen.splice(0).map((r) => [r.url, r.auth])).toEqual([['/away', auth.authorization], ['/there', undefined]]);
  });

  it('gives up after too many redirects, with an error', async () => {
    const url = await serve((_req, res) => res.writeHead(302, { location: '/again' }).end());
    await expect(httpRequest(url, get({ maxRedirects: 3 }))).rejects.toBeInstanceOf(TooManyRedirectsError);
  });

  it('an idle-read timeout, before or during the body, is got\'s ETIMEDOUT with event "socket"', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/trickle') { res.writeHead(200); res.write('{'); }
      // otherwise never answer
    });
    for (const path of ['/', '/trickle']) {
      const err = await httpRequest(`${url}${path}`, get({ timeout: { connect: 500, idle: 200 } })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HttpTimeoutError);
      expect(err).toMatchObject({ code: 'ETIMEDOUT', event: 'socket' });
      expect(describeConnectError(err, { connect: 500, idle: 200 })).toBe('connected, then no data for 200 ms (idle-read timeout)');
    }
  });

  it('a body that keeps flowing is read to the end however long it takes; `request` caps the whole exchange', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200);
      let n = 0;
      const t = setInterval(() => {
        res.write('x');
        if (++n === 8) { clearInterval(t); res.end(); }
      }, 50);
    });
    expect((await httpRequest(url, get({ timeout: { connect: 500, idle: 200 } }))).body).toBe('xxxxxxxx');
    await expect(httpRequest(url, get({ timeout: { request: 100 } }))).rejects.toMatchObject({ code: 'ETIMEDOUT', event: 'request' });
  });

  it('a TLS handshake that never completes is a connect timeout (event "secureConnect")', async () => {
    const accepted: net.Socket[] = [];
    const silent = net.createServer((socket) => accepted.push(socket)); // accepts TCP, never speaks TLS
    await new Promise<void>((ok) => silent.listen(0, '127.0.0.1', ok));
    try {
      const port = (silent.address() as AddressInfo).port;
      const err = await httpRequest(`https://127.0.0.1:${port}/`, get({ timeout: { connect: 200, idle: 5000 } })).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ETIMEDOUT', event: 'secureConnect' });
      expect(describeConnectError(err, { connect: 200, idle: 5000 })).toBe('no connection within 200 ms (connect timeout)');
    } finally {
      // Node leaves the server's end of a TLS connection abandoned mid-handshake open (got did too).
      for (const socket of accepted) socket.destroy();
      await new Promise((ok) => silent.close(ok));
    }
  });

  it('reports a refused connection with the system error', async () => {
    const url = await serve(() => undefined);
    const port = new URL(url).port;
    await new Promise((ok) => servers.pop()!.close(ok));
    await expect(httpRequest(`http://127.0.0.1:${port}/`, get())).rejects.toThrow(/ECONNREFUSED/);
  });

  it('verifies https against the given CAs', async () => {
    const pem = generateSelfSignedPem({ now: new Date(), commonName: 'localhost' });
    const url = await serve((_req, res) => res.writeHead(200).end('secure'), https.createServer({ cert: pem, key: pem }));
    await expect(httpRequest(url, get())).rejects.toThrow(/self[- ]signed/i);
    const cert = pem.slice(0, pem.indexOf('-----END CERTIFICATE-----') + '-----END CERTIFICATE-----'.length);
    expect(await httpRequest(url, get({ certificateAuthority: [...rootCertificates, cert] }))).toMatchObject({ statusCode: 200, body: 'secure' });
  });
});
