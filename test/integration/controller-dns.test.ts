// Agents are named, and what a name resolves to can change (issue 9, issue 10): a task on an
// agent whose host name stops resolving stays in HAProxy at its last good address, and a task on
// an agent that moves to another address follows it, although Marathon's answer is the same
// JSON as before (a full read keeps the apps whose JSON did not change, unless an agent of theirs
// moved). The agent's name is resolved through a fake DNS preloaded into the controller;
// Marathon is a static /v2/apps answer, polled.

import { createServer, type Server } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { request } from '../emulator/http-client.js';
import { findHaproxy, freePorts, startUpstream, tempDir, waitFor } from '../support/haproxy.js';
import { isolatedFlags, REPO, runController } from '../support/controller-process.js';

const d = findHaproxy() ? describe : describe.skip;

/** A polling controller serving one app whose task runs on agent-1.test, first at 127.0.0.1. */
async function oneTaskOnANamedAgent(name: string) {
  const dir = await tempDir(`mlb-dns-${name}-`);
  const dnsFile = join(dir, 'dns.json');
  await writeFile(dnsFile, JSON.stringify({ 'agent-1.test': '127.0.0.1' }));
  const task = await startUpstream('task-1');
  const p = await freePorts(6);
  const svc = p[5]!;
  let reads = 0;
  const app = {
    id: '/dns', instances: 1, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: svc, protocol: 'tcp' }], healthChecks: [], deployments: [],
    tasks: [{ id: 'dns.task-1', appId: '/dns', host: 'agent-1.test', state: 'TASK_RUNNING', ports: [task.port] }],
  };
  const marathon: Server = createServer((req, res) => {
    if (req.url?.startsWith('/v2/apps')) reads += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.url?.startsWith('/v2/apps/') ? { app } : { apps: [app] }));
  });
  await new Promise<void>((r) => marathon.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(marathon.address() as AddressInfo).port}`;
  const ctl = runController(['poll', '--group', 'external', '--marathon', url, '--poll-interval', '1', '--dns-ttl', '1', '--supervise-haproxy',
    ...isolatedFlags(dir, { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! })],
  { NODE_OPTIONS: `--require ${join(REPO, 'test', 'support', 'fake-dns.cjs')}`, MLB_FAKE_DNS: dnsFile });
  return {
    task, statusPort: p[4]!,
    /** Points agent-1.test at `ip` (null: the name no longer resolves). */
    resolveTo: (ip: string | null) => writeFile(dnsFile, JSON.stringify({ 'agent-1.test': ip })),
    reads: () => reads,
    /** What the service port answers (undefined when nothing does). */
    answer: async () => (await request(`http://127.0.0.1:${svc}/`).catch(() => undefined))?.body,
    close: async () => {
      const code = await ctl.stop();
      expect({ code, log: code === 0 ? '' : ctl.output().slice(-4000) }).toEqual({ code: 0, log: '' });
      await task.close();
      await new Promise((r) => marathon.close(r));
    },
  };
}

d('DNS faults', () => {
  it('a task whose agent name stops resolving keeps being served at its last good address', async () => {
    const t = await oneTaskOnANamedAgent('gone');
    try {
      await waitFor('the task is served through its agent name', async () => (await t.answer()) === 'task-1', 20_000);
      await t.resolveTo(null);
      // Several polls, well past the TTL, with the name failing to resolve.
      const from = t.reads();
      await waitFor('four more reads of Marathon', () => t.reads() >= from + 4, 20_000);
      expect(await t.answer()).toBe('task-1');
      const st = JSON.parse((await request(`http://127.0.0.1:${t.statusPort}/_mlb_status`, { headers: { accept: 'application/json' } })).body) as {
        services: Array<{ appId: string; servers: unknown[] }>;
      };
      expect(st.services.find((s) => s.appId === '/dns')!.servers).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  it('a task whose agent moves to another address is followed, though Marathon answers the same JSON', async () => {
    const t = await oneTaskOnANamedAgent('moved');
    // The same task port on the agent's new address.
    const moved = await startUpstream('task-moved', t.task.port, '127.0.0.2');
    try {
      await waitFor('the task is served through its agent name', async () => (await t.answer()) === 'task-1', 20_000);
      await t.resolveTo('127.0.0.2');
      await waitFor('the task is served at the agent\'s new address', async () => (await t.answer()) === 'task-moved', 20_000);
    } finally {
      await moved.close();
      await t.close();
    }
  });
});
