// Validate, then atomically write haproxy.cfg and its map files. HAProxy never reads a
// half-written file, and a rejected candidate leaves every current file untouched.
//
// The config references its map files by absolute path in the config directory. To validate a
// candidate with NEW maps without touching the live ones, the maps are written as temp files
// (in the writer's `<config dir>/.mlb-tmp/`, see write.ts) and a copy of the candidate config, with each map path pointed at
// its temp file, is what `haproxy -c` checks. Only when HAProxy accepts it are the maps renamed
// into place, then the config (a reload that starts between the two renames reads the new maps
// with the old config: map files are plain data, so that is harmless).

import { createHash } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { validateConfig, type ValidationAlert, type ValidationResult } from './validate.js';
import { archive, readIfExists, removeTempFiles, syncDir, writeAtomic, writeTemp, writeTempFrom } from './write.js';

export interface ApplyFilesOptions {
  readonly configPath: string;
  readonly config: string;
  /** File name (in the config's directory) -> content. */
  readonly maps: Readonly<Record<string, string>>;
  readonly validate: boolean;
  readonly bin: string;
  /** How many previous versions of each file to keep in `<dir>/.archive` (0 = none). */
  readonly archiveVersions: number;
  /** Called at each step of the write (the crash test kills the process there). */
  readonly onStep?: ((step: ApplyFilesStep) => void) | undefined;
  /** Validate only: nothing is renamed into place (bisecting a rejection over apps). */
  readonly checkOnly?: boolean | undefined;
}

/** `temp-written`: every new file is on disk as a temp file; `renamed`: the config is in place. */
export type ApplyFilesStep = 'temp-written' | 'renamed';

export type ApplyFilesResult =
  | { readonly ok: true; readonly changed: boolean; readonly warnings?: readonly string[] }
  | { readonly ok: false; readonly changed: false; readonly alerts: readonly ValidationAlert[]; readonly output: string; readonly rejectedPath: string };

/** Where a rejected candidate config is kept for inspection (marathon-lb: haproxy_tmp_conf_fail). */
export const rejectedPathOf = (configPath: string) => `${configPath}.rejected`;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces whole occurrences of each path (not `/x/a.map` inside `/x/a.map.old`). */
export function repointPaths(config: string, replacements: ReadonlyArray<{ from: string; to: string }>): string {
  let out = config;
  const longestFirst = [...replacements].sort((a, b) => b.from.length - a.from.length);
  for (const r of longestFirst) {
    out = out.replace(new RegExp(`${escapeRegExp(r.from)}(?![\\w.\\-/])`, 'g'), () => r.to);
  }
  return out;
}

/**
 * Validates and writes the files. Every apply starts and ends with an empty temp directory:
 * whatever a killed run left there is removed first, and nothing of this apply stays after it,
 * whether it wrote, found nothing to change, was rejected or failed.
 */
export async function applyConfigFiles(o: ApplyFilesOptions): Promise<ApplyFilesResult> {
  const dir = dirname(o.configPath);
  await removeTempFiles(dir);
  try {
    return await applyFiles(o, dir);
  } finally {
    await removeTempFiles(dir);
  }
}

async function applyFiles(o: ApplyFilesOptions, dir: string): Promise<ApplyFilesResult> {
  const current = o.checkOnly ? undefined : await readIfExists(o.configPath);
  const maps = await changedMaps(o.maps, dir);
  if (current === o.config && maps.length === 0) return { ok: true, changed: false };

  const temps = await Promise.all(maps.map(async (m) => ({ ...m, tmp: await writeTemp(m.path, m.text) })));
  const removeTemps = () => Promise.all(temps.map((m) => rm(m.tmp, { force: true })));
  let warnings: readonly string[] | undefined;
  if (o.validate) {
    const candidate = repointPaths(o.config, temps.map((m) => ({ from: m.path, to: m.tmp })));
    let checkPath: string | undefined;
    try {
      checkPath = await writeTemp(o.configPath, candidate, 'check');
      const v = stableText(await validateConfig({ bin: o.bin, file: checkPath }), [
        { from: checkPath, to: o.configPath }, ...temps.map((m) => ({ from: m.tmp, to: m.path })),
      ]);
      if (!v.ok) {
        await removeTemps();
        const rejectedPath = rejectedPathOf(o.configPath);
        // The alerts now name the config path; the operator finds those line numbers in this
        // copy (repointing map paths never adds or removes a line).
        if (!o.checkOnly) await writeAtomic(rejectedPath, o.config).catch(() => undefined);
        return { ok: false, changed: false, alerts: v.alerts, output: v.output, rejectedPath };
      }
      warnings = v.warnings;
      if (o.checkOnly) {
        await removeTemps();
        return { ok: true, changed: false, warnings };
      }
    } catch (err) {
      await removeTemps();
      throw err;
    } finally {
      if (checkPath) await rm(checkPath, { force: true });
    }
  }

  const configTmp = current === o.config ? undefined : await writeTemp(o.configPath, o.config).catch(async (err: unknown) => {
    await removeTemps();
    throw err;
  });
  await installFiles(o, dir, temps, configTmp);
  return { ok: true, changed: true, ...(warnings ? { warnings } : {}) };
}

