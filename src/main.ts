// The composition root: the only place that builds clients and wires I/O together.
// cli.ts parses the command line into Settings and calls main().

import { mkdir, writeFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { createMetrics, createNullMetrics, createSignalEndpoint, startStatusServer } from './admin/index.js';
import {
  builtinTemplateDir, compileEjsTemplate, packageRoot, readTemplateDir, resolveTemplates, type BuiltinValues, type RenderOptions,
} from './config/index.js';
import {
  ClusterModel, LruCache, crashAtStep, createConfigWriter, createRunSpecSource, createController, createHaproxyDriver, createHostResolver, createRenderer,
  prepareCertificates, startTriggers,
  type Controller,
} from './controller/index.js';
import { operatorRequests } from './controller/operator-requests.js';
import { withdrawAction } from './controller/withdraw-request.js';
import { createWithdrawals } from './controller/withdrawals.js';
import { startStandbyHaproxy, withStandbyOnFirstFailure } from './controller/standby-haproxy.js';
import { clusterHealthCache, createMultiSource, credentialsFor } from './controller/multi-source.js';
import { splitClusterId } from './model/cluster-prefix.js';
import { removeTempFiles } from './haproxy/index.js';
import { createLogger } from './log.js';
import { createMarathonClient } from './marathon/index.js';
import { normalizeOptionsFrom } from './model/index.js';
import type { Settings } from './settings.js';

export interface MainDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly log?: Logger;
  /** Resolves when the process is asked to stop (SIGTERM/SIGINT); main() then shuts down. */
  readonly onSignal?: (handler: (signal: NodeJS.Signals) => void) => () => void;
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Every address, for an HAProxy `src` match: what an empty --admin-write-networks means. */
export const ALL_NETWORKS = '0.0.0.0/0 ::/0';

function adminPlaneValues(s: Settings): Pick<BuiltinValues, 'adminBindAddress' | 'adminWriteNetworks'> {
  return {
    adminBindAddress: s.adminBindAddress,
    adminWriteNetworks: s.adminWriteNetworks.length > 0 ? s.adminWriteNetworks.join(' ') : ALL_NETWORKS,
  };
}

/**
 * The admin-plane flags work through placeholders of the HEAD template (`m.builtins.*` in an ejs
 * template): an operator's own HEAD (env or file) or ejs template without them would silently
 * not apply them. Says so.
 */
export function adminPlaneWarnings(s: Settings, template: { readonly kind: 'head' | 'ejs'; readonly text: string }): string[] {
  const out: string[] = [];
  const check = (flag: string, placeholder: string): void => {
    const [needle, what] = template.kind === 'head' ? [`{${placeholder}}`, 'HAPROXY_HEAD'] : [`builtins.${placeholder}`, 'ejs template'];
    if (!template.text.includes(needle)) out.push(`${flag} is set, but the ${what} in use has no ${needle}: it is not applied (see docs/compat.md)`);
  };
  if (s.adminWriteNetworks.length > 0) check('--admin-write-networks', 'adminWriteNetworks');
  if (s.adminBindAddress !== s.bindAddress) check('--admin-bind-address', 'adminBindAddress');
  return out;
}

export function builtinValues(s: Settings): BuiltinValues {
  const options = s.globalDefaultOptions.map((o) => `  option ${o}\n`).join('');
  return {
    luaDir: s.luaDir, runDir: s.runDir, pidFile: s.pidFile, statusPort: String(s.statusPort),
    adminPort: String(s.adminPort), httpPort: String(s.httpPort), httpsPort: String(s.httpsPort),
    appidPort: String(s.appidPort), bindAddress: s.bindAddress, globalOptions: options, hardStopAfter: '5m',
    // Port 0 would make HAProxy connect to the client's own destination port (a loop back into
    // :9090), so with the status server off the backend gets a server that is never used.
    controllerServer: s.statusPort > 0 ? `127.0.0.1:${s.statusPort}` : '127.0.0.1:1 disabled',
    ...adminPlaneValues(s),
  };
}

const defaultDeps: MainDeps = {
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  onSignal: (handler) => {
    const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1'];
    for (const s of signals) process.on(s, handler);
    return () => { for (const s of signals) process.off(s, handler); };
  },
};

export async function main(settings: Settings, deps: MainDeps = defaultDeps): Promise<number> {
  const log = deps.log ?? createLogger({ level: settings.logLevel, format: settings.logFormat });
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
  const marathon = clientFor(settings.marathon);
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
