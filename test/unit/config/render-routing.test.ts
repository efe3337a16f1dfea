// The vhost routing decision table (spec §3.4) and the scenarios of marathon-lb's own tests
// (spec §10.2), asserted on the lines that matter.
import { HTTP_CHECK, model, server, service } from '../../support/builders.js';
import { body, renderModel } from '../../support/render-support.js';

const AUTH = { realm: 'realm', user: 'user', passwd: 'hash' };
const base = { appId: '/nginx', servicePort: 10000, servers: [server({ port: 1024, ip: '1.1.1.1', host: 'agent1', name: 'agent1_1_1_1_1_1024', id: 28363 })] };

function section(cfg: string, header: string): string {
  const start = cfg.indexOf(`\n${header}\n`);
  if (start < 0) return '';
  const rest = cfg.slice(start + 1);
  const end = rest.indexOf('\n\n');
  return end < 0 ? rest : rest.slice(0, end + 1);
}

describe('vhost routing', () => {
  const cases: Array<[string, Parameters<typeof service>[0], string[], string[]]> = [
    ['single vhost', { ...base, vhosts: ['test.example.com'] },
      ['acl host_test_example_com_nginx hdr(host),regsub(:[0-9]+$,) -i test.example.com', 'use_backend nginx_10000 if host_test_example_com_nginx'],
      ['use_backend nginx_10000 if { ssl_fc_sni -i test.example.com }']],
    ['multiple vhosts share one ACL name', { ...base, vhosts: ['test.example.com', 'test'] },
      ['acl host_test_example_com_nginx hdr(host),regsub(:[0-9]+$,) -i test.example.com', 'acl host_test_example_com_nginx hdr(host),regsub(:[0-9]+$,) -i test', 'use_backend nginx_10000 if host_test_example_com_nginx'],
      ['use_backend nginx_10000 if { ssl_fc_sni -i test.example.com }', 'use_backend nginx_10000 if { ssl_fc_sni -i test }']],
    ['single vhost + redirect', { ...base, vhosts: ['test.example.com'], redirectToHttps: true },
      ['use_backend nginx_10000 if host_test_example_com_nginx', 'redirect scheme https code 301 if !{ ssl_fc } host_test_example_com_nginx'],
      ['use_backend nginx_10000 if { ssl_fc_sni -i test.example.com }']],
    ['single vhost + auth', { ...base, vhosts: ['test.example.com'], auth: AUTH },
      ['acl auth_test_example_com_nginx http_auth(user_nginx_10000)', 'http-request auth realm "realm" if host_test_example_com_nginx !auth_test_example_com_nginx'],
      ['http-request auth realm "realm" if { ssl_fc_sni -i test.example.com } !auth_test_example_com_nginx']],
    ['single vhost + path', { ...base, vhosts: ['test.example.com'], path: '/some/path' },
      ['acl path_nginx_10000 path_beg /some/path', 'use_backend nginx_10000 if host_test_example_com_nginx path_nginx_10000'],
      ['acl path_nginx_10000 path_beg /some/path', 'use_backend nginx_10000 if { ssl_fc_sni -i test.example.com } path_nginx_10000']],
    ['single vhost + path + auth', { ...base, vhosts: ['test.example.com'], path: '/p', auth: AUTH },
      ['http-request auth realm "realm" if host_test_example_com_nginx path_nginx_10000 !auth_test_example_com_nginx'],
      ['acl path_nginx_10000 path_beg /p', 'http-request auth realm "realm" if { ssl_fc_sni -i test.example.com } path_nginx_10000 !auth_test_example_com_nginx']],
    ['single vhost + path + redirect', { ...base, vhosts: ['test.example.com'], path: '/p', redirectToHttps: true },
      ['acl host_test_example_com_nginx', 'acl path_nginx_10000 path_beg /p', 'redirect scheme https code 301 if !{ ssl_fc } host_test_example_com_nginx path_nginx_10000'],
      ['use_backend nginx_10000 if { ssl_fc_sni -i test.example.com } path_nginx_10000']],
    ['multiple vhosts + redirect: no use_backend on :80', { ...base, vhosts: ['a.com', 'b.com'], redirectToHttps: true },
      ['acl host_a_com_nginx hdr(host),regsub(:[0-9]+$,) -i b.com', 'redirect scheme https code 301 if !{ ssl_fc } host_a_com_nginx'],
      ['use_backend nginx_10000 if { ssl_fc_sni -i b.com }']],
    ['multiple vhosts + path + auth', { ...base, vhosts: ['a.com', 'b.com'], path: '/p', auth: AUTH },
      ['acl path_nginx_10000 path_beg /p', 'acl auth_a_com_nginx http_auth(user_nginx_10000)', 'http-request auth realm "realm" if host_a_com_nginx path_nginx_10000 !auth_a_com_nginx', 'use_backend nginx_10000 if host_a_com_nginx path_nginx_10000'],
      ['use_backend nginx_10000 if { ssl_fc_sni -i a.com } path_nginx_10000', 'use_backend nginx_10000 if { ssl_fc_sni -i b.com } path_nginx_10000']],
  ];

  it.each(cases)('%s', (_name, svc, http80, https443) => {
    const cfg = renderModel(model(service(svc))).config;
    const http = section(cfg, 'frontend marathon_http_in');
    const https = section(cfg, 'frontend marathon_https_in');
    for (const line of http80) expect(http).toContain(line);
    for (const line of https443) expect(https).toContain(line);
  });

  it('multiple vhosts + redirect emits no :80 use_backend', () => {
    const cfg = renderModel(model(service({ ...base, vhosts: ['a.com', 'b.com'], redirectToHttps: true }))).config;
    expect(section(cfg, 'frontend marathon_http_in')).not.toContain('use_backend');
  });

  it('orders :80 and :443 blocks by backend weight, highest first', () => {
    const apps = [0, 1, 2, 3].map((w) => service({ ...base, appId: `/nginx${w || ''}`, servicePort: 10000 + w, vhosts: ['shared.example.com'], path: '/x', backendWeight: w }));
    const cfg = renderModel(model(...apps)).config;
    for (const s of ['frontend marathon_http_in', 'frontend marathon_https_in']) {
      const text = section(cfg, s);
      const order = ['nginx3_10003', 'nginx2_10002', 'nginx1_10001', 'nginx_10000'].map((b) => text.indexOf(`use_backend ${b}`));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(order.every((i) => i > 0)).toBe(true);
    }
  });
});

