import { register as globalRegistry } from 'prom-client';
import { createMetrics, createNullMetrics, recordPass, renderMetricDocs, setSkippedApps } from '../../../src/admin/index.js';

async function sampleLines(metrics: ReturnType<typeof createMetrics>): Promise<string[]> {
  return (await metrics.registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

test('two instances have private registries; the global registry stays empty', async () => {
  const a = createMetrics({ processMetrics: false });
  const b = createMetrics({ processMetrics: false });
  recordPass(a, 'reload', 0.2);
  expect(await sampleLines(a)).toContain('marathon_lb_reconcile_total{result="reload"} 1');
  expect(await sampleLines(b)).toContain('marathon_lb_reconcile_total{result="reload"} 0');
  expect(await globalRegistry.getMetricsAsJSON()).toEqual([]);
});

test('every result series exists from the start at 0', async () => {
  const lines = await sampleLines(createMetrics({ processMetrics: false }));
  for (const result of ['noop', 'runtime', 'reload', 'invalid', 'error']) {
    expect(lines).toContain(`marathon_lb_reconcile_total{result="${result}"} 0`);
  }
  expect(lines).toContain('marathon_lb_haproxy_reloads_total{result="failure"} 0');
});

test('recordPass counts, times and tracks config validity', async () => {
  const m = createMetrics({ processMetrics: false });
  recordPass(m, 'invalid', 0.03);
  expect((await m.configValid.get()).values[0]?.value).toBe(0);
  recordPass(m, 'noop', 0.002);
  expect((await m.configValid.get()).values[0]?.value).toBe(1);
  const lines = await sampleLines(m);
  expect(lines).toContain('marathon_lb_reconcile_duration_seconds_count{result="invalid"} 1');
  expect(lines).toContain('marathon_lb_reconcile_duration_seconds_bucket{le="0.05",result="invalid"} 1');
  expect(lines).toContain('marathon_lb_reconcile_duration_seconds_bucket{le="0.01",result="invalid"} 0');
});

test('skipped apps gauge is replaced, so a reason that went away disappears', async () => {
  const m = createMetrics({ processMetrics: false });
  setSkippedApps(m, [{ reason: 'NO_TASKS' }, { reason: 'NO_TASKS' }, { reason: 'INVALID_LABEL' }]);
  let lines = await sampleLines(m);
  expect(lines).toContain('marathon_lb_apps_skipped{reason="NO_TASKS"} 2');
  expect(lines).toContain('marathon_lb_apps_skipped{reason="INVALID_LABEL"} 1');
  setSkippedApps(m, [{ reason: 'INVALID_LABEL' }]);
  lines = await sampleLines(m);
  expect(lines.some((l) => l.includes('NO_TASKS'))).toBe(false);
  expect(lines).toContain('marathon_lb_apps_skipped{reason="INVALID_LABEL"} 1');
});

test('process metrics carry the prefix', async () => {
  const text = await createMetrics().registry.metrics();
  expect(text).toMatch(/^marathon_lb_process_cpu_seconds_total \d/m);
  expect(text).toMatch(/^marathon_lb_nodejs_eventloop_lag_seconds /m);
});

test('the docs table lists exactly the exported controller metrics', async () => {
  const m = createMetrics({ processMetrics: false });
  const exported = (await m.registry.getMetricsAsJSON()).map((x) => x.name).sort();
  const documented = [...renderMetricDocs().matchAll(/^\| `(marathon_lb_[a-z_]+)` \|/gm)].map((x) => x[1]).sort();
  expect(documented).toEqual(exported);
  expect(exported).toEqual(
    expect.arrayContaining([
      'marathon_lb_reconcile_total',
      'marathon_lb_reconcile_duration_seconds',
      'marathon_lb_haproxy_reloads_total',
      'marathon_lb_haproxy_runtime_changes_total',
      'marathon_lb_marathon_stream_connected',
      'marathon_lb_marathon_events_total',
      'marathon_lb_apps_skipped',
      'marathon_lb_config_valid',
      'marathon_lb_last_apply_timestamp_seconds',
    ]),
  );
  expect(renderMetricDocs()).toMatch(/^\| Metric \| Type \| Labels \| Meaning \|\n\|---\|/);
});

test('null metrics (one-shot runs) take every kind of update and export nothing', async () => {
  const m = createNullMetrics();
  recordPass(m, 'reload', 0.2);
  recordPass(m, 'invalid', 0.1);
  setSkippedApps(m, [{ reason: 'DISABLED' }]);
  m.haproxyReloadsTotal.inc({ result: 'success' });
  m.runtimeChangesTotal.inc({ op: 'batch', result: 'success' });
  m.streamConnected.set(1);
  m.eventsTotal.inc({ type: 'status_update_event' });
  m.lastApplyTimestamp.set(1);
  m.certificateNotAfter.set({ path: '/x' }, 1);
  expect(await m.registry.metrics()).toBe('');
  expect(Object.keys(m).sort()).toEqual(Object.keys(createMetrics({ processMetrics: false })).sort());
});