/**
 * Puts the written temp files in place: the maps first, then the config (the file that names
 * the others), each archived before it is replaced. On failure the temp files not yet renamed
 * are removed.
 */
async function installFiles(
  o: Pick<ApplyFilesOptions, 'configPath' | 'archiveVersions' | 'onStep'>, dir: string,
  maps: ReadonlyArray<{ readonly path: string; readonly tmp: string }>, configTmp: string | undefined,
): Promise<void> {
  try {
    o.onStep?.('temp-written');
    for (const m of maps) {
      await archive(m.path, o.archiveVersions);
      await rename(m.tmp, m.path);
    }
    if (configTmp) {
      await archive(o.configPath, o.archiveVersions);
      await rename(configTmp, o.configPath);
    }
    await syncDir(dir);
    o.onStep?.('renamed');
  } catch (err) {
    await Promise.all(maps.map((m) => rm(m.tmp, { force: true })));
    if (configTmp) await rm(configTmp, { force: true });
    throw err;
  }
}

export interface UncheckedFilesOptions extends Pick<ApplyFilesOptions, 'configPath' | 'maps' | 'archiveVersions' | 'onStep'> {
  /** The config's text in order (written as it comes, in slices). */
  readonly pieces: Iterable<string>;
  /** Asked between slices: yes stops the write, and nothing is put in place. */
  readonly stop?: () => boolean;
}

export interface UncheckedFilesResult {
  readonly ok: true;
  readonly changed: boolean;
  readonly stopped?: true;
  /** sha256 (hex) of the config file written. */
  readonly configDigest?: string;
}

/**
 * Writes the config from pieces and its changed maps, without `haproxy -c`: for a config whose
 * only changes are server lines made of validated values (the runtime API already applied
 * them). The write can be stopped between slices (see writeTempFrom); then every file stays
 * as it was and the result says `stopped`.
 */
export async function writeUncheckedFiles(o: UncheckedFilesOptions): Promise<UncheckedFilesResult> {
  const dir = dirname(o.configPath);
  await removeTempFiles(dir);
  try {
    const maps = await changedMaps(o.maps, dir);
    const temps = await Promise.all(maps.map(async (m) => ({ ...m, tmp: await writeTemp(m.path, m.text) })));
    const hash = createHash('sha256');
    const configTmp = await writeTempFrom(o.configPath, o.pieces, o.stop, 'tmp', (bytes) => hash.update(bytes));
    if (configTmp === undefined) return { ok: true, changed: false, stopped: true };
    await installFiles(o, dir, temps, configTmp);
    return { ok: true, changed: true, configDigest: hash.digest('hex') };
  } finally {
    await removeTempFiles(dir);
  }
}

/** The map files whose content differs from what is on disk. */
async function changedMaps(maps: Readonly<Record<string, string>>, dir: string): Promise<Array<{ name: string; path: string; text: string }>> {
  const all = Object.keys(maps).sort().map((name) => ({ name, path: join(dir, name), text: maps[name]! }));
  const changed = await Promise.all(all.map(async (m) => (await readIfExists(m.path)) !== m.text));
  return all.filter((_, i) => changed[i]);
}

/**
 * HAProxy's messages with the temp paths it was shown replaced by the real ones, and without
 * its process ids: the same problem gives the same text every time (a log line that quotes a
 * random temp name is never "unchanged", so it would be logged again on every pass).
 */
export function stableText<T extends ValidationResult>(v: T, paths: ReadonlyArray<{ from: string; to: string }>): T {
  const fix = (text: string) => withoutPids(repointPaths(text, paths));
  if (v.ok) return { ...v, warnings: v.warnings.map(fix) };
  const alerts: ValidationAlert[] = v.alerts.map((a) => ({ ...a, file: a.file === undefined ? undefined : fix(a.file), message: fix(a.message) }));
  return { ...v, alerts, output: fix(v.output) };
}

/** HAProxy's output without the process id after each level tag (`[ALERT]    (4270) :` -> `[ALERT] :`). */
export function withoutPids(text: string): string {
  return text.replace(/(\[(?:EMERG|ALERT|CRIT|ERR|WARNING|NOTICE|INFO|DEBUG)\])\s+\(\d+\)/g, '$1');
}
