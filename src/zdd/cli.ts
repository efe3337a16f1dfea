// The zdd command line as a function: argv + io -> exit code. Builds the real dependencies
// (Marathon and load balancer clients, DNS, prompts, the hook) and runs the deployment.

import { execFile } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { createInterface } from 'node:readline/promises';
import { authSourceFor, type BasicAuth, type DcosServiceAccount } from '../marathon/auth.js';
import { certificateAuthorities } from '../marathon/tls.js';
import type { AppJson } from './labels.js';
import { runZdd, type LogLevel, type ZddDeps } from './deploy.js';
import { EXIT, ZddError } from './errors.js';
import { createLoadBalancers } from './lb-api.js';
import { zddLongHelp } from './longhelp.js';
import { createMarathonApi } from './marathon-api.js';
import { parseZddArgs, zddUsage, type ZddOptions } from './options.js';
import { tasksOf } from './tasks.js';

export interface ZddIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => Promise<void>;
  readonly stderr: (text: string) => Promise<void>;
  readonly readFile: (file: string) => Promise<string>;
}

const LEVELS: Record<string, number> = { debug: 10, info: 20, warning: 30, warn: 30, error: 40, critical: 50, notset: 0 };

function basicAuth(text: string | undefined): BasicAuth | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const i = text.indexOf(':');
  if (i < 0) throw new ZddError(EXIT.error, 'Marathon credentials must be user:password');
  return { user: text.slice(0, i), password: text.slice(i + 1) };
}

function dcosAccount(text: string | undefined): DcosServiceAccount | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const j = JSON.parse(text) as { uid?: string; private_key?: string; login_endpoint?: string };
  if (!j.uid || !j.private_key || !j.login_endpoint) throw new ZddError(EXIT.error, 'DC/OS credentials need uid, private_key and login_endpoint');
  return { uid: j.uid, privateKey: j.private_key, loginEndpoint: j.login_endpoint };
}

function runHook(hook: string | undefined, args: string[], log: ZddDeps['log']): Promise<boolean> {
  if (hook === undefined) return Promise.resolve(true);
  return new Promise((resolve) => {
    execFile(hook, args, (err, stdout, stderr) => {
      if (stdout.trim()) log('info', `pre-kill hook: ${stdout.trim()}`);
      if (stderr.trim()) log('warn', `pre-kill hook: ${stderr.trim()}`);
      resolve(err === null);
    });
  });
}

async function buildDeps(o: ZddOptions, io: ZddIo): Promise<ZddDeps> {
  const threshold = LEVELS[o.logLevel.toLowerCase()] ?? 20;
  const log: ZddDeps['log'] = (level: LogLevel, msg: string) => {
    if (LEVELS[level]! >= threshold) void io.stderr(`${new Date().toISOString()} zdd ${level}: ${msg}\n`);
  };
  const fileLine = o.marathonAuthCredentialFile !== undefined ? (await io.readFile(o.marathonAuthCredentialFile)).split('\n')[0] : undefined;
  const auth = basicAuth(fileLine ?? o.authCredentials);
  const dcos = auth ? undefined : dcosAccount(o.dcosAuthCredentials);
  const ca = certificateAuthorities(o.marathonCaCert);
  const marathon = createMarathonApi({ url: o.marathon, auth: authSourceFor({ auth, dcos, certificateAuthority: ca }), certificateAuthority: ca });
  return {
    marathon,
    lbs: createLoadBalancers(o.marathonLb),
    async resolverFor(apps: readonly AppJson[]) {
      const hosts = new Set(apps.flatMap((a) => tasksOf(a).map((t) => t.host)).filter((h): h is string => typeof h === 'string' && isIP(h) === 0));
      const table = new Map<string, string>();
      await Promise.all([...hosts].map(async (h) => { try { table.set(h, (await lookup(h, { family: 4 })).address); } catch { /* unresolved: not served */ } }));
      return (h: string) => table.get(h);
    },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => Date.now(),
    log,
    print: io.stdout,
    async confirm(question) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
      } finally {
        rl.close();
      }
    },
    preKillHook: (oldApp, ids, newApp) => runHook(o.preKillHook, [JSON.stringify(oldApp), JSON.stringify(ids), JSON.stringify(newApp)], log),
  };
}

/** Runs `zdd <argv>`; never throws. */
export async function runZddCli(argv: readonly string[], io: ZddIo): Promise<number> {
  const parsed = parseZddArgs(argv, io.env);
  if (!parsed.ok) {
    await io.stderr(`${zddUsage().split('\n')[0]}\nzdd: error: ${parsed.problem}\n`);
    return EXIT.error;
  }
  const o = parsed.options;
  if (o.longhelp) { await io.stdout(zddLongHelp()); return EXIT.done; }
  if (o.help) { await io.stdout(zddUsage()); return EXIT.done; }
  try {
    let definition: unknown;
    try {
      definition = JSON.parse(await io.readFile(o.json));
    } catch (err) {
      throw new ZddError(EXIT.missing, `cannot read the app definition ${o.json}: ${(err as Error).message}`);
    }
    return await runZdd(o, definition, await buildDeps(o, io));
  } catch (err) {
    const code = err instanceof ZddError ? err.code : EXIT.error;
    await io.stderr(`zdd: error: ${(err as Error).message}\n`);
    return code;
  }
}
