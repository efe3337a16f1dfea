// Which text each template has for this run, by marathon-lb's precedence (highest first):
// env HAPROXY_<NAME> > file <templatesDir>/HAPROXY_<NAME> > built-in default.
// (Per-port labels HAPROXY_{n}_<NAME> rank above all three; they are looked up per service.)
// Pure: the caller reads the files and the environment.

import { TEMPLATES } from './template-registry.js';

export type TemplateSource = 'builtin' | 'env' | 'file' | 'label';

export interface ResolvedTemplate {
  readonly name: string;
  readonly text: string;
  readonly source: TemplateSource;
}

export type TemplateSet = Readonly<Record<string, ResolvedTemplate>>;

export interface TemplateInputs {
  /** Built-in defaults by short name (the files in the package's templates/ folder). */
  readonly builtin: Readonly<Record<string, string>>;
  /** Files found in the operator's templates directory, by short name. */
  readonly files: Readonly<Record<string, string>>;
  /** The process environment (only HAPROXY_<NAME> entries matter). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function resolveTemplates(inputs: TemplateInputs): TemplateSet {
  const out: Record<string, ResolvedTemplate> = {};
  for (const spec of TEMPLATES) {
    const fromEnv = inputs.env[`HAPROXY_${spec.name}`];
    if (fromEnv !== undefined && fromEnv !== '') {
      // marathon-lb turns the two characters backslash-n into a newline for env templates.
      out[spec.name] = { name: spec.name, text: fromEnv.replace(/\\n/g, '\n'), source: 'env' };
      continue;
    }
    const fromFile = inputs.files[spec.name];
    if (fromFile !== undefined) {
      out[spec.name] = { name: spec.name, text: fromFile, source: 'file' };
      continue;
    }
    out[spec.name] = { name: spec.name, text: inputs.builtin[spec.name] ?? '', source: 'builtin' };
  }
  return out;
}
