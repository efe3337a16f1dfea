// An event past --sse-max-line-length is dropped, and the controller resyncs at once from a
// full read, on the same stream: the change behind the lost events is served without waiting
// for the periodic resync or a reconnect.

import { startEmulator, type Emulator } from '../emulator/index.js';
import { findHaproxy, freePorts, tempDir, waitFor } from '../support/haproxy.js';
import { startSseController, type ControllerProcess } from '../support/controller-process.js';
import { answeredBy, answeringTasks } from '../support/service-answers.js';

const d = findHaproxy() ? describe : describe.skip;

d('sse mode: an oversized event', () => {
  let emu: Emulator;
  let ctl: ControllerProcess;
  let svc: number;

  const ids = () => emu.tasks('/app').map((t) => t.id).sort();
  const servedByAll = async () => answeredBy(await answeringTasks(svc), ids());

  beforeAll(async () => {
    emu = await startEmulator({ taskServers: 'inprocess', heartbeatMs: 500 });
    const p = await freePorts(6);
    svc = p[5]!;
    const dir = await tempDir('mlb-sse-big-');
    ctl = await startSseController(emu.url, p, dir, ['--debounce-ms', '100', '--resync-interval', '3600', '--sse-max-line-length', '1048576']);
  });

  afterAll(async () => {
    const code = await ctl?.stop();
    await emu?.close();
    expect(code).toBe(0);
  });

  it('is dropped with a warning, and a full resync serves what the lost events said', async () => {
    await emu.putApp({ id: '/app', instances: 1, labels: { HAPROXY_GROUP: 'external' }, portDefinitions: [{ port: svc }] });
    await waitFor('the task answers', servedByAll, 20_000);
    const connects = ctl.logs.filter((l) => l.msg === 'event stream connected').length;

    emu.stallStreams(true); // the events of this scale are lost
    await emu.scale('/app', 3);
    emu.stallStreams(false);
    emu.emit('status_update_event', { appId: '/app', taskStatus: 'TASK_RUNNING', pad: 'x'.repeat(2 * 1024 * 1024) });

    await ctl.waitForLog((l) => /dropped an oversized Marathon event/.test(l.msg), 'the drop warning');
    await waitFor('all three tasks answer', servedByAll, 20_000);
    expect(ids()).toHaveLength(3);
    expect(ctl.logs.filter((l) => l.msg === 'event stream connected')).toHaveLength(connects);
  });
});
