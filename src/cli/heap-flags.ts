// The V8 heap settings the controller gives itself (v8.setFlagsFromString, main.ts, once its
// modules are loaded), so that every way of starting it (`node dist/cli.js`, the npm bin, the
// container's `run`) gets them. Both flags are read by V8 whenever it sizes a heap space, so
// setting them after start takes effect; measured in bench/README.md:
//
// - --semi-space-growth-factor=1: the young generation keeps the size loading the modules gave
//   it (1 MiB from the code cache, ~2 MiB compiling) instead of doubling up to 2 x 16 MiB while
//   a full pass allocates. Peak RSS of a one-shot run at 5,000 apps ~157 -> ~135 MiB, at 10,000
//   ~225 -> ~210 MiB, no time lost that the benchmark can see: the scavenges' cost is what
//   survives them, not how often they run (at 5,000 apps 140 of 1 MiB or 72 of 2 MiB both
//   paused ~105 ms in all).
// - --heap-growing-percent=20, long-running modes only: after a full collection the old
//   generation may grow by 20% before the next, instead of V8's factor of up to 4. Every poll
//   or resync at 10,000 apps promotes ~100 MiB that the next pass drops; without it RSS swung
//   between ~450 and ~800 MiB, with both flags it stays at ~200-285 MiB. A one-shot run keeps
//   nearly all it allocates until it exits, so there the limit would only add collections.
//
// An operator who gives heap flags of their own (node's command line or NODE_OPTIONS) keeps them.

import type { Settings } from '../settings.js';

/** V8 spells its flags with dashes or underscores. */
const HEAP_FLAG = /semi[-_]space|old[-_]space|heap[-_]size|heap[-_]growing/;

/** The flags to set for this run; none when `operatorFlags` (node's own options) tune the heap. */
export function heapFlagsFor(settings: Pick<Settings, 'mode' | 'dry'>, operatorFlags: readonly string[]): string[] {
  if (operatorFlags.some((f) => HEAP_FLAG.test(f))) return [];
  const longRunning = settings.mode !== 'once' && !settings.dry;
  return ['--semi-space-growth-factor=1', ...(longRunning ? ['--heap-growing-percent=20'] : [])];
}
