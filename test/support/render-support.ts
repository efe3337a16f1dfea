// Renders a model with the built-in templates and test-friendly install values.

import { readTemplateDir, builtinTemplateDir, render, resolveTemplates, type RenderOptions, type Rendered } from '../../src/config/index.js';
import type { Model } from '../../src/model/types.js';

export const TEST_BUILTINS = {
  luaDir: '/usr/share/marathon-lb/lua', runDir: '/run/marathon-lb', pidFile: '/run/marathon-lb/marathon-lb.pid',
  statusPort: '9089', adminPort: '9090', httpPort: '80', httpsPort: '443', appidPort: '9091',
  bindAddress: '*', globalOptions: '  option dontlognull\n  option http-server-close\n  option redispatch\n', hardStopAfter: '5m',
  controllerServer: '127.0.0.1:9092', adminBindAddress: '*', adminWriteNetworks: '0.0.0.0/0 ::/0',
};

export function renderOptions(over: Partial<RenderOptions> = {}): RenderOptions {
  return {
    haproxyDir: '/etc/haproxy', sslCerts: ['/etc/ssl/cert.pem'], haproxyMap: false,
    dontBindHttpHttps: false, groupHttpsByVhost: false, builtins: TEST_BUILTINS, ...over,
  };
}

export function renderModel(m: Model, over: Partial<RenderOptions> = {}, env: Record<string, string> = {}): Rendered {
  const templates = resolveTemplates({ builtin: readTemplateDir(builtinTemplateDir()), files: {}, env });
  const out = render(m, templates, renderOptions(over));
  if (!out.ok) throw out.error;
  return out.rendered;
}

/** The config without HEAD (everything from the first frontend on), for readable assertions. */
export function body(r: Rendered): string {
  const i = r.config.indexOf('\nfrontend ');
  return i < 0 ? '' : r.config.slice(i + 1);
}
