// The whole-file ejs template, through the shipped example (templates/examples/listen-per-app.cfg.ejs):
// one `listen` block per service port, HTTP-checked on the path of the app's Marathon health
// check; label data never breaks a line; a template with a syntax error names its file.
// (test/integration/routing-ejs-template.test.ts shows HAProxy accepts and serves its output.)

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileEjsTemplate, ejsLocals, EjsTemplateError, packageRoot } from '../../../src/config/index.js';
import { normalize } from '../../../src/model/index.js';
import type { Model } from '../../../src/model/types.js';
import type { WireApp } from '../../../src/model/wire.js';
import { HTTP_HEALTH, wireApp } from '../../support/wire-builders.js';
import { TEST_BUILTINS } from '../../support/render-support.js';

const EXAMPLE = join(packageRoot(), 'templates', 'examples', 'listen-per-app.cfg.ejs');
const example = compileEjsTemplate(readFileSync(EXAMPLE, 'utf8'), EXAMPLE);

function modelOf(apps: WireApp[]): Model {
  return normalize(apps, {
    groups: ['external'], strictMode: false, healthCheck: false, minServPortIpPerTask: 10050, maxServPortIpPerTask: 10100,
    frameworkName: undefined, resolve: () => undefined, healthCache: new Map(),
  });
}

const render = (m: Model) => example(ejsLocals(m, '/etc/haproxy', ['/etc/ssl/cert.pem'], TEST_BUILTINS));

/** The `listen` sections of a config, by name, as their indented lines. */
function listenBlocks(cfg: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let current: string[] | undefined;
  for (const line of cfg.split('\n')) {
    const m = /^listen (\S+)$/.exec(line);
    if (m) out[m[1]!] = current = [];
    else if (/^\S/.test(line) || line === '') current = undefined;
    else current?.push(line.trim());
  }
  return out;
}

describe('the listen-per-app ejs example', () => {
  const apps = [
    wireApp({ id: '/web', ports: [10000, 10001], tasks: [[31000, 31001], [31002, 31003]], host: '10.0.0.5', healthChecks: [{ ...HTTP_HEALTH, path: '/status/ready', intervalSeconds: 3, maxConsecutiveFailures: 2 }] }),
    wireApp({ id: '/db', ports: [10002], tasks: [[31010]], host: '10.0.0.6' }),
    wireApp({ id: '/tcpcheck', ports: [10003], tasks: [[31020]], host: '10.0.0.7', healthChecks: [{ ...HTTP_HEALTH, protocol: 'TCP' }] }),
  ];

  it('renders one listen block per service port, with its servers', () => {
    const blocks = listenBlocks(render(modelOf(apps)));
    expect(Object.keys(blocks).sort()).toEqual(['db_10002', 'stats', 'tcpcheck_10003', 'web_10000', 'web_10001']);
    expect(blocks.web_10000).toEqual(expect.arrayContaining(['bind *:10000', 'mode http', 'balance roundrobin', 'server 10_0_0_5_31000 10.0.0.5:31000', 'server 10_0_0_5_31002 10.0.0.5:31002']));
    expect(blocks.web_10001).toEqual(expect.arrayContaining(['bind *:10001', 'server 10_0_0_5_31001 10.0.0.5:31001', 'server 10_0_0_5_31003 10.0.0.5:31003']));
    expect(blocks.db_10002).toEqual(expect.arrayContaining(['bind *:10002', 'mode tcp', 'server 10_0_0_6_31010 10.0.0.6:31010']));
  });

  it('checks http services with GET on the path of the Marathon health check', () => {
    const blocks = listenBlocks(render(modelOf(apps)));
    expect(blocks.web_10000).toContain('option httpchk GET /status/ready');
    expect(blocks.web_10000).toContain('default-server check inter 3s fall 3');
    // No HTTP check where Marathon has none, or only a TCP one.
    expect(blocks.db_10002!.some((l) => l.startsWith('option httpchk'))).toBe(false);
    expect(blocks.tcpcheck_10003!.some((l) => l.startsWith('option httpchk'))).toBe(false);
  });

  it('is deterministic: the same apps in another order give the same bytes', () => {
    expect(render(modelOf([...apps].reverse()))).toBe(render(modelOf(apps)));
  });

  it('refuses to print a value with a line break (no injected directives)', () => {
    const m = modelOf(apps);
    const web = m.services.find((s) => s.backend === 'web_10000')!;
    const evil: Model = { ...m, services: m.services.map((s) => (s === web ? { ...s, healthCheck: { ...s.healthCheck!, path: '/ok\n  server evil 6.6.6.6:80' } } : s)) };
    expect(() => render(evil)).toThrow(EjsTemplateError);
    expect(() => render(evil)).toThrow(/line break/);
    const cr: Model = { ...m, services: m.services.map((s) => (s === web ? { ...s, healthCheck: { ...s.healthCheck!, path: '/ok\r' } } : s)) };
    expect(() => render(cr)).toThrow(/line break/);
  });

  it('a label with a line break never reaches the template: normalize excludes that service port', () => {
    const m = modelOf([wireApp({ id: '/bad', ports: [10009], labels: { HAPROXY_0_VHOST: 'a.com\nlisten evil' } })]);
    expect(m.services).toEqual([]);
    expect(render(m)).not.toContain('evil');
  });

  it('reports a syntax error with the template file name', () => {
    const file = '/etc/marathon-lb/broken.cfg.ejs';
    expect(() => compileEjsTemplate('global\n<% for (const a of m.apps { %>\n<% } %>\n', file)).toThrow(/broken\.cfg\.ejs/);
  });

  it('reports a reference to a missing local at render time, naming the file and line', () => {
    const render2 = compileEjsTemplate('global\n  maxconn <%= m.nope.deeper %>\n', '/etc/marathon-lb/typo.cfg.ejs');
    expect(() => render2(ejsLocals(modelOf([]), '/etc/haproxy', [], TEST_BUILTINS))).toThrow(/typo\.cfg\.ejs:2/);
  });
});
