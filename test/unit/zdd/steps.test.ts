import { describe, expect, it } from '@jest/globals';
import { drainCount, growthPlan, nextNewInstances } from '../../../src/zdd/steps.js';
import { isDrained, isOutOfRotation, isServing, parseDrainReport } from '../../../src/zdd/drain-report.js';

describe('growing the new colour', () => {
  it.each([
    [1, 10, 10, 0, 2], [2, 10, 10, 0, 3], [3, 10, 10, 0, 5], [6, 10, 10, 0, 9], [6, 10, 9, 0, 10],
    [1, 3, 3, 0, 2], [2, 3, 2, 0, 3], // as big as the old one: straight to the goal
    [1, 10, 10, 3, 4], [9, 10, 10, 3, 10], [10, 10, 0, 0, 10],
  ])('from %i toward %i (old %i, linear %i) -> %i', (n, goal, old, linear, next) => {
    expect(nextNewInstances(n, goal, old, linear)).toBe(next);
  });

  it('a plan always ends at the goal', () => {
    expect(growthPlan(1, 3, 3, 0)).toEqual([1, 3]);
    expect(growthPlan(1, 10, 3, 0)).toEqual([1, 2, 10]);
    expect(growthPlan(1, 10, 10, 3)).toEqual([1, 4, 7, 10]);
    for (const [i, goal, old, lin] of [[1, 10, 3, 0], [1, 10, 10, 0], [2, 50, 40, 7], [1, 1, 5, 0]]) {
      const plan = growthPlan(i!, goal!, old!, lin!);
      expect(plan[plan.length - 1]).toBe(goal);
    }
  });
});

describe('how many old tasks the controller drains', () => {
  it.each([
    [{ oldTasks: 3, oldInstances: 3, healthyNew: 1, target: 3, keepOld: 0 }, 1],
    [{ oldTasks: 3, oldInstances: 3, healthyNew: 0, target: 3, keepOld: 0 }, 0],
    [{ oldTasks: 3, oldInstances: 3, healthyNew: 3, target: 3, keepOld: 0 }, 3],
    [{ oldTasks: 3, oldInstances: 3, healthyNew: 3, target: 10, keepOld: 0 }, 0], // growing: keep capacity
    [{ oldTasks: 3, oldInstances: 3, healthyNew: 10, target: 10, keepOld: 0 }, 3],
    [{ oldTasks: 6, oldInstances: 6, healthyNew: 2, target: 6, keepOld: 4 }, 2], // hybrid
    [{ oldTasks: 2, oldInstances: 3, healthyNew: 3, target: 3, keepOld: 0 }, 2], // a task still starting
  ])('%j -> %i', (o, n) => expect(drainCount(o)).toBe(n));
});

describe('/_mlb_drain answers', () => {
  const view = parseDrainReport('# backend web_10000 workers 2\n127_0_0_1_31000 UP 1 0\n127_0_0_1_31001 MAINT 2 1\n127_0_0_1_31002 MAINT 0 0\n127_0_0_1_31003 no_check 0 0\n127_0_0_1_31004 DOWN 0 0\n')!;
  it('parses servers, summing sessions and queue', () => {
    expect(view.backend).toBe('web_10000');
    expect(view.workers).toBe(2);
    expect(view.servers.get('127_0_0_1_31001')).toEqual({ status: 'MAINT', busy: 3 });
  });
  it('serving, out of rotation, drained', () => {
    const s = (n: number) => view.servers.get(`127_0_0_1_3100${n}`);
    expect([0, 1, 2, 3, 4].map((n) => isServing(s(n)))).toEqual([true, false, false, true, false]);
    expect([0, 1, 2, 3, 4].map((n) => isOutOfRotation(s(n)))).toEqual([false, true, true, false, true]);
    expect([0, 1, 2, 3, 4].map((n) => isDrained(s(n)))).toEqual([false, false, true, false, true]);
    expect(isDrained(undefined)).toBe(true);
  });
  it('anything else is not a report', () => {
    expect(parseDrainReport('<html>404</html>')).toBeUndefined();
  });
});
