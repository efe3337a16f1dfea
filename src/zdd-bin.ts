#!/usr/bin/env node
// The `zdd` executable (built to dist/zdd-cli.js, the name marathon-lb users know).

import { zddMain } from './zdd-cli.js';

void zddMain(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
