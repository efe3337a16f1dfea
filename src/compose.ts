// The composition root: the only place that builds clients and wires I/O together. main.ts
// loads it once the first read of Marathon is under way (see marathon/primed.ts). The triggers
// (and with them the event stream and callback code) are loaded only by the modes that run them.

import { mkdir, writeFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createMetrics, createNullMetrics } from './admin/metrics.js';
import { startStatusServer } from './admin/server.js';
import { createSignalEndpoint } from './admin/signal-endpoint.js';
import { adminPlaneWarnings, builtinValues } from './builtin-values.js';
import { codeCacheReport } from './code-cache.js';
import { compileEjsTemplate } from './config/ejs-template.js';
import type { RenderOptions } from './config/render.js';
import { builtinTemplateDir, packageRoot, readTemplateDir } from './config/template-files.js';
import { resolveTemplates } from './config/template-set.js';
import { prepareCertificates } from './controller/certificates.js';
import { ClusterModel } from './controller/cluster-model.js';
import { createController, type Controller } from './controller/controller.js';
import { crashAtStep, createConfigWriter, createHaproxyDriver } from './controller/haproxy-adapters.js';
import { createHostResolver } from './controller/host-resolver.js';
import { LruCache } from './controller/lru-cache.js';
import { operatorRequests } from './controller/operator-requests.js';
import { withdrawAction } from './controller/withdraw-request.js';
import { createWithdrawals } from './controller/withdrawals.js';
import { clusterHealthCache, createMultiSource, credentialsFor } from './controller/multi-source.js';
import { createRenderer } from './controller/renderer.js';
import { createRunSpecSource } from './controller/run-spec-source.js';
import { startStandbyHaproxy, withStandbyOnFirstFailure } from './controller/standby-haproxy.js';
import { removeTempFiles } from './haproxy/write.js';
import { createLogger } from './log.js';
import { createMarathonClient, type MarathonClient } from './marathon/client.js';
import { splitClusterId } from './model/cluster-prefix.js';
import { normalizeOptionsFrom } from './model/normalize.js';
import type { MainDeps } from './main.js';
import type { Settings } from './settings.js';

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** `early`: the client of the only Marathon, already asked for the first full read. */
export async function runController(settings: Settings, deps: MainDeps, early?: MarathonClient): Promise<number> {
  const log = deps.log ?? createLogger({ level: settings.logLevel, format: settings.logFormat });
  log.debug({ codeCache: codeCacheReport().state }, 'controller code loaded');
  await mkdir(settings.runDir, { recursive: true });
  await mkdir(dirname(settings.haproxyConfig), { recursive: true });
  // A run killed mid-write leaves temp files (also those of versions that wrote them beside the config).
  await removeTempFiles(dirname(settings.haproxyConfig), { legacy: true });

  const certs = await prepareCertificates(settings, deps.env, log);
  const renderOptions: RenderOptions = {
    haproxyDir: dirname(settings.haproxyConfig),
    sslCerts: certs,
    haproxyMap: settings.haproxyMap,
    dontBindHttpHttps: settings.dontBindHttpHttps,
    groupHttpsByVhost: settings.groupHttpsByVhost,
    builtins: builtinValues(settings),
  };
  const templates = resolveTemplates({
    builtin: readTemplateDir(builtinTemplateDir()),
    files: readTemplateDir(settings.templatesDir),
    env: deps.env,
  });
  let ejs;
  if (!settings.ejsTemplate) {
    for (const w of adminPlaneWarnings(settings, { kind: 'head', text: templates['HEAD']?.text ?? '' })) log.warn({}, w);
  } else {
    try {
      const text = readFileSync(settings.ejsTemplate, 'utf8');
      for (const w of adminPlaneWarnings(settings, { kind: 'ejs', text })) log.warn({}, w);
      ejs = compileEjsTemplate(text, settings.ejsTemplate);
    } catch (err) {
      log.fatal({ file: settings.ejsTemplate, error: (err as Error).message }, 'cannot compile the ejs template');
      return 2;
    }
  }

  const clientFor = (urls: readonly string[]) => createMarathonClient({
    urls: [...urls],
    ...credentialsFor(settings, urls),
    caCert: settings.marathonCaCert,
  });
  const marathon = early ?? clientFor(settings.marathon);
  const several = settings.marathonClusters.length > 1;
  // Several Marathons: one client each (own URLs, credentials, failover), ids under /NAME.
  const source = several
    ? createMultiSource(
      settings.marathonClusters.map((c, i) => ({ name: c.name, client: i === 0 ? marathon : clientFor(c.urls) })),
      (st) => (st.ok ? log.info({ cluster: st.name }, 'marathon cluster readable again') : log.warn({ cluster: st.name, error: st.error }, 'marathon cluster unreadable; its apps stay as last read')),
    )
    : createRunSpecSource(marathon);
  const metrics = settings.mode === 'once' || settings.dry ? createNullMetrics() : createMetrics();
  // Test-only: the crash test makes the process kill itself at a named step of an apply.
  const hooks = crashAtStep(deps.env['MLB_TEST_CRASH_AT']);
  const haproxy = createHaproxyDriver(settings, log, {
    ...hooks,
    onRestart: (result) => metrics.haproxyRestartsTotal.inc({ result }),
    onRuntimeOp: (op, result) => metrics.runtimeChangesTotal.inc({ op, result }),
  });
  const resolver = createHostResolver({ ttlMs: settings.dnsTtlSeconds * 1000, capacity: settings.lruCacheCapacity });
  const healthCache = several
    ? clusterHealthCache(settings.marathonClusters.map((c) => c.name), () => new LruCache<string, boolean>(settings.lruCacheCapacity))
    : new LruCache<string, boolean>(settings.lruCacheCapacity);
  const render = createRenderer(templates, renderOptions, ejs);
  const writer = createConfigWriter(settings, log, hooks);
  // Colours zdd is rolling back (/_mlb_withdraw): the model drains their tasks while the lease holds.
  const withdrawals = createWithdrawals({
    now: Date.now,
    onEnd: (appId, colour) => {
      log.info({ app: appId, colour }, 'colour withdrawal ended: its tasks serve again');
      controller.loop.markDirty(`withdrawal ended:${appId}`, [appId]);
    },
  });
  const cluster = new ClusterModel(
    { ...normalizeOptionsFrom(settings, (h) => resolver.resolve(h), healthCache), withdrawn: withdrawals.isWithdrawn },
    several ? { clusterOf: (appId) => splitClusterId(appId)?.name ?? '' } : undefined,
  );
  const controller: Controller = createController({
    settings,
    // Marathon away at start: HAProxy still starts (last good config, or the admin plane only).
    apps: withStandbyOnFirstFailure(source, (cause) => startStandbyHaproxy({ settings, driver: haproxy, writer, render, log }, cause)),
    cluster,
    resolver,
    render,
    writer,
    haproxy,
    now: Date.now,
    metrics,
    log,
    version: version(),
  });

  if (settings.mode === 'once' || settings.dry) {
    const outcome = await controller.runPass(['run once']);
    if (outcome.dryConfig !== undefined) deps.stdout(outcome.dryConfig);
    return outcome.result === 'error' || outcome.result === 'invalid' ? 1 : 0;
  }

  await writeFile(settings.pidFile, `${process.pid}\n`);
  const requests = operatorRequests(controller.loop, log);
  const signals = createSignalEndpoint({ HUP: () => requests.resync('http'), USR1: () => requests.reload('http') });
  let status;
  try {
    status = settings.statusPort > 0
      ? await startStatusServer({
        host: '127.0.0.1', port: settings.statusPort, snapshot: () => controller.snapshot(), metrics, signals,
        withdraw: withdrawAction({ apps: () => cluster.wireApps(), withdrawals, loop: controller.loop, log }),
      })
      : undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'EADDRINUSE' ? `127.0.0.1:${settings.statusPort} is in use: choose another --status-port (0 turns the status server off)` : (err as Error).message;
    log.fatal({ port: settings.statusPort, code, error: hint }, 'cannot start the status server');
    await rm(settings.pidFile, { force: true });
    return 1;
  }
  const { startTriggers } = await import('./controller/triggers.js'); // not for one-shot runs
  const triggers = await startTriggers({ settings, controller, marathon, metrics, log, isApp: source.isApp });

  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (code: number) => {
      if (stopping) return;
      stopping = true;
      void (async () => {
        off?.();
        await triggers.stop();
        withdrawals.stop();
        await controller.stop();
        await status?.close();
        await haproxy.stop();
        await rm(settings.pidFile, { force: true });
        resolve(code);
      })();
    };
    const off = deps.onSignal?.((signal) => {
      if (signal === 'SIGHUP') { requests.resync('signal'); return; }
      if (signal === 'SIGUSR1') { requests.reload('signal'); return; }
      if (stopping) return;
      log.info({ signal }, 'shutting down');
      shutdown(0);
    });
    // HAProxy dead for good: exit non-zero, so whatever supervises this controller restarts it.
    void haproxy.fatal?.then((why) => {
      if (stopping) return;
      log.fatal({ error: why }, 'haproxy is down and cannot be restarted; exiting');
      shutdown(1);
    });
  });
}
