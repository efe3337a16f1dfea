// Whether HAProxy could bind addr:port now, asked before a reload that adds binds (a reload that
// fails to bind stops every port for about 2 s). Node 20 cannot bind with SO_REUSEPORT, which
// HAProxy uses: a port another HAProxy holds (a second load balancer on the same host, an old
// worker still finishing) refuses Node's bind but not HAProxy's. So when Node is refused, the
// listeners on that port are looked up in /proc: held only by haproxy processes, it is free
// for HAProxy too.

import { createServer } from 'node:net';
import { readdir, readFile, readlink } from 'node:fs/promises';

/**
 * An error text when something else holds addr:port (or the address is not on this host).
 * Permission errors are not reported: HAProxy may have rights we lack.
 */
export async function bindProblem(host: string, port: number): Promise<string | undefined> {
  const error = await new Promise<string | undefined>((resolve) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EACCES' ? undefined : `${err.code ?? err.message}`));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(undefined)));
  });
  if (error === 'EADDRINUSE' && await heldOnlyByHaproxy(port)) return undefined;
  return error;
}

/** The inodes of the TCP sockets listening on `port` (any address), from /proc/net/tcp{,6}. */
async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN; the inode is the tenth field.
      if (f.length > 9 && f[1]!.endsWith(`:${hexPort}`) && f[3] === '0A') inodes.add(f[9]!);
    }
  }
  return inodes;
}

async function heldOnlyByHaproxy(port: number): Promise<boolean> {
  const inodes = await listeningInodes(port);
  if (inodes.size === 0) return false;
  const found = new Set<string>();
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    let holds = false;
    for (const fd of fds) {
      const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''));
      if (m && inodes.has(m[1]!)) { holds = true; found.add(m[1]!); }
    }
    if (holds && (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() !== 'haproxy') return false;
  }
  // Every listener accounted for, each by an haproxy process.
  return found.size === inodes.size;
}
