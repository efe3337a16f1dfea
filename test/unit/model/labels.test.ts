import { describe, expect, it } from '@jest/globals';
import { OVERRIDABLE_TEMPLATE_NAMES } from '../../../src/config/template-registry.js';
import { APP_LABELS, LABELS, PORT_LABELS, labelPattern, renderLabelDocs } from '../../../src/model/index.js';

// The labels of spec §4.1 and §4.2, written out independently of the registry.
const SPEC_APP = ['GROUP', 'DEPLOYMENT_GROUP', 'DEPLOYMENT_STARTED_AT', 'DEPLOYMENT_TARGET_INSTANCES',
  'DEPLOYMENT_NEW_INSTANCES', 'DEPLOYMENT_ALT_PORT', 'DEPLOYMENT_COLOUR', 'APP_ID'];
const SPEC_PORT = ['VHOST', 'PATH', 'MODE', 'BALANCE', 'STICKY', 'REDIRECT_TO_HTTPS', 'USE_HSTS', 'SSL_CERT',
  'BIND_OPTIONS', 'BIND_ADDR', 'PORT', 'AUTH', 'HTTP_BACKEND_PROXYPASS_PATH', 'HTTP_BACKEND_REVPROXY_PATH',
  'HTTP_BACKEND_REDIR', 'BACKEND_WEIGHT', 'BACKEND_NETWORK_ALLOWED_ACL', 'BACKEND_HEALTHCHECK_PORT_INDEX',
  'GROUP', 'ENABLED'];

describe('label registry', () => {
  it('holds exactly the app-level labels of spec §4.1', () => {
    expect(APP_LABELS.map((l) => l.name).sort()).toEqual([...SPEC_APP].sort());
    expect(APP_LABELS.every((l) => !l.perPort)).toBe(true);
  });

  it('holds exactly the per-port labels of spec §4.2', () => {
    expect(PORT_LABELS.map((l) => l.name).sort()).toEqual([...SPEC_PORT].sort());
    expect(PORT_LABELS.every((l) => l.perPort)).toBe(true);
  });

  it('no per-port label shares a name with an overridable template', () => {
    for (const l of PORT_LABELS) expect(OVERRIDABLE_TEMPLATE_NAMES.has(l.name)).toBe(false);
  });

  it('every entry has a description and an example', () => {
    for (const l of LABELS) {
      expect(l.description.length).toBeGreaterThan(10);
      expect(l.example).not.toBe('');
    }
  });

  it.each([
    [{ name: 'GROUP', perPort: false }, 'HAPROXY_GROUP'],
    [{ name: 'VHOST', perPort: true }, 'HAPROXY_{n}_VHOST'],
  ])('pattern of %o is %s', (spec, pattern) => {
    expect(labelPattern(spec)).toBe(pattern);
  });

  it('renderLabelDocs lists every label pattern and every overridable template', () => {
    const md = renderLabelDocs();
    for (const l of LABELS) expect(md).toContain(`\`${labelPattern(l)}\``);
    for (const t of OVERRIDABLE_TEMPLATE_NAMES) expect(md).toContain(`\`HAPROXY_{n}_${t}\``);
    expect(md.startsWith('# App labels\n')).toBe(true);
    expect(renderLabelDocs()).toBe(md);
  });

  it('renderLabelDocs escapes pipes so table rows keep their columns', () => {
    for (const row of renderLabelDocs().split('\n').filter((r) => r.startsWith('| `HAPROXY'))) {
      expect(row.replace(/\\\|/g, '').split('|').length).toBe(7);
    }
  });
});
