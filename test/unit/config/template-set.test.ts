import { resolveTemplates } from '../../../src/config/template-set.js';
import { TEMPLATES } from '../../../src/config/template-registry.js';
import { fillTemplate } from '../../../src/config/template-lookup.js';
import { TEST_BUILTINS } from '../../support/render-support.js';

describe('template precedence: label > env > file > built-in', () => {
  const builtin = { BACKEND_HEAD: 'builtin {backend}\n' };
  it.each([
    [{}, {}, 'builtin', 'builtin'],
    [{ BACKEND_HEAD: 'file {backend}\n' }, {}, 'file', 'file'],
    [{ BACKEND_HEAD: 'file\n' }, { HAPROXY_BACKEND_HEAD: 'env\\n{backend}' }, 'env', 'env\n'],
    [{ BACKEND_HEAD: 'file\n' }, { HAPROXY_BACKEND_HEAD: '' }, 'file', 'file'],
  ])('files %j env %j -> %s', (files, env, source, startsWith) => {
    const set = resolveTemplates({ builtin, files, env });
    expect(set.BACKEND_HEAD!.source).toBe(source);
    expect(set.BACKEND_HEAD!.text.startsWith(startsWith)).toBe(true);
  });

  it('a per-port label beats every global source', () => {
    const templates = resolveTemplates({ builtin, files: {}, env: { HAPROXY_BACKEND_HEAD: 'env' } });
    const text = fillTemplate({ templates, builtins: TEST_BUILTINS }, 'BACKEND_HEAD', { backend: 'b', balance: 'r', mode: 'http' }, { index: 1, templates: { BACKEND_HEAD: 'label {backend}' } });
    expect(text).toBe('label b');
  });

  it('a label cannot override a global-only template', () => {
    const templates = resolveTemplates({ builtin: { HTTP_FRONTEND_HEAD: 'builtin' }, files: {}, env: {} });
    expect(fillTemplate({ templates, builtins: TEST_BUILTINS }, 'HTTP_FRONTEND_HEAD', {}, { index: 0, templates: { HTTP_FRONTEND_HEAD: 'label' } })).toBe('builtin');
  });

  it('knows all 53 of marathon-lb\'s templates', () => {
    expect(TEMPLATES).toHaveLength(53);
    expect(TEMPLATES.filter((t) => !t.overridable).map((t) => t.name)).toHaveLength(11);
  });
});
