// The supervised master (reload confirmed via `show proc`) and run-time server changes, with
// real HTTP through HAProxy to tiny upstreams that say who answered.
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyRuntimeOps, connectHaproxyMaster, planChange, showServersState, showStat, type DesiredState } from '../../src/haproxy/index.js';
import {
  basicConfig, describeWithHaproxy, freePorts, haproxyFixture, httpGet, startUpstream, waitFor, waitForPort, type HaproxyFixture,
} from '../support/haproxy.js';

/** Current sessions of be/s1. */
async function busyCount(socket: string): Promise<number> {
  const rows = await showStat(socket, 'be');
  return Number(rows.find((r) => r.svname === 's1')?.scur ?? 0);
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

describeWithHaproxy('haproxy master-worker', (bin) => {
  let hap: HaproxyFixture;
  const upstreams: Array<{ close: () => Promise<void> }> = [];
  beforeEach(async () => { hap = await haproxyFixture(bin); });
  afterEach(async () => {
    await hap.cleanup();
    await Promise.all(upstreams.splice(0).map((u) => u.close()));
  });

  it('reload yields a new worker and the old one goes away; attaching by socket works too', async () => {
    const [port] = await freePorts(1);
    const up = await startUpstream('one');
    upstreams.push(up);
    const master = await hap.start(basicConfig({ adminSocket: hap.adminSocket, frontendPort: port!, servers: { s1: up.port } }));
    await waitForPort(port!);
    const before = await master.pids();
    expect(before.workers).toHaveLength(1);

    const r = await master.reload();
    expect(r.ok).toBe(true);
    expect(r.workerPid).toBeDefined();
    expect(before.workers).not.toContain(r.workerPid);
    const oldPid = before.workers[0]!;
    await waitFor('the old worker to exit', () => !alive(oldPid), 10_000);
    expect((await master.pids()).workers).toEqual([r.workerPid]);
    expect((await httpGet(port!)).body).toBe('one');

    const attached = await connectHaproxyMaster({ masterSocket: hap.masterSocket });
    expect(attached).toBeDefined();
    const again = await attached!.reload();
    expect(again.ok).toBe(true);
    expect(again.workerPid).not.toBe(r.workerPid);
    expect(await connectHaproxyMaster({ masterSocket: `${hap.dir}/nothing.sock` })).toBeUndefined();

    const last = (await master.pids()).workers;
    await master.stop();
    expect(await master.exited).not.toBeUndefined();
    await waitFor('the workers to exit after stop()', () => last.every((p) => !alive(p)), 10_000);
  });

  it('a reload with a broken config on disk is reported as failed and the old worker keeps serving', async () => {
    const [port] = await freePorts(1);
    const up = await startUpstream('still-here');
    upstreams.push(up);
    const good = basicConfig({ adminSocket: hap.adminSocket, frontendPort: port!, servers: { s1: up.port } });
    const master = await hap.start(good);
    await waitForPort(port!);
    const before = await master.pids();

    await writeFile(hap.configPath, `${good}  this-is-not-a-keyword\n`);
    const r = await master.reload();
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/reload failed/);
    expect(r.reason).toMatch(/this-is-not-a-keyword/);
    const after = await master.pids();
    expect(after.workers).toEqual(before.workers);
    expect(after.failed).toBe(before.failed + 1);
    expect((await httpGet(port!)).body).toBe('still-here');

    // And the next good reload recovers.
    await writeFile(hap.configPath, good);
    expect((await master.reload()).ok).toBe(true);
  });

  it('runtime add-server / retire-server changes which upstream answers, with no failed request while draining', async () => {
    const [port] = await freePorts(1);
    const a = await startUpstream('A');
    const b = await startUpstream('B');
    upstreams.push(a, b);
    const skeleton = basicConfig({ adminSocket: hap.adminSocket, frontendPort: port! });
    const traits = { balance: 'roundrobin', hashType: 'map-based', hasDefaultServer: false };
    const state = (servers: Record<string, string>): DesiredState & { servers: Record<string, string>; config: string } => ({
      config: skeleton + Object.entries(servers).map(([n, args]) => `  server ${n} ${args}\n`).join(''),
      servers,
      backends: new Map([['be', { appId: '/be', structure: 'be', traits, servers, mapEntries: '' }]]),
      frame: '',
      maps: () => ({}),
      mapKinds: () => new Map(),
    });
    const onlyA = state({ up_a: `127.0.0.1:${a.port} id 11 check inter 500 fall 2` });
    await hap.start(onlyA.config);
    await waitForPort(port!);
    expect((await httpGet(port!)).body).toBe('A');

    // Keep requests flowing during every change; count failures (bounded: at most 2000 requests or 30 s).
    let stop = false;
    const seen: string[] = [];
    const failures: string[] = [];
    const loop = (async () => {
      const deadline = Date.now() + 30_000;
      for (let i = 0; i < 2000 && !stop && Date.now() < deadline; i += 1) {
        const r = await httpGet(port!);
        if (r.status === 200) seen.push(r.body); else failures.push(`${r.status} ${r.body}`);
      }
    })();

    // A -> A+B -> B, all on the socket.
    const both = state({ ...onlyA.servers, up_b: `127.0.0.1:${b.port} id 12 check inter 500 fall 2` });
    const p1 = planChange(onlyA, both);
    expect(p1.kind).toBe('runtime');
    const opts = { socket: hap.adminSocket, mapDir: hap.dir, drainTimeoutMs: 5_000 };
    expect(await applyRuntimeOps(p1.ops, opts)).toEqual({ ok: true, applied: 1 });
    await waitFor('B to answer through HAProxy', () => seen.slice(-20).includes('B'));

    const onlyB = state({ up_b: both.servers.up_b! });
    const p2 = planChange(both, onlyB);
    expect(p2.ops.map((o) => o.op)).toEqual(['drain-server', 'retire-server']);
    expect(await applyRuntimeOps(p2.ops, opts)).toEqual({ ok: true, applied: 2 });
    // The retired server stays, in maintenance, until a reload (del server crashes HAProxy 2.6).
    expect((await showServersState(hap.adminSocket, 'be')).map((r) => [r.server, (r.adminState & 1) !== 0])).toEqual([['up_a', true], ['up_b', false]]);

    const mark = seen.length;
    await waitFor('20 more answers', () => seen.length >= mark + 20);
    stop = true;
    await loop;
    expect(failures).toEqual([]);
    expect(seen.slice(mark).every((x) => x === 'B')).toBe(true);
    expect(hap.output.filter((l) => l.includes('[ALERT]'))).toEqual([]);
  });

  it('retiring a server cuts only the sessions that outlast the drain; a request that ends in time is answered', async () => {
    const [port] = await freePorts(1);
    // An upstream that answers after ?ms=N milliseconds.
    const slow = createServer((req, res) => {
      const ms = Number(/ms=(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
      setTimeout(() => res.end('slow'), ms);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    upstreams.push({ close: () => new Promise((r) => { slow.closeAllConnections(); slow.close(() => r()); }) });
    const slowPort = (slow.address() as AddressInfo).port;
    await hap.start(basicConfig({ adminSocket: hap.adminSocket, frontendPort: port!, servers: { s1: slowPort } }));
    await waitForPort(port!);
    const retire = [{ op: 'drain-server', backend: 'be', server: 's1' }, { op: 'retire-server', backend: 'be', server: 's1' }] as const;

    // Ends within the drain: answered, and nothing is cut.
    const short = httpGet(port!, '/?ms=300');
    await waitFor('the request to reach the server', async () => (await busyCount(hap.adminSocket)) > 0);
    expect(await applyRuntimeOps([...retire], { socket: hap.adminSocket, mapDir: hap.dir, drainTimeoutMs: 5_000, pollMs: 20 })).toEqual({ ok: true, applied: 2 });
    expect(await short).toEqual({ status: 200, body: 'slow' });

    // Outlasts the drain: cut when the server is retired.
    await hap.master!.reload();
    await waitFor('s1 back in service', async () => (await httpGet(port!, '/?ms=0')).status === 200);
    const long = httpGet(port!, '/?ms=4000');
    await waitFor('the long request to reach the server', async () => (await busyCount(hap.adminSocket)) > 0);
    expect(await applyRuntimeOps([...retire], { socket: hap.adminSocket, mapDir: hap.dir, drainTimeoutMs: 200, pollMs: 20 })).toEqual({ ok: true, applied: 2 });
    expect((await long).body).not.toBe('slow');
  });

  it('reports a refused runtime op so the caller can reload', async () => {
    const [port] = await freePorts(1);
    await hap.start(basicConfig({ adminSocket: hap.adminSocket, frontendPort: port!, balance: 'static-rr' }));
    const r = await applyRuntimeOps([{ op: 'add-server', backend: 'be', server: 'x', args: '127.0.0.1:1' }], { socket: hap.adminSocket, mapDir: hap.dir, drainTimeoutMs: 100 });
    expect(r.ok).toBe(false);
    expect(r.failed).toEqual({ op: 'add-server', backend: 'be', server: 'x', args: '127.0.0.1:1' });
    expect(r.error).toMatch(/dynamic load balancing/);
  });
});
