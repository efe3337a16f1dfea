// The composition root: the only place that builds clients and wires I/O together.
// cli.ts parses the command line into Settings and calls main().

import { mkdir, writeFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { createMetrics, createNullMetrics, startStatusServer } from './admin/index.js';
import {
  builtinTemplateDir, compileEjsTemplate, packageRoot, readTemplateDir, resolveTemplates, type BuiltinValues, type RenderOptions,
} from './config/index.js';
import {
  LruCache, createConfigWriter, createController, createHaproxyDriver, createHostResolver, createRenderer, prepareCertificates, startTriggers,
  type Controller,
} from './controller/index.js';
import { createLogger } from './log.js';
import { createMarathonClient } from './marathon/index.js';
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

export function builtinValues(s: Settings): BuiltinValues {
  const options = s.globalDefaultOptions.map((o) => `  option ${o}\n`).join('');
  return {
    luaDir: s.luaDir, runDir: s.runDir, pidFile: s.pidFile, statusPort: String(s.statusPort),
    adminPort: String(s.adminPort), httpPort: String(s.httpPort), httpsPort: String(s.httpsPort),
    appidPort: String(s.appidPort), bindAddress: s.bindAddress, globalOptions: options, hardStopAfter: '5m',
    // Port 0 would make HAProxy connect to the client's own destination port (a loop back into
    // :9090), so with the status server off the backend gets a server that is never used.
    controllerServer: s.statusPort > 0 ? `127.0.0.1:${s.statusPort}` : '127.0.0.1:1 disabled',
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
  if (settings.ejsTemplate) {
    try {
      ejs = compileEjsTemplate(readFileSync(settings.ejsTemplate, 'utf8'), settings.ejsTemplate);
    } catch (err) {
      log.fatal({ file: settings.ejsTemplate, error: (err as Error).message }, 'cannot compile the ejs template');
      return 2;
    }
  }

  const marathon = createMarathonClient({
    urls: [...settings.marathon],
    auth: settings.authCredentials,
    dcos: settings.dcosAuthCredentials,
    caCert: settings.marathonCaCert,
  });
  const metrics = settings.mode === 'once' || settings.dry ? createNullMetrics() : createMetrics();
  const haproxy = createHaproxyDriver(settings, log);
  const controller: Controller = createController({
    settings,
    apps: marathon,
    resolver: createHostResolver({ ttlMs: 60_000, capacity: settings.lruCacheCapacity }),
    healthCache: new LruCache<string, boolean>(settings.lruCacheCapacity),
    render: createRenderer(templates, renderOptions, ejs),
    writer: createConfigWriter(settings, log),
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
  const status = settings.statusPort > 0
    ? await startStatusServer({ host: '127.0.0.1', port: settings.statusPort, snapshot: () => controller.snapshot(), metrics })
    : undefined;
  const triggers = await startTriggers({ settings, controller, marathon, metrics, log });

  return new Promise<number>((resolve) => {
    let stopping = false;
    const off = deps.onSignal?.((signal) => {
      if (signal === 'SIGHUP') { log.info({ signal }, 'resync requested'); controller.loop.markDirty('signal:SIGHUP'); return; }
      if (signal === 'SIGUSR1') { log.info({ signal }, 'reload requested'); controller.loop.requestReload('signal:SIGUSR1'); return; }
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      void (async () => {
        off?.();
        await triggers.stop();
        await controller.stop();
        await status?.close();
        await haproxy.stop();
        await rm(settings.pidFile, { force: true });
        resolve(0);
      })();
    });
  });
}
