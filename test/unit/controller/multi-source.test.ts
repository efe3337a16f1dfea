// Several Marathons as one source: ids under /NAME, one cluster down leaves the others' reads
// alone, and a claimed port or vhost stays with its holder.

import { describe, expect, it } from '@jest/globals';
import { ClusterModel } from '../../../src/controller/cluster-model.js';
import { clusterHealthCache, createMultiSource, credentialsFor } from '../../../src/controller/multi-source.js';
import { prefixApp, splitClusterId } from '../../../src/model/cluster-prefix.js';
import { LruCache } from '../../../src/controller/lru-cache.js';
import { combinedStream } from '../../../src/controller/triggers.js';
import type { WirePodStatus } from '../../../src/model/index.js';
import type { WireApp } from '../../../src/model/wire.js';
import { options } from '../model/wire-fixtures.js';

function app(id: string, port: number, labels: Record<string, string> = {}, taskPort = 31000): WireApp {
  return {
    id, labels: { HAPROXY_GROUP: 'external', ...labels }, portDefinitions: [{ port }],
    tasks: [{ id: `${id.slice(1).replace(/\//g, '_')}.t1`, appId: id, host: '10.0.0.1', state: 'TASK_RUNNING', ports: [taskPort] }],
  };
}

function fakeClient(apps: WireApp[]) {
  const state = { apps: new Map(apps.map((a) => [a.id!, a])), down: false };
  const guard = () => { if (state.down) throw new Error('connection refused'); };
  return {
    state,
    listApps: async () => { guard(); return [...state.apps.values()]; },
    getApp: async (id: string) => { guard(); return state.apps.get(id); },
    listPods: async (): Promise<WirePodStatus[]> => { guard(); return []; },
    getPod: async (): Promise<WirePodStatus | undefined> => { guard(); return undefined; },
  };
}

describe('cluster prefixes', () => {
  it('put ids, task ids and deployment groups under the cluster', () => {
    const a = prefixApp('east', app('/shop/web', 10000, { HAPROXY_DEPLOYMENT_GROUP: 'web' }));
    expect([a.id, a.tasks![0]!.id, a.tasks![0]!.appId, a.labels!['HAPROXY_DEPLOYMENT_GROUP']]).toEqual(['/east/shop/web', 'east/shop_web.t1', '/east/shop/web', '/east/web']);
    expect(splitClusterId('/east/shop/web')).toEqual({ name: 'east', id: '/shop/web' });
  });

  it('a health cache per cluster', () => {
    const made: Array<LruCache<string, boolean>> = [];
    const cache = clusterHealthCache(['east', 'west'], () => { const c = new LruCache<string, boolean>(1); made.push(c); return c; });
    cache.set('east/a.1', true);
    cache.set('west/a.1', false);
    expect([cache.get('east/a.1'), cache.get('west/a.1')]).toEqual([true, false]);
  });
});

describe('the status page\'s stream line', () => {
  it('one Marathon: its own state; several: connected only when all are, each named', () => {
    const up = { connected: true, url: 'http://a', since: '2026-01-01T00:00:00.000Z', reconnects: 1 };
    const down = { connected: false, url: 'http://b', since: '2026-01-02T00:00:00.000Z', reconnects: 2 };
    expect(combinedStream([['', up]])).toBe(up);
    expect(combinedStream([['west', down], ['east', up]])).toEqual({
      connected: false, url: 'east=http://a west=http://b (down)', since: '2026-01-02T00:00:00.000Z', reconnects: 3,
    });
  });
});

describe('credentials per cluster', () => {
  const shared = { user: 'ops', password: 'pw' };
  it('a cluster with credentials in its URL uses them; others the shared ones; one Marathon always the shared', () => {
    const two = { authCredentials: shared, dcosAuthCredentials: undefined, marathonClusters: [{ name: 'a', urls: [] }, { name: 'b', urls: [] }] };
    expect(credentialsFor(two, ['http://u:p@a:8080']).auth).toBeUndefined();
    expect(credentialsFor(two, ['http://b:8080']).auth).toEqual(shared);
    expect(credentialsFor({ ...two, marathonClusters: [] }, ['http://u:p@a:8080']).auth).toEqual(shared);
  });
});

