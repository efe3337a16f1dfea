// Client for HAProxy's CLI sockets (the admin `stats socket` and the master socket): one
// command per connection; the answer is everything HAProxy writes before it closes.
//
// HAProxy answers errors as free text ("No such server.", "Backend must use a dynamic load
// balancing...", "entry not found.", "'cookie' option is not accepted for dynamic server"...),
// and there is no status code. A list of error prefixes is never complete, so the typed helpers
// below check for the answer that means SUCCESS for their command and treat anything else as
// an error. Answers observed on 2.6.12:
//   add server      -> "New server registered."
//   del server      -> "Server deleted."
//   set server ... state / enable health / enable server / add|set|del map -> "" (empty)
//   set server ... addr -> "IP changed from ..." / "no need to change the addr, port changed ..."
//
// `add server` on 2.6.12 (checked against the real binary):
//   accepted: id, check, inter, fall, rise, weight, disabled, enabled, maxconn, port, slowstart,
//             backup, observe, on-marked-down, and the rest of the list in management.txt;
//   refused:  cookie ("'cookie' option is not accepted for dynamic server"), init-addr, resolvers,
//             check-port (unknown keyword; use `port`). A dynamic server starts in maintenance
//             with checks off: it needs `enable health` (if `check`) and `enable server`.
//   The backend must use a dynamic algorithm: roundrobin, leastconn, first, random, or a hash
//   with `hash-type consistent`; static-rr and map-based hashing (the default hash-type for
//   source/uri/hdr/url_param/rdp-cookie) answer "Backend must use a dynamic load balancing...".

import { createConnection } from 'node:net';

export class RuntimeApiError extends Error {
  constructor(readonly command: string, readonly answer: string) {
    super(`HAProxy refused "${command}": ${answer.trim() || '(empty answer)'}`);
    this.name = 'RuntimeApiError';
  }
}

/** Sends one command and resolves with HAProxy's whole answer. Rejects only on socket errors or timeout. */
export function runtimeCommand(socket: string, command: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(socket);
    let out = '';
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error(`no answer to "${command}" on ${socket} within ${timeoutMs} ms`));
    }, timeoutMs);
    conn.setEncoding('utf8');
    // Half-close after the command: the master CLI waits for it before answering and closing.
    conn.on('connect', () => conn.end(`${command}\n`));
    conn.on('data', (d: string) => { out += d; });
    conn.on('error', (err) => { clearTimeout(timer); reject(err); });
    conn.on('close', () => { clearTimeout(timer); resolve(out); });
  });
}

/** True when an answer is not one of the known success answers (empty or a success sentence). */
export function isRuntimeError(answer: string): boolean {
  const a = answer.trim();
  return a !== '' && !/^(New server registered\.|Server deleted\.)/.test(a);
}

/** Runs a command whose success answer is empty (or a known success sentence); throws otherwise. */
export async function mustRun(socket: string, command: string): Promise<string> {
  const answer = await runtimeCommand(socket, command);
  if (isRuntimeError(answer)) throw new RuntimeApiError(command, answer);
  return answer;
}

async function expectAnswer(socket: string, command: string, success: RegExp): Promise<string> {
  const answer = await runtimeCommand(socket, command);
  if (!success.test(answer.trim())) throw new RuntimeApiError(command, answer);
  return answer;
}

/**
 * Escapes a word for the CLI, which splits on spaces and treats a backslash as "take the next
 * character literally" (so a map value can hold spaces).
 */
export function cliWord(word: string): string {
  if (word === '') throw new Error('empty word on the HAProxy CLI');
  if (/[\r\n]/.test(word)) throw new Error(`line break in a HAProxy CLI word: ${JSON.stringify(word)}`);
  return word.replace(/([\\\s;])/g, '\\$1');
}

export const addServer = (socket: string, backend: string, server: string, args: string) =>
  expectAnswer(socket, `add server ${backend}/${server} ${args}`, /^New server registered\./);

export const delServer = (socket: string, backend: string, server: string) =>
  expectAnswer(socket, `del server ${backend}/${server}`, /^Server deleted\./);

export const setServerState = (socket: string, backend: string, server: string, state: 'ready' | 'drain' | 'maint') =>
  mustRun(socket, `set server ${backend}/${server} state ${state}`);

