// docker/marathon-lb.json is what an operator POSTs to Marathon to run the LB itself on public
// agents. Marathon only rejects it at deploy time, so check here that it is well-formed, that it
// lands one instance per public agent with the ports HAProxy binds, that its health check hits
// the endpoint our HEAD template serves, and that its args are a command line we accept.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../../../src/cli/args.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

interface PortDefinition { port: number; protocol?: string; name?: string }
interface AppDefinition {
  id: string;
  instances: number;
  cpus: number;
  mem: number;
  args: string[];
  cmd?: string;
  container: { type: string; docker: { image: string; network?: string; privileged?: boolean } };
  env: Record<string, string>;
  acceptedResourceRoles: string[];
  constraints: string[][];
  portDefinitions: PortDefinition[];
  requirePorts: boolean;
  healthChecks: { protocol: string; path: string; port?: number; portIndex?: number }[];
  upgradeStrategy: { minimumHealthCapacity: number; maximumOverCapacity: number };
}

const app = JSON.parse(readFileSync(join(root, 'docker', 'marathon-lb.json'), 'utf8')) as AppDefinition;
const ports = app.portDefinitions.map((p) => p.port);

describe('docker/marathon-lb.json', () => {
  test('has what Marathon requires to create an app', () => {
    expect(app.id).toMatch(/^\/[a-z0-9][a-z0-9.-]*$/);
    expect(app.instances).toBeGreaterThanOrEqual(1);
    expect(app.cpus).toBeGreaterThan(0);
    expect(app.mem).toBeGreaterThanOrEqual(256);
    // Docker apps pass args to the image's ENTRYPOINT (tini -> run); a cmd would replace them.
    expect(app.cmd).toBeUndefined();
    expect(app.container.type).toBe('DOCKER');
    expect(app.container.docker.image).not.toBe('');
  });

  test('runs on the host network of public agents, one instance per agent', () => {
    // docker.network HOST is read by Marathon 1.4 and still accepted on input by 1.5+.
    expect(app.container.docker.network).toBe('HOST');
    expect(app.acceptedResourceRoles).toEqual(['slave_public']);
    expect(app.constraints).toContainEqual(['hostname', 'UNIQUE']);
  });

  test('reserves the well-known ports and the service-port range 10000-10100 as fixed host ports', () => {
    expect(app.requirePorts).toBe(true);
    expect(ports.slice(0, 4)).toEqual([80, 443, 9090, 9091]);
    const range = Array.from({ length: 101 }, (_, i) => 10000 + i);
    expect(ports.slice(4)).toEqual(range);
    expect(new Set(ports).size).toBe(ports.length);
    for (const p of app.portDefinitions) expect(p.protocol ?? 'tcp').toBe('tcp');
  });

  test('health check asks HAProxy\'s monitor URI on the admin port, as the default HEAD serves it', () => {
    expect(app.healthChecks).toHaveLength(1);
    const [check] = app.healthChecks;
    expect(check).toMatchObject({ protocol: 'MESOS_HTTP', path: '/_haproxy_health_check', port: 9090 });
    const head = readFileSync(join(root, 'templates', 'HAPROXY_HEAD'), 'utf8');
    expect(head).toMatch(/monitor-uri \/_haproxy_health_check\b/);
    expect(head).toMatch(/\{adminPort\}/);
  });

  test('upgrades by stopping an old instance before starting a new one (fixed host ports)', () => {
    // With requirePorts and hostname UNIQUE a new task cannot start where an old one still holds
    // :80, so Marathon must be allowed to go below full capacity and never above it.
    expect(app.upgradeStrategy.maximumOverCapacity).toBe(0);
    expect(app.upgradeStrategy.minimumHealthCapacity).toBeLessThan(1);
    expect(app.upgradeStrategy.minimumHealthCapacity).toBeGreaterThanOrEqual(0);
  });

  test('args are the run script\'s mode followed by flags the controller accepts', () => {
    expect(app.args.slice(0, 3)).toEqual(['sse', '--group', 'external']);
    const parsed = parseArgs(app.args);
    expect(parsed.kind).toBe('args');
  });

  test('env only names variables the image understands, and carries no secret values', () => {
    for (const [name, value] of Object.entries(app.env)) {
      expect(name).toMatch(/^(HAPROXY_SSL_CERT\d*|HAPROXY_[A-Z_]+|POLL_INTERVAL|PORTS|MARATHON_USER)$/);
      if (name.startsWith('HAPROXY_SSL_CERT')) expect(value).toBe('');
    }
  });
});
