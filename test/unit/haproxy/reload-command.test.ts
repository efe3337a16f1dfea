// What marathon-lb would have reloaded with, without --command: named in the controller's warning.

import { marathonLbDefaultReload } from '../../../src/haproxy/reload-command.js';

describe('marathonLbDefaultReload: marathon-lb\'s choice without --command', () => {
  const on = (...files: string[]) => marathonLbDefaultReload((f) => files.includes(f));

  it('upstart first, then a systemd unit in any of its three directories, then the init.d script', () => {
    expect(on('/etc/init/haproxy.conf', '/lib/systemd/system/haproxy.service', '/etc/init.d/haproxy')).toEqual({ file: '/etc/init/haproxy.conf', command: 'reload haproxy' });
    for (const unit of ['/usr/lib/systemd/system/haproxy.service', '/lib/systemd/system/haproxy.service', '/etc/systemd/system/haproxy.service']) {
      expect(on(unit, '/etc/init.d/haproxy')).toEqual({ file: unit, command: 'systemctl reload haproxy' });
    }
    expect(on('/etc/init.d/haproxy')).toEqual({ file: '/etc/init.d/haproxy', command: '/etc/init.d/haproxy reload' });
  });

  it('nothing found: no reload, as marathon-lb', () => {
    expect(on()).toBeUndefined();
  });
});
