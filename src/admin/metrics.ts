// The controller's own metrics (HAProxy's are served by its exporter on /metrics). One
// table below defines every metric, and both the registry and the docs are built from it,
// so the documented names cannot drift from the exported ones.
//
// A private Registry: the global one would collect across tests and across instances.
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';

export const METRIC_PREFIX = 'marathon_lb_';

export type ReconcileResult = 'noop' | 'runtime' | 'reload' | 'invalid' | 'error';
export const RECONCILE_RESULTS: readonly ReconcileResult[] = ['noop', 'runtime', 'reload', 'invalid', 'error'];
export type ReloadResult = 'success' | 'failure';
export type RuntimeOpResult = 'success' | 'failure';

interface MetricSpec {
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
}

const SPECS = {
  reconcileTotal: {
    type: 'counter',
    name: 'reconcile_total',
    help: 'Reconcile passes by result: noop (nothing changed), runtime (runtime API only), reload, invalid (config rejected, last good kept), error.',
    labelNames: ['result'],
  },
  reconcileDuration: {
    type: 'histogram',
    name: 'reconcile_duration_seconds',
    help: 'Duration of a reconcile pass, from snapshot to applied.',
    labelNames: ['result'],
  },
  haproxyReloadsTotal: {
    type: 'counter',
    name: 'haproxy_reloads_total',
    help: 'HAProxy reloads by result.',
    labelNames: ['result'],
  },
  haproxyRestartsTotal: {
    type: 'counter',
    name: 'haproxy_master_restarts_total',
    help: 'Restarts of a supervised HAProxy master that died (--supervise-haproxy), by result.',
    labelNames: ['result'],
  },
  runtimeChangesTotal: {
    type: 'counter',
    name: 'haproxy_runtime_changes_total',
    help: 'Changes made through the HAProxy runtime API (no reload), by operation and result.',
    labelNames: ['op', 'result'],
  },
  liveStateDifferencesTotal: {
    type: 'counter',
    name: 'haproxy_live_state_differences_total',
    help: 'Differences found between HAProxy\'s live servers (read back after every change) and the desired state, each then corrected.',
    labelNames: [],
  },
  driftTotal: {
    type: 'counter',
    name: 'drift_total',
    help: 'Backends a full read of Marathon (resync, reconnect, SIGHUP) found different from what events had brought (not counted in poll mode, which has no events).',
    labelNames: [],
  },
  streamConnected: {
    type: 'gauge',
    name: 'marathon_stream_connected',
    help: '1 while the Marathon event stream is connected, else 0.',
    labelNames: [],
  },
  eventsTotal: {
    type: 'counter',
    name: 'marathon_events_total',
    help: 'Marathon events received, by event type.',
    labelNames: ['type'],
  },
  appsSkipped: {
    type: 'gauge',
    name: 'apps_skipped',
    help: 'Apps (or service ports) not served after the last pass, by reason.',
    labelNames: ['reason'],
  },
  configValid: {
    type: 'gauge',
    name: 'config_valid',
    help: '1 when the last generated configuration passed validation, 0 when it was rejected.',
    labelNames: [],
  },
  lastApplyTimestamp: {
    type: 'gauge',
    name: 'last_apply_timestamp_seconds',
    help: 'Unix time of the last configuration successfully applied to HAProxy.',
    labelNames: [],
  },
  certificateNotAfter: {
    type: 'gauge',
    name: 'certificate_not_after_timestamp_seconds',
    help: 'Expiry (Unix time) of each certificate file HAProxy is given.',
    labelNames: ['path'],
  },
} as const satisfies Record<string, MetricSpec>;

export interface Metrics {
  readonly registry: Registry;
  readonly reconcileTotal: Counter<'result'>;
  readonly reconcileDuration: Histogram<'result'>;
  readonly haproxyReloadsTotal: Counter<'result'>;
  readonly haproxyRestartsTotal: Counter<'result'>;
  readonly runtimeChangesTotal: Counter<'op' | 'result'>;
  readonly streamConnected: Gauge;
  readonly eventsTotal: Counter<'type'>;
  readonly appsSkipped: Gauge<'reason'>;
  readonly configValid: Gauge;
  readonly lastApplyTimestamp: Gauge;
  readonly certificateNotAfter: Gauge<'path'>;
  readonly liveStateDifferencesTotal: Counter;
  readonly driftTotal: Counter;
}

export interface CreateMetricsOptions {
  /** Default process/Node.js metrics (CPU, memory, event loop lag); on unless false. */
  readonly processMetrics?: boolean;
}

