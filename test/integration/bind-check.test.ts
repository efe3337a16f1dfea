// The bind check before a reload that adds binds: a port held by another program is a problem,
// one held by HAProxy is not (HAProxy binds with SO_REUSEPORT, which Node 20 cannot ask for).
import { createServer, type Server } from 'node:net';
import { bindProblem } from '../../src/controller/bind-check.js';
import { basicConfig, describeWithHaproxy, freePorts, haproxyFixture, waitForPort, type HaproxyFixture } from '../support/haproxy.js';

describeWithHaproxy('bind check', (bin) => {
  let hap: HaproxyFixture;
  let other: Server | undefined;
  beforeEach(async () => { hap = await haproxyFixture(bin); });
  afterEach(async () => {
    await hap.cleanup();
    await new Promise((r) => (other ? other.close(r) : r(undefined)));
  });

  it('a port another HAProxy holds is free for HAProxy; one a Node server holds is not; a free one is free', async () => {
    const [held, taken, free] = await freePorts(3);
    await hap.start(basicConfig({ adminSocket: hap.adminSocket, frontendPort: held! }));
    await waitForPort(held!);
    other = createServer();
    await new Promise<void>((r) => other!.listen(taken!, '127.0.0.1', r));
    expect(await bindProblem('127.0.0.1', held!)).toBeUndefined();
    expect(await bindProblem('127.0.0.1', taken!)).toBe('EADDRINUSE');
    expect(await bindProblem('127.0.0.1', free!)).toBeUndefined();
  });
});