describe('service frontends and backends', () => {
  it('renders marathon-lb\'s simple app with an HTTP health check', () => {
    const cfg = renderModel(model(service({ ...base, mode: 'http', healthCheck: HTTP_CHECK }))).config;
    expect(section(cfg, 'backend nginx_10000')).toBe(
      'backend nginx_10000\n  balance roundrobin\n  mode http\n  option forwardfor\n' +
      '  http-request set-header X-Forwarded-Port %[dst_port]\n  http-request add-header X-Forwarded-Proto https if { ssl_fc }\n' +
      '  option httpchk GET /\n  timeout check 10s\n' +
      '  server agent1_1_1_1_1_1024 1.1.1.1:1024 id 28363 check inter 2s fall 11\n');
    expect(section(cfg, 'frontend nginx_10000')).toBe('frontend nginx_10000\n  bind *:10000\n  mode http\n  use_backend nginx_10000\n');
    expect(section(cfg, 'frontend marathon_http_appid_in')).toContain('acl app__nginx hdr(x-marathon-app-id) -i /nginx\n  use_backend nginx_10000 if app__nginx');
  });

  it('a TCP check gives server checks but no httpchk', () => {
    const cfg = renderModel(model(service({ ...base, mode: 'tcp', healthCheck: { ...HTTP_CHECK, protocol: 'TCP' } }))).config;
    const be = section(cfg, 'backend nginx_10000');
    expect(be).not.toContain('httpchk');
    expect(be).toContain('id 28363 check inter 2s fall 11');
    expect(section(cfg, 'frontend marathon_http_appid_in')).not.toContain('nginx');
  });

  it('health check port options come per server', () => {
    const s = service({ ...base, mode: 'http', healthCheck: HTTP_CHECK, servers: [server({ port: 1024, checkPort: 1025 })] });
    expect(renderModel(model(s)).config).toContain('check inter 2s fall 11 port 1025');
  });

  it('sticky adds the cookie directive and a per-server cookie in http mode', () => {
    const cfg = renderModel(model(service({ ...base, mode: 'http', sticky: true }))).config;
    expect(cfg).toContain('  cookie mesosphere_server_id insert indirect nocache\n');
    expect(cfg).toMatch(/server agent1_1_1_1_1_1024 1\.1\.1\.1:1024 id 28363 cookie [0-9a-f]{10}\n/);
  });

  it('renders balance, bind address/options and TLS on the service port', () => {
    const cfg = renderModel(model(service({ ...base, balance: 'leastconn', bindAddr: '127.0.0.1', bindOptions: 'maxconn 10', sslCert: '/etc/c.pem' }))).config;
    expect(cfg).toContain('  balance leastconn\n');
    expect(cfg).toContain('  bind 127.0.0.1:10000 ssl crt /etc/c.pem maxconn 10\n');
  });

  it('HSTS, proxypass, revproxy and redir use HAProxy 2.x directives', () => {
    const cfg = renderModel(model(service({ ...base, vhosts: ['a.com'], useHsts: true, proxypassPath: '/test', revproxyPath: '/root', redirPath: '/landing' }))).config;
    const be = section(cfg, 'backend nginx_10000');
    expect(be).toContain('http-response set-header Strict-Transport-Security max-age=15768000');
    expect(be).toContain('http-request replace-path ^/test/?(.*)$ /\\1');
    expect(be).toContain('http-request set-header Host a.com');
    expect(be).toContain('http-response replace-header Location ^(https?://a.com(:[0-9]+)?)?(/.*)$ \\1/root\\3 if hdr_location');
    expect(be).toContain('http-request redirect code 301 location /landing if is_domain is_root');
    expect(be.indexOf('Strict-Transport')).toBeLessThan(be.indexOf('option forwardfor'));
    expect(be).not.toMatch(/reqirep|rspirep|rspadd/);
  });

  it('network ACLs: one acl per network then allow/deny, flavour by mode', () => {
    const http = renderModel(model(service({ ...base, mode: 'http', networkAllowed: '10.0.0.0/8 192.168.1.1' }))).config;
    expect(http).toContain('  acl network_allowed src 10.0.0.0/8\n  acl network_allowed src 192.168.1.1\n  http-request allow if network_allowed\n  http-request deny\n');
    const tcp = renderModel(model(service({ ...base, networkAllowed: '10.0.0.0/8' }))).config;
    expect(tcp).toContain('  tcp-request content accept if network_allowed\n  tcp-request content reject\n');
  });

  it('draining servers are disabled', () => {
    const cfg = renderModel(model(service({ ...base, servers: [server({ port: 1, draining: true })] }))).config;
    expect(cfg).toMatch(/server \S+ 127\.0\.0\.1:1 id \d+ disabled\n/);
  });

  it('AUTH also guards the service port and the app-id frontend', () => {
    const cfg = renderModel(model(service({ ...base, vhosts: ['a.com'], auth: AUTH }))).config;
    expect(section(cfg, 'userlist user_nginx_10000')).toBe('userlist user_nginx_10000\n  user user password hash\n');
    expect(section(cfg, 'frontend nginx_10000')).toContain('http-request auth realm "realm" if !auth_nginx_10000');
    const appid = section(cfg, 'frontend marathon_http_appid_in');
    expect(appid.indexOf('http-request auth')).toBeGreaterThan(0);
    expect(appid.indexOf('http-request auth')).toBeLessThan(appid.indexOf('use_backend'));
  });
});

