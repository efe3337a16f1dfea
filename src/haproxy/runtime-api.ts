// Client for HAProxy's CLI sockets (the admin `stats socket` and the master socket): one
// command per connection, the answer is everything HAProxy writes before closing.

import { createConnection } from 'node:net';

export function runtimeCommand(socket: string, command: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(socket);
    let out = '';
    const timer = setTimeout(() => { conn.destroy(); reject(new Error(`no answer to "${command}" on ${socket} within ${timeoutMs} ms`)); }, timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.end(`${command}\n`));
    conn.on('data', (d: string) => { out += d; });
    conn.on('error', (err) => { clearTimeout(timer); reject(err); });
    conn.on('close', () => { clearTimeout(timer); resolve(out); });
  });
}

/** HAProxy answers errors as plain text; these prefixes mean the command did not take. */
export function isRuntimeError(answer: string): boolean {
  const a = answer.trim();
  return /^(No such|Unknown command|Require|Invalid|'.*' option is not accepted|Can't|Cannot|This server|The server|Server .* is not|Backend .* is not|Permission denied|Missing|Failed|Unsupported|Not allowed|.*: is not)/i.test(a)
    && !/^New server registered|^Server deleted/.test(a);
}

export async function mustRun(socket: string, command: string): Promise<string> {
  const answer = await runtimeCommand(socket, command);
  if (isRuntimeError(answer)) throw new Error(`"${command}": ${answer.trim()}`);
  return answer;
}

export interface ServerStateRow {
  readonly backend: string;
  readonly server: string;
  readonly addr: string;
  readonly port: number;
  /** 0 stopped, 1 starting, 2 running, 3 stopping (operational state). */
  readonly opState: number;
  /** Bit field: 0x01 forced maintenance, 0x08 drain... */
  readonly adminState: number;
}

export async function showServersState(socket: string, backend?: string): Promise<ServerStateRow[]> {
  const text = await runtimeCommand(socket, backend ? `show servers state ${backend}` : 'show servers state');
  const rows: ServerStateRow[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#') || /^\d+$/.test(line.trim())) continue;
    const f = line.split(' ');
    if (f.length < 19) continue;
    rows.push({ backend: f[1]!, server: f[3]!, addr: f[4]!, port: Number(f[18]), opState: Number(f[5]), adminState: Number(f[6]) });
  }
  return rows;
}

/** `show stat` as objects keyed by the CSV header. */
export async function showStat(socket: string): Promise<Array<Record<string, string>>> {
  const text = await runtimeCommand(socket, 'show stat');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').replace(/^# /, '').split(',');
  return lines.map((l) => {
    const cells = l.split(',');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}
