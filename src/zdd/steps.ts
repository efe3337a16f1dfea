// The arithmetic of a blue/green swap. Pure.
//
// The controller drains old tasks as new ones become healthy: min(old tasks, healthy new,
// healthy new + old instances - target) of them, oldest task ids first (model/blue-green.ts).
// zdd kills exactly those once every load balancer shows them drained, then grows the new app.

/** Instances of the new app after the next step. */
export function nextNewInstances(current: number, goal: number, oldInstances: number, linearIncrease: number): number {
  if (current >= goal) return goal;
  if (linearIncrease > 0) return Math.min(goal, current + linearIncrease);
  const grown = Math.floor(current + (current + 1) / 2);
  // Once the new app is as big as the old one, the rest of the way is one step.
  return grown >= oldInstances ? goal : Math.min(goal, Math.max(grown, current + 1));
}

/** How many old tasks the controller drains now, and so how many this step may kill. */
export function drainCount(o: { oldTasks: number; oldInstances: number; healthyNew: number; target: number; keepOld: number }): number {
  const drainable = Math.max(0, o.healthyNew + o.oldInstances - o.target);
  return Math.max(0, Math.min(o.oldTasks, o.healthyNew, drainable, o.oldInstances - o.keepOld));
}

/** The new app's sizes from launch to goal (everything healthy on time), for the dry run. */
export function growthPlan(initial: number, goal: number, oldInstances: number, linearIncrease: number, target = goal): number[] {
  const sizes = [initial];
  let n = initial;
  let old = oldInstances;
  for (let guard = 0; n < goal && guard < 10_000; guard += 1) {
    old -= drainCount({ oldTasks: old, oldInstances: old, healthyNew: n, target, keepOld: Math.max(0, target - goal) });
    n = nextNewInstances(n, goal, old, linearIncrease);
    sizes.push(n);
  }
  return sizes;
}
