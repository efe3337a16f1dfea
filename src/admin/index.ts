// Controller observability: metrics (private prom-client registry), the status snapshot and
// its HTML page, and the loopback HTTP server HAProxy forwards /_mlb_status, /_mlb_metrics and
// /_mlb_signal/* to.
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
export { createSignalEndpoint, SIGNAL_MIN_INTERVAL_MS, type SignalAnswer, type SignalEndpoint, type SignalName } from './signal-endpoint.js';
export type { StatusServer, StatusServerOptions } from './server.js';
