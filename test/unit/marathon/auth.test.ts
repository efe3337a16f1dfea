import { createVerify, generateKeyPairSync } from 'node:crypto';
import { basicAuthHeader, serviceLoginToken, tokenFromLoginResponse } from '../../../src/marathon/auth.js';

describe('basic auth', () => {
  it('encodes user:password', () => {
    expect(basicAuthHeader({ user: 'admin', password: 'p:w' })).toBe(`Basic ${Buffer.from('admin:p:w').toString('base64')}`);
  });
});

describe('DC/OS service login token', () => {
  it('is an RS256 JWT over {uid, exp} that verifies with the public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const jwt = serviceLoginToken('svc-lb', pem, 1_700_000_060);
    const [header, claims, signature] = jwt.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(claims, 'base64url').toString())).toEqual({ uid: 'svc-lb', exp: 1_700_000_060 });
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${header}.${claims}`);
    expect(verifier.verify(publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
  });

  it('takes the token from the dcos-acs-auth-cookie first, then the body', () => {
    expect(tokenFromLoginResponse(['dcos-acs-info-cookie=abc; Path=/', 'dcos-acs-auth-cookie=tok1; Path=/; HttpOnly'], '{"token":"tok2"}')).toBe('tok1');
    expect(tokenFromLoginResponse(undefined, '{"token":"tok2"}')).toBe('tok2');
    expect(tokenFromLoginResponse([], 'not json')).toBeUndefined();
  });
});
