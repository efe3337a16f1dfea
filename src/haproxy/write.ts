// Files HAProxy reads are never seen half-written: each is written to a temporary file on the
// SAME filesystem (rename is only atomic within one; marathon-lb's copy from /tmp was not),
// flushed to disk, then renamed over the target.
//
// Temp files: all of them live in one place, `<target dir>/.mlb-tmp/`, a directory of the
// writer's own (beside the target, so the same filesystem). The writer is its only user, so
// anything in it is garbage once no write is under way: `removeTempFiles` empties it, at start
// (a controller killed mid-write leaves its temp files behind) and after every apply.
//
// Archive: previous versions are kept NEXT TO the file, in `<dir>/.archive/<name>.1` (newest)
// .. `<name>.N`, rather than in /tmp like marathon-lb (/tmp/hap_cfg.N): /tmp is often cleaned or
// a different filesystem, and the config directory is where an operator looks.

import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';

export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function modeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch {
    return 0o644;
  }
}

/** The writer's temp directory for targets in `dir`. */
export const TEMP_DIR_NAME = '.mlb-tmp';
export const tempDirOf = (dir: string): string => join(dir, TEMP_DIR_NAME);

/** Temp files of earlier versions, written straight beside their target: `.<name>.<pid>.<hex8>.<suffix>`. */
const LEGACY_TEMP = /^\..+\.\d+\.[0-9a-f]{8}\.(tmp|check)$/;

/**
 * Removes every temp file of the writer for targets in `dir` (the whole `.mlb-tmp/`). Call it
 * only when no write into `dir` is under way. With `legacy`, also the temp files that earlier
 * versions left beside their targets (for the start of a run).
 */
export async function removeTempFiles(dir: string, opts: { legacy?: boolean } = {}): Promise<void> {
  await rm(tempDirOf(dir), { recursive: true, force: true });
  if (!opts.legacy) return;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  await Promise.all(names.filter((n) => LEGACY_TEMP.test(n)).map((n) => rm(join(dir, n), { force: true })));
}

/**
 * Writes `text` to a new temp file in `<dir of path>/.mlb-tmp/` (unique name), with the mode of
 * the current `path` (else 0644), fsynced. Returns the temp path; the caller renames or removes it.
 */
export async function writeTemp(path: string, text: string, suffix = 'tmp'): Promise<string> {
  return (await writeTempFrom(path, [text], undefined, suffix))!;
}

/**
 * When a file written from pieces is handed to the disk: at this much text, or after this long
 * making pieces (producing them can take longer than writing them), whichever comes first.
 */
const SLICE_CHARS = 256 * 1024;
const SLICE_MS = 2;
const PIECES_PER_CLOCK_READ = 64;

/**
 * Like writeTemp, from pieces of text written in slices. Between two slices the event loop runs
 * (each write waits for the disk), and `stop` is asked: when it says yes, the temp file is
 * removed and the result is undefined. A 10 MB config so never holds the process for its
 * whole length, and is never one string in memory. `onBytes` sees every slice as written (to
 * digest the file without reading it back).
 */
export async function writeTempFrom(
  path: string, pieces: Iterable<string>, stop?: () => boolean, suffix = 'tmp', onBytes?: (bytes: Buffer) => void,
): Promise<string | undefined> {
  const mode = await modeOf(path);
  const tmpDir = tempDirOf(dirname(path));
  await mkdir(tmpDir, { recursive: true, mode: 0o700 });
  const tmp = join(tmpDir, `${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.${suffix}`);
  const fh = await open(tmp, 'wx', mode);
  let complete = false;
  try {
    let slice = '';
    let count = 0;
    let since = performance.now();
    for (const piece of pieces) {
      slice += piece;
      count += 1;
      if (slice.length < SLICE_CHARS && (count % PIECES_PER_CLOCK_READ !== 0 || performance.now() - since < SLICE_MS)) continue;
      if (slice !== '') await writeAll(fh, slice, onBytes);
      else await new Promise(setImmediate); // nothing to write yet, but others' turn all the same
      slice = '';
      if (stop?.()) return undefined;
      since = performance.now();
    }
    if (slice !== '') await writeAll(fh, slice, onBytes);
    await fh.chmod(mode); // open()'s mode is filtered by the umask; the target's mode is not
    await fh.sync();
    complete = true;
  } finally {
    await fh.close().catch(() => undefined);
    if (!complete) await rm(tmp, { force: true });
  }
  return tmp;
}

/** write(2) may write less than asked; the rest follows until all of it is on disk. */
async function writeAll(fh: FileHandle, text: string, onBytes?: (bytes: Buffer) => void): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  onBytes?.(bytes);
  for (let at = 0; at < bytes.length;) at += (await fh.write(bytes, at, bytes.length - at)).bytesWritten;
}

/** Makes renames in `dir` durable (a crash right after would otherwise possibly lose them). */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch { /* some filesystems refuse fsync on directories; the rename is still atomic */ } finally {
    await fh.close();
  }
}

export async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = await writeTemp(path, text);
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dirname(path));
}

/**
 * Writes several files: all temp files first, and only when every one is on disk are they
 * renamed, in the given order (put the file that references the others last).
 */
export async function writeFilesAtomically(files: ReadonlyArray<{ readonly path: string; readonly text: string }>): Promise<void> {
  const temps: Array<{ path: string; tmp: string }> = [];
  try {
    for (const f of files) temps.push({ path: f.path, tmp: await writeTemp(f.path, f.text) });
  } catch (err) {
    await Promise.all(temps.map((t) => rm(t.tmp, { force: true })));
    throw err;
  }
  for (const [i, t] of temps.entries()) {
    try {
      await rename(t.tmp, t.path);
    } catch (err) {
      await Promise.all(temps.slice(i).map((x) => rm(x.tmp, { force: true })));
      throw err;
    }
  }
  for (const dir of new Set(files.map((f) => dirname(f.path)))) await syncDir(dir);
}

/** Where `archive` keeps version `n` (1 = most recent previous version) of `path`. */
export function archivePath(path: string, n: number): string {
  return join(dirname(path), '.archive', `${basename(path)}.${n}`);
}

/** Copies the current `path` (if any) to `.archive/<name>.1`, shifting older copies up to N. */
export async function archive(path: string, versions: number): Promise<void> {
  if (versions <= 0) return;
  try {
    await stat(path);
  } catch {
    return;
  }
  await mkdir(dirname(archivePath(path, 1)), { recursive: true });
  await rm(archivePath(path, versions), { force: true });
  for (let i = versions - 1; i >= 1; i -= 1) {
    await rename(archivePath(path, i), archivePath(path, i + 1)).catch(() => undefined);
  }
  await copyFile(path, archivePath(path, 1));
  await chmod(archivePath(path, 1), await modeOf(path));
}