export function createMetrics(options: CreateMetricsOptions = {}): Metrics {
  // Loaded here, not at import: a one-shot run has nobody to serve metrics to (createNullMetrics).
  const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = createRequire(import.meta.url)('prom-client') as typeof PromClient;
  const registry = new Registry();
  const registers = [registry];
  const common = <K extends keyof typeof SPECS>(key: K) => ({
    name: METRIC_PREFIX + SPECS[key].name,
    help: SPECS[key].help,
    registers,
  });
  const metrics: Metrics = {
    registry,
    reconcileTotal: new Counter({ ...common('reconcileTotal'), labelNames: ['result'] as const }),
    reconcileDuration: new Histogram({
      ...common('reconcileDuration'),
      labelNames: ['result'] as const,
      // From a no-op pass (milliseconds) to a slow reload with a big Marathon (a minute).
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    }),
    haproxyReloadsTotal: new Counter({ ...common('haproxyReloadsTotal'), labelNames: ['result'] as const }),
    haproxyRestartsTotal: new Counter({ ...common('haproxyRestartsTotal'), labelNames: ['result'] as const }),
    runtimeChangesTotal: new Counter({ ...common('runtimeChangesTotal'), labelNames: ['op', 'result'] as const }),
    streamConnected: new Gauge({ ...common('streamConnected') }),
    eventsTotal: new Counter({ ...common('eventsTotal'), labelNames: ['type'] as const }),
    appsSkipped: new Gauge({ ...common('appsSkipped'), labelNames: ['reason'] as const }),
    configValid: new Gauge({ ...common('configValid') }),
    liveStateDifferencesTotal: new Counter({ ...common('liveStateDifferencesTotal') }),
    driftTotal: new Counter({ ...common('driftTotal') }),
    lastApplyTimestamp: new Gauge({ ...common('lastApplyTimestamp') }),
    certificateNotAfter: new Gauge({ ...common('certificateNotAfter'), labelNames: ['path'] as const }),
  };
  // Series for every known result exist from the start, so rate() and alerts on
  // result="error" work before the first error happens.
  for (const result of RECONCILE_RESULTS) metrics.reconcileTotal.inc({ result }, 0);
  for (const result of ['success', 'failure'] as const) metrics.haproxyReloadsTotal.inc({ result }, 0);
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return metrics;
}

/**
 * Metrics that record nothing, for a one-shot run: it exits before anyone could scrape them,
 * so it need not load prom-client at all. Its registry exports nothing.
 */
export function createNullMetrics(): Metrics {
  const metric = { inc() {}, dec() {}, set() {}, observe() {}, reset() {}, labels: () => metric, startTimer: () => () => 0 };
  const registry = { metrics: async () => '', contentType: 'text/plain; version=0.0.4; charset=utf-8', getMetricsAsJSON: async () => [] };
  const out: Record<string, unknown> = { registry };
  for (const key of Object.keys(SPECS)) out[key] = metric;
  return out as unknown as Metrics;
}

/** Records one finished pass: its result and how long it took. */
export function recordPass(metrics: Metrics, result: ReconcileResult, durationSeconds: number): void {
  metrics.reconcileTotal.inc({ result });
  metrics.reconcileDuration.observe({ result }, durationSeconds);
  if (result === 'invalid') metrics.configValid.set(0);
  if (result === 'noop' || result === 'runtime' || result === 'reload') metrics.configValid.set(1);
}

/** Replaces the skipped-apps gauge, so a reason that no longer occurs drops to absent. */
export function setSkippedApps(metrics: Metrics, skipped: readonly { readonly reason: string }[]): void {
  const counts = new Map<string, number>();
  for (const { reason } of skipped) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  metrics.appsSkipped.reset();
  for (const [reason, count] of counts) metrics.appsSkipped.set({ reason }, count);
}

/** Markdown table of the controller's metrics, for docs/metrics.md. */
export function renderMetricDocs(): string {
  const rows = Object.values(SPECS as Record<string, MetricSpec>).map((spec) => {
    const labels = spec.labelNames.length === 0 ? '' : spec.labelNames.map((l) => `\`${l}\``).join(', ');
    return `| \`${METRIC_PREFIX}${spec.name}\` | ${spec.type} | ${labels} | ${spec.help.replace(/\|/g, '\\|')} |`;
  });
  return [
    '| Metric | Type | Labels | Meaning |',
    '|---|---|---|---|',
    ...rows,
    `| \`${METRIC_PREFIX}process_*\`, \`${METRIC_PREFIX}nodejs_*\` | various | | prom-client's default process metrics (CPU, memory, file descriptors, event loop lag, GC). |`,
    '',
  ].join('\n');
}
