// --haproxy-map and --group-https-by-vhost.
import { model, server, service } from '../../support/builders.js';
import { renderModel } from '../../support/render-support.js';

const srv = [server({ port: 1024 })];
const plain = service({ appId: '/nginx', servicePort: 10000, vhosts: ['server.nginx.net', 'server2.nginx.net'], servers: srv });
const single = service({ appId: '/apache', servicePort: 10001, vhosts: ['server.apache.net'], servers: srv });
const withPath = service({ appId: '/pathapp', servicePort: 10002, vhosts: ['path.example.com'], path: '/api', servers: srv });
const withAuth = service({ appId: '/secure', servicePort: 10003, vhosts: ['server.nginx.net'], auth: { realm: 'r', user: 'u', passwd: 'p' }, servers: srv });
const redirect = service({ appId: '/redir', servicePort: 10004, vhosts: ['redir.example.com'], redirectToHttps: true, servers: srv });

describe('map mode', () => {
  it('plain vhost routes become one map lookup per frontend, and entries in the maps', () => {
    const r = renderModel(model(plain, single), { haproxyMap: true });
    const mapLine = 'use_backend %[req.hdr(host),lower,regsub(:[0-9]+$,),map(/etc/haproxy/domain2backend.map)]';
    expect(r.config.split(mapLine).length - 1).toBe(1);
    expect(r.config).toContain('use_backend %[ssl_fc_sni,lower,map(/etc/haproxy/domain2backend.map)]');
    expect(r.config).toContain('use_backend %[req.hdr(x-marathon-app-id),lower,map(/etc/haproxy/app2backend.map)]');
    expect(r.config).not.toContain('acl host_');
    expect(r.maps['domain2backend.map']).toBe('server.apache.net apache_10001\nserver.nginx.net nginx_10000\nserver2.nginx.net nginx_10000\n');
    expect(r.maps['app2backend.map']).toBe('/apache apache_10001\n/nginx nginx_10000\n');
  });

  it('path and auth routes keep their ACLs, placed before the map line', () => {
    const r = renderModel(model(plain, withPath, withAuth), { haproxyMap: true });
    const http = r.config.slice(r.config.indexOf('frontend marathon_http_in'), r.config.indexOf('frontend marathon_http_appid_in'));
    expect(http.indexOf('use_backend pathapp_10002 if')).toBeGreaterThan(0);
    expect(http.indexOf('use_backend secure_10003 if')).toBeGreaterThan(0);
    expect(http.indexOf('use_backend pathapp_10002 if')).toBeLessThan(http.indexOf('map('));
    expect(http.indexOf('use_backend secure_10003 if')).toBeLessThan(http.indexOf('map('));
    expect(r.maps['domain2backend.map']).toBe('server.nginx.net nginx_10000\nserver2.nginx.net nginx_10000\n');
  });

  it('a redirect app keeps ACLs on :80 but its hosts go to the map for :443', () => {
    const r = renderModel(model(redirect), { haproxyMap: true });
    expect(r.config).toContain('redirect scheme https code 301 if !{ ssl_fc } host_redir_example_com_redir');
    expect(r.maps['domain2backend.map']).toBe('redir.example.com redir_10004\n');
  });

  it('without map mode the map files are empty', () => {
    expect(renderModel(model(plain)).maps).toEqual({ 'domain2backend.map': '', 'app2backend.map': '' });
  });
});

describe('--group-https-by-vhost', () => {
  it(':443 becomes an SNI switch with a TLS frontend per vhost, sorted by name', () => {
    const certApp = service({ appId: '/c', servicePort: 10005, vhosts: ['server.nginx.net'], sslCert: '/etc/cert', bindOptions: 'verify required', servers: srv });
    const r = renderModel(model(plain, single, certApp), { groupHttpsByVhost: true });
    const cfg = r.config;
    expect(cfg).toContain('frontend marathon_https_in\n  bind *:443\n  mode tcp\n');
    const sni = ['server.apache.net', 'server.nginx.net', 'server2.nginx.net'].map((v) => cfg.indexOf(`if { req_ssl_sni -i ${v} }`));
    expect(sni.every((i) => i > 0)).toBe(true);
    expect(sni).toEqual([...sni].sort((a, b) => a - b));
    expect(cfg).toContain('backend server_nginx_net\n  server loopback-for-tls abns@server_nginx_net send-proxy-v2\n');
    expect(cfg).toContain('frontend server_nginx_net\n  mode http\n  bind abns@server_nginx_net accept-proxy ssl crt /etc/cert verify required\n');
    expect(cfg).toContain('bind abns@server2_nginx_net accept-proxy ssl crt /etc/ssl/cert.pem\n');
    // Each vhost's frontend routes its own vhost, including the second vhost of a multi-vhost app.
    expect(cfg).toMatch(/frontend server2_nginx_net\n[^]*use_backend nginx_10000 if \{ ssl_fc_sni -i server2.nginx.net \}/);
  });

  it('in map mode every vhost frontend gets the map line (marathon-lb gave it only to the first)', () => {
    const cfg = renderModel(model(plain), { groupHttpsByVhost: true, haproxyMap: true }).config;
    for (const v of ['server_nginx_net', 'server2_nginx_net']) {
      const start = cfg.indexOf(`frontend ${v}\n`);
      const block = cfg.slice(start, cfg.indexOf('\n\n', start));
      expect(block).toContain('map(/etc/haproxy/domain2backend.map)');
    }
  });
});
