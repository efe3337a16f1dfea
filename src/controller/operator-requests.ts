// What an operator can ask of a running controller, by a process signal or over HTTP
// (/_mlb_signal/*): the same action either way, run in this process.
//
//   resync (SIGHUP)  a full read of Marathon, as at start
//   reload (SIGUSR1) flush runtime changes to the files, validate the file on disk, reload HAProxy

import type { Logger } from 'pino';
import type { ReconcileLoop } from './loop.js';

/** Where a request came from: a process signal, or the HTTP path that carried it. */
export type RequestSource = 'signal' | 'http';

export interface OperatorRequests {
  resync(source: RequestSource): void;
  reload(source: RequestSource): void;
}

export function operatorRequests(loop: Pick<ReconcileLoop, 'markDirty' | 'requestReload'>, log: Pick<Logger, 'info'>): OperatorRequests {
  return {
    resync(source) {
      log.info({ signal: 'SIGHUP', source }, 'resync requested');
      loop.markDirty(source === 'signal' ? 'signal:SIGHUP' : 'http:/_mlb_signal/hup');
    },
    reload(source) {
      log.info({ signal: 'SIGUSR1', source }, 'reload requested');
      loop.requestReload(source === 'signal' ? 'signal:SIGUSR1' : 'http:/_mlb_signal/usr1');
    },
  };
}
