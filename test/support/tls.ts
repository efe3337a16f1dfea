// An HTTPS GET with SNI that also reports the certificate the server presented.

import https from 'node:https';
import type { PeerCertificate } from 'node:tls';

export function httpsGet(port: number, servername: string, path = '/', headers: Record<string, string> = {}): Promise<{ status: number; body: string; cert: PeerCertificate }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path, servername, headers: { Host: servername, ...headers }, rejectUnauthorized: false, agent: false, timeout: 5000 }, (res) => {
      const cert = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cert }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
