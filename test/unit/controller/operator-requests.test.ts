// A resync or reload asked by a process signal or over HTTP: the same loop call, with a reason
// that says where it came from, and one log line.

import { operatorRequests } from '../../../src/controller/operator-requests.js';

function fakes() {
  const calls: string[] = [];
  const lines: Array<[unknown, string]> = [];
  const loop = {
    markDirty: (reason: string, apps?: readonly string[]) => { calls.push(`markDirty ${reason} ${apps === undefined ? 'everything' : apps.join(',')}`); },
    requestReload: (reason: string) => { calls.push(`requestReload ${reason}`); },
  };
  const log = { info: (obj: unknown, msg: string) => { lines.push([obj, msg]); } };
  return { calls, lines, requests: operatorRequests(loop, log as never) };
}

describe('operator requests', () => {
  it('resync marks everything dirty (a full read), reload asks for a reload of the file on disk', () => {
    const { calls, lines, requests } = fakes();
    requests.resync('signal');
    requests.resync('http');
    requests.reload('signal');
    requests.reload('http');
    expect(calls).toEqual([
      'markDirty signal:SIGHUP everything',
      'markDirty http:/_mlb_signal/hup everything',
      'requestReload signal:SIGUSR1',
      'requestReload http:/_mlb_signal/usr1',
    ]);
    expect(lines.map(([, msg]) => msg)).toEqual(['resync requested', 'resync requested', 'reload requested', 'reload requested']);
    expect(lines[1]![0]).toEqual({ signal: 'SIGHUP', source: 'http' });
  });
});
