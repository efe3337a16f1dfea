// Built-in sample apps for the demo (`main.ts --sample`): a plain TCP/HTTP app on service port
// 10000 and a virtual-host app with an HTTP health check.

import type { AppSpec } from './types.js';

export function sampleApps(): AppSpec[] {
  return [
    {
      id: '/nginx',
      instances: 5,
      labels: { HAPROXY_GROUP: 'external' },
      portDefinitions: [{ port: 10000, name: 'http', protocol: 'tcp' }],
    },
    {
      id: '/web',
      instances: 2,
      labels: { HAPROXY_GROUP: 'external', HAPROXY_0_VHOST: 'web.example.com' },
      portDefinitions: [{ port: 0, name: 'http', protocol: 'tcp' }],
      healthChecks: [{ protocol: 'HTTP', path: '/health', portIndex: 0, intervalSeconds: 5, timeoutSeconds: 2 }],
    },
  ];
}
