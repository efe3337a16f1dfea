import { parseAlerts, parseWarnings } from '../../../src/haproxy/validate.js';
import { parseShowProc } from '../../../src/haproxy/master.js';
import { cliWord, isRuntimeError, parseServersState, parseShowMap, parseStatCsv } from '../../../src/haproxy/runtime-api.js';
import { splitShellWords } from '../../../src/haproxy/shell-words.js';

// Output captured from HAProxy 2.6.12.
const CHECK_OUTPUT = `[NOTICE]   (4270) : haproxy version is 2.6.12-1+deb12u4
[NOTICE]   (4270) : path to executable is /usr/sbin/haproxy
[ALERT]    (4270) : config : parsing [bad.cfg:14] : unknown keyword 'bogus' in 'backend' section
[ALERT]    (4291) : config : Parsing [/etc/haproxy/haproxy.cfg:7]: failed to parse use_backend rule 'x'
[ALERT]    (4272) : config : [bad2.cfg:15] : 'server b/s1' : unknown keyword 'chekc'; did you mean 'check' maybe ?
[WARNING]  (4291) : config : missing timeouts for frontend 'f'.
   | While not properly invalid, you will certainly encounter various problems
[ALERT]    (4270) : config : Error(s) found in configuration file : bad.cfg
[ALERT]    (4270) : config : Fatal errors found in configuration.
`;

describe('parseAlerts', () => {
  it('keeps file and line for the three location spellings and drops the summaries', () => {
    expect(parseAlerts(CHECK_OUTPUT)).toEqual([
      { file: 'bad.cfg', line: 14, message: "unknown keyword 'bogus' in 'backend' section" },
      { file: '/etc/haproxy/haproxy.cfg', line: 7, message: "failed to parse use_backend rule 'x'" },
      { file: 'bad2.cfg', line: 15, message: "'server b/s1' : unknown keyword 'chekc'; did you mean 'check' maybe ?" },
    ]);
  });
  it('keeps alerts without a location as messages', () => {
    expect(parseAlerts('[ALERT]    (1) : config : Cannot open configuration file/directory x.cfg : No such file or directory\n'))
      .toEqual([{ message: 'Cannot open configuration file/directory x.cfg : No such file or directory' }]);
  });
  it('joins continuation lines onto warnings', () => {
    expect(parseWarnings(CHECK_OUTPUT)).toEqual([
      "missing timeouts for frontend 'f'. While not properly invalid, you will certainly encounter various problems",
    ]);
  });
});

describe('parseShowProc', () => {
  it('separates the master, current workers and old workers, and reads the failed-reload counter', () => {
    const text = `#<PID>          <type>          <reloads>       <uptime>        <version>
4312            master          2 [failed: 1]   0d00h10m05s     2.6.12-1+deb12u4
# workers
4421            worker          1               0d00h10m03s     2.6.12-1+deb12u4
# old workers
4315            worker          3               0d00h00m43s     2.6.12-1+deb12u4
# programs

`;
    expect(parseShowProc(text)).toEqual({ master: 4312, workers: [4421], oldWorkers: [4315], failed: 1 });
  });
});

describe('runtime API answers', () => {
  it.each([
    ['', false], ['\n', false], ['New server registered.\n\n', false], ['Server deleted.\n', false],
    ['No such server.\n\n', true], ["'cookie' option is not accepted for dynamic server\n\n", true],
    ['Backend must use a dynamic load balancing to support dynamic servers.\n', true], ['entry not found.\n\n', true],
    ["'id' : custom id 42 already used at (null):0 ('server x1').\n\n", true],
  ])('%j is an error: %s', (answer, error) => {
    expect(isRuntimeError(answer)).toBe(error);
  });

  it('parses show servers state by its header', () => {
    const text = `1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
8 h 42 x1 127.0.0.1 0 1 1 1 0 1 0 0 2 0 0 1 - 18182 - 0 0 - - 0

`;
    expect(parseServersState(text)).toEqual([{
      backend: 'h', backendId: 8, server: 'x1', serverId: 42, addr: '127.0.0.1', port: 18182, opState: 0, adminState: 1, weight: 1,
    }]);
  });

  it('parses show stat CSV by its header', () => {
    const rows = parseStatCsv('# pxname,svname,qcur,scur,\nbe,s1,0,3,\nbe,BACKEND,0,3,\n');
    expect(rows).toEqual([{ pxname: 'be', svname: 's1', qcur: '0', scur: '3' }, { pxname: 'be', svname: 'BACKEND', qcur: '0', scur: '3' }]);
  });

  it('parses show map entries', () => {
    expect(parseShowMap('0x55 a.com b\n0x56 c.com h\n\n')).toEqual([{ key: 'a.com', value: 'b' }, { key: 'c.com', value: 'h' }]);
  });

  it('escapes spaces and semicolons for the CLI and refuses line breaks', () => {
    expect(cliWord('a b;c')).toBe('a\\ b\\;c');
    expect(() => cliWord('a\nshow stat')).toThrow(/line break/);
  });
});

describe('splitShellWords', () => {
  it.each([
    ['sv reload haproxy', ['sv', 'reload', 'haproxy']],
    [`sh -c 'echo "hi there"; exit 3'`, ['sh', '-c', 'echo "hi there"; exit 3']],
    [`a "b c" d\\ e ""`, ['a', 'b c', 'd e', '']],
    [`x "say \\"y\\""`, ['x', 'say "y"']],
    ['  spaced   out  ', ['spaced', 'out']],
  ])('%s', (line, words) => {
    expect(splitShellWords(line)).toEqual(words);
  });
  it('rejects an unclosed quote', () => {
    expect(() => splitShellWords("echo 'oops")).toThrow(/unclosed/);
  });
});
