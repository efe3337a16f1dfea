// dist/cli.js runs the controller's bundle through the V8 code cache the build made
// (src/cli-entry.ts, scripts/code-cache.mjs): the built tree's cache is taken, and every case
// where it must not be (another bundle, damage, V8 flags of the operator's, source maps, turned
// off) still runs the same controller from the bundle itself and writes the same config.

import { cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { CLI, REPO, ensureBuilt, runController } from '../support/controller-process.js';
import { tempDir } from '../support/haproxy.js';
import { HTTP_HEALTH, wireApp } from '../support/wire-builders.js';

interface OneShot { code: number | null; state: string | undefined; loadedMsg: string | undefined; config: string }

let marathon: Server;
let url: string;
let work: string;

const APPS = [
  wireApp({ id: '/shop/web', ports: [10001], labels: { HAPROXY_0_VHOST: 'shop.example.com' }, healthChecks: [HTTP_HEALTH], tasks: [[31001], [31002]] }),
  wireApp({ id: '/db', ports: [10002], labels: { HAPROXY_0_MODE: 'tcp' } }),
];

beforeAll(async () => {
  ensureBuilt();
  work = await tempDir('mlb-code-cache-');
  const body = JSON.stringify({ apps: APPS });
  marathon = createServer((req, res) => {
    if (req.url?.startsWith('/v2/apps')) res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => marathon.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(marathon.address() as AddressInfo).port}`;
});

afterAll(async () => {
  marathon?.close();
  await rm(work, { recursive: true, force: true });
});

let runs = 0;

/** One one-shot run of `cli` (node `nodeFlags` cli ...) into a fresh directory. */
async function oneShot(cli: string, nodeFlags: string[] = [], env: Record<string, string> = {}): Promise<OneShot> {
  const dir = join(work, `run-${++runs}`);
  await mkdir(dir);
  const ctl = runController(['--marathon', url, '--group', 'external', '--skip-validation', '--haproxy-config', join(dir, 'haproxy.cfg'),
    '--ssl-certs', join(work, 'cert.pem'), '--status-port', '0', '--log-level', 'DEBUG'],
  { NODE_OPTIONS: '', MARATHON_LB_CODE_CACHE: '', ...env }, { cli, nodeFlags });
  const code = await ctl.exited;
  const loaded = ctl.logs.find((l) => 'codeCache' in l);
  const config = await readFile(join(dir, 'haproxy.cfg'), 'utf8').catch(() => `(no config; output:\n${ctl.output()})`);
  return { code, state: loaded?.['codeCache'] as string | undefined, loadedMsg: loaded?.msg, config };
}

/** dist/ copied beside links to the repository's package.json, node_modules and templates, to change at will. */
async function copyOfDist(name: string): Promise<string> {
  const root = join(work, name);
  await mkdir(root);
  await cp(join(REPO, 'dist'), join(root, 'dist'), { recursive: true });
  for (const name of ['package.json', 'node_modules', 'templates']) await symlink(join(REPO, name), join(root, name));
  return join(root, 'dist');
}

/** A copy's config names its own package root (the Lua files' paths): as the repository's. */
function asIfInRepo(config: string, dist: string): string {
  return config.replaceAll(dirname(dist), REPO);
}

describe('the code cache of dist/controller.js', () => {
  let reference: OneShot;

  beforeAll(async () => {
    reference = await oneShot(CLI, [], { MARATHON_LB_CODE_CACHE: 'off' });
    expect(reference.code).toBe(0);
    expect(reference.state).toBe('off');
    expect(reference.config).toContain('frontend shop_web_10001');
  });

  test('the built tree has a cache, V8 takes it, and the run writes the same config', async () => {
    const r = await oneShot(CLI);
    expect(r).toMatchObject({ code: 0, state: 'used' });
    expect(r.config).toBe(reference.config);
  });

  test('V8 flags of the operator\'s make V8 refuse it: compiled as usual, same config', async () => {
    const r = await oneShot(CLI, ['--max-old-space-size=300']);
    expect(r).toMatchObject({ code: 0, state: 'rejected' });
    expect(r.config).toBe(reference.config);
  });

  test('with source maps on, Node loads the bundle itself', async () => {
    const r = await oneShot(CLI, ['--enable-source-maps']);
    expect(r).toMatchObject({ code: 0, state: 'off' });
    expect(r.config).toBe(reference.config);
  });

  test('no cache file: compiled as usual', async () => {
    const dist = await copyOfDist('absent');
    await rm(join(dist, 'controller.js.cache'));
    const r = await oneShot(join(dist, 'cli.js'));
    expect(r).toMatchObject({ code: 0, state: 'absent' });
    expect(asIfInRepo(r.config, dist)).toBe(reference.config);
  });

  test('a bundle changed at the same length (which V8 alone would not notice) runs as changed, not from the old cache', async () => {
    const dist = await copyOfDist('stale');
    const bundle = join(dist, 'controller.js');
    const text = await readFile(bundle, 'utf8');
    expect(text).toContain('"controller code loaded"');
    await writeFile(bundle, text.replace('"controller code loaded"', '"controller code LOADED"'));
    const r = await oneShot(join(dist, 'cli.js'));
    expect(r).toMatchObject({ code: 0, state: 'stale', loadedMsg: 'controller code LOADED' });
    expect(asIfInRepo(r.config, dist)).toBe(reference.config);
  });

  test('a damaged cache file is not handed to V8', async () => {
    const dist = await copyOfDist('damaged');
    const file = join(dist, 'controller.js.cache');
    const bytes = await readFile(file);
    bytes[bytes.length >> 1]! ^= 0xff;
    await writeFile(file, bytes);
    const r = await oneShot(join(dist, 'cli.js'));
    expect(r).toMatchObject({ code: 0, state: 'stale' });
    expect(asIfInRepo(r.config, dist)).toBe(reference.config);
  });
});
