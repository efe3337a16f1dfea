import { describeConnectError } from '../../../src/marathon/connect-errors.js';

const err = (message: string, extra: Record<string, unknown>) => Object.assign(new Error(message), extra);
const timeouts = { connect: 3050, idle: 10_000 };

describe('describeConnectError: what to do, not just what broke', () => {
  test.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'],
  ])('%s names --marathon-ca-cert', (code, message) => {
    expect(describeConnectError(err(message, { code }), timeouts)).toBe(
      `${message} (TLS verification failed: pass Marathon's CA certificate with --marathon-ca-cert)`);
  });

  test('a connect timeout and an idle timeout say which, and how long', () => {
    expect(describeConnectError(err("Timeout awaiting 'connect' for 3050ms", { code: 'ETIMEDOUT', event: 'connect' }), timeouts))
      .toBe('no connection within 3050 ms (connect timeout)');
    expect(describeConnectError(err("Timeout awaiting 'socket' for 10000ms", { code: 'ETIMEDOUT', event: 'socket' }), timeouts))
      .toBe('connected, then no data for 10000 ms (idle-read timeout)');
  });

  test('anything else is its own message', () => {
    expect(describeConnectError(err('connect ECONNREFUSED 127.0.0.1:1', { code: 'ECONNREFUSED' }), timeouts)).toBe('connect ECONNREFUSED 127.0.0.1:1');
    expect(describeConnectError('plain', timeouts)).toBe('plain');
  });
});