describe('global layout', () => {
  it('no apps: HEAD and the empty :80, :9091 and :443 frontends', () => {
    const cfg = renderModel(model()).config;
    expect(body({ config: cfg } as never)).toBe(
      'frontend marathon_http_in\n  bind *:80\n  mode http\n\n' +
      'frontend marathon_http_appid_in\n  bind *:9091\n  mode http\n\n' +
      'frontend marathon_https_in\n  bind *:443 ssl crt /etc/ssl/cert.pem\n  mode http\n');
  });

  it('several certificates appear in order', () => {
    expect(renderModel(model(), { sslCerts: ['/a.pem', '/b.pem'] }).config).toContain('bind *:443 ssl crt /a.pem crt /b.pem\n');
  });

  it('--dont-bind-http-https drops :80/:443 but keeps :9091', () => {
    const cfg = renderModel(model(service({ ...base, vhosts: ['a.com'] })), { dontBindHttpHttps: true }).config;
    expect(cfg).not.toContain('marathon_http_in');
    expect(cfg).not.toContain('marathon_https_in');
    expect(cfg).toContain('frontend marathon_http_appid_in');
    expect(cfg).toContain('use_backend nginx_10000 if app__nginx');
  });

  it('HAPROXY_GLOBAL-style env templates replace the built-in text', () => {
    const cfg = renderModel(model(), {}, { HAPROXY_HTTP_FRONTEND_HEAD: '\\nfrontend custom_http\\n  bind *:8080\\n  mode http\\n' }).config;
    expect(cfg).toContain('\nfrontend custom_http\n  bind *:8080\n');
  });
});
