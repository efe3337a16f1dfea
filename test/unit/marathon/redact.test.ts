import { redactUrl, scrubSecrets, splitUrlCredentials } from '../../../src/marathon/redact.js';
import { MarathonAuthError, MarathonHttpError } from '../../../src/marathon/errors.js';

describe('redactUrl', () => {
  it.each([
    ['http://admin:s3cret@marathon:8080', 'http://marathon:8080/'],
    ['https://user@m.example:8443/prefix', 'https://m.example:8443/prefix'],
    ['http://marathon:8080', 'http://marathon:8080'],
    ['http://adm:s3cret@[bad-host', 'http://[bad-host'],
  ])('%s -> %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
    expect(redactUrl(input)).not.toContain('s3cret');
  });
});

describe('splitUrlCredentials', () => {
  it('takes percent-encoded credentials out of the URL', () => {
    expect(splitUrlCredentials('http://ad%40min:p%3Ass@h:8080/')).toEqual({
      url: 'http://h:8080/',
      auth: { user: 'ad@min', password: 'p:ss' },
    });
  });
  it('leaves a plain URL without auth', () => {
    expect(splitUrlCredentials('http://h:8080')).toEqual({ url: 'http://h:8080/' });
  });
});

describe('scrubSecrets', () => {
  it('removes known secrets and Authorization header values', () => {
    const out = scrubSecrets('failed with hunter22 and Basic YWRtaW46aHVudGVyMjI=', ['hunter22']);
    expect(out).not.toContain('hunter22');
    expect(out).not.toContain('YWRtaW46aHVudGVyMjI=');
  });
});

describe('error messages', () => {
  it('never carry URL credentials', () => {
    const auth = new MarathonAuthError(401, 'http://admin:s3cret@m:8080');
    expect(auth.message).not.toContain('s3cret');
    expect(auth.message).toContain('http://m:8080');
    expect(auth).toMatchObject({ code: 'ERR_MARATHON_AUTH', retryable: false, status: 401 });
    const httpError = new MarathonHttpError(404, 'http://a:b@m:8080', "App '/x' does not exist");
    expect(httpError.message).toBe("Marathon at http://m:8080/ answered 404: App '/x' does not exist");
  });
});
