// The whole-file template, the Bamboo way: one ejs file, written by the operator, ranging over
// every app, service port and task to produce the entire haproxy.cfg. Operators are trusted
// (their template runs as code); app owners are not, so label values only ever arrive as data,
// and every `<%= %>` output is refused if it would break a line.

import { createRequire } from 'node:module';
import type * as Ejs from 'ejs';
import type { Model, Service } from '../model/types.js';
import { isUnsafeValue } from './placeholders.js';

export interface EjsApp {
  readonly id: string;
  readonly services: readonly Service[];
  readonly labels: Readonly<Record<string, string>>;
}

export interface EjsLocals {
  readonly apps: readonly EjsApp[];
  readonly services: readonly Service[];
  readonly haproxyDir: string;
  readonly sslCerts: readonly string[];
  readonly builtins: Readonly<Record<string, string>>;
}

export type EjsRenderer = (locals: EjsLocals) => string;

export class EjsTemplateError extends Error {
  override readonly name = 'EjsTemplateError';
}

function haproxyValue(value: unknown): string {
  const text = String(value);
  if (isUnsafeValue(text)) throw new EjsTemplateError(`refusing to print a value with a line break: ${JSON.stringify(text).slice(0, 80)}`);
  return text;
}

/** Compiles once at start; a syntax error is reported with the template's file name. */
export function compileEjsTemplate(source: string, filename: string): EjsRenderer {
  // Loaded here, not at import: only operators with --ejs-template pay for ejs at start-up.
  const ejs = createRequire(import.meta.url)('ejs') as typeof Ejs;
  const fn = ejs.compile(source, {
    strict: true,
    _with: false,
    localsName: 'm',
    escape: haproxyValue,
    filename,
  });
  return (locals) => fn(locals as unknown as Ejs.Data) as string;
}

export function ejsLocals(model: Model, haproxyDir: string, sslCerts: readonly string[], builtins: Readonly<Record<string, string>>): EjsLocals {
  const byApp = new Map<string, Service[]>();
  for (const s of model.services) {
    const list = byApp.get(s.appId) ?? [];
    list.push(s);
    byApp.set(s.appId, list);
  }
  const apps = [...byApp.entries()].map(([id, services]) => ({ id, services, labels: services[0]!.labels }));
  return { apps, services: model.services, haproxyDir, sslCerts, builtins };
}
