// --command, marathon-lb's reload style: the operator's script starts a new HAProxy that takes
// over from the old one (-sf). A runtime change right after such a reload must reach the new
// process, not the one going away: the controller waits until the admin socket answers from a
// new pid, then reads HAProxy back. Checked through the admin socket and with HTTP.

import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { request } from '../emulator/http-client.js';
import { parseServersState, runtimeCommand } from '../../src/haproxy/index.js';
import { findHaproxy, freePorts, tempDir, waitFor } from '../support/haproxy.js';
import { isolatedFlags, runController, type ControllerProcess } from '../support/controller-process.js';

const bin = findHaproxy();
const d = bin ? describe : describe.skip;

d('--command reloads', () => {
  let emu: Emulator;
  let ctl: ControllerProcess;
  let dir: string;
  const pids: string[] = [];

  afterAll(async () => {
    await ctl?.stop();
    await emu?.close();
    // Stop the HAProxy the reload script left running.
    const pid = (await readFile(join(dir, 'haproxy.pid'), 'utf8').catch(() => '')).trim();
    for (const p of pid.split(/\s+/).filter(Boolean)) { try { process.kill(Number(p), 'SIGTERM'); } catch { /* gone */ } }
  });

  it('a scale right after a reload reaches the new HAProxy process', async () => {
    emu = await startEmulator({ taskServers: 'inprocess', heartbeatMs: 500 });
    const p = await freePorts(6);
    const svc = p[5]!;
    dir = await tempDir('mlb-command-');
    const script = join(dir, 'reload.sh');
    // The classic reload: start a new daemon with the new config, telling the old one to finish.
    await writeFile(script, `#!/bin/sh\nset -e\nold=$(cat ${dir}/haproxy.pid 2>/dev/null || true)\nexec ${bin} -D -f ${dir}/haproxy.cfg -p ${dir}/haproxy.pid \${old:+-sf $old}\n`);
    await chmod(script, 0o755);
    ctl = runController(['sse', '--group', 'external', '--marathon', emu.url, '--command', script, '--min-reload-interval', '0',
      ...isolatedFlags(dir, { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! })]);
    const socket = join(dir, 'run', 'socket');
    const live = async () => parseServersState(await runtimeCommand(socket, `show servers state app_${svc}`)).filter((r) => (r.adminState & 1) === 0).map((r) => `${r.addr}:${r.port}`).sort();
    const wanted = () => emu.tasks('/app').map((t) => t.endpoints[0]!).sort();

    // Deploy (a reload by the script), then scale at once (a runtime change right after it).
    await emu.putApp({ id: '/app', instances: 1, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: svc }] });
    await ctl.waitForLog((l) => l.msg === 'haproxy reloaded', 'the reload by --command');
    pids.push((await runtimeCommand(socket, 'show info')).match(/^Pid: (\d+)/m)![1]!);
    await emu.scale('/app', 3);
    await waitFor('HAProxy serves Marathon\'s 3 tasks', async () => (await live()).join() === wanted().join() && wanted().length === 3, 20_000);
    const seen = new Set<string>();
    await waitFor('all 3 tasks answer through HAProxy', async () => {
      const r = await request(`http://127.0.0.1:${svc}/`).catch(() => undefined);
      if (r?.status === 200) seen.add(r.body.trim());
      return seen.size === 3;
    }, 20_000, 10);
  });
});
