// The early first read: taken once, only while fresh, failures included, never unhandled.
import type { MarathonClient } from '../../../src/marathon/client.js';
import { primeFullRead } from '../../../src/marathon/primed.js';
import type { WireApp } from '../../../src/model/wire.js';

function fakeClient(answers: Array<WireApp[] | Error>): MarathonClient & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    listApps: async () => {
      calls.push('apps');
      const next = answers.shift() ?? [];
      if (next instanceof Error) throw next;
      return next;
    },
    listPods: async () => { calls.push('pods'); return []; },
    getApp: async () => undefined,
    getPod: async () => undefined,
    get: async () => undefined,
    post: async () => undefined,
    delete: async () => undefined,
    currentUrl: () => 'http://marathon:8080',
  };
}

describe('primeFullRead', () => {
  it('asks for apps and pods at once; the first calls take those answers, later calls ask again', async () => {
    const client = fakeClient([[{ id: '/early' }], [{ id: '/later' }]]);
    const primed = primeFullRead(client, 5000, () => 0);
    expect(client.calls).toEqual(['apps', 'pods']);
    await expect(primed.listApps()).resolves.toEqual([{ id: '/early' }]);
    await expect(primed.listPods()).resolves.toEqual([]);
    expect(client.calls).toEqual(['apps', 'pods']);
    await expect(primed.listApps()).resolves.toEqual([{ id: '/later' }]);
    expect(client.calls).toEqual(['apps', 'pods', 'apps']);
    expect(primed.currentUrl()).toBe('http://marathon:8080');
  });

  it('an early answer past its freshness is dropped: the first call asks again', async () => {
    let t = 0;
    const client = fakeClient([[{ id: '/early' }], [{ id: '/fresh' }]]);
    const primed = primeFullRead(client, 5000, () => t);
    t = 5001;
    await expect(primed.listApps()).resolves.toEqual([{ id: '/fresh' }]);
  });

  it('an early failure is the first call\'s failure, and is not an unhandled rejection when nobody reads it', async () => {
    const taken = primeFullRead(fakeClient([new Error('no Marathon answered')]), 5000, () => 0);
    await expect(taken.listApps()).rejects.toThrow('no Marathon answered');
    primeFullRead(fakeClient([new Error('never read')]), 5000, () => 0);
    // An unhandled rejection would fail this test run (jest reports it); let it surface if it is one.
    await new Promise((resolve) => setImmediate(resolve));
  });
});
