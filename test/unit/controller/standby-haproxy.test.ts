import { withStandbyOnFirstFailure } from '../../../src/controller/standby-haproxy.js';

describe('withStandbyOnFirstFailure', () => {
  function source(results: Array<'ok' | 'fail'>) {
    let i = 0;
    return {
      calls: () => i,
      extra: () => 'kept',
      async listApps(): Promise<string[]> {
        const r = results[i++];
        if (r === 'fail') throw new Error(`no Marathon answered (${i})`);
        return ['app'];
      },
    };
  }

  test('the first failure before any success starts the standby once, then the error goes on', async () => {
    const started: string[] = [];
    const s = withStandbyOnFirstFailure(source(['fail', 'fail', 'ok']), async (cause) => { started.push(cause); });
    await expect(s.listApps()).rejects.toThrow('no Marathon answered (1)');
    await expect(s.listApps()).rejects.toThrow('no Marathon answered (2)');
    await expect(s.listApps()).resolves.toEqual(['app']);
    expect(started).toEqual(['no Marathon answered (1)']);
  });

  test('a failure after a success is none of its business (HAProxy is already up)', async () => {
    const started: string[] = [];
    const s = withStandbyOnFirstFailure(source(['ok', 'fail']), async (cause) => { started.push(cause); });
    await s.listApps();
    await expect(s.listApps()).rejects.toThrow();
    expect(started).toEqual([]);
  });

  test('the standby has started before the failed pass sees the error; other methods pass through', async () => {
    const order: string[] = [];
    const s = withStandbyOnFirstFailure(source(['fail']), async () => { await new Promise((r) => setTimeout(r, 10)); order.push('standby'); });
    await s.listApps().catch(() => order.push('pass sees the error'));
    expect(order).toEqual(['standby', 'pass sees the error']);
    expect(s.extra()).toBe('kept');
  });
});
