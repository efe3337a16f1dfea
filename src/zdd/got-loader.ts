// got is published as an ES module only, and dist/ is CommonJS (scripts/bundle.mjs says why),
// where only import() can load an ES module: zdd asks for got when it first makes a request.

import type { Got } from 'got';

let loading: Promise<Got> | undefined;

export function loadGot(): Promise<Got> {
  loading ??= import('got').then((m) => m.default);
  return loading;
}
