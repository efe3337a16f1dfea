// V8's code cache for the controller's bundle: what the file holds and how the executable
// (cli-entry.ts, dist/cli.js) tells the controller (dist/controller.js) what became of it.
//
// The cache is the bytecode of every function a one-shot run compiled, made by the build
// (scripts/code-cache.mjs) and kept beside the bundle as dist/controller.js.cache. With it a
// start does not parse and compile the bundle's functions again (bench/README.md, round 8).
//
// V8 itself checks the cache's V8 version and flags, but of the source only its length: the file
// starts with a SHA-1 of the exact compiled text and of V8's data, so another build's cache (or a
// damaged one) is never handed to V8.

import { createHash } from 'node:crypto';

/** What became of the cache at this start. */
export type CodeCacheState =
  | 'used' // V8 took it
  | 'rejected' // V8 refused it (another Node or V8 flags of the operator's): compiled as usual
  | 'stale' // made for another bundle, or damaged: not offered to V8
  | 'absent' // no cache file
  | 'off'; // not tried: MARATHON_LB_CODE_CACHE=off, source maps on, or started without dist/cli.js

export interface CodeCacheReport {
  readonly state: CodeCacheState;
  /** This run makes the cache (the build's training run): it writes the file when it exits. */
  readonly writing: boolean;
}

const REPORT = Symbol.for('marathon-lb.code-cache');
const DIGEST_BYTES = 20;

/** Set once by the executable before it runs the bundle. */
export function setCodeCacheReport(report: CodeCacheReport): void {
  (globalThis as Record<symbol, unknown>)[REPORT] = report;
}

/** What the executable reported; `off` when the bundle was started some other way. */
export function codeCacheReport(): CodeCacheReport {
  return ((globalThis as Record<symbol, unknown>)[REPORT] as CodeCacheReport | undefined) ?? { state: 'off', writing: false };
}

function digest(text: string, data: Uint8Array): Buffer {
  return createHash('sha1').update(text).update(data).digest();
}

/** The cache file's bytes: the digest, then V8's data. */
export function packCodeCache(text: string, data: Uint8Array): Buffer {
  return Buffer.concat([digest(text, data), data]);
}

/** V8's data from a cache file's bytes, if they were made for exactly `text` and are whole. */
export function unpackCodeCache(text: string, file: Buffer): Buffer | undefined {
  if (file.length <= DIGEST_BYTES) return undefined;
  const data = file.subarray(DIGEST_BYTES);
  return digest(text, data).equals(file.subarray(0, DIGEST_BYTES)) ? data : undefined;
}
