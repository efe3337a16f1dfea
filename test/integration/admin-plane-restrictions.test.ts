// --admin-bind-address and --admin-write-networks, from the command line through the default
// HEAD template to a real HAProxy: where :9090 listens, and who may use /_mlb_signal/* and
// any other write on it.
import { request } from 'node:http';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { parseSettings } from '../../src/cli/parse-settings.js';
import { builtinValues } from '../../src/main.js';
import { describeWithHaproxy, freePorts, haproxyFixture, waitFor, type HaproxyFixture } from '../support/haproxy.js';
import { renderModel } from '../support/render-support.js';

interface Answer { status: number; body: string }

/** One request on a fresh connection from `from` (a loopback address) to `host:port`; status 0 when refused. */
function ask(o: { host: string; port: number; path: string; method?: string; from?: string }): Promise<Answer> {
  return new Promise((done) => {
    const req = request({
      host: o.host, port: o.port, path: o.path, method: o.method ?? 'GET', agent: false, timeout: 5_000,
      ...(o.from ? { localAddress: o.from } : {}),
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => done({ status: 0, body: err.message }));
    req.end();
  });
}

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = connect(port, host);
    s.once('connect', () => { s.destroy(); done(true); });
    s.once('error', () => done(false));
  });
}

describeWithHaproxy('admin plane restrictions (real HAProxy, default HEAD)', (bin) => {
  let fx: HaproxyFixture | undefined;
  afterEach(async () => {
    await fx?.cleanup();
    fx = undefined;
  });

  /** Renders the default templates for these flags (no apps) and runs HAProxy on the result. */
  async function start(flags: string[]): Promise<{ adminPort: number }> {
    fx = await haproxyFixture(bin);
    const [adminPort, appidPort] = await freePorts(2) as [number, number];
    const parsed = parseSettings([
      'sse', '--group', 'external', '--dont-bind-http-https', '--status-port', '0', '--run-dir', fx.dir,
      '--lua-dir', resolve('lua'), '--admin-port', String(adminPort), '--appid-port', String(appidPort), ...flags,
    ], { cwd: fx.dir, packageRoot: resolve('.') });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const rendered = renderModel({ services: [], skipped: [] }, { builtins: builtinValues(parsed.settings), dontBindHttpHttps: true });
    await fx.start(rendered.config);
    return { adminPort };
  }

  it('by default, as marathon-lb: every address, and the signal endpoints answer anyone', async () => {
    const { adminPort } = await start([]);
    await waitFor('the admin port', () => listening('127.0.0.1', adminPort));
    expect(await listening('127.0.0.2', adminPort)).toBe(true);
    // Passed on to the controller, not refused; with --status-port 0 there is none, and the
    // answer says so.
    const hup = await ask({ host: '127.0.0.1', port: adminPort, path: '/_mlb_signal/hup' });
    expect(hup.status).toBe(503);
    expect(hup.body).toContain('--status-port 0');
  });

  it('--admin-bind-address: :9090 listens on that address only', async () => {
    const { adminPort } = await start(['--admin-bind-address', '127.0.0.2']);
    await waitFor('the admin port on 127.0.0.2', () => listening('127.0.0.2', adminPort));
    expect((await ask({ host: '127.0.0.2', port: adminPort, path: '/_haproxy_health_check' })).status).toBe(200);
    expect(await listening('127.0.0.1', adminPort)).toBe(false);
  });

  it('--admin-write-networks: signals and other writes only from those networks, reads from anyone', async () => {
    const { adminPort } = await start(['--admin-write-networks', '127.0.0.3/32,fd00::/8']);
    await waitFor('the admin port', () => listening('127.0.0.1', adminPort));
    const outside = { host: '127.0.0.1', port: adminPort, from: '127.0.0.1' };
    const inside = { host: '127.0.0.1', port: adminPort, from: '127.0.0.3' };

    expect((await ask({ ...outside, path: '/_mlb_signal/hup' })).status).toBe(403);
    expect((await ask({ ...outside, path: '/_mlb_signal/usr1', method: 'POST' })).status).toBe(403);
    expect((await ask({ ...outside, path: '/_mlb_status', method: 'POST' })).status).toBe(403);
    expect((await ask({ ...outside, path: '/_mlb_withdraw?app=/web-green', method: 'POST' })).status).toBe(403);
    expect((await ask({ ...outside, path: '/_haproxy_health_check' })).status).toBe(200);
    expect((await ask({ ...outside, path: '/_haproxy_getpids' })).status).toBe(200);

    const hup = await ask({ ...inside, path: '/_mlb_signal/hup' });
    expect(hup.status).toBe(503);
    expect(hup.body).toContain('controller does not answer');
  });
});
