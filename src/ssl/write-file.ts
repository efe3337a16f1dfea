// Certificate files are written next to their target and renamed into place, so HAProxy
// (or a concurrent check) never reads half a key. Mode 0600: these hold private keys.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function writeFileAtomically(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(temporary, content, { mode: 0o600 });
  await rename(temporary, path);
}
