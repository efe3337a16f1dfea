// The log of a bad snapshot stays readable: through the real CLI, 1,000 apps with a bad label and
// one app HAProxy rejects log a bounded number of lines on the first pass, and nothing more on
// the resyncs after it (the rejected app's message names the config, not a random temp file,
// so it compares equal pass after pass).

import { rm } from 'node:fs/promises';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { isolatedFlags, runController, type ControllerProcess } from '../support/controller-process.js';
import { findHaproxy, freePorts, tempDir } from '../support/haproxy.js';

/** Without --command or --supervise-haproxy a pass that would reload writes the files and says so. */
const WRITTEN = 'config written (haproxy not reloaded: no --command, no --supervise-haproxy)';
const d = findHaproxy() ? describe : describe.skip;
const INFO = 30;

d('log volume of a bad snapshot', () => {
  let emu: Emulator;
  let ctl: ControllerProcess;
  let dir: string;

  beforeAll(async () => {
    emu = await startEmulator({ taskServers: 'none', heartbeatMs: 500 });
    dir = await tempDir('mlb-logvol-');
  });
  afterAll(async () => {
    expect(await ctl?.stop()).toBe(0);
    await emu?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('1,000 skipped apps: a bounded first pass, silent resyncs', async () => {
    const p = await freePorts(7);
    await emu.putApp({ id: '/fine', instances: 1, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: p[5]! }] });
    await emu.putApp({ id: '/rejected', instances: 1, labels: { HAPROXY_GROUP: 'external', HAPROXY_0_BALANCE: 'nosuchalgorithm' }, portDefinitions: [{ port: p[6]! }] });
    // No instances: the labels are judged all the same, and no task needs a port.
    for (let i = 0; i < 1000; i += 1) {
      await emu.putApp({ id: `/bad-${i}`, instances: 0, labels: { HAPROXY_GROUP: 'external', HAPROXY_0_MODE: 'bogus' }, portDefinitions: [{ port: 20000 + i }] });
    }
    ctl = runController(['sse', '--group', 'external', '--marathon', emu.url, '--log-level', 'debug',
      ...isolatedFlags(dir, { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! })]);
    const loud = () => ctl.logs.filter((l) => l.level >= INFO);
    await ctl.waitForLog((l) => l.msg === WRITTEN, 'the first pass', 60_000);
    const passes = () => ctl.logs.filter((l) => ['no change', WRITTEN, 'haproxy changed at run time'].includes(l.msg)).length;
    await ctl.waitForLog((l) => l.msg === 'no change', 'the pass after the stream connected', 60_000);
    const first = loud().length;
    const rejected = ctl.logs.find((l) => l.msg === 'app not served' && l.appId === '/rejected');
    expect(rejected).toMatchObject({ reason: 'CONFIG_REJECTED' });
    expect(JSON.stringify(rejected)).not.toContain('.mlb-tmp');
    const listed = ctl.logs.filter((l) => l.msg === 'app not served').length;
    expect(listed).toBeLessThanOrEqual(20);
    // Every one of the 1,001 is accounted for: listed, or counted in the summary line.
    const summary = ctl.logs.find((l) => String(l.msg).startsWith('more apps not served'));
    expect(listed + Number(summary?.['count'])).toBe(1001);
    expect(first).toBeLessThanOrEqual(40);

    for (let i = 1; i <= 3; i += 1) {
      const before = passes();
      ctl.child.kill('SIGHUP');
      await ctl.waitForLog(() => passes() > before, `resync ${i}`, 60_000);
    }
    // Only "resync requested", once per SIGHUP: no skip is logged again, nothing else repeats.
    expect(loud().slice(first).map((l) => l.msg)).toEqual(['resync requested', 'resync requested', 'resync requested']);
  }, 180_000);
});
