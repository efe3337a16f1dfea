import { describe, expect, it } from '@jest/globals';
import { prepareApp, servicePortOf } from '../../../src/zdd/app-definition.js';
import { EXIT, ZddError } from '../../../src/zdd/errors.js';

const NOW = '2026-12-01T05:00:00.000Z';
const labels = { HAPROXY_GROUP: 'external', HAPROXY_DEPLOYMENT_GROUP: 'web', HAPROXY_DEPLOYMENT_ALT_PORT: '10001' };
const hostApp = (over: Record<string, unknown> = {}) => ({ id: 'web', instances: 3, labels, portDefinitions: [{ port: 10000, name: 'http' }], ...over });
const prepare = (definition: unknown, previous?: Record<string, unknown>, o: { initialInstances?: number; newInstances?: number } = {}) =>
  prepareApp({ definition, previous, initialInstances: o.initialInstances ?? 1, newInstances: o.newInstances ?? 0, now: NOW });

function codeOf(fn: () => unknown): number | undefined {
  try { fn(); } catch (err) { return err instanceof ZddError ? err.code : -1; }
  return undefined;
}

describe('prepareApp', () => {
  it('first deployment: blue, own service port, full size, all deployment labels', () => {
    const p = prepare(hostApp());
    expect(p).toMatchObject({ target: 3, servicePort: 10000 });
    expect(p.app).toMatchObject({
      id: '/web-blue', instances: 3, portDefinitions: [{ port: 10000, name: 'http' }],
      labels: {
        ...labels, HAPROXY_APP_ID: '/web', HAPROXY_0_PORT: '10000', HAPROXY_DEPLOYMENT_COLOUR: 'blue',
        HAPROXY_DEPLOYMENT_STARTED_AT: NOW, HAPROXY_DEPLOYMENT_TARGET_INSTANCES: '3', HAPROXY_DEPLOYMENT_NEW_INSTANCES: '0',
      },
    });
  });

  it('next deployment: the other colour on the alternate port, starting small', () => {
    const blue = prepare(hostApp()).app;
    const p = prepare(hostApp({ instances: 10 }), blue, { initialInstances: 2 });
    expect(p.app).toMatchObject({ id: '/web-green', instances: 2, portDefinitions: [{ port: 10001 }] });
    expect(p.target).toBe(10);
    // And back: green is on the alternate port, so blue takes the app's own port again.
    const q = prepare(hostApp(), p.app);
    expect(q.app).toMatchObject({ id: '/web-blue', portDefinitions: [{ port: 10000 }], labels: { HAPROXY_0_PORT: '10000' } });
  });

  it('hybrid: at most --new-instances, recorded in NEW_INSTANCES', () => {
    const blue = prepare(hostApp({ instances: 6 })).app;
    const p = prepare(hostApp({ instances: 6 }), blue, { initialInstances: 5, newInstances: 2 });
    expect(p.app).toMatchObject({ instances: 2, labels: { HAPROXY_DEPLOYMENT_NEW_INSTANCES: '2', HAPROXY_DEPLOYMENT_TARGET_INSTANCES: '6' } });
  });

  it.each([
    ['container port mappings (1.5)', { networks: [{ mode: 'container/bridge' }], container: { type: 'DOCKER', portMappings: [{ containerPort: 80, servicePort: 10000 }] } }, (a: any) => a.container.portMappings[0].servicePort],
    ['docker port mappings (1.4)', { container: { type: 'DOCKER', docker: { network: 'BRIDGE', portMappings: [{ containerPort: 80, servicePort: 10000 }] } } }, (a: any) => a.container.docker.portMappings[0].servicePort],
    ['ports only', { portDefinitions: undefined, ports: [10000] }, (a: any) => a.ports[0]],
  ])('writes the service port where the controller reads it: %s', (_name, over, read) => {
    const def = hostApp(over);
    expect(servicePortOf(def)).toBe(10000);
    const blue = prepare(def).app;
    const green = prepare(def, blue).app;
    expect(read(green)).toBe(10001);
    expect(servicePortOf(green)).toBe(10001);
  });

  it.each([
    ['no id', { ...hostApp(), id: undefined }],
    ['no group label', hostApp({ labels: { HAPROXY_DEPLOYMENT_ALT_PORT: '1' } })],
    ['no alt port label', hostApp({ labels: { HAPROXY_DEPLOYMENT_GROUP: 'web' } })],
    ['no service port', hostApp({ portDefinitions: [] })],
    ['not an object', [1, 2]],
  ])('exit 4 when the definition lacks what zdd needs: %s', (_name, def) => {
    expect(codeOf(() => prepare(def))).toBe(EXIT.missing);
  });

  it('drops null fields (Marathon refuses some)', () => {
    expect(prepare(hostApp({ cmd: null })).app).not.toHaveProperty('cmd');
  });
});
