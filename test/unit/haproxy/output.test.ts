import { HaproxyOutputParser, parseHaproxyLine } from '../../../src/haproxy/output.js';

describe('parseHaproxyLine: HAProxy\'s output at the level it deserves', () => {
  test.each<[string, string, string]>([
    ['[ALERT]    (10121) : config : parsing [/x.cfg:3] : unknown keyword \'frobnicate\'', 'error', 'ALERT'],
    ['[WARNING]  (10121) : config : missing timeouts for frontend \'f\'.', 'warn', 'WARNING'],
    ['[NOTICE]   (10119) : New worker (10121) forked', 'debug', 'NOTICE'],
    ['[NOTICE]   (10119) : Loading success.', 'debug', 'NOTICE'],
    ['[NOTICE]   (10119) : haproxy version is 2.6.12-1+deb12u4', 'debug', 'NOTICE'],
    // Routine warnings of every reload and stop.
    ['[WARNING]  (10121) : Proxy f stopped (cumulated conns: FE: 0, BE: 0).', 'debug', 'WARNING'],
    ['[WARNING]  (10119) : Former worker (10121) exited with code 0 (Exit)', 'debug', 'WARNING'],
    ['[WARNING]  (10119) : Current worker (10286) exited with code 0 (Exit)', 'debug', 'WARNING'],
    ['[WARNING]  (10119) : Exiting Master process...', 'debug', 'WARNING'],
    ['[WARNING]  (10119) : All workers exited. Exiting... (0)', 'debug', 'WARNING'],
    ['[WARNING]  (1) : config : config: Can\'t open global server state file \'/run/server-state\': No such file or directory', 'debug', 'WARNING'],
    // The controller's own drains.
    ['[WARNING]  (10121) : Server app_10000/t1 is going DOWN for maintenance. 1 active and 0 backup servers left.', 'debug', 'WARNING'],
    // The same, as HAProxy 2.6 prints them after a command on its runtime API or master CLI.
    ['[WARNING]  (10121) : CLI : Server nginx_10000/127_0_0_1_32541 is UP/READY (leaving forced maintenance).', 'debug', 'WARNING'],
    ['[WARNING]  (10121) : CLI : Server web_10001/127_0_0_1_32539 enters drain state. 3 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.', 'debug', 'WARNING'],
    ['[WARNING]  (10121) : CLI : Server web_10001/127_0_0_1_32539 is going DOWN for maintenance. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.', 'debug', 'WARNING'],
    ['[WARNING]  (10121) : CLI : Proxy f stopped (cumulated conns: FE: 0, BE: 0).', 'debug', 'WARNING'],
    // Health flips are worth seeing; failures are serious.
    ['[WARNING]  (10121) : Server b/s1 is UP, reason: Layer7 check passed, code: 200', 'info', 'WARNING'],
    ['[WARNING]  (10121) : Server b/s1 is DOWN, reason: Layer4 connection problem', 'warn', 'WARNING'],
    ['[WARNING]  (10119) : Loading failure!', 'error', 'WARNING'],
    ['[ALERT]    (10119) : Current worker (10286) exited with code 139 (Segmentation fault)', 'error', 'ALERT'],
    ['[WARNING]  (10119) : Former worker (10121) exited with code 1 (Exit)', 'error', 'WARNING'],
    // A bare line from `log stdout` (a traffic log, say).
    ['127.0.0.1:5555 [01/Dec/2026:05:00:00.000] f b/s1 0/0/0/1/1 200 10 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"', 'info', 'LOG'],
  ])('%s -> %s', (line, level, haproxyLevel) => {
    expect(parseHaproxyLine(line)).toMatchObject({ level, haproxyLevel });
  });

  test('the prefix is taken apart: pid and text', () => {
    expect(parseHaproxyLine('[NOTICE]   (42) : Reloading HAProxy')).toEqual({ level: 'debug', haproxyLevel: 'NOTICE', pid: 42, text: 'Reloading HAProxy' });
  });

  test('blank lines are nothing', () => {
    expect(parseHaproxyLine('   ')).toBeUndefined();
  });
});

describe('HaproxyOutputParser: one record per event', () => {
  const prefixed = "[ALERT]    (10121) : backend 'b' has no server available!";
  const bare = 'backend b has no server available!';

  test('the `log stdout` copy of a stderr line is dropped, in either order', () => {
    const a = new HaproxyOutputParser();
    expect(a.push(prefixed)).toMatchObject({ level: 'error', text: "backend 'b' has no server available!" });
    expect(a.push(bare)).toBeUndefined();
    const b = new HaproxyOutputParser();
    expect(b.push(bare)).toMatchObject({ haproxyLevel: 'LOG' });
    expect(b.push(prefixed)).toBeUndefined();
  });

  test('a copy is dropped when the stderr line names its cause (`CLI : `) and the copy does not', () => {
    const p = new HaproxyOutputParser();
    expect(p.push('[WARNING]  (7) : CLI : Proxy f stopped (cumulated conns: FE: 0, BE: 0).')).toMatchObject({ level: 'debug', text: 'CLI : Proxy f stopped (cumulated conns: FE: 0, BE: 0).' });
    expect(p.push('Proxy f stopped (cumulated conns: FE: 0, BE: 0).')).toBeUndefined();
  });

  test('the same event twice (two proxies, two reloads) is logged twice, each copy dropped once', () => {
    const p = new HaproxyOutputParser();
    const line = '[WARNING]  (7) : Proxy f stopped (cumulated conns: FE: 0, BE: 0).';
    const copy = 'Proxy f stopped (cumulated conns: FE: 0, BE: 0).';
    const out = [line, line, copy, copy, line, copy].map((l) => p.push(l));
    expect(out.filter((r) => r !== undefined)).toHaveLength(3);
  });

  test('a bare line with no twin is kept', () => {
    const p = new HaproxyOutputParser();
    expect(p.push('some traffic log')).toMatchObject({ level: 'info', text: 'some traffic log' });
  });
});
