// Pods read as apps: endpoints in container order are the {n} of HAPROXY_{n}_* labels, service
// ports come from HAPROXY_{n}_PORT, servers from the instances by networking mode, and health
// from container status and endpoint health.

import { describe, expect, it } from '@jest/globals';
import { ClusterModel } from '../../../src/controller/cluster-model.js';
import { normalizePod, podAsApp, type PodApp, type WirePod, type WirePodStatus } from '../../../src/model/index.js';
import type { WireApp } from '../../../src/model/wire.js';
import { options } from './wire-fixtures.js';

function pod(over: { labels?: Record<string, string>; networks?: WirePod['networks']; instances?: WirePodStatus['instances']; healthCheck?: boolean } = {}): WirePodStatus {
  return {
    id: '/shop',
    status: 'STABLE',
    spec: {
      id: '/shop',
      labels: { HAPROXY_GROUP: 'external', HAPROXY_0_PORT: '10100', HAPROXY_1_PORT: '10101', HAPROXY_1_VHOST: 'shop.example.com', ...over.labels },
      networks: over.networks ?? [{ mode: 'host' }],
      containers: [
        { name: 'api', endpoints: [{ name: 'api', containerPort: 8080, hostPort: 0 }],
          ...(over.healthCheck ? { healthCheck: { http: { endpoint: 'api', path: '/health' } } } : {}) },
        { name: 'web', endpoints: [{ name: 'web', containerPort: 80, hostPort: 0 }] },
      ],
    },
    instances: over.instances ?? [instance('shop.instance-1', 31001, 31002), instance('shop.instance-2', 31003, 31004)],
  };
}

function instance(id: string, apiPort: number, webPort: number, o: { status?: string; api?: string; healthy?: boolean; address?: string } = {}) {
  return {
    id, status: o.status ?? 'STABLE', agentHostname: '10.0.0.7', agentId: 'agent-1',
    networks: [{ name: 'dcos', addresses: [o.address ?? '9.0.0.1'] }],
    containers: [
      { name: 'api', status: o.api ?? 'TASK_RUNNING', endpoints: [{ name: 'api', allocatedHostPort: apiPort, ...(o.healthy !== undefined ? { healthy: o.healthy } : {}) }] },
      { name: 'web', status: 'TASK_RUNNING', endpoints: [{ name: 'web', allocatedHostPort: webPort }] },
    ],
  };
}

const run = (status: WirePodStatus, opts = options()) => normalizePod(podAsApp(status)!, opts);

