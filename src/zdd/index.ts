// zdd: zero-downtime blue/green deployments through the load balancer (docs/zdd.md).
export { runZddCli, type ZddIo } from './cli.js';
export { runZdd, type ZddDeps } from './deploy.js';
export { parseZddArgs, zddUsage, ZDD_FLAGS, type ZddOptions } from './options.js';
export { prepareApp } from './app-definition.js';
export { EXIT, ZddError } from './errors.js';
export { zddLongHelp } from './longhelp.js';
