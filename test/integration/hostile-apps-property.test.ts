// Bad input never stops the controller or the other apps (issue 9): thousands of generated
// hostile apps (newlines, unknown placeholders, huge values, non-ASCII, wrong types, labels
// HAProxy refuses) next to healthy ones, through the real renderer and the real `haproxy -c`.
// Property (5 runs x 800 hostile apps): no pass throws or gives up; within a few passes every healthy app is served; the
// config on disk always passes `haproxy -c`; server ids are unique within each backend.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { builtinTemplateDir, readTemplateDir, resolveTemplates } from '../../src/config/index.js';
import { ClusterModel } from '../../src/controller/cluster-model.js';
import { createRenderer } from '../../src/controller/renderer.js';
import { reconcileOnce, type AppliedState, type ReconcileDeps } from '../../src/controller/reconcile.js';
import { applyConfigFiles, validateConfig, writeUncheckedFiles } from '../../src/haproxy/index.js';
import type { WireApp } from '../../src/model/wire.js';
import type { Settings } from '../../src/settings.js';
import { generateSelfSignedPem } from '../../src/ssl/index.js';
import { REPO } from '../support/controller-process.js';
import { findHaproxy, tempDir } from '../support/haproxy.js';
import { FakeHaproxy, FakeMarathon } from '../support/reconcile-fakes.js';
import { renderOptions, TEST_BUILTINS } from '../support/render-support.js';
import { options } from '../unit/model/wire-fixtures.js';
import { wireApp } from '../support/wire-builders.js';

const bin = findHaproxy();
const d = bin ? describe : describe.skip;

const LABELS = [
  'HAPROXY_0_BALANCE', 'HAPROXY_0_BIND_OPTIONS', 'HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL', 'HAPROXY_0_SSL_CERT', 'HAPROXY_0_VHOST', 'HAPROXY_0_PATH',
  'HAPROXY_0_MODE', 'HAPROXY_0_HTTP_FRONTEND_ACL', 'HAPROXY_0_BACKEND_HEAD', 'HAPROXY_0_FRONTEND_HEAD', 'HAPROXY_0_BACKEND_SERVER_OPTIONS',
  'HAPROXY_0_HTTP_BACKEND_PROXYPASS_PATH', 'HAPROXY_0_AUTH', 'HAPROXY_0_STICKY', 'HAPROXY_0_REDIRECT_TO_HTTPS', 'HAPROXY_0_BACKEND_WEIGHT',
  'HAPROXY_0_HTTP_FRONTEND_ACL_ONLY', 'HAPROXY_0_BACKEND_HTTP_OPTIONS', 'HAPROXY_0_HTTP_BACKEND_REVPROXY_PATH', 'HAPROXY_DEPLOYMENT_GROUP',
];

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    'x\n  bind :1', 'roundrobin\nlisten evil', '{nope}', '{backend} {unknown_placeholder}', "a'b", 'a"b', 'é€🙂', '', ' ', '\u0000',
    '  acl x hdr(host) -i x\n  use_backend no_such_backend if x\n', 'leastconn', 'static-rr', 'not-a-balance', 'ssl crt /nonexistent.pem',
    '10.0.0.0/8 256.1.1.1/99', '/nonexistent/cert.pem', 'tcp', 'udp', 'http', 'true', 'maybe', '-5', '99999999999',
    '  http-request deny if TRUE\n', '  server s1 127.0.0.1:1 id 1\n  server s2 127.0.0.1:2 id 1\n', 'bad vhost.example', 'a.example,b"c.example',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer({ min: 0, max: 8 }).map((n) => 'x'.repeat(10 ** Math.min(n, 5))),
  fc.constantFrom(5, null, {}, [], true),
);

const hostileApp = (id: string, port: number): fc.Arbitrary<unknown> => fc.oneof(
  { weight: 6, arbitrary: fc.dictionary(fc.constantFrom(...LABELS), hostileValue, { minKeys: 1, maxKeys: 4 })
    .map((labels) => wireApp({ id, ports: [port], labels: labels as Record<string, string> })) },
  // Malformed definitions: wrong types where Marathon would put objects, lists or numbers.
  { weight: 1, arbitrary: fc.constantFrom<unknown>(
    { ...wireApp({ id, ports: [port] }), tasks: 'nope' },
    { ...wireApp({ id, ports: [port] }), portDefinitions: [{ port: 'x' }] },
    { ...wireApp({ id, ports: [port] }), labels: 'HAPROXY_GROUP=external' },
    { ...wireApp({ id, ports: [port] }), tasks: [{ id: 5, host: {}, ports: 'a' }] },
    { id },
    { ...wireApp({ id, ports: [port] }), id: 42 },
  ) },
);

