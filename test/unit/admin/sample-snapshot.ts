// A status snapshot with something of everything, including text that must be escaped.
import type { StatusSnapshot } from '../../../src/admin/index.js';

export const HEALTHY: StatusSnapshot = {
  version: '0.1.0',
  configPath: '/etc/haproxy/haproxy.cfg',
  services: [
    {
      appId: '/shop/web',
      servicePort: 10000,
      backend: 'shop_web_10000',
      mode: 'http',
      vhosts: ['shop.example.com', 'www.shop.example.com'],
      path: '/api',
      servers: [
        { name: '10_0_0_1_31000', address: '10.0.0.1:31000', state: 'up', taskId: 'shop_web.1a2b' },
        { name: '10_0_0_2_31001', address: '10.0.0.2:31001', state: 'draining', taskId: 'shop_web.3c4d' },
      ],
    },
    {
      appId: '/db/redis',
      servicePort: 10001,
      backend: 'db_redis_10001',
      mode: 'tcp',
      vhosts: [],
      path: undefined,
      servers: [{ name: '10_0_0_3_31002', address: '10.0.0.3:31002', state: 'down', taskId: undefined }],
    },
  ],
  skipped: [
    {
      appId: '/team/<script>alert(1)</script>',
      reason: 'INVALID_LABEL',
      label: 'HAPROXY_0_PORT',
      message: 'HAPROXY_0_PORT must be a number, got "eighty" & <b>more</b>',
    },
  ],
  lastReload: { at: '2030-06-01T10:00:00.000Z', reasons: ['backend shop_web_10000 added'], result: 'success' },
  lastPass: { at: '2030-06-01T10:05:00.000Z', result: 'noop', error: undefined },
  stream: { mode: 'sse', connected: true, url: 'http://marathon.mesos:8080/v2/events', since: '2030-06-01T09:00:00.000Z', reconnects: 2 },
};

export const BROKEN: StatusSnapshot = {
  ...HEALTHY,
  lastPass: { at: '2030-06-01T10:06:00.000Z', result: 'error', error: 'GET /v2/apps: connect ECONNREFUSED' },
  stream: { ...HEALTHY.stream, connected: false, since: '2030-06-01T10:05:30.000Z' },
};
