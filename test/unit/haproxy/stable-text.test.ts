// HAProxy's text made stable for logs that compare messages pass after pass.

import { stableText, withoutPids } from '../../../src/haproxy/index.js';

describe('stable HAProxy text', () => {
  it('drops the pid after each level tag, at a line start or inside a joined message', () => {
    expect(withoutPids('[ALERT]    (4270) : config : x\n[WARNING]  (4271) : y')).toBe('[ALERT] : config : x\n[WARNING] : y');
    expect(withoutPids('reload failed: [ALERT]    (12) : a / [ALERT]    (13) : b')).toBe('reload failed: [ALERT] : a / [ALERT] : b');
    expect(withoutPids('server (42) is fine')).toBe('server (42) is fine');
  });

  it('names the real paths instead of the temp ones, in alerts, their files and the output', () => {
    const check = '/etc/haproxy/.mlb-tmp/haproxy.cfg.77.0badf00d.check';
    const map = '/etc/haproxy/.mlb-tmp/app2backend.map.77.deadbeef.tmp';
    const v = stableText({
      ok: false as const,
      alerts: [{ file: check, line: 9, message: `map ${map} in ${check}:3` }],
      output: `[ALERT]    (9) : config : Parsing [${check}:9]: map ${map}\n`,
    }, [{ from: check, to: '/etc/haproxy/haproxy.cfg' }, { from: map, to: '/etc/haproxy/app2backend.map' }]);
    expect(v).toEqual({
      ok: false,
      alerts: [{ file: '/etc/haproxy/haproxy.cfg', line: 9, message: 'map /etc/haproxy/app2backend.map in /etc/haproxy/haproxy.cfg:3' }],
      output: '[ALERT] : config : Parsing [/etc/haproxy/haproxy.cfg:9]: map /etc/haproxy/app2backend.map\n',
    });
  });
});
