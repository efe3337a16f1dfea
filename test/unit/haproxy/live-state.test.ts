// HAProxy's live servers vs the desired ones: every kind of difference becomes a corrective op.

import { liveDifference } from '../../../src/haproxy/live-state.js';
import type { BackendDesired, ServerStateRow } from '../../../src/haproxy/index.js';

const be = (servers: Record<string, string>): BackendDesired => ({
  appId: '/web', structure: '', traits: { balance: 'roundrobin', hashType: 'map-based', hasDefaultServer: false }, servers, mapEntries: '',
});
const row = (server: string, addr: string, port: number, adminState = 0, weight = 1): ServerStateRow => ({
  backend: 'web', backendId: 1, server, serverId: 1, addr, port, opState: 2, adminState, weight,
});

describe('liveDifference', () => {
  it('finds nothing when HAProxy serves exactly the desired servers', () => {
    const d = liveDifference(new Map([['web', be({ a: '10.0.0.1:80 id 1', b: '10.0.0.2:80 id 2 weight 3' })]]), [row('a', '10.0.0.1', 80), row('b', '10.0.0.2', 80, 0, 3)]);
    expect(d).toEqual({ ops: [], differences: [] });
  });

  it('adds a missing server, retires an extra one, puts a held one back, fixes a weight', () => {
    const want = new Map([['web', be({ a: '10.0.0.1:80', b: '10.0.0.2:80 weight 2', c: '10.0.0.3:80' })]]);
    const d = liveDifference(want, [row('b', '10.0.0.2', 80, 0x01, 1), row('c', '10.0.0.3', 80), row('x', '10.0.0.9', 80)]);
    expect(d.differences).toEqual([
      'backend web: server a missing',
      'backend web: server b held in maintenance',
      'backend web: server b has weight 1, not 2',
      'backend web: server x should not be there',
    ]);
    expect(d.ops).toEqual([
      { op: 'add-server', backend: 'web', server: 'a', args: '10.0.0.1:80' },
      { op: 'set-state', backend: 'web', server: 'b', state: 'ready' },
      { op: 'set-weight', backend: 'web', server: 'b', weight: 2 },
      { op: 'drain-server', backend: 'web', server: 'x' },
      { op: 'retire-server', backend: 'web', server: 'x' },
    ]);
  });

  it('leaves retired servers (in maintenance, not desired) alone', () => {
    expect(liveDifference(new Map([['web', be({})]]), [row('old', '10.0.0.5', 80, 0x01)])).toEqual({ ops: [], differences: [] });
  });

  it('points a server at the right address in place (its name cannot be added twice)', () => {
    const d = liveDifference(new Map([['web', be({ a: '10.0.0.1:80' })]]), [row('a', '10.0.0.7', 80)]);
    expect(d.ops).toEqual([{ op: 'set-addr', backend: 'web', server: 'a', addr: '10.0.0.1', port: 80 }]);
  });

  it('drains a server that should be disabled but takes traffic', () => {
    const d = liveDifference(new Map([['web', be({ a: '10.0.0.1:80 disabled' })]]), [row('a', '10.0.0.1', 80)]);
    expect(d.ops).toEqual([{ op: 'set-state', backend: 'web', server: 'a', state: 'drain' }]);
  });
});
