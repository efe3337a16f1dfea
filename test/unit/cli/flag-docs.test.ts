// docs/flags.md is generated from the flag table. When this test fails, regenerate with
//   UPDATE_DOCS=1 node --experimental-vm-modules node_modules/jest/bin/jest.js test/unit/cli/flag-docs.test.ts
// and commit the file.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderFlagDocs } from '../../../src/cli/flag-docs.js';
import { FLAGS } from '../../../src/cli/flags.js';

const DOC = fileURLToPath(new URL('../../../docs/flags.md', import.meta.url));

test('docs/flags.md matches renderFlagDocs()', () => {
  const expected = renderFlagDocs();
  if (process.env['UPDATE_DOCS'] === '1') writeFileSync(DOC, expected);
  const actual = readFileSync(DOC, 'utf8');
  if (actual !== expected) {
    throw new Error('docs/flags.md is out of date; run with UPDATE_DOCS=1 to regenerate it (see the top of this test)');
  }
});

test('every flag is documented with its short form', () => {
  const doc = renderFlagDocs();
  for (const f of FLAGS) {
    expect(doc).toContain(`\`--${f.name}`);
    if (f.short !== undefined) expect(doc).toContain(`\`-${f.short}\``);
  }
});
