// Normalizes and renders one golden case with fixed, test-friendly install values.

import { builtinTemplateDir, readTemplateDir, render, resolveTemplates, type RenderOptions, type TemplateSet } from '../../src/config/index.js';
import { normalize } from '../../src/model/index.js';
import type { Model, Skipped } from '../../src/model/types.js';
import { TEST_BUILTINS } from '../support/render-support.js';
import type { GoldenCase } from './cases.js';

/** What a case renders from: its model, templates and render options. */
export function caseInputs(c: GoldenCase, over: Partial<RenderOptions> = {}): { model: Model; templates: TemplateSet; options: RenderOptions } {
  const model = normalize(c.apps, {
    groups: c.normalize?.groups ?? ['external'],
    strictMode: c.normalize?.strictMode ?? false,
    healthCheck: c.normalize?.healthCheck ?? false,
    minServPortIpPerTask: 10050,
    maxServPortIpPerTask: 10100,
    frameworkName: undefined,
    resolve: (h) => ({ agent1: '1.1.1.1' } as Record<string, string>)[h],
    healthCache: new Map(),
  });
  const templates = resolveTemplates({ builtin: readTemplateDir(builtinTemplateDir()), files: {}, env: c.env ?? {} });
  const options: RenderOptions = {
    haproxyDir: '/etc/haproxy', sslCerts: ['/etc/ssl/cert.pem'], haproxyMap: false, dontBindHttpHttps: false,
    groupHttpsByVhost: false, builtins: TEST_BUILTINS, ...c.render, ...over,
  };
  return { model, templates, options };
}

export function renderCase(c: GoldenCase, over: Partial<RenderOptions> = {}): { config: string; maps: Record<string, string>; skipped: Skipped[] } {
  const { model, templates, options } = caseInputs(c, over);
  const out = render(model, templates, options);
  if (!out.ok) throw out.error;
  return { config: out.rendered.config, maps: { ...out.rendered.maps }, skipped: [...model.skipped.filter((s) => s.reason !== 'GROUP_MISMATCH'), ...out.rendered.excluded] };
}
