// Which config the running HAProxy follows, kept across controller restarts.
//
// A controller can die at any moment of an apply: after writing the new config but before the
// reload, say. The next one finds the config on disk already equal to what it would write, and
// must not conclude that HAProxy runs it. So every time HAProxy takes the files on disk (a
// reload, or run-time changes the files were then made to say) the controller records, in
// `<run-dir>/loaded-config.json`, the pid of the HAProxy process answering on the admin socket
// and a digest of the config file. At start, HAProxy follows the disk only when the same
// process still answers and the file still has that digest; anything else (no record, another
// process, another file) means a reload. A crash between taking the files and recording it
// costs one extra reload at the next start, never a missed one.

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { rename, writeFile } from 'node:fs/promises';
import { readIfExists } from '../haproxy/index.js';

export interface LoadedRecord {
  /** The HAProxy process (worker) that answered on the admin socket. */
  readonly pid: string;
  /** sha256 of the config file it follows. */
  readonly config: string;
}

export const loadedRecordPath = (runDir: string): string => join(runDir, 'loaded-config.json');

export async function configDigest(configPath: string): Promise<string | undefined> {
  const text = await readIfExists(configPath);
  return text === undefined ? undefined : createHash('sha256').update(text).digest('hex');
}

export async function readLoadedRecord(runDir: string): Promise<LoadedRecord | undefined> {
  try {
    const r = JSON.parse((await readIfExists(loadedRecordPath(runDir))) ?? 'null') as Partial<LoadedRecord> | null;
    return typeof r?.pid === 'string' && typeof r.config === 'string' ? { pid: r.pid, config: r.config } : undefined;
  } catch {
    return undefined; // unreadable: as if absent (the next start reloads)
  }
}

/** Written beside itself and renamed (a leftover `.new` is overwritten by the next write). */
export async function writeLoadedRecord(runDir: string, record: LoadedRecord): Promise<void> {
  const path = loadedRecordPath(runDir);
  await writeFile(`${path}.new`, `${JSON.stringify(record)}\n`);
  await rename(`${path}.new`, path);
}
