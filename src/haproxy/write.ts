// Files HAProxy reads are never seen half-written: each is written to a temporary file in the
// same directory, flushed to disk, then renamed over the target (rename is atomic within a
// filesystem; marathon-lb's copy across /tmp was not).

import { open, rename, rm, stat, copyFile, mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes `text` to a temp file beside `path` and fsyncs it; returns the temp path. */
export async function writeTemp(path: string, text: string, suffix = 'tmp'): Promise<string> {
  let mode = 0o644;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch { /* new file */ }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${suffix}`);
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return tmp;
}

export async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = await writeTemp(path, text);
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Keeps the previous versions of a file as `<dir>/.archive/<name>.1` (newest) .. `.N`, so an
 * operator can see and restore what ran before (marathon-lb kept /tmp/hap_cfg.N).
 */
export async function archive(path: string, versions: number): Promise<void> {
  if (versions <= 0) return;
  const dir = join(dirname(path), '.archive');
  const name = basename(path);
  try {
    await stat(path);
  } catch {
    return;
  }
  await mkdir(dir, { recursive: true });
  for (let i = versions - 1; i >= 1; i -= 1) {
    await rename(join(dir, `${name}.${i}`), join(dir, `${name}.${i + 1}`)).catch(() => undefined);
  }
  await copyFile(path, join(dir, `${name}.1`));
}
