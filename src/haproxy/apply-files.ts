// Validate, then atomically write haproxy.cfg and its map files. HAProxy never reads a
// half-written file, and a rejected candidate leaves every current file untouched.
//
// The map files are referenced from the config by absolute path. To validate a candidate that
// needs new maps without touching the live maps, the candidate config is checked with its map
// paths pointed at the candidate map files; only when HAProxy accepts it are the maps and then
// the config renamed into place.

import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { validateConfig, type ValidationAlert } from './validate.js';
import { archive, readIfExists, writeTemp } from './write.js';

export interface ApplyFilesOptions {
  readonly configPath: string;
  readonly config: string;
  /** File name (in the config's directory) -> content. */
  readonly maps: Readonly<Record<string, string>>;
  readonly validate: boolean;
  readonly bin: string;
  readonly archiveVersions: number;
}

export type ApplyFilesResult =
  | { readonly ok: true; readonly changed: boolean }
  | { readonly ok: false; readonly alerts: readonly ValidationAlert[]; readonly output: string; readonly rejectedPath: string };

export async function applyConfigFiles(o: ApplyFilesOptions): Promise<ApplyFilesResult> {
  const dir = dirname(o.configPath);
  const mapPaths = Object.keys(o.maps).map((name) => ({ name, path: join(dir, name), text: o.maps[name]! }));
  const current = await readIfExists(o.configPath);
  const mapsCurrent = await Promise.all(mapPaths.map(async (m) => (await readIfExists(m.path)) === m.text));
  if (current === o.config && mapsCurrent.every(Boolean)) return { ok: true, changed: false };

  const tempMaps = await Promise.all(mapPaths.map(async (m) => ({ ...m, tmp: await writeTemp(m.path, m.text) })));
  const cleanup = () => Promise.all(tempMaps.map((m) => rm(m.tmp, { force: true })));
  if (o.validate) {
    let candidate = o.config;
    for (const m of tempMaps) candidate = candidate.split(m.path).join(m.tmp);
    const checkPath = await writeTemp(o.configPath, candidate, 'check');
    const v = await validateConfig({ bin: o.bin, file: checkPath });
    await rm(checkPath, { force: true });
    if (!v.ok) {
      await cleanup();
      // Keep what HAProxy refused, for the operator (marathon-lb kept haproxy_tmp_conf_fail).
      const rejectedPath = `${o.configPath}.rejected`;
      await writeFile(rejectedPath, o.config).catch(() => undefined);
      return { ok: false, alerts: v.alerts, output: v.output, rejectedPath };
    }
  }
  const configTmp = await writeTemp(o.configPath, o.config);
  try {
    for (const m of tempMaps) await rename(m.tmp, m.path);
    if (current !== o.config) await archive(o.configPath, o.archiveVersions);
    await rename(configTmp, o.configPath);
  } catch (err) {
    await cleanup();
    await rm(configTmp, { force: true });
    throw err;
  }
  return { ok: true, changed: true };
}
