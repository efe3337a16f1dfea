// One app's bad template never takes the others down; output is deterministic; the skeleton
// separates structure from task servers.
import fc from 'fast-check';
import { model, server, service } from '../../support/builders.js';
import { renderModel } from '../../support/render-support.js';

const good = service({ appId: '/good', servicePort: 10000, vhosts: ['good.com'], servers: [server({ port: 31000 })] });

describe('isolation', () => {
  it('an unknown placeholder in a label template excludes that app only, naming app and label', () => {
    const bad = service({ appId: '/bad', servicePort: 10001, index: 0, templates: { BACKEND_HEAD: '\nbackend {backend}\n  balance {balanse}\n' } });
    const r = renderModel(model(good, bad));
    expect(r.config).toContain('backend good_10000');
    expect(r.config).not.toContain('bad_10001');
    expect(r.excluded).toEqual([expect.objectContaining({ appId: '/bad', index: 0, label: 'HAPROXY_0_BACKEND_HEAD', reason: 'INVALID_TEMPLATE' })]);
    expect(r.excluded[0]!.message).toMatch(/\/bad.*HAPROXY_0_BACKEND_HEAD.*\{balanse\}/);
  });

  it('app labels cannot use the install placeholders reserved to operators', () => {
    const bad = service({ appId: '/bad', servicePort: 10001, templates: { FRONTEND_HEAD: '\nfrontend {backend}\n  bind *:{adminPort}\n' } });
    expect(renderModel(model(bad)).excluded).toHaveLength(1);
  });

  it('a value with a line break in a rendered field excludes the app as unsafe', () => {
    const bad = service({ appId: '/bad', servicePort: 10001, vhosts: ['evil.com\n  server x 6.6.6.6:80'], servers: [] });
    const r = renderModel(model(good, bad));
    expect(r.config).not.toContain('6.6.6.6');
    expect(r.excluded[0]).toMatchObject({ appId: '/bad', reason: 'UNSAFE_VALUE' });
  });

  it('a broken global template fails the whole render (the operator must fix it; the last good config stays)', () => {
    expect(() => renderModel(model(good), {}, { HAPROXY_HTTPS_FRONTEND_HEAD: '\\nfrontend x\\n  bind *:443 {certs}\\n' })).toThrow(/HAPROXY_HTTPS_FRONTEND_HEAD.*\{certs\}/);
  });

  it('owners trace every line of an app back to it', () => {
    const r = renderModel(model(good));
    const lines = r.config.split('\n');
    const owned = r.owners.filter((o) => o.appId === '/good').flatMap((o) => lines.slice(o.from - 1, o.to));
    expect(owned).toContain('backend good_10000');
    expect(owned).toContain('  server 127_0_0_1_31000 127.0.0.1:31000 id 31001');
    expect(owned.some((l) => l.includes('frontend marathon'))).toBe(false);
  });
});

describe('skeleton and servers', () => {
  it('servers are listed per backend and left out of the skeleton', () => {
    const r = renderModel(model(good));
    expect(r.servers).toEqual({ good_10000: { '127_0_0_1_31000': '127.0.0.1:31000 id 31001' } });
    expect(r.skeleton).not.toContain('server 127_0_0_1_31000');
    expect(r.skeleton).toContain('backend good_10000');
  });

  it('adding a task changes servers but not the skeleton', () => {
    const more = { ...good, servers: [...good.servers, server({ port: 31001 })] };
    expect(renderModel(model(more)).skeleton).toBe(renderModel(model(good)).skeleton);
  });
});

describe('determinism', () => {
  it('the same services in any order give the same bytes', () => {
    const services = Array.from({ length: 8 }, (_, i) => service({
      appId: `/app${i % 4}`, servicePort: 10000 + i, index: Math.floor(i / 4), vhosts: i % 2 ? [`h${i}.com`] : [],
      backendWeight: i % 3, path: i % 3 === 1 ? '/p' : undefined, servers: [server({ port: 31000 + i })],
    }));
    const expected = renderModel(model(...services));
    fc.assert(fc.property(fc.shuffledSubarray(services, { minLength: services.length }), (shuffled) => {
      const r = renderModel(model(...shuffled));
      return r.config === expected.config && JSON.stringify(r.maps) === JSON.stringify(expected.maps);
    }), { numRuns: 50 });
  });
});
