// Which run specs an event names: apps and, since Marathon 1.4, pods.

import { describe, expect, it } from '@jest/globals';
import { appsOfEvent } from '../../../src/controller/event-apps.js';
import { createRunSpecSource } from '../../../src/controller/run-spec-source.js';
import { isPodApp } from '../../../src/model/index.js';
import type { WirePodStatus } from '../../../src/model/index.js';
import type { WireApp } from '../../../src/model/wire.js';

const ev = (body: object) => JSON.stringify(body);

describe('appsOfEvent', () => {
  it('names the pod of a pod event by its URI; a POST to /v2/pods names none', () => {
    expect(appsOfEvent('pod_updated_event', ev({ clientIp: '10.0.0.1', uri: '/v2/pods/shop/cart' }))).toEqual(['/shop/cart']);
    expect(appsOfEvent('pod_deleted_event', ev({ clientIp: '10.0.0.1', uri: '/v2/pods/shop::status' }))).toEqual(['/shop']);
    expect(appsOfEvent('pod_created_event', ev({ clientIp: '10.0.0.1', uri: '/v2/pods' }))).toBeUndefined();
  });

  it('names the run spec of instance events and the pods of deployment plans', () => {
    expect(appsOfEvent('instance_changed_event', ev({ instanceId: 'shop.instance-1', runSpecId: '/shop', condition: 'Running' }))).toEqual(['/shop']);
    expect(appsOfEvent('deployment_success', ev({ id: 'd', plan: { steps: [{ actions: [{ action: 'StartPod', pod: '/shop' }, { action: 'ScaleApplication', app: '/web' }] }] } })))
      .toEqual(['/shop', '/web']);
  });
});

describe('run spec source', () => {
  const pod = (id: string): WirePodStatus => ({ id, spec: { id, labels: {}, containers: [] }, instances: [] });
  function client() {
    const apps = new Map<string, WireApp>([['/web', { id: '/web' }]]);
    const pods = new Map<string, WirePodStatus>([['/shop', pod('/shop')]]);
    const calls: string[] = [];
    return {
      apps, pods, calls,
      listApps: async () => { calls.push('apps'); return [...apps.values()]; },
      getApp: async (id: string) => { calls.push(`app ${id}`); return apps.get(id); },
      listPods: async () => { calls.push('pods'); return [...pods.values()]; },
      getPod: async (id: string) => { calls.push(`pod ${id}`); return pods.get(id); },
    };
  }

  it('lists apps and pods as one list, and reads a known pod from the pod endpoint first', async () => {
    const c = client();
    const source = createRunSpecSource(c);
    const all = await source.listApps();
    expect(all.map((a) => [a.id, isPodApp(a)])).toEqual([['/web', false], ['/shop', true]]);
    c.calls.length = 0;
    expect(isPodApp(await source.getApp('/shop'))).toBe(true);
    expect(await source.getApp('/web')).toEqual({ id: '/web' });
    expect(c.calls).toEqual(['pod /shop', 'app /web']);
    expect([source.isApp('/web'), source.isApp('/shop')]).toEqual([true, false]);
  });

  it('an unknown id is tried as an app, then as a pod; gone from both is undefined', async () => {
    const c = client();
    const source = createRunSpecSource(c);
    c.pods.set('/new', pod('/new'));
    expect(isPodApp(await source.getApp('/new'))).toBe(true);
    expect(await source.getApp('/nothing')).toBeUndefined();
    expect(c.calls).toEqual(['app /new', 'pod /new', 'app /nothing', 'pod /nothing']);
  });
});
