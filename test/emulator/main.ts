// Runs the Marathon emulator as a standalone server (demo, manual testing).
//   node <compiled>/test/emulator/main.js --port 8080 --sample [--sample-ports 10000,10001]
//   ... --apps apps.json   (a JSON array of app definitions, or {"apps": [...]})
// Other flags: --version 1.4|1.5, --task-servers inprocess|process|agent|none, --auth user:password,
// --heartbeat-ms N, --event-callbacks. Prints the emulator URL on stdout once the apps run.
// Free of jest imports on purpose: it must also run as plain compiled JavaScript.

import fs from 'node:fs';
import { startEmulator } from './emulator.js';
import { sampleApps } from './samples.js';
import type { AppSpec, EmulatorOptions } from './types.js';

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: main [--port N] [--sample [--sample-ports NGINX,WEB]] [--apps FILE] [--version 1.4|1.5] [--task-servers inprocess|process|agent|none] [--auth user:password] [--heartbeat-ms N] [--event-callbacks]\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): { opts: EmulatorOptions; apps: AppSpec[] } {
  const opts: EmulatorOptions = {};
  const apps: AppSpec[] = [];
  let sample = false;
  let samplePorts: { nginx: number; web: number } | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) usage(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--port':
        opts.port = Number(value());
        if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) usage('bad --port');
        break;
      case '--sample':
        sample = true;
        break;
      case '--sample-ports': {
        const [nginx, web] = value().split(',').map(Number);
        if (![nginx, web].every((p) => Number.isInteger(p) && (p as number) > 0 && (p as number) < 65536)) usage('bad --sample-ports (two ports: A,B)');
        samplePorts = { nginx: nginx as number, web: web as number };
        break;
      }
      case '--apps': {
        const parsed = JSON.parse(fs.readFileSync(value(), 'utf8')) as AppSpec[] | { apps: AppSpec[] };
        apps.push(...(Array.isArray(parsed) ? parsed : parsed.apps));
        break;
      }
      case '--version': {
        const v = value();
        if (v !== '1.4' && v !== '1.5') usage('bad --version');
        opts.version = v;
        break;
      }
      case '--task-servers': {
        const v = value();
        if (v !== 'inprocess' && v !== 'process' && v !== 'agent' && v !== 'none') usage('bad --task-servers');
        opts.taskServers = v;
        break;
      }
      case '--auth': {
        const [user, ...rest] = value().split(':');
        opts.auth = { user: user ?? '', password: rest.join(':') };
        break;
      }
      case '--heartbeat-ms':
        opts.heartbeatMs = Number(value());
        break;
      case '--event-callbacks':
        opts.eventCallbacks = true;
        break;
      default:
        usage(`unknown argument ${flag}`);
    }
  }
  if (sample) apps.unshift(...sampleApps(samplePorts));
  return { opts, apps };
}

const { opts, apps } = parseArgs(process.argv.slice(2));
const emulator = await startEmulator(opts);
for (const app of apps) await emulator.putApp(app);
process.stdout.write(`${emulator.url}\n`);

let closing = false;
const shutdown = (): void => {
  if (closing) return;
  closing = true;
  void emulator.close().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
