// Controller observability: metrics (private prom-client registry), the status snapshot and
// its HTML page, and the loopback HTTP server HAProxy forwards /_mlb_status and /_mlb_metrics to.
export { createMetrics, createNullMetrics, recordPass, setSkippedApps, renderMetricDocs, METRIC_PREFIX, RECONCILE_RESULTS } from './metrics.js';
export type { CreateMetricsOptions, Metrics, ReconcileResult, ReloadResult, RuntimeOpResult } from './metrics.js';
export { renderStatusHtml, statusProblems, statusWarnings, escapeHtml } from './status.js';
export type {
  StatusConsistency,
  ServerState,
  StatusPass,
  StatusProblem,
  StatusReload,
  BackendServerStatus,
  StatusService,
  StatusSkippedApp,
  StatusSnapshot,
  StatusStream,
} from './status.js';
export { startStatusServer, prefersHtml, acceptQuality } from './server.js';
export type { StatusServer, StatusServerOptions } from './server.js';
