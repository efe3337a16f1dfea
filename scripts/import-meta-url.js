// Injected into the CommonJS bundle (scripts/bundle.mjs): the sources are ES modules and read
// import.meta.url; in dist/cli.js it is that file's own URL, made once at load.
export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;
