// Built-in sample apps for the demo (`main.ts --sample`): a plain TCP/HTTP app on service port
// 10000 and a virtual-host app with an HTTP health check (on 10001, the next free service port).
// `--sample-ports A,B` moves them (scripts/demo's MLB_NGINX_PORT and MLB_WEB_PORT).

import type { AppSpec } from './types.js';

export function sampleApps(ports: { nginx?: number; web?: number } = {}): AppSpec[] {
  return [
    {
      id: '/nginx',
      instances: 5,
      labels: { HAPROXY_GROUP: 'external' },
      portDefinitions: [{ port: ports.nginx ?? 10000, name: 'http', protocol: 'tcp' }],
    },
    {
      id: '/web',
      instances: 2,
      labels: { HAPROXY_GROUP: 'external', HAPROXY_0_VHOST: 'web.example.com' },
      portDefinitions: [{ port: ports.web ?? 0, name: 'http', protocol: 'tcp' }],
      healthChecks: [{ protocol: 'HTTP', path: '/health', portIndex: 0, intervalSeconds: 5, timeoutSeconds: 2 }],
    },
  ];
}
