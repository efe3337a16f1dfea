// The reference docs are generated from the registries; this fails when a file drifts.
// `npm run docs` (UPDATE_DOCS=1) rewrites them.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_DOCS } from '../../src/docs.js';
import { REPO } from '../support/controller-process.js';

describe('generated docs', () => {
  it.each(Object.keys(GENERATED_DOCS))('%s matches its registry', (file) => {
    const text = GENERATED_DOCS[file]!();
    const path = join(REPO, file);
    if (process.env.UPDATE_DOCS === '1') writeFileSync(path, text);
    expect(existsSync(path) ? readFileSync(path, 'utf8') : '(missing: run npm run docs)').toBe(text);
  });
});
