// Injected into the CommonJS bundles (scripts/bundle.mjs): the sources are ES modules and read
// import.meta.url; in each bundle it is that file's own URL (dist/controller.js, dist/cli.js,
// dist/zdd-cli.js), made once at load.
export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;
