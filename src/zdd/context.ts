// What a deployment run works with: its effects (ZddDeps, fakes in tests), the description of one
// swap between two colours, and the bounded polling every wait uses.

import type { Resolver } from '../model/task-address.js';
import { EXIT, ZddError } from './errors.js';
import type { AppJson } from './labels.js';
import type { LoadBalancers } from './lb-api.js';
import type { MarathonApi } from './marathon-api.js';
import type { ZddOptions } from './options.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ZddDeps {
  readonly marathon: MarathonApi;
  readonly lbs: LoadBalancers;
  /** A resolver for the task hosts of these apps (DNS is looked up once per call). */
  resolverFor(apps: readonly AppJson[]): Promise<Resolver>;
  sleep(ms: number): Promise<void>;
  /** Milliseconds since the epoch. */
  now(): number;
  log(level: LogLevel, msg: string): void;
  print(text: string): Promise<void>;
  confirm(question: string): Promise<boolean>;
  /** Runs --pre-kill-hook; true when it allows the kill. */
  preKillHook(oldApp: AppJson, taskIds: readonly string[], newApp: AppJson): Promise<boolean>;
}

export type SwapOptions = Pick<ZddOptions, 'stepDelay' | 'maxWait' | 'linearIncrease' | 'force'>;

export interface Swap {
  readonly newId: string;
  readonly oldId: string;
  readonly backend: string;
  /** Instances of both colours together at the end. */
  readonly target: number;
  readonly desiredNew: number;
  readonly desiredOld: number;
  /** The old colour's size when we started: a rollback restores it. */
  readonly oldStart: number;
}

/** Thrown inside a swap: stop, roll back, exit with `code`. */
export class Rollback extends Error {
  constructor(readonly code: number, message: string) { super(message); }
}

export const ms = (seconds: number) => Math.round(seconds * 1000);

/** Polls `check` every step delay until it returns a value, at most max-wait; undefined on timeout. */
export async function within<T>(o: SwapOptions, d: ZddDeps, check: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = d.now() + ms(o.maxWait);
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (d.now() >= deadline) return undefined;
    await d.sleep(ms(o.stepDelay));
  }
}

export async function requireApp(d: ZddDeps, id: string): Promise<AppJson> {
  const app = await d.marathon.app(id);
  if (!app) throw new ZddError(EXIT.marathonUnreachable, `app ${id} disappeared from Marathon`);
  return app;
}

/** No Marathon deployment of either colour in flight (bounded by max-wait). */
export async function waitForDeployments(o: SwapOptions, s: Swap, d: ZddDeps): Promise<void> {
  const done = await within(o, d, async () => {
    const busy = await d.marathon.deployingApps();
    return busy.has(s.newId) || busy.has(s.oldId) ? undefined : true;
  });
  if (!done) throw new Rollback(EXIT.error, `Marathon deployments of ${s.newId} or ${s.oldId} did not finish within ${o.maxWait}s`);
}
