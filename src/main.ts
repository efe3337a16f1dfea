// What cli.ts calls with the settings: starts the first read of Marathon, then loads the
// composition root (compose.ts) and runs it. Kept light on purpose: everything this file
// imports is loaded before that first request goes out.

import type { Logger } from 'pino';
import { setFlagsFromString } from 'node:v8';
import { heapFlagsFor } from './cli/heap-flags.js';
import { codeCacheReport } from './code-cache.js';
import { createMarathonClient, type MarathonClient } from './marathon/client.js';
import { primeFullRead } from './marathon/primed.js';
import type { Settings } from './settings.js';

export { ALL_NETWORKS, adminPlaneWarnings, builtinValues } from './builtin-values.js';

export interface MainDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly log?: Logger;
  /** Resolves when the process is asked to stop (SIGTERM/SIGINT); main() then shuts down. */
  readonly onSignal?: (handler: (signal: NodeJS.Signals) => void) => () => void;
}

const defaultDeps: MainDeps = {
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  onSignal: (handler) => {
    const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1'];
    for (const s of signals) process.on(s, handler);
    return () => { for (const s of signals) process.off(s, handler); };
  },
};

/** An early answer older than this is not used: the first pass asks again. */
const EARLY_READ_FRESH_MS = 5000;

/**
 * One Marathon, and a first pass that is a plain full read (no event stream whose connection
 * the read must follow): its client, already asked for that read.
 */
function earlyClient(settings: Settings): MarathonClient | undefined {
  const plainFirstRead = settings.mode === 'once' || settings.mode === 'poll' || settings.dry;
  if (!plainFirstRead || settings.marathonClusters.length > 1) return undefined;
  // With one Marathon the global credentials apply (what controller/multi-source's
  // credentialsFor gives; not imported here, it brings the model with it).
  const client = createMarathonClient({
    urls: [...settings.marathon],
    auth: settings.authCredentials,
    dcos: settings.dcosAuthCredentials,
    caCert: settings.marathonCaCert,
  });
  return primeFullRead(client, EARLY_READ_FRESH_MS);
}

export async function main(settings: Settings, deps: MainDeps = defaultDeps): Promise<number> {
  const early = earlyClient(settings);
  // One turn of the event loop before loading the rest: the early requests are only queued so
  // far, and loading the composition root is one long synchronous stretch (dist/ is a CommonJS
  // bundle, where import() of our own modules does not wait for any I/O). The turn lets them
  // connect and go out first, so Marathon works on its answer while the modules load.
  if (early !== undefined) await new Promise((resolve) => setImmediate(resolve));
  const { runController } = await import('./compose.js');
  // Set once the modules are loaded: the young generation keeps the size loading them gave it
  // (heap-flags.ts says what that is and why).
  // Not in the build's run that writes the code cache: V8 keys the cache to the flags set when it
  // is written, and would refuse it at every start, where these are not set yet.
  const nodeOptions = [...process.execArgv, ...(deps.env['NODE_OPTIONS'] ?? '').split(/\s+/)];
  if (!codeCacheReport().writing) for (const flag of heapFlagsFor(settings, nodeOptions)) setFlagsFromString(flag);
  return runController(settings, deps, early);
}
