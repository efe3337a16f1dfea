import { describe, expect, it } from '@jest/globals';
import { decodeAppLabels, decodePortLabels, parseBool, parseInteger } from '../../../src/model/index.js';

function port(labels: Record<string, string>, index = 0) {
  return decodePortLabels(labels, index);
}

describe('decodePortLabels: defaults', () => {
  it('no labels -> marathon-lb defaults, no problems', () => {
    const { settings, problems } = port({});
    expect(problems).toEqual([]);
    expect(settings).toEqual({
      vhosts: [], path: undefined, mode: undefined, balance: 'roundrobin', sticky: false, redirectToHttps: false,
      useHsts: false, sslCert: undefined, bindOptions: undefined, bindAddr: '*', port: undefined, auth: undefined,
      proxypassPath: undefined, revproxyPath: undefined, redirPath: undefined, backendWeight: 0,
      networkAllowed: undefined, healthCheckPortIndex: undefined, groups: undefined, enabled: undefined, templates: {},
    });
  });

  it('a port without labels of its own decodes as one whose own labels set nothing', () => {
    // The first is the shared shortcut, the second goes the whole way through the labels.
    const none = port({ HAPROXY_GROUP: 'external', HAPROXY_1_VHOST: 'other.example.com' });
    const nothingSet = port({ HAPROXY_GROUP: 'external', HAPROXY_0_NOT_A_SETTING: 'x' });
    expect(nothingSet).not.toBe(none);
    expect(none).toEqual(nothingSet);
    expect(Object.isFrozen(none.settings.vhosts) && Object.isFrozen(none.settings.templates)).toBe(true);
  });
});

describe('decodePortLabels: every label', () => {
  it.each([
    ['VHOST', 'Web.Example.COM', 'vhosts', ['web.example.com']],
    ['VHOST', 'a.com,B.com', 'vhosts', ['a.com', 'b.com']],
    ['VHOST', 'a.com,,b.com,', 'vhosts', ['a.com', 'b.com']],
    ['VHOST', '', 'vhosts', []],
    // A space after a comma is kept as marathon-lb keeps it (HAProxy reads it as a separator).
    ['VHOST', 'a.com, b.com', 'vhosts', ['a.com', ' b.com']],
    ['PATH', '-i /api /v2', 'path', '-i /api /v2'],
    ['MODE', 'HTTP', 'mode', 'http'],
    ['MODE', 'tcp', 'mode', 'tcp'],
    ['BALANCE', 'leastconn', 'balance', 'leastconn'],
    ['BALANCE', '', 'balance', 'roundrobin'],
    ['STICKY', 'true', 'sticky', true],
    ['REDIRECT_TO_HTTPS', 'Yes', 'redirectToHttps', true],
    ['USE_HSTS', 'y', 'useHsts', true],
    ['SSL_CERT', '/etc/ssl/site.pem', 'sslCert', '/etc/ssl/site.pem'],
    ['BIND_OPTIONS', 'verify required', 'bindOptions', 'verify required'],
    ['BIND_ADDR', '10.0.0.42', 'bindAddr', '10.0.0.42'],
    ['BIND_ADDR', '', 'bindAddr', '*'],
    ['PORT', '8080', 'port', 8080],
    ['PORT', ' 8080 ', 'port', 8080],
    ['AUTH', 'realm:user:$5$salt$hash', 'auth', { realm: 'realm', user: 'user', passwd: '$5$salt$hash' }],
    ['HTTP_BACKEND_PROXYPASS_PATH', '/app', 'proxypassPath', '/app'],
    ['HTTP_BACKEND_REVPROXY_PATH', '/app', 'revproxyPath', '/app'],
    ['HTTP_BACKEND_REDIR', '/home', 'redirPath', '/home'],
    ['BACKEND_WEIGHT', '7', 'backendWeight', 7],
    ['BACKEND_WEIGHT', '-3', 'backendWeight', -3],
    ['BACKEND_NETWORK_ALLOWED_ACL', '10.0.0.0/8 1.2.3.4', 'networkAllowed', '10.0.0.0/8 1.2.3.4'],
    ['BACKEND_HEALTHCHECK_PORT_INDEX', '1', 'healthCheckPortIndex', 1],
    ['GROUP', 'internal,external', 'groups', ['internal', 'external']],
    ['GROUP', 'a, b', 'groups', ['a', ' b']],
    ['ENABLED', 'false', 'enabled', false],
    ['ENABLED', 'T', 'enabled', true],
  ])('HAPROXY_0_%s=%j -> %s', (name, value, field, expected) => {
    const { settings, problems } = port({ [`HAPROXY_0_${name}`]: value });
    expect(problems).toEqual([]);
    expect((settings as unknown as Record<string, unknown>)[field]).toEqual(expected);
  });

  it.each(['a b.example.com', 'aaa web.example.com', 'a.com,b.com\tc.com'])('a vhost with a space inside (%j) is refused, naming it', (value) => {
    const { settings, problems } = port({ HAPROXY_0_VHOST: value });
    expect(settings.vhosts).toEqual([]);
    expect(problems).toEqual([{ label: 'HAPROXY_0_VHOST', reason: 'INVALID_LABEL', message: expect.stringMatching(/^vhost ".+" contains a space: separate vhosts with commas$/) }]);
  });

  it('labels for another index are not read', () => {
    expect(port({ HAPROXY_1_VHOST: 'x.com', HAPROXY_1_PORT: 'bad' }).settings.vhosts).toEqual([]);
    expect(port({ HAPROXY_1_VHOST: 'x.com' }, 1).settings.vhosts).toEqual(['x.com']);
  });

  it.each([
    [{ HAPROXY_0_PATH: '/api' }, 1],
    [{ HAPROXY_0_PATH: '/api', HAPROXY_0_BACKEND_WEIGHT: '0' }, 1],
    [{ HAPROXY_0_PATH: '/api', HAPROXY_0_BACKEND_WEIGHT: '5' }, 5],
    [{ HAPROXY_0_PATH: '', HAPROXY_0_BACKEND_WEIGHT: '0' }, 0],
  ])('PATH raises a zero weight to 1: %j -> %d', (labels, weight) => {
    expect(port(labels).settings.backendWeight).toBe(weight);
  });
});

