// What HAProxy actually serves, compared with what it should serve. Pure.
//
// The controller's memory of HAProxy is only a belief: a runtime command can half-fail, an
// operator can put a server in maintenance, a reload restores states from the server-state file.
// After every change the controller reads the live servers back (`show servers state`) and this
// turns the difference into corrective runtime operations, each with a sentence saying what was
// wrong.

import type { BackendDesired, RuntimeOp } from './plan.js';
import type { ServerStateRow } from './runtime-api.js';

// srv_admin_state bits (HAProxy's SRV_ADMF_*): forced, inherited, config, resolution and
// hostname maintenance; forced and inherited drain.
const MAINT = 0x01 | 0x02 | 0x04 | 0x20 | 0x40;
const DRAIN = 0x08 | 0x10;

export interface LiveDifference {
  readonly ops: RuntimeOp[];
  /** One sentence per difference ("backend b: server s missing"). */
  readonly differences: string[];
}

const disabledIn = (args: string) => /(?:^|\s)disabled(?:\s|$)/.test(args);
const addressOf = (args: string) => /^(\S+):(\d+)(?:\s|$)/.exec(args.trim());
const weightIn = (args: string) => Number(/(?:^|\s)weight\s+(\d+)(?:\s|$)/.exec(args)?.[1] ?? 1);

/**
 * `rows` must hold every live server of the listed backends (and may hold others, ignored).
 * A backend without rows has no servers (if HAProxy has no such backend at all, adding a server
 * fails and the caller reloads).
 */
export function liveDifference(desired: ReadonlyMap<string, BackendDesired | undefined>, rows: readonly ServerStateRow[]): LiveDifference {
  const live = new Map<string, Map<string, ServerStateRow>>();
  for (const r of rows) {
    let m = live.get(r.backend);
    if (!m) { m = new Map(); live.set(r.backend, m); }
    m.set(r.server, r);
  }
  const ops: RuntimeOp[] = [];
  const differences: string[] = [];
  for (const [backend, want] of [...desired].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!want) continue;
    const have = live.get(backend) ?? new Map<string, ServerStateRow>();
    const servers = want.servers;
    for (const [name, args] of Object.entries(servers).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const row = have.get(name);
      if (!row) {
        differences.push(`backend ${backend}: server ${name} missing`);
        ops.push({ op: 'add-server', backend, server: name, args });
        continue;
      }
      const addr = addressOf(args);
      if (addr && (row.addr !== addr[1] || row.port !== Number(addr[2]))) {
        differences.push(`backend ${backend}: server ${name} points at ${row.addr}:${row.port}, not ${addr[1]}:${addr[2]}`);
        ops.push({ op: 'set-addr', backend, server: name, addr: addr[1]!, port: Number(addr[2]) });
      }
      const disabled = disabledIn(args);
      const held = (row.adminState & (MAINT | DRAIN)) !== 0;
      if (!disabled && held) {
        differences.push(`backend ${backend}: server ${name} held in ${(row.adminState & MAINT) !== 0 ? 'maintenance' : 'drain'}`);
        ops.push({ op: 'set-state', backend, server: name, state: 'ready' });
      } else if (disabled && !held) {
        differences.push(`backend ${backend}: server ${name} takes traffic but should not`);
        ops.push({ op: 'set-state', backend, server: name, state: 'drain' });
      }
      const weight = weightIn(args);
      if (row.weight !== weight) {
        differences.push(`backend ${backend}: server ${name} has weight ${row.weight}, not ${weight}`);
        ops.push({ op: 'set-weight', backend, server: name, weight });
      }
    }
    for (const name of [...have.keys()].sort()) {
      if (servers[name] !== undefined) continue;
      // A retired server (kept in maintenance until the next reload) is as good as gone.
      if ((have.get(name)!.adminState & MAINT) !== 0) continue;
      differences.push(`backend ${backend}: server ${name} should not be there`);
      ops.push({ op: 'drain-server', backend, server: name }, { op: 'retire-server', backend, server: name });
    }
  }
  return { ops, differences };
}