describe('pods', () => {
  it('serves each endpoint on its HAPROXY_{n}_PORT, servers on the agent and the allocated host ports', () => {
    const m = run(pod());
    expect(m.skipped).toEqual([]);
    expect(m.services.map((s) => [s.appId, s.index, s.servicePort, s.backend, s.mode, s.vhosts])).toEqual([
      ['/shop', 0, 10100, 'shop_10100', 'tcp', []],
      ['/shop', 1, 10101, 'shop_10101', 'http', ['shop.example.com']],
    ]);
    expect(m.services[0]!.servers.map((s) => [s.taskId, s.ip, s.port])).toEqual([
      ['shop.instance-1', '10.0.0.7', 31001], ['shop.instance-2', '10.0.0.7', 31003],
    ]);
    expect(m.services[1]!.servers.map((s) => s.port)).toEqual([31002, 31004]);
  });

  it('container networking: the instance address and the containerPort', () => {
    const m = run(pod({ networks: [{ mode: 'container', name: 'dcos' }], instances: [instance('i1', 0, 0, { address: '9.0.0.5' })] }));
    expect(m.services.map((s) => s.servers.map((v) => `${v.ip}:${v.port}`))).toEqual([['9.0.0.5:8080'], ['9.0.0.5:80']]);
  });

  it('an endpoint without HAPROXY_{n}_PORT is skipped without shifting the next index', () => {
    const m = run(pod({ labels: { HAPROXY_0_PORT: '' } }));
    // An empty value is not a port: reported as a label problem on index 0.
    expect(m.services.map((s) => [s.index, s.servicePort])).toEqual([[1, 10101]]);
    const status = pod();
    delete status.spec!.labels!['HAPROXY_0_PORT'];
    const m2 = run(status);
    expect(m2.services.map((s) => [s.index, s.servicePort, s.vhosts])).toEqual([[1, 10101, ['shop.example.com']]]);
    expect(m2.skipped).toEqual([expect.objectContaining({ appId: '/shop', index: 0, reason: 'NO_SERVICE_PORT', label: 'HAPROXY_0_PORT' })]);
  });

  it('group rules are the apps\' rules', () => {
    const m = run(pod({ labels: { HAPROXY_GROUP: 'internal' } }));
    expect(m.services).toEqual([]);
    expect(m.skipped.map((s) => s.reason)).toEqual(['GROUP_MISMATCH', 'GROUP_MISMATCH']);
    expect(m.skipped[0]!.message).toMatch(/^pod \/shop/);
  });

  it('instances not yet running and containers not running are not served', () => {
    const m = run(pod({ instances: [instance('i1', 31001, 31002, { status: 'STAGING' }), instance('i2', 31003, 31004, { api: 'TASK_KILLED' }), instance('i3', 0, 0)] }));
    expect(m.services.map((s) => s.servers.map((v) => v.taskId))).toEqual([[], ['i2']]);
  });

  it('a Marathon health check: http mode with its path; with --health-check, unhealthy endpoints leave', () => {
    const status = pod({ healthCheck: true, instances: [instance('i1', 31001, 31002, { healthy: true }), instance('i2', 31003, 31004, { healthy: false }), instance('i3', 31005, 31006)] });
    const plain = run(status);
    expect(plain.services[0]!.mode).toBe('http');
    expect(plain.services[0]!.healthCheck?.path).toBe('/health');
    expect(plain.services[0]!.servers.map((v) => v.taskId)).toEqual(['i1', 'i2', 'i3']);
    const opts = { ...options(), healthCheck: true };
    const checked = run(status, opts);
    expect(checked.services[0]!.servers.map((v) => v.taskId)).toEqual(['i1']);
    // The other endpoint has no check: every running instance serves it.
    expect(checked.services[1]!.servers.map((v) => v.taskId)).toEqual(['i1', 'i2', 'i3']);
    // A verdict left out later: the last one stands.
    const again = pod({ healthCheck: true, instances: [instance('i1', 31001, 31002), instance('i2', 31003, 31004)] });
    expect(run(again, opts).services[0]!.servers.map((v) => v.taskId)).toEqual(['i1']);
  });

  it('a full read sees an endpoint turn unhealthy even when nothing else of the pod changed', () => {
    const opts = { ...options(), healthCheck: true };
    const cluster = new ClusterModel(opts);
    const read = (healthy: boolean) => [podAsApp(pod({ healthCheck: true, instances: [instance('i1', 31001, 31002, { healthy: true }), instance('i2', 31003, 31004, { healthy })] }))!];
    cluster.replaceAll(read(true));
    expect(cluster.servicesOf('/shop')[0]!.servers.map((v) => v.taskId)).toEqual(['i1', 'i2']);
    // The app-shaped part is the same JSON both times: only the pod's own status differs.
    expect(JSON.stringify(read(false))).toBe(JSON.stringify(read(true)));
    cluster.replaceAll(read(false));
    expect(cluster.servicesOf('/shop')[0]!.servers.map((v) => v.taskId)).toEqual(['i1']);
  });

  it('HAPROXY_DEPLOYMENT_GROUP does not merge a pod into anything', () => {
    const m = run(pod({ labels: { HAPROXY_DEPLOYMENT_GROUP: 'shop-bg' } }));
    expect(m.services.map((s) => s.appId)).toEqual(['/shop', '/shop']);
  });

  it('the cluster model serves pods next to apps, and the holder of a port keeps it', () => {
    const opts = options();
    const app: WireApp = {
      id: '/zeta', labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: 10100 }],
      tasks: [{ id: 'zeta.1', host: '10.0.0.1', state: 'TASK_RUNNING', ports: [31000] }],
    };
    const cluster = new ClusterModel(opts);
    const shop = podAsApp(pod()) as PodApp;
    cluster.replaceAll([app, shop]);
    expect(cluster.servicesOf('/shop').map((s) => s.servicePort)).toEqual([10100, 10101]);
    expect(cluster.skippedOf('/zeta')).toEqual([expect.objectContaining({ reason: 'INVALID_APP', message: expect.stringMatching(/port 10100 is already used by app \/shop/) })]);
    // The pod scaled down to one instance: only it changes.
    const change = cluster.update(new Map([['/shop', podAsApp(pod({ instances: [instance('i9', 31009, 31010)] }))!]]));
    expect([...change.apps]).toEqual(['/shop']);
    expect(cluster.servicesOf('/shop')[0]!.servers.map((s) => s.taskId)).toEqual(['i9']);
    // The pod deleted: the app wins the port back.
    const gone = cluster.update(new Map([['/shop', undefined]]));
    expect([...gone.apps].sort()).toEqual(['/shop', '/zeta']);
    expect(cluster.servicesOf('/zeta').map((s) => s.servicePort)).toEqual([10100]);
  });
});
