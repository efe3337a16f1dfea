// Deterministic names and ids of HAProxy servers (spec §3.2). They must match marathon-lb's so
// that stats, zdd's drain detection and server-state files keep working across the switch.

import { hash } from 'node:crypto';
import { boundedMemo } from '../bounded-memo.js';

const ID_MODULUS = 32767;

/** Every character outside [a-zA-Z0-9-] becomes `_`. */
export function sanitize(text: string): string {
  return text.replace(/[^a-zA-Z0-9-]/g, '_');
}

/** `host_ip_port`, or `ip_port` when the host already is the IP. */
export function serverName(host: string, ip: string, port: number): string {
  // sanitize() maps each character on its own, so the parts can be sanitized apart; agents'
  // names and addresses repeat across thousands of tasks, so theirs are remembered.
  return host !== ip ? `${sanitizedPart(host)}_${sanitizedPart(ip)}_${port}` : `${sanitizedPart(ip)}_${port}`;
}

const sanitizedPart = boundedMemo(sanitize, 65536);

/**
 * The SHA-256 digest of `text` read as one big-endian number, mod 32767 (without a BigInt). The
 * digest comes as a 'binary' (latin1) string (one character per byte): making a Buffer for each of tens of
 * thousands of servers cost more than hashing them.
 */
function digestModulo(digest: string): number {
  let r = 0;
  for (let i = 0; i < digest.length; i++) r = (r * 256 + digest.charCodeAt(i)) % ID_MODULUS;
  return r;
}

const HASH_ATTEMPTS = 1000;

/**
 * Server id for `name`, unique among `used` (which it is added to): SHA-256 of the name mod
 * 32767; on 0 or a clash, the name plus a space plus the digest is hashed again.
 * Bounded: after 1000 clashes (a nearly full backend) the lowest free id is taken; undefined
 * when all 32766 ids are used.
 */
export function serverId(name: string, used: Set<number>): number | undefined {
  let text = name;
  for (let attempt = 0; attempt < HASH_ATTEMPTS; attempt++) {
    const digest = hash('sha256', text, 'binary');
    const id = digestModulo(digest);
    if (id !== 0 && !used.has(id)) {
      used.add(id);
      return id;
    }
    text = `${text} ${Buffer.from(digest, 'latin1').toString('hex')}`;
  }
  for (let id = 1; id < ID_MODULUS; id++) {
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
  return undefined;
}

/** Ids for names given in (host, port) order, as marathon-lb assigns them within one backend. */
export function serverIds(names: readonly string[]): (number | undefined)[] {
  const used = new Set<number>();
  return names.map((n) => serverId(n, used));
}

/** Sticky-session cookie value of a server: the first 10 hex digits of SHA-1 of its name. */
export function stickyCookie(name: string): string {
  return hash('sha1', name, 'hex').slice(0, 10);
}