describe('decodePortLabels: problems instead of exceptions', () => {
  it.each([
    ['HAPROXY_0_PORT', 'abc', 'INVALID_LABEL', /integer/],
    ['HAPROXY_0_PORT', '', 'INVALID_LABEL', /integer/],
    ['HAPROXY_0_PORT', '70000', 'INVALID_LABEL', /1\.\.65535/],
    ['HAPROXY_0_PORT', '0', 'INVALID_LABEL', /1\.\.65535/],
    ['HAPROXY_0_BACKEND_WEIGHT', '1.5', 'INVALID_LABEL', /integer/],
    ['HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX', 'one', 'INVALID_LABEL', /integer/],
    ['HAPROXY_0_AUTH', 'realm:user', 'INVALID_LABEL', /expected realm:user:password/],
    ['HAPROXY_0_AUTH', 'a:b:c:d', 'INVALID_LABEL', /expected realm:user:password/],
    ['HAPROXY_0_AUTH', 'realm::hash', 'INVALID_LABEL', /expected realm:user:password/],
    ['HAPROXY_0_MODE', 'udp', 'INVALID_LABEL', /http or tcp/],
    ['HAPROXY_0_VHOST', 'a.com\nbind :1', 'UNSAFE_VALUE', /line break/],
    ['HAPROXY_0_BIND_OPTIONS', 'ssl\r\n', 'UNSAFE_VALUE', /line break/],
    ['HAPROXY_0_PATH', '/a\0', 'UNSAFE_VALUE', /NUL/],
    ['HAPROXY_0_BALANCE', 'roundrobin\n  server x 1.2.3.4:80', 'UNSAFE_VALUE', /line break/],
    ['HAPROXY_0_BACKEND_HEAD', 'backend x\0', 'UNSAFE_VALUE', /NUL/],
  ])('%s=%j -> %s naming the label', (label, value, reason, message) => {
    const { problems } = port({ [label]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ label, reason });
    expect(problems[0]?.message).toMatch(message);
  });

  it('collects every problem, not just the first', () => {
    const { problems } = port({ HAPROXY_0_PORT: 'x', HAPROXY_0_AUTH: 'y', HAPROXY_0_VHOST: 'a\nb' });
    expect(problems.map((p) => p.label).sort()).toEqual(['HAPROXY_0_AUTH', 'HAPROXY_0_PORT', 'HAPROXY_0_VHOST']);
  });
});