describe('multi source', () => {
  it('joins the clusters under their names and routes a read by the prefix', async () => {
    const east = fakeClient([app('/web', 10000)]);
    const west = fakeClient([app('/web', 10001)]);
    const source = createMultiSource([{ name: 'east', client: east }, { name: 'west', client: west }]);
    expect((await source.listApps()).map((a) => a.id)).toEqual(['/east/web', '/west/web']);
    west.state.apps.set('/web', app('/web', 10002));
    expect((await source.getApp('/west/web'))?.portDefinitions).toEqual([{ port: 10002 }]);
    expect(await source.getApp('/north/web')).toBeUndefined();
    expect(source.isApp('/east/web')).toBe(true);
  });

  it('a cluster down gives its last read, never blocks the other, and only all down fails', async () => {
    const east = fakeClient([app('/web', 10000)]);
    const west = fakeClient([app('/web', 10001)]);
    const changes: string[] = [];
    const source = createMultiSource([{ name: 'east', client: east }, { name: 'west', client: west }], (s) => changes.push(`${s.name}:${s.ok}`));
    await source.listApps();
    east.state.down = true;
    west.state.apps.set('/api', app('/api', 10005));
    expect((await source.listApps()).map((a) => a.id)).toEqual(['/east/web', '/west/web', '/west/api']);
    expect((await source.getApp('/east/web'))?.id).toBe('/east/web');
    expect(changes).toEqual(['east:false']);
    expect(source.clusters()).toEqual([{ name: 'east', ok: false, error: 'connection refused' }, { name: 'west', ok: true, error: undefined }]);
    west.state.down = true;
    await expect(source.listApps()).rejects.toThrow('connection refused');
    east.state.down = false;
    west.state.down = false;
    await source.listApps();
    expect(changes).toEqual(['east:false', 'west:false', 'east:true', 'west:true']);
  });
});

describe('claims across clusters', () => {
  const claims = { clusterOf: (id: string) => splitClusterId(id)?.name ?? '' };

  it('the holder of a service port keeps it against a newcomer that sorts first, across full reads', () => {
    const model = new ClusterModel(options(), claims);
    model.replaceAll([prefixApp('west', app('/web', 10000))]);
    const change = model.update(new Map([['/east/web', prefixApp('east', app('/web', 10000))]]));
    expect([...change.apps]).toEqual(['/east/web']);
    expect(model.servicesOf('/west/web').map((s) => s.backend)).toEqual(['west_web_10000']);
    expect(model.skippedOf('/east/web').map((s) => s.message)).toEqual([expect.stringMatching(/port 10000 is already used by app \/west\/web/)]);
    model.replaceAll([prefixApp('east', app('/web', 10000)), prefixApp('west', app('/web', 10000))]);
    expect(model.servicesOf('/west/web')).toHaveLength(1);
    expect(model.servicesOf('/east/web')).toHaveLength(0);
    // The holder leaves: the newcomer gets the port.
    model.update(new Map([['/west/web', undefined]]));
    expect(model.servicesOf('/east/web')).toHaveLength(1);
  });

  it('a vhost with the same path is claimed across clusters, shared within one', () => {
    const model = new ClusterModel(options(), claims);
    const v = { HAPROXY_0_VHOST: 'shop.example.com' };
    model.replaceAll([prefixApp('west', app('/a', 10000, v)), prefixApp('west', app('/b', 10001, v))]);
    expect([model.servicesOf('/west/a').length, model.servicesOf('/west/b').length]).toEqual([1, 1]);
    model.update(new Map([['/east/a', prefixApp('east', app('/a', 10002, v))]]));
    expect(model.servicesOf('/east/a')).toEqual([]);
    expect(model.skippedOf('/east/a')).toEqual([expect.objectContaining({ label: 'HAPROXY_0_VHOST', message: expect.stringMatching(/vhost shop.example.com is already served for app \/west\/a .* of another Marathon/) })]);
    // Another path is another claim.
    model.update(new Map([['/east/a', prefixApp('east', app('/a', 10002, { ...v, HAPROXY_0_PATH: '/east' }))]]));
    expect(model.servicesOf('/east/a')).toHaveLength(1);
  });
});
