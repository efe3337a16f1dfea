// docs/templates.md, generated from the template registry (a test keeps the file in sync).

import { TEMPLATES } from './template-registry.js';

export function renderTemplateDocs(): string {
  let out = '# Templates\n\n<!-- Generated from src/config/template-registry.ts by `npm run docs`; do not edit. -->\n\n';
  out += 'Each template can be replaced globally by the environment variable `HAPROXY_<NAME>` (the two characters `\\n` become a newline) ';
  out += 'or by a file `templates/HAPROXY_<NAME>` in the working directory (or `--templates-dir`). ';
  out += 'Overridable templates can also be replaced for one service port of one app with the label `HAPROXY_{n}_<NAME>`. ';
  out += 'Precedence, highest first: label, environment, file, built-in default (in the package\'s `templates/` folder).\n\n';
  out += 'Templates are filled by `{placeholder}` substitution only: `{{` and `}}` are literal braces, and an unknown placeholder ';
  out += 'is an error that excludes the app whose label used it (or, for a global template, keeps the last good config). ';
  out += 'Raw templates are emitted verbatim. Operators\' global templates may also use the install placeholders ';
  out += '`{luaDir}`, `{runDir}`, `{pidFile}`, `{statusPort}`, `{adminPort}`, `{httpPort}`, `{httpsPort}`, `{appidPort}`, `{bindAddress}`, `{hardStopAfter}`, `{controllerServer}`, `{adminBindAddress}`, `{adminWriteNetworks}` (space-separated networks for an HAProxy `src` match).\n\n';
  out += '| Template | Per-app label | Placeholders | What it renders |\n|---|---|---|---|\n';
  for (const t of TEMPLATES) {
    const label = t.overridable ? `\`HAPROXY_{n}_${t.name}\`` : 'global only';
    const ph = t.raw ? 'raw (none)' : t.placeholders.map((p) => `\`{${p}}\``).join(', ');
    out += `| \`HAPROXY_${t.name}\` | ${label} | ${ph} | ${t.description.replace(/\|/g, '\\|')} |\n`;
  }
  return out;
}
