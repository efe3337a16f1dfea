// Reads template texts from disk: the package's built-in defaults and the operator's
// templates directory. The only I/O in config/, done once at start.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEMPLATE_BY_NAME } from './template-registry.js';

/** The package root (the folder holding package.json), found from this module's location. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the marathon-lb package root (templates/ next to package.json)');
}

/** Reads every `HAPROXY_<NAME>` file of a directory whose name is a known template. */
export function readTemplateDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const file of readdirSync(dir)) {
    if (!file.startsWith('HAPROXY_')) continue;
    const name = file.slice('HAPROXY_'.length);
    if (!TEMPLATE_BY_NAME.has(name)) continue;
    out[name] = readFileSync(join(dir, file), 'utf8');
  }
  return out;
}

export function builtinTemplateDir(): string {
  return join(packageRoot(), 'templates');
}
