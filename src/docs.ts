// The generated reference documents: one table each (labels, templates, flags, metrics) is the
// source; `npm run docs` writes docs/, and a test fails when a file drifts from its table.

import { renderMetricDocs } from './admin/index.js';
import { renderFlagDocs } from './cli/flag-docs.js';
import { renderTemplateDocs } from './config/index.js';
import { renderLabelDocs } from './model/index.js';

export const GENERATED_DOCS: Readonly<Record<string, () => string>> = {
  'docs/labels.md': renderLabelDocs,
  'docs/templates.md': renderTemplateDocs,
  'docs/flags.md': renderFlagDocs,
  'docs/metrics.md': () => '# Controller metrics\n\n<!-- Generated from src/admin/metrics.ts by `npm run docs`; do not edit. -->\n\n' +
    'Served by the controller on `127.0.0.1:<--status-port>/_mlb_metrics` and through HAProxy on ' +
    '`:9090/_mlb_metrics`. HAProxy\'s own metrics stay on `:9090/metrics`.\n\n' + renderMetricDocs(),
};
