// The controller's status server on loopback: content negotiation, health, metrics, and
// what a real headless Chromium shows for the status page.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetrics, createSignalEndpoint, recordPass, startStatusServer, type SignalName, type StatusServer, type StatusSnapshot } from '../../src/admin/index.js';
import { dumpDom, screenshot, testWithChromium } from '../support/chromium.js';
import { BROKEN, HEALTHY } from '../unit/admin/sample-snapshot.js';

let current: StatusSnapshot | Error = HEALTHY;
const metrics = createMetrics();
let server: StatusServer;
let base: string;

beforeAll(async () => {
  server = await startStatusServer({
    host: '127.0.0.1',
    port: 0,
    metrics,
    snapshot: () => {
      if (current instanceof Error) throw current;
      return current;
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  current = HEALTHY;
});

describe('HTTP', () => {
  test('/_mlb_status is JSON for scripts', async () => {
    const r = await fetch(`${base}/_mlb_status`, { headers: { accept: '*/*' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await r.json()).toEqual(JSON.parse(JSON.stringify(HEALTHY)));
  });

  test('/_mlb_status is HTML for browsers, /_mlb_status.html always', async () => {
    const browser = await fetch(`${base}/_mlb_status`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(browser.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(browser.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await browser.text()).toContain('<title>marathon-lb status</title>');
    const html = await fetch(`${base}/_mlb_status.html`, { headers: { accept: 'application/json' } });
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  test('/_mlb_status/health is 200 when fine, 503 with the reasons when not', async () => {
    expect((await fetch(`${base}/_mlb_status/health`)).status).toBe(200);
    current = BROKEN;
    const r = await fetch(`${base}/_mlb_status/health`);
    expect(r.status).toBe(503);
    const body = await r.text();
    expect(body).toContain('ECONNREFUSED');
    expect(body).toContain('Marathon event stream is not connected');
  });

  test('/_mlb_metrics serves the private registry in Prometheus format', async () => {
    recordPass(metrics, 'runtime', 0.01);
    const r = await fetch(`${base}/_mlb_metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe(metrics.registry.contentType);
    const text = await r.text();
    expect(text).toContain('marathon_lb_reconcile_total{result="runtime"} 1');
    expect(text).toMatch(/^marathon_lb_process_resident_memory_bytes \d+/m);
  });

  test('unknown paths 404, other methods 405, a failing snapshot 500 without killing the server', async () => {
    expect((await fetch(`${base}/`)).status).toBe(404);
    const post = await fetch(`${base}/_mlb_status`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    current = new Error('loop not started');
    const failed = await fetch(`${base}/_mlb_status`);
    expect(failed.status).toBe(500);
    expect(await failed.text()).toContain('loop not started');
    current = HEALTHY;
    expect((await fetch(`${base}/_mlb_status`)).status).toBe(200);
  });
});

describe('/_mlb_signal/*', () => {
  const taken: SignalName[] = [];
  let withSignals: StatusServer;
  let signalBase: string;
  beforeAll(async () => {
    withSignals = await startStatusServer({
      host: '127.0.0.1', port: 0, metrics, snapshot: () => HEALTHY,
      signals: createSignalEndpoint({ HUP: () => taken.push('HUP'), USR1: () => taken.push('USR1') }),
    });
    signalBase = `http://127.0.0.1:${withSignals.port}`;
  });
  afterAll(async () => {
    await withSignals.close();
  });

  test('GET and POST run the action and answer as marathon-lb did; HEAD and other methods run nothing', async () => {
    const hup = await fetch(`${signalBase}/_mlb_signal/hup`);
    expect([hup.status, await hup.text()]).toEqual([200, 'Sent SIGHUP signal to marathon-lb']);
    const usr1 = await fetch(`${signalBase}/_mlb_signal/usr1`, { method: 'POST' });
    expect([usr1.status, await usr1.text()]).toEqual([200, 'Sent SIGUSR1 signal to marathon-lb']);
    for (const method of ['HEAD', 'PUT', 'DELETE']) {
      const r = await fetch(`${signalBase}/_mlb_signal/hup`, { method });
      expect(r.status).toBe(405);
      expect(r.headers.get('allow')).toBe('GET, POST');
    }
    expect(taken).toEqual(['HUP', 'USR1']);
  });

  test('a second request within the second gets 429 with Retry-After', async () => {
    await fetch(`${signalBase}/_mlb_signal/hup`);
    const r = await fetch(`${signalBase}/_mlb_signal/hup`);
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(await r.text()).toBe('Too many HUP requests; retry in 1s');
  });

  test('an unknown signal is 404; a server without signals says so with 503', async () => {
    const unknown = await fetch(`${signalBase}/_mlb_signal/term`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('/_mlb_signal/hup and /_mlb_signal/usr1');
    const none = await fetch(`${base}/_mlb_signal/hup`);
    expect(none.status).toBe(503);
    expect(await none.text()).toContain('takes no signals');
  });
});

describe('/_mlb_withdraw', () => {
  test('routed to the action: POST only, 404 for an app it does not have, 503 on a server without it', async () => {
    const server = await startStatusServer({
      host: '127.0.0.1', port: 0, metrics, snapshot: () => HEALTHY,
      withdraw: (app, seconds) => (app === '/web-green' ? { id: `${app} (${seconds})` } : { problem: `no app ${app} here` }),
    });
    try {
      const at = (q: string) => `http://127.0.0.1:${server.port}/_mlb_withdraw?${q}`;
      const ok = await fetch(at('app=/web-green&seconds=40'), { method: 'POST' });
      expect([ok.status, await ok.text()]).toEqual([200, 'withdrawn for 40s: /web-green (40) (its tasks drain on this load balancer)\n']);
      expect((await fetch(at('app=/web-green'))).status).toBe(405);
      expect((await fetch(at('app=/other'), { method: 'POST' })).status).toBe(404);
      expect((await fetch(`${base}/_mlb_withdraw?app=/web-green`, { method: 'POST' })).status).toBe(503);
    } finally {
      await server.close();
    }
  });
});

describe('in a real browser', () => {
  const browserTest = testWithChromium();

  browserTest('the page shows services, servers, the skipped app with its reason, and a warning (not a failure banner) for it', async () => {
    const dom = await dumpDom(`${base}/_mlb_status.html`);
    expect(dom).toContain('<h1>marathon-lb status</h1>');
    const services = /<table id="services">([\s\S]*?)<\/table>/.exec(dom)?.[1] ?? '';
    for (const text of ['/shop/web', 'shop_web_10000', 'shop.example.com', '/db/redis', '10.0.0.2:31001', 'draining']) {
      expect(services).toContain(text);
    }
    const skipped = /<table id="skipped">([\s\S]*?)<\/table>/.exec(dom)?.[1] ?? '';
    expect(skipped).toContain('INVALID_LABEL');
    expect(skipped).toContain('HAPROXY_0_PORT');
    // The app id with markup in it stayed text: the browser built no script element from it.
    expect(skipped).toContain('/team/&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(dom).not.toMatch(/<script/i);
    expect(dom).toContain('id="warn-apps-skipped"');
    expect(dom).not.toContain('id="all-ok"');
    expect(dom).not.toContain('class="banner"');
  });

  browserTest('a failed pass and a lost stream show banners, via content negotiation on /_mlb_status', async () => {
    current = BROKEN;
    const dom = await dumpDom(`${base}/_mlb_status`);
    expect(dom).toMatch(/id="banner-pass-failed"[^>]*>[^<]*GET \/v2\/apps: connect ECONNREFUSED/);
    expect(dom).toMatch(/id="banner-stream-down"[^>]*>Marathon event stream is not connected/);
    expect(dom).not.toContain('id="all-ok"');
  });

  browserTest('a screenshot renders', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlb-shot-'));
    try {
      const file = join(dir, 'status.png');
      await screenshot(`${base}/_mlb_status.html`, file);
      const png = await readFile(file);
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(png.length).toBeGreaterThan(10_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
