// Every placeholder value a service can supply, computed once. Templates pick what their
// registry entry allows. Pure.

import type { Service } from '../model/types.js';
import { appIdPath, cleanedUpAppId, cleanedUpHostname } from './naming.js';

export function serviceValues(s: Service, haproxyDir: string): Record<string, string> {
  const firstVhost = s.vhosts[0] ?? '';
  const hc = s.healthCheck;
  return {
    backend: s.backend,
    appId: s.appId,
    servicePort: String(s.servicePort),
    mode: s.mode,
    balance: s.balance,
    bindAddr: s.bindAddr,
    sslCert: s.sslCert ? ` ssl crt ${s.sslCert}` : '',
    bindOptions: s.bindOptions ? ` ${s.bindOptions}` : '',
    hostname: firstVhost,
    cleanedUpHostname: cleanedUpHostname(firstVhost || appIdPath(s.appId), s.appId),
    cleanedUpAppId: cleanedUpAppId(s.appId),
    path: s.path ?? '',
    realm: s.auth?.realm ?? '',
    user: s.auth?.user ?? '',
    passwd: s.auth?.passwd ?? '',
    haproxy_dir: haproxyDir,
    // Without a vhost marathon-lb printed the literal `None`; keep the client's Host instead.
    proxypath: s.proxypassPath ?? '',
    rootpath: s.revproxyPath ?? '',
    redirpath: s.redirPath ?? '',
    healthCheckPortIndex: hc?.portIndex !== undefined ? String(hc.portIndex) : '',
    healthCheckPort: hc?.port !== undefined ? String(hc.port) : '',
    healthCheckProtocol: hc?.protocol ?? '',
    healthCheckPath: hc?.path ?? '/',
    healthCheckTimeoutSeconds: hc ? String(hc.timeoutSeconds) : '',
    healthCheckIntervalSeconds: hc ? String(hc.intervalSeconds) : '',
    healthCheckGracePeriodSeconds: hc ? String(hc.gracePeriodSeconds) : '',
    healthCheckMaxConsecutiveFailures: hc ? String(hc.maxConsecutiveFailures) : '',
    healthCheckFalls: hc ? String(hc.maxConsecutiveFailures + 1) : '',
    healthCheckPortOptions: '',
  };
}

/** Is the health check to be rendered as a TCP check (else HTTP)? */
export function isTcpCheck(s: Service): boolean {
  const p = s.healthCheck?.protocol;
  return s.mode === 'tcp' || p === 'TCP' || p === 'MESOS_TCP';
}
