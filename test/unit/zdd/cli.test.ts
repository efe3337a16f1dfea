// The zdd command line with buffers for its streams: usage, help, and the exit codes of the
// failures that happen before any deployment step (no Marathon or load balancer listening).

import { describe, expect, it } from '@jest/globals';
import { createServer as createHttp } from 'node:http';
import { createServer } from 'node:net';
import { runZddCli } from '../../../src/zdd/cli.js';
import { createLoadBalancers } from '../../../src/zdd/lb-api.js';
import { EXIT } from '../../../src/zdd/errors.js';

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function run(argv: string[], files: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await runZddCli(argv, {
    env: {},
    stdout: async (t) => { out += t; },
    stderr: async (t) => { err += t; },
    readFile: async (f) => {
      if (files[f] === undefined) throw new Error(`ENOENT: ${f}`);
      return files[f]!;
    },
  });
  return { code, out, err };
}

const app = JSON.stringify({ id: '/web', instances: 2, labels: { HAPROXY_DEPLOYMENT_GROUP: 'web', HAPROXY_DEPLOYMENT_ALT_PORT: '10001' }, portDefinitions: [{ port: 10000 }] });

describe('zdd command line', () => {
  it('--help and --longhelp print and exit 0', async () => {
    expect(await run(['--help'])).toMatchObject({ code: 0, out: expect.stringContaining('--marathon-lb') });
    const long = await run(['--longhelp']);
    expect(long.code).toBe(0);
    expect(long.out).toContain('| `--step-delay` / `-s` | `5` |');
    expect(long.out).toContain('Exit codes');
  });

  it('a usage error exits 2 with argparse\'s wording', async () => {
    const r = await run(['-m', 'http://m']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('zdd: error: the following arguments are required');
  });

  it('an unreadable or incomplete definition exits 4', async () => {
    expect((await run(['-m', 'http://m', '-l', 'http://lb', '-j', 'nope.json'])).code).toBe(EXIT.missing);
    const noGroup = await run(['-m', 'http://m', '-l', 'http://lb', '-j', 'a.json'], { 'a.json': '{"id": "/web"}' });
    expect(noGroup).toMatchObject({ code: EXIT.missing, err: expect.stringContaining('HAPROXY_DEPLOYMENT_GROUP') });
  });

  it('Marathon unreachable exits 6', async () => {
    const port = await closedPort();
    const r = await run(['-m', `http://127.0.0.1:${port}`, '-l', 'http://lb', '-j', 'a.json', '-f'], { 'a.json': app });
    expect(r).toMatchObject({ code: EXIT.marathonUnreachable, err: expect.stringContaining('GET /v2/apps') });
  });
});

describe('load balancer client', () => {
  it('an unreachable load balancer is exit 5, and so is one without /_mlb_drain', async () => {
    const port = await closedPort();
    await expect(createLoadBalancers([`http://127.0.0.1:${port}`], 2_000).backend('web_10000')).rejects.toMatchObject({ code: EXIT.lbUnreachable });
    const srv = createHttp((_req, res) => res.end('<html>stats</html>'));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
      await expect(createLoadBalancers([url]).backend('web_10000')).rejects.toMatchObject({ code: EXIT.lbUnreachable, message: expect.stringContaining('/_mlb_drain') });
    } finally {
      srv.close();
    }
  });
});
