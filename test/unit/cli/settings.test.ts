import { FLAGS } from '../../../src/cli/flags.js';
import { parseSettings, type ParseSettingsOptions } from '../../../src/cli/parse-settings.js';
import type { Settings } from '../../../src/settings.js';

const G = ['--group', 'external'];

function ok(argv: readonly string[], options: ParseSettingsOptions = {}): Settings {
  const r = parseSettings(argv, { cwd: '/work', packageRoot: '/pkg', ...options });
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.problems)}`);
  return r.settings;
}

function problems(argv: readonly string[], options: ParseSettingsOptions = {}): string[] {
  const r = parseSettings(argv, { cwd: '/work', packageRoot: '/pkg', ...options });
  if (r.ok) throw new Error('expected problems, got settings');
  return r.problems.map((p) => p.message);
}

describe('defaults', () => {
  const s = ok(G);
  test.each<[keyof Settings, unknown]>([
    ['mode', 'once'],
    ['marathon', ['http://master.mesos:8080']],
    ['haproxyConfig', '/etc/haproxy/haproxy.cfg'],
    ['groups', ['external']],
    ['command', undefined],
    ['maxReloadRetries', 10],
    ['reloadInterval', 10],
    ['strictMode', false],
    ['archiveVersions', 5],
    ['healthCheck', false],
    ['lruCacheCapacity', 1000],
    ['haproxyMap', false],
    ['dontBindHttpHttps', false],
    ['groupHttpsByVhost', false],
    ['sslCerts', ['/etc/ssl/cert.pem']],
    ['skipValidation', false],
    ['skipConfigCleanup', false],
    ['dry', false],
    ['minServPortIpPerTask', 10050],
    ['maxServPortIpPerTask', 10100],
    ['maxBackoff', 300],
    ['syslogSocket', '/dev/log'],
    ['logFormat', '%(asctime)-15s %(name)s: %(message)s'],
    ['logLevel', 'DEBUG'],
    ['authCredentials', undefined],
    ['dcosAuthCredentials', undefined],
    ['marathonCaCert', undefined],
    ['pollInterval', 60],
    ['resyncInterval', 300],
    ['debounceMs', 0],
    ['maxDelayMs', 5000],
    ['minReloadInterval', 2],
    ['haproxyBin', 'haproxy'],
    ['luaDir', '/pkg/lua'],
    ['runDir', '/var/run/haproxy'],
    ['superviseHaproxy', false],
    ['ejsTemplate', undefined],
    ['templatesDir', '/work/templates'],
    ['pidFile', '/var/run/haproxy/marathon-lb.pid'],
    ['callbackListen', undefined],
    ['callbackUrl', undefined],
    ['statusPort', 9092],
    ['httpPort', 80],
    ['httpsPort', 443],
    ['adminPort', 9090],
    ['appidPort', 9091],
    ['bindAddress', '*'],
    ['frameworkName', undefined],
    ['globalDefaultOptions', ['dontlognull', 'http-server-close', 'redispatch']],
  ])('%s', (field, expected) => {
    expect(s[field]).toEqual(expected);
  });
});

// Every flag, given on the command line, lands in its Settings field. The last column lists
// the flag names the row covers, so the completeness check below can fail for a new flag.
const ROWS: ReadonlyArray<[string[], keyof Settings, unknown]> = [
  [['-m', 'http://a:8080', 'http://b:8080'], 'marathon', ['http://a:8080', 'http://b:8080']],
  [['--marathon', 'http://a:8080'], 'marathon', ['http://a:8080']],
  [['--haproxy-config', 'cfg/haproxy.cfg'], 'haproxyConfig', '/work/cfg/haproxy.cfg'],
  [['-c', '/bin/reload --now'], 'command', '/bin/reload --now'],
  [['--command', 'sv reload haproxy'], 'command', 'sv reload haproxy'],
  [['--max-reload-retries', '-1'], 'maxReloadRetries', -1],
  [['--reload-interval', '3'], 'reloadInterval', 3],
  [['--strict-mode'], 'strictMode', true],
  [['-s'], 'mode', 'sse'],
  [['--sse'], 'mode', 'sse'],
  [['--archive-versions', '0'], 'archiveVersions', 0],
  [['-H'], 'healthCheck', true],
  [['--health-check'], 'healthCheck', true],
  [['--lru-cache-capacity', '50'], 'lruCacheCapacity', 50],
  [['--dns-ttl', '5'], 'dnsTtlSeconds', 5],
  [['--haproxy-map'], 'haproxyMap', true],
  [['--dont-bind-http-https'], 'dontBindHttpHttps', true],
  [['--group-https-by-vhost'], 'groupHttpsByVhost', true],
  [['--ssl-certs', '/a.pem,/b.pem'], 'sslCerts', ['/a.pem', '/b.pem']],
  [['--ssl-certs', ''], 'sslCerts', ['/etc/ssl/cert.pem']],
  [['--skip-validation'], 'skipValidation', true],
  [['--skip-config-cleanup'], 'skipConfigCleanup', true],
  [['-d'], 'dry', true],
  [['--dry'], 'dry', true],
  [['--min-serv-port-ip-per-task', '10060'], 'minServPortIpPerTask', 10060],
  [['--max-serv-port-ip-per-task', '20000'], 'maxServPortIpPerTask', 20000],
  [['--max-backoff', '30'], 'maxBackoff', 30],
  [['--syslog-socket', '/dev/null'], 'syslogSocket', '/dev/null'],
  [['--log-format', 'text'], 'logFormat', 'text'],
  [['--log-level', 'warning'], 'logLevel', 'WARNING'],
  [['--auth-credentials', 'alice:s3cret'], 'authCredentials', { user: 'alice', password: 's3cret' }],
  [['--dcos-auth-credentials', '{"uid":"u","private_key":"K","login_endpoint":"https://m/acs"}'], 'dcosAuthCredentials', { uid: 'u', privateKey: 'K', loginEndpoint: 'https://m/acs' }],
  [['--marathon-ca-cert', 'ca.pem'], 'marathonCaCert', '/work/ca.pem'],
  [['--poll-interval', '0.5'], 'pollInterval', 0.5],
  [['--resync-interval', '30'], 'resyncInterval', 30],
  [['--debounce-ms', '0'], 'debounceMs', 0],
  [['--max-delay-ms', '900'], 'maxDelayMs', 900],
  [['--min-reload-interval', '0'], 'minReloadInterval', 0],
  [['--haproxy-bin', '/usr/sbin/haproxy'], 'haproxyBin', '/usr/sbin/haproxy'],
  [['--lua-dir', 'lua'], 'luaDir', '/work/lua'],
  [['--run-dir', '/tmp/run'], 'runDir', '/tmp/run'],
  [['--supervise-haproxy'], 'superviseHaproxy', true],
  [['--ejs-template', 'all.ejs'], 'ejsTemplate', '/work/all.ejs'],
  [['--templates-dir', '/etc/mlb/templates'], 'templatesDir', '/etc/mlb/templates'],
  [['--pid-file', 'mlb.pid'], 'pidFile', '/work/mlb.pid'],
  [['--run-dir', '/tmp/run'], 'pidFile', '/tmp/run/marathon-lb.pid'],
  [['--callback-url', 'http://lb1:8090/cb'], 'callbackUrl', 'http://lb1:8090/cb'],
  [['-u', 'http://lb1:8090/cb'], 'callbackListen', '0.0.0.0:8090'],
  [['--listening', '127.0.0.1:9000'], 'callbackListen', '127.0.0.1:9000'],
  [['-l', 'http://127.0.0.1:9000'], 'callbackUrl', 'http://127.0.0.1:9000'],
  [['--status-port', '0'], 'statusPort', 0],
  [['--http-port', '8080'], 'httpPort', 8080],
  [['--https-port', '8443'], 'httpsPort', 8443],
  [['--admin-port', '19090'], 'adminPort', 19090],
  [['--appid-port', '19091'], 'appidPort', 19091],
  [['--bind-address', '127.0.0.1'], 'bindAddress', '127.0.0.1'],
  // hardened edges (issue 14)
  [[], 'sseMaxLineLength', 16 * 1024 * 1024],
  [['--sse-max-line-length', '1048576'], 'sseMaxLineLength', 1048576],
  [[], 'adminBindAddress', '*'],
  [['--bind-address', '10.0.0.5'], 'adminBindAddress', '10.0.0.5'],
  [['--admin-bind-address', '127.0.0.1'], 'adminBindAddress', '127.0.0.1'],
  [[], 'adminWriteNetworks', []],
  [['--admin-write-networks', '10.0.0.0/8, 192.168.1.7,fd00::/8,10.0.0.0/8'], 'adminWriteNetworks', ['10.0.0.0/8', '192.168.1.7', 'fd00::/8']],
  [['--marathon-cluster', 'east=http://a:8080'], 'marathonClusters', [{ name: 'east', urls: ['http://a:8080'] }]],
];

describe('every flag reaches its field', () => {
  test.each(ROWS)('%j -> %s', (argv, field, expected) => {
    expect(ok([...G, ...argv])[field]).toEqual(expected);
  });

  test('every flag of the table has a row (add one when adding a flag)', () => {
    const covered = new Set<string>();
    for (const [argv] of ROWS) for (const a of argv) if (a.startsWith('-')) covered.add(a);
    // Covered elsewhere: --group (repetition), the credential file (credentials), --longhelp (run.test.ts).
    const elsewhere = new Set(['group', 'marathon-auth-credential-file', 'longhelp']);
    const missing = FLAGS.filter((f) => !f.builtin && !elsewhere.has(f.name))
      .filter((f) => !covered.has(`--${f.name}`))
      .map((f) => f.name);
    expect(missing).toEqual([]);
  });
});

describe('repetition', () => {
  test('--group appends', () => {
    expect(ok(['--group', 'external', '--group', 'internal', '--group', '*']).groups).toEqual(['external', 'internal', '*']);
  });
  test('--marathon repeated: the last list wins', () => {
    expect(ok([...G, '--marathon', 'http://a', 'http://b', '--marathon', 'http://c']).marathon).toEqual(['http://c']);
  });
  test('a value flag repeated: the last wins', () => {
    expect(ok([...G, '--log-level', 'INFO', '--log-level', 'error']).logLevel).toBe('ERROR');
    expect(ok([...G, '--reload-interval', '5', '--reload-interval=7']).reloadInterval).toBe(7);
  });
});

describe('modes', () => {
  test.each<[string[], Settings['mode']]>([
    [[], 'once'],
    [['sse'], 'sse'],
    [['poll'], 'poll'],
    [['sse', '--sse'], 'sse'],
    [['event', '--callback-url', 'http://lb:8090'], 'event'],
  ])('%j -> %s', (argv, mode) => {
    expect(ok([...argv, ...G]).mode).toBe(mode);
  });
  test('--sse with another mode is a conflict', () => {
    expect(problems(['poll', '--sse', ...G])).toEqual([expect.stringContaining('--sse conflicts')]);
  });
  test('event mode needs a callback URL', () => {
    expect(problems(['event', ...G])).toEqual([expect.stringContaining('--callback-url')]);
  });
});

describe('environment', () => {
  test('POLL_INTERVAL is the default of --poll-interval', () => {
    expect(ok(G, { env: { POLL_INTERVAL: '15' } }).pollInterval).toBe(15);
  });
  test('the flag beats POLL_INTERVAL', () => {
    expect(ok([...G, '--poll-interval', '5'], { env: { POLL_INTERVAL: '15' } }).pollInterval).toBe(5);
  });
  test('a bad POLL_INTERVAL names the variable', () => {
    expect(problems(G, { env: { POLL_INTERVAL: 'soon' } })).toEqual([expect.stringContaining('POLL_INTERVAL')]);
  });
  test('HAPROXY_GLOBAL_DEFAULT_OPTIONS: trimmed, de-duplicated, sorted', () => {
    const s = ok(G, { env: { HAPROXY_GLOBAL_DEFAULT_OPTIONS: ' redispatch, forwardfor ,redispatch,,abortonclose' } });
    expect(s.globalDefaultOptions).toEqual(['abortonclose', 'forwardfor', 'redispatch']);
  });
  test('HAPROXY_GLOBAL_DEFAULT_OPTIONS set but empty: no options', () => {
    expect(ok(G, { env: { HAPROXY_GLOBAL_DEFAULT_OPTIONS: '' } }).globalDefaultOptions).toEqual([]);
  });
  test('FRAMEWORK_NAME', () => {
    expect(ok(G, { env: { FRAMEWORK_NAME: 'marathon-lb' } }).frameworkName).toBe('marathon-lb');
  });
  test('DCOS_SERVICE_ACCOUNT_CREDENTIAL is the default of --dcos-auth-credentials', () => {
    const json = '{"uid":"svc","private_key":"PEM","login_endpoint":"https://leader/acs/api/v1/auth/login"}';
    expect(ok(G, { env: { DCOS_SERVICE_ACCOUNT_CREDENTIAL: json } }).dcosAuthCredentials?.uid).toBe('svc');
  });
});

describe('credentials', () => {
  test('the password may contain colons: split at the first one', () => {
    expect(ok([...G, '--auth-credentials', 'bob:a:b:c']).authCredentials).toEqual({ user: 'bob', password: 'a:b:c' });
  });
  test.each(['nocolon', ':hunter2'])('--auth-credentials %j is rejected without echoing it', (value) => {
    const msgs = problems([...G, '--auth-credentials', value]);
    expect(msgs).toEqual([expect.stringContaining('user:pass format')]);
    expect(msgs.join()).not.toContain(value);
  });
  test('the credential file wins over --auth-credentials, first line only', () => {
    const s = ok([...G, '--auth-credentials', 'a:b', '--marathon-auth-credential-file', 'f'], { credentialFileText: 'carol:pw\r\nignored\n' });
    expect(s.authCredentials).toEqual({ user: 'carol', password: 'pw' });
  });
  test('an empty first line in the credential file means no basic auth', () => {
    expect(ok([...G, '--marathon-auth-credential-file', 'f'], { credentialFileText: '\nx:y\n' }).authCredentials).toBeUndefined();
  });
  test('basic auth beats DC/OS credentials', () => {
    const s = ok([...G, '--auth-credentials', 'a:b'], { env: { DCOS_SERVICE_ACCOUNT_CREDENTIAL: '{"uid":"u","private_key":"k","login_endpoint":"https://x"}' } });
    expect(s.dcosAuthCredentials).toBeUndefined();
  });
  test.each([
    ['not json', 'not valid JSON'],
    ['{"uid":"u"}', 'private_key, login_endpoint'],
  ])('bad DC/OS credentials %j', (value, fragment) => {
    expect(problems([...G, '--dcos-auth-credentials', value])).toEqual([expect.stringContaining(fragment)]);
  });
});

describe('checks', () => {
  test('at least one --group', () => {
    expect(problems([])).toEqual([expect.stringContaining('argument --group is required')]);
  });
  test.each<[string[], string]>([
    [['--min-serv-port-ip-per-task', '0'], 'either set both'],
    [['--max-serv-port-ip-per-task', '0'], 'either set both'],
    [['--min-serv-port-ip-per-task', '200', '--max-serv-port-ip-per-task', '100'], 'cannot be higher'],
    [['--log-level', 'verbose'], 'Invalid log level: VERBOSE'],
    [['--reload-interval', 'ten'], "argument --reload-interval: invalid int value: 'ten'"],
    [['--max-reload-retries', '1.5'], 'invalid int value'],
    [['--http-port', '70000'], 'must be at most 65535'],
    [['--poll-interval', '0'], 'must be at least'],
    [['--marathon', 'master.mesos:8080'], 'not an http(s) URL'],
    [['--callback-url', 'lb:8090'], 'not an http(s) URL'],
    [['--listening', 'nowhere'], 'expected host:port'],
    [['--admin-write-networks', '10.0.0.0/33'], "'10.0.0.0/33' is not an IPv4 or IPv6 address or network"],
    [['--admin-write-networks', 'intranet'], "'intranet' is not an IPv4"],
    [['--admin-write-networks', '10.0.0.1,10.0.0.0/8/1'], "'10.0.0.0/8/1' is not"],
  ])('%j', (argv, fragment) => {
    expect(problems([...G, ...argv]).join('\n')).toContain(fragment);
  });
  test('0/0 disables service port assignment', () => {
    const s = ok([...G, '--min-serv-port-ip-per-task', '0', '--max-serv-port-ip-per-task', '0']);
    expect([s.minServPortIpPerTask, s.maxServPortIpPerTask]).toEqual([0, 0]);
  });
  test('several problems are all reported', () => {
    expect(problems(['--log-level', 'x', '--reload-interval', 'y'])).toHaveLength(3);
  });
});
