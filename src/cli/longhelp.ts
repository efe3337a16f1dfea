// --longhelp: marathon-lb printed its docstring, the usage in a fenced block, then a Markdown
// reference of every template and label (committed upstream as Longhelp.md). Same shape here,
// built from the registries so it cannot drift from what the code accepts.

import { renderTemplateDocs } from '../config/index.js';
import { renderLabelDocs } from '../model/labels.js';
import { parseArgs } from './args.js';

/** Demote every Markdown heading one level so the sections nest under this document's title. */
function nest(markdown: string): string {
  return markdown.replace(/^(#+) /gm, '#$1 ');
}

export function usageText(): string {
  const outcome = parseArgs(['--help']);
  return outcome.kind === 'help' ? outcome.text.trimEnd() : '';
}

export function renderLongHelp(): string {
  return [
    '# marathon-lb',
    '',
    'Keeps HAProxy in front of the tasks of Marathon apps. It reads every app from Marathon, keeps the',
    'apps whose `HAPROXY_GROUP` label is one of the `--group` values (or every app with `--group \'*\'`),',
    'renders one HAProxy configuration from templates and app labels, validates it, and applies it:',
    'through HAProxy\'s runtime API when only tasks changed, by a reload when the structure changed.',
    'Run without a mode it does this once; `sse` follows Marathon\'s event stream, `poll` re-reads on a',
    'timer, `event` receives Marathon HTTP callbacks. The flags are listed in docs/flags.md.',
    '',
    'Beyond marathon-lb: Marathon pods are served like apps (see "Pods" below), and one load balancer',
    'can serve several Marathons: `--marathon-cluster NAME=URL[,URL...]`, repeated, reads and watches',
    'each on its own and serves its apps under `/NAME` (backends `NAME_<app>_<port>`); a Marathon that',
    'is down keeps its apps as last read and holds back no one else.',
    '',
    '## Usage',
    '',
    '```',
    usageText(),
    '```',
    '',
    nest(renderTemplateDocs()).trimEnd(),
    '',
    nest(renderLabelDocs()).trimEnd(),
    '',
  ].join('\n');
}
