// The got-free HTTP exchange (src/marathon/http-request.ts) against loopback servers.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { rootCertificates } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { HttpTimeoutError, httpRequest, type HttpRequestOptions } from '../../src/marathon/http-request.js';
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

const timeout = { connect: 1000, response: 1000, request: 3000 };
const get = (extra: Partial<HttpRequestOptions> = {}): HttpRequestOptions => ({ method: 'GET', timeout, ...extra });

describe('httpRequest', () => {
  it('returns the status and the text body, sends the headers, and does not throw on an HTTP error', async () => {
    let seen: http.IncomingHttpHeaders = {};
    const url = await serve((req, res) => {
      seen = req.headers;
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json' }).end(req.url === '/missing' ? 'nope' : '{"apps":[]}');
    });
    expect(await httpRequest(`${url}/v2/apps`, get({ headers: { accept: 'application/json', 'user-agent': 'marathon-lb' } })))
      .toEqual({ statusCode: 200, body: '{"apps":[]}' });
    expect(seen).toMatchObject({ accept: 'application/json', 'user-agent': 'marathon-lb' });
    expect(await httpRequest(`${url}/missing`, get())).toEqual({ statusCode: 404, body: 'nope' });
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
    expect(await httpRequest(url, { method: 'POST', timeout, json: { a: 1 } })).toEqual({ statusCode: 201, body: '' });
    expect(got).toEqual({ type: 'application/json', body: '{"a":1}' });
  });

  it('follows redirects for GET only', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/old') res.writeHead(307, { location: '/new' }).end();
      else res.writeHead(200).end(`at ${req.url}`);
    });
    expect(await httpRequest(`${url}/old`, get())).toEqual({ statusCode: 200, body: 'at /new' });
    expect((await httpRequest(`${url}/old`, { method: 'DELETE', timeout })).statusCode).toBe(307);
  });

  it('times out waiting for the response, and on a body that never ends', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/trickle') { res.writeHead(200); res.write('{'); }
      // otherwise never answer
    });
    await expect(httpRequest(url, get({ timeout: { connect: 500, response: 200, request: 5000 } })))
      .rejects.toMatchObject({ name: 'HttpTimeoutError', phase: 'response' });
    await expect(httpRequest(`${url}/trickle`, get({ timeout: { connect: 500, response: 500, request: 400 } })))
      .rejects.toBeInstanceOf(HttpTimeoutError);
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
    expect(await httpRequest(url, get({ certificateAuthority: [...rootCertificates, cert] }))).toEqual({ statusCode: 200, body: 'secure' });
  });
});
