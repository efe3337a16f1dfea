// Golden configs: each case renders to exactly the files in expected/<case>/.
// UPDATE_GOLDEN=1 rewrites them; review the diff as the review of a rendering change.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LABELS } from '../../src/model/index.js';
import { createRenderer } from '../../src/controller/renderer.js';
import { caseInputs, renderCase } from './render-case.js';
import { CASES } from './cases.js';

const EXPECTED = join(dirname(fileURLToPath(import.meta.url)), 'expected');
const update = process.env.UPDATE_GOLDEN === '1';

describe('golden configs', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const r = renderCase(c);
    const files: Record<string, string> = { 'haproxy.cfg': r.config };
    for (const [map, text] of Object.entries(r.maps)) if (text !== '') files[map] = text;
    if (r.skipped.length > 0) files['skipped.txt'] = r.skipped.map((s) => `${s.appId} ${s.label ?? '-'} ${s.reason}: ${s.message}`).join('\n') + '\n';
    const dir = join(EXPECTED, name);
    if (update) {
      mkdirSync(dir, { recursive: true });
      for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
    }
    for (const [f, text] of Object.entries(files)) {
      const path = join(dir, f);
      expect(existsSync(path) ? readFileSync(path, 'utf8') : `(missing ${path}; run with UPDATE_GOLDEN=1)`).toBe(text);
    }
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: the file rewrite after runtime changes (pieces, written in slices) is the same bytes', (_name, c) => {
    const { model, templates, options } = caseInputs(c);
    const renderer = createRenderer(templates, options);
    const out = renderer.pieces(model);
    if (!out.ok) throw out.error;
    const whole = renderCase(c);
    expect([...out.pieces].join('')).toBe(whole.config);
    expect(out.maps).toEqual(whole.maps);
  });

  it('every label override case shows its marker, so every overridable template is exercised', () => {
    for (const c of CASES.filter((x) => x.name.startsWith('label-overrides'))) {
      const cfg = renderCase(c).config;
      for (const app of c.apps) {
        const name = Object.keys(app.labels!).find((k) => /^HAPROXY_0_[A-Z_]+$/.test(k) && app.labels![k]!.includes('overridden by label'))!;
        expect(cfg).toContain(`# ${name.slice('HAPROXY_0_'.length)} overridden by label`);
      }
    }
  });

  it('the cases use every label of the registry', () => {
    const used = new Set(CASES.flatMap((c) => c.apps.flatMap((a) => Object.keys(a.labels ?? {}))).map((l) => l.replace(/^HAPROXY_\d+_/, 'HAPROXY_{n}_')));
    const missing = LABELS.filter((l) => !used.has(l.perPort ? `HAPROXY_{n}_${l.name}` : `HAPROXY_${l.name}`)).map((l) => l.name);
    expect(missing).toEqual([]);
  });
});