describe('decodePortLabels: template overrides', () => {
  it('overridable templates become Service.templates with CRLF -> LF, text kept', () => {
    const { settings, problems } = port({
      HAPROXY_0_BACKEND_HEAD: '\r\nbackend {backend}\r\n  balance {balance}\r\n',
      HAPROXY_0_FRONTEND_HEAD: 'frontend {nope}\n',
      HAPROXY_1_BACKEND_HEAD: 'other index',
    });
    expect(problems).toEqual([]);
    expect(settings.templates).toEqual({
      BACKEND_HEAD: '\nbackend {backend}\n  balance {balance}\n',
      FRONTEND_HEAD: 'frontend {nope}\n',
    });
  });

  it.each(['MAP_HTTP_FRONTEND_ACL', 'MAP_HTTP_FRONTEND_ACL_ONLY', 'MAP_HTTPS_FRONTEND_ACL', 'MAP_HTTP_FRONTEND_APPID_ACL'])(
    'the MAP_* name %s is a real override', (name) => {
      expect(port({ [`HAPROXY_0_${name}`]: 'x' }).settings.templates).toEqual({ [name]: 'x' });
    });

  it.each(['HEAD', 'HTTP_FRONTEND_HEAD', 'HTTP_BACKEND_REDIR', 'NOT_A_TEMPLATE'])('%s is not a per-app override', (name) => {
    expect(port({ [`HAPROXY_0_${name}`]: '/x' }).settings.templates).toEqual({});
  });
});

describe('decodeAppLabels', () => {
  it.each([
    [{}, { groups: [], deploymentGroup: undefined, deploymentStartedAt: undefined, deploymentTargetInstances: undefined, deploymentNewInstances: undefined }],
    [{ HAPROXY_GROUP: 'external,internal' }, { groups: ['external', 'internal'] }],
    [{ HAPROXY_DEPLOYMENT_GROUP: 'nginx' }, { deploymentGroup: '/nginx' }],
    [{ HAPROXY_DEPLOYMENT_GROUP: '/nginx' }, { deploymentGroup: '/nginx' }],
    [{ HAPROXY_DEPLOYMENT_STARTED_AT: '2016-02-01T15:51:38.184623' }, { deploymentStartedAt: Date.UTC(2016, 1, 1, 15, 51, 38, 184) }],
    [{ HAPROXY_DEPLOYMENT_STARTED_AT: '2016-02-01T15:51:38+01:00' }, { deploymentStartedAt: Date.UTC(2016, 1, 1, 14, 51, 38) }],
    [{ HAPROXY_DEPLOYMENT_TARGET_INSTANCES: '3', HAPROXY_DEPLOYMENT_NEW_INSTANCES: '0' }, { deploymentTargetInstances: 3, deploymentNewInstances: 0 }],
  ])('%j -> %j', (labels, expected) => {
    const { settings, problems } = decodeAppLabels(labels);
    expect(problems).toEqual([]);
    expect(settings).toMatchObject(expected);
  });

  it.each([
    ['HAPROXY_DEPLOYMENT_STARTED_AT', 'yesterday', /timestamp/],
    ['HAPROXY_DEPLOYMENT_TARGET_INSTANCES', 'three', /integer/],
    ['HAPROXY_GROUP', 'external\ninternal', /line break/],
  ])('%s=%j is a problem', (label, value, message) => {
    const { problems } = decodeAppLabels({ [label]: value });
    expect(problems[0]?.label).toBe(label);
    expect(problems[0]?.message).toMatch(message);
  });
});

describe('scalar parsers', () => {
  it.each([['true', true], ['TRUE', true], ['t', true], ['Yes', true], ['y', true], ['1', false], ['on', false], ['', false], [' true', false]])(
    'parseBool(%j) = %s', (value, expected) => {
      expect(parseBool(value)).toBe(expected);
    });

  it.each([['12', 12], ['+12', 12], ['-3', -3], [' 7 ', 7], ['1e3', undefined], ['0x10', undefined], ['', undefined], ['99999999999999999999', undefined]])(
    'parseInteger(%j) = %s', (value, expected) => {
      expect(parseInteger(value)).toBe(expected);
    });
});
