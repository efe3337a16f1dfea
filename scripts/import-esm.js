// Injected into the CommonJS bundles (scripts/bundle.mjs): import() as dist/import-esm.js makes
// it, a file Node loads itself, where import() works even when the bundle ran from a code cache.
// Specifiers resolve from dist/, where the bundles are.
export const importEsm = (specifier) => require('./import-esm.js')(specifier);