d('thousands of hostile apps', () => {
  let dir: string;
  let pem: string;
  beforeAll(async () => {
    dir = await tempDir('mlb-hostile-');
    await mkdir(join(dir, 'run'), { recursive: true });
    pem = join(dir, 'cert.pem');
    await writeFile(pem, generateSelfSignedPem({ now: new Date(), commonName: 'hostile.example' }));
  });

  it('never stop the controller or the healthy apps, and the config on disk always passes haproxy -c', async () => {
    const HEALTHY = 300;
    const HOSTILE = 800;
    let runs = 0;
    await fc.assert(fc.asyncProperty(
      fc.tuple(...Array.from({ length: HOSTILE }, (_, i) => hostileApp(`/z-hostile-${i}`, 20000 + i))),
      async (hostile) => {
        runs += 1;
        const configPath = join(dir, `haproxy-${runs}.cfg`);
        const marathon = new FakeMarathon();
        for (let i = 0; i < HEALTHY; i += 1) marathon.put(wireApp({ id: `/a-healthy-${i}`, ports: [10000 + i], tasks: [[31000 + i], [32000 + i]] }));
        const wire = [...marathon.apps.values(), ...hostile] as WireApp[];
        const haproxy = new FakeHaproxy();
        const templates = resolveTemplates({ builtin: readTemplateDir(builtinTemplateDir()), files: {}, env: {} });
        const write = (checkOnly: boolean) => (config: string, maps: Readonly<Record<string, string>>, opts?: { validate?: boolean }) =>
          applyConfigFiles({ configPath, config, maps, validate: opts?.validate !== false, bin: bin!, archiveVersions: 0, checkOnly }).then((r) => {
            if (r.ok && !checkOnly) haproxy.lastConfig = config;
            return r;
          });
        const deps: ReconcileDeps = {
          settings: { dry: false, skipConfigCleanup: false } as Settings,
          apps: { listApps: async () => wire },
          cluster: new ClusterModel(options()),
          resolver: { prepare: async () => undefined, resolve: (h: string) => h },
          render: createRenderer(templates, renderOptions({
            haproxyDir: dir, sslCerts: [pem], builtins: { ...TEST_BUILTINS, luaDir: join(REPO, 'lua'), runDir: join(dir, 'run') },
          })),
          writer: {
            write: write(false), check: write(true), validateCurrent: async () => ({ ok: true, changed: false }),
            writeUnchecked: (pieces, maps, stop) => writeUncheckedFiles({ configPath, pieces, maps, archiveVersions: 0, stop }),
          },
          haproxy,
          now: () => 0,
        };
        let applied: AppliedState | undefined;
        let served = 0;
        for (let pass = 0; pass < 6 && served < HEALTHY; pass += 1) {
          const r = await reconcileOnce(deps, applied, { full: true, apps: [], reasons: ['property'] });
          expect(['reload', 'noop', 'runtime']).toContain(r.outcome.result);
          applied = r.applied;
          served = [...applied!.byApp.keys()].filter((a) => a.startsWith('/a-healthy-')).length;
        }
        expect(served).toBe(HEALTHY);
        // What is on disk is what HAProxy would load, and it loads.
        const v = await validateConfig({ bin: bin!, file: configPath });
        expect(v.ok ? [] : v.alerts).toEqual([]);
        for (const list of applied!.byApp.values()) {
          for (const s of list) expect(new Set(s.servers.map((x) => x.id)).size).toBe(s.servers.length);
        }
      },
    ), { numRuns: 5, seed: 9, endOnFailure: true });
  }, 600_000);

  it.each([
    ['HAPROXY_0_BALANCE', 'not-a-balance'],
    ['HAPROXY_0_BIND_OPTIONS', 'no-such-bind-option'],
    ['HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL', 'not-an-address'],
    ['HAPROXY_0_SSL_CERT', '/nonexistent/cert.pem'],
    ['HAPROXY_0_VHOST', 'a"b.example'],
    ['HAPROXY_0_PATH', "/a'b"],
  ])('a rejection caused by %s names that label', async (label, value) => {
    const configPath = join(dir, `label-${label}.cfg`);
    const marathon = new FakeMarathon();
    marathon.put(wireApp({ id: '/good', ports: [10000] }));
    marathon.put(wireApp({ id: '/bad', ports: [10001], labels: { [label]: value, ...(label === 'HAPROXY_0_PATH' ? { HAPROXY_0_VHOST: 'p.example' } : {}) } }));
    const templates = resolveTemplates({ builtin: readTemplateDir(builtinTemplateDir()), files: {}, env: {} });
    const write = (checkOnly: boolean) => (config: string, maps: Readonly<Record<string, string>>, opts?: { validate?: boolean }) =>
      applyConfigFiles({ configPath, config, maps, validate: opts?.validate !== false, bin: bin!, archiveVersions: 0, checkOnly });
    const r = await reconcileOnce({
      settings: { dry: false, skipConfigCleanup: false } as Settings,
      apps: marathon, cluster: new ClusterModel(options()), resolver: { prepare: async () => undefined, resolve: (h: string) => h },
      render: createRenderer(templates, renderOptions({ haproxyDir: dir, sslCerts: [pem], builtins: { ...TEST_BUILTINS, luaDir: join(REPO, 'lua'), runDir: join(dir, 'run') } })),
      writer: {
        write: write(false), check: write(true), validateCurrent: async () => ({ ok: true, changed: false }),
        writeUnchecked: (pieces, maps, stop) => writeUncheckedFiles({ configPath, pieces, maps, archiveVersions: 0, stop }),
      },
      haproxy: new FakeHaproxy(), now: () => 0,
    }, undefined, { full: true, apps: [], reasons: ['t'] });
    expect(r.applied?.byApp.has('/good')).toBe(true);
    const skip = r.outcome.skipped.find((s) => s.appId === '/bad');
    expect(skip?.label).toBe(label);
  });
});
