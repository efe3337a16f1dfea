import type { DestinationStream } from 'pino';
import { createLogger, formatPrettyLine, resolveLevel, scrubUrlCredentials } from '../../../src/log.js';

/** A destination that keeps every line written, like pino's own test sink. */
function sink(): DestinationStream & { lines: string[]; text(): string } {
  const lines: string[] = [];
  return { lines, write: (l: string) => void lines.push(l), text: () => lines.join('') };
}

describe('redaction', () => {
  const SECRET = 'hunter2-very-secret';
  test.each<[string, Record<string, unknown>]>([
    ['password field', { auth: { user: 'alice', password: SECRET } }],
    ['top-level password', { password: SECRET }],
    ['authorization header', { headers: { authorization: `Basic ${SECRET}` } }],
    ['Authorization header', { req: { Authorization: `Bearer ${SECRET}` } }],
    ['token', { dcos: { token: SECRET } }],
    ['authCredentials (Settings shape)', { authCredentials: { user: 'alice', password: SECRET } }],
    ['settings nested', { settings: { authCredentials: { user: 'a', password: SECRET } } }],
    ['cookie', { headers: { cookie: `session=${SECRET}` } }],
    ['private key', { dcosAuthCredentials: { uid: 'u', privateKey: SECRET } }],
    ['URL credentials', { marathon: `http://alice:${SECRET}@marathon.mesos:8080/v2/apps` }],
    ['URL credentials in a list', { marathon: [`https://bob:${SECRET}@m1:8443`] }],
    ['URL credentials with a quote in the password', { marathon: `http://alice:"${SECRET}@m:8080` }],
    ['URL credentials in an error', { err: new Error(`connect ECONNREFUSED http://u:${SECRET}@m:8080`) }],
  ])('%s', (_name, fields) => {
    const out = sink();
    createLogger({ level: 'DEBUG', destination: out }).info(fields, 'marathon request');
    expect(out.lines).toHaveLength(1);
    expect(out.text()).not.toContain(SECRET);
    expect(JSON.parse(out.lines[0] ?? '')).toMatchObject({ msg: 'marathon request', level: 30 });
  });

  test('URL credentials in the message itself', () => {
    const out = sink();
    createLogger({ level: 'info', destination: out }).warn(`fetch failed for http://a:${SECRET}@m:8080`);
    expect(out.text()).not.toContain(SECRET);
    expect(out.text()).toContain('http://***@m:8080');
  });

  test('child logger bindings are scrubbed and redacted too', () => {
    const out = sink();
    createLogger({ level: 'info', destination: out })
      .child({ marathon: `http://u:${SECRET}@m:8080`, auth: { password: SECRET } })
      .info('connected');
    expect(out.text()).not.toContain(SECRET);
    expect(JSON.parse(out.lines[0] ?? '')).toMatchObject({ marathon: 'http://***@m:8080', msg: 'connected' });
  });

  test('the caller\'s object is not modified', () => {
    const fields = { marathon: `http://u:${SECRET}@m` };
    createLogger({ level: 'info', destination: sink() }).info(fields, 'x');
    expect(fields.marathon).toContain(SECRET);
  });

  test('harmless fields survive', () => {
    const out = sink();
    createLogger({ level: 'info', destination: out }).info({ appId: '/web', marathon: 'http://m:8080' }, 'app skipped');
    expect(JSON.parse(out.lines[0] ?? '')).toMatchObject({ appId: '/web', marathon: 'http://m:8080', name: 'marathon-lb' });
  });
});

describe('levels', () => {
  test.each([
    ['CRITICAL', 'fatal'], ['ERROR', 'error'], ['WARNING', 'warn'], ['INFO', 'info'], ['DEBUG', 'debug'], ['NOTSET', 'trace'],
    ['warning', 'warn'], ['info', 'info'], ['silent', 'silent'],
  ])('%s -> %s', (given, pinoLevel) => {
    expect(resolveLevel(given)).toBe(pinoLevel);
  });
  test('an unknown level throws with marathon-lb\'s message', () => {
    expect(() => resolveLevel('loud')).toThrow('Invalid log level: LOUD');
  });
  test('records below the level are dropped', () => {
    const out = sink();
    const log = createLogger({ level: 'WARNING', destination: out });
    log.info('quiet');
    log.warn('loud');
    expect(out.lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['loud']);
  });
});

describe('--log-format', () => {
  test('a Python format string is accepted and gives JSON', () => {
    const out = sink();
    createLogger({ level: 'info', format: '%(asctime)-15s %(name)s: %(message)s', destination: out }).info({ appId: '/a' }, 'hello');
    expect(JSON.parse(out.lines[0] ?? '')).toMatchObject({ msg: 'hello', appId: '/a' });
  });
  test.each(['text', 'pretty', 'TEXT'])('%s gives one readable line per record, still redacted', (format) => {
    const out = sink();
    createLogger({ level: 'info', format, destination: out }).info({ appId: '/a', auth: { password: 'pw-123456' } }, 'hello');
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+ INFO hello appId="\/a" auth=\{"password":"\[redacted\]"\}\n$/);
  });
  test('formatPrettyLine passes through a line that is not JSON', () => {
    expect(formatPrettyLine('plain')).toBe('plain\n');
  });
});

test('scrubUrlCredentials', () => {
  expect(scrubUrlCredentials('a http://u:p@h:1/x and https://tok@h2 and http://h3/')).toBe('a http://***@h:1/x and https://***@h2 and http://h3/');
});