export const setServerAddr = (socket: string, backend: string, server: string, addr: string, port?: number) =>
  expectAnswer(socket, `set server ${backend}/${server} addr ${addr}${port === undefined ? '' : ` port ${port}`}`,
    /changed from|no need to change/);

export const enableHealth = (socket: string, backend: string, server: string) =>
  mustRun(socket, `enable health ${backend}/${server}`);

export const enableServer = (socket: string, backend: string, server: string) =>
  mustRun(socket, `enable server ${backend}/${server}`);

/** `map` is the map file's path as the config names it (HAProxy identifies file maps by path). */
export const addMapEntry = (socket: string, map: string, key: string, value: string) =>
  mustRun(socket, `add map ${cliWord(map)} ${cliWord(key)} ${cliWord(value)}`);

export const setMapEntry = (socket: string, map: string, key: string, value: string) =>
  mustRun(socket, `set map ${cliWord(map)} ${cliWord(key)} ${cliWord(value)}`);

export const delMapEntry = (socket: string, map: string, key: string) =>
  mustRun(socket, `del map ${cliWord(map)} ${cliWord(key)}`);

export interface MapEntry { readonly key: string; readonly value: string }

/** `show map <file>` lines are `<entry id> <key> <value>`. */
export function parseShowMap(text: string): MapEntry[] {
  const out: MapEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^0x[0-9a-f]+ (\S+) ?(.*)$/.exec(line);
    if (m) out.push({ key: m[1]!, value: m[2]! });
  }
  return out;
}

export async function showMap(socket: string, map: string): Promise<MapEntry[]> {
  const answer = await runtimeCommand(socket, `show map ${cliWord(map)}`);
  if (answer.trim() !== '' && !/^0x/.test(answer.trim())) throw new RuntimeApiError(`show map ${map}`, answer);
  return parseShowMap(answer);
}

export interface ServerStateRow {
  readonly backend: string;
  readonly backendId: number;
  readonly server: string;
  readonly serverId: number;
  readonly addr: string;
  readonly port: number;
  /** 0 stopped, 1 starting, 2 running, 3 stopping (operational state). */
  readonly opState: number;
  /** Bit field: 0x01 forced maintenance (e.g. `state maint`), 0x08 forced drain, 0x20 maintenance via config (`disabled`)... */
  readonly adminState: number;
  readonly weight: number;
}

/** Parses `show servers state`: a version line ("1"), a `# be_id be_name ...` header, then rows. */
export function parseServersState(text: string): ServerStateRow[] {
  const lines = text.split('\n');
  const header = lines.find((l) => l.startsWith('# '))?.slice(2).trim().split(' ') ?? [];
  const col = (name: string) => header.indexOf(name);
  const rows: ServerStateRow[] = [];
  for (const line of lines) {
    if (line.trim() === '' || line.startsWith('#') || /^\d+$/.test(line.trim())) continue;
    const f = line.trim().split(' ');
    const get = (name: string) => f[col(name)] ?? '';
    rows.push({
      backend: get('be_name'), backendId: Number(get('be_id')), server: get('srv_name'), serverId: Number(get('srv_id')),
      addr: get('srv_addr'), port: Number(get('srv_port')), opState: Number(get('srv_op_state')),
      adminState: Number(get('srv_admin_state')), weight: Number(get('srv_uweight')),
    });
  }
  return rows;
}

export async function showServersState(socket: string, backend?: string): Promise<ServerStateRow[]> {
  const command = backend ? `show servers state ${backend}` : 'show servers state';
  const answer = await runtimeCommand(socket, command);
  if (!/^\d+\n/.test(answer)) throw new RuntimeApiError(command, answer);
  return parseServersState(answer);
}

/** Parses `show stat` CSV into objects keyed by the header (`pxname`, `svname`, `scur`, `status`...). */
export function parseStatCsv(text: string): Array<Record<string, string>> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').replace(/^# /, '').split(',');
  return lines.map((l) => {
    const cells = l.split(',');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''] as const).filter(([h]) => h !== ''));
  });
}

/** `show stat`, or only the servers of one backend. */
export async function showStat(socket: string, backend?: string): Promise<Array<Record<string, string>>> {
  const answer = await runtimeCommand(socket, backend ? `show stat ${cliWord(backend)} 4 -1` : 'show stat');
  if (!answer.startsWith('# pxname')) throw new RuntimeApiError('show stat', answer);
  return parseStatCsv(answer);
}
