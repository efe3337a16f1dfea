// The structured desired state the plan compares: per backend, everything its service puts in
// the config apart from its task server lines (one string), the servers (name -> arguments) and
// the map entries. Built from the renderer's fragments, never by parsing the config back.
// Pure; one object per fragment object (fragments are themselves cached per Service).

import { backendTraitsWith, type BackendTraits, type BackendDesired } from '../haproxy/index.js';
import type { ServiceFragments } from '../config/index.js';

const SERVER_LINE = /^\s*server\s+(\S+)\s+(\S.*?)\s*\n?$/;
const SEP = '\u0000';

/** Per defaults (one object per renderer, which also fixes vhostFrontends), per fragment. */
const memo = new WeakMap<BackendTraits, WeakMap<ServiceFragments, BackendDesired>>();

/**
 * What the config assembly reads from a service besides its fragments' text: its place in the
 * order, and, with --group-https-by-vhost, the vhosts, certificate and bind options that shape
 * the per-vhost TLS frontends. (Without it a vhost is only a map entry in map mode.)
 */
function orderingKey(f: ServiceFragments, vhostFrontends: boolean): string {
  const s = f.service;
  const key = [s.appId, s.index, s.servicePort, s.mode, s.backendWeight];
  if (vhostFrontends) key.push(s.sslCert ?? '', s.bindOptions ?? '', s.vhosts.join(','));
  return key.join(SEP);
}

/** The task server lines by name, and the text of any other lines the servers' templates made. */
function parseServers(f: ServiceFragments): { servers: Record<string, string>; irregular: string } {
  const servers: Record<string, string> = {};
  const irregular: string[] = [];
  for (const srv of f.servers) {
    const m = SERVER_LINE.exec(srv.text);
    const single = m !== null && srv.text.indexOf('\n') >= srv.text.length - 1;
    // Only a single well-formed `server` line can change at run time; anything else an
    // override produced is structure.
    if (single && servers[m[1]!] === undefined) servers[m[1]!] = m[2]!;
    else irregular.push(srv.text);
  }
  return { servers, irregular: irregular.join('') };
}

function structureOf(f: ServiceFragments, vhostFrontends: boolean, irregular: string): string {
  const r = f.routing;
  return [
    orderingKey(f, vhostFrontends), f.userlist, f.frontend, f.backend,
    r ? r.http.join('') : '', r ? r.https.map((h) => `${h.vhost}${SEP}${h.text}`).join(SEP) : '',
    f.appIdLines, f.appIdMap ?? '', f.httpMapLine ?? '', f.httpsMapLine ?? '', f.appIdMapLine ?? '',
    irregular,
  ].join(SEP);
}

/**
 * A backend's desired state, its fields made when first read: a one-shot run (and the first
 * pass of any run) only needs the backends' names to decide to reload, and later passes read
 * them for the backends that changed (an unchanged one is the same object). Each is a pure
 * function of the fragments and the defaults, so when it is made does not matter. A class
 * rather than an object of getters: one small object per backend instead of four closures and
 * their accessors (a full pass makes one per backend of the cluster).
 */
class LazyBackendDesired implements BackendDesired {
  readonly appId: string;
  private parsed: { servers: Record<string, string>; irregular: string } | undefined;
  private traitsOf: BackendTraits | undefined;
  private mapText: string | undefined;

  constructor(private readonly f: ServiceFragments, private readonly defaults: BackendTraits, private readonly vhostFrontends: boolean) {
    this.appId = f.service.appId;
  }

  /**
   * Not kept: it is as large as the backend's part of the config, and it is read only to compare
   * a backend that changed (twice, once per side). Kept, every backend a change ever touched held
   * one for as long as it stayed the same (+7 MiB at 10,000 apps after the soak's first 17 minutes).
   */
  get structure(): string {
    return structureOf(this.f, this.vhostFrontends, this.serverLines().irregular);
  }

  get traits(): BackendTraits {
    return (this.traitsOf ??= backendTraitsWith(this.defaults, this.f.backend));
  }

  get servers(): Readonly<Record<string, string>> {
    return this.serverLines().servers;
  }

  get mapEntries(): string {
    return (this.mapText ??= JSON.stringify([this.f.routing?.domainEntries ?? [], this.f.appEntries]));
  }

  private serverLines(): { servers: Record<string, string>; irregular: string } {
    return (this.parsed ??= parseServers(this.f));
  }
}

/** `vhostFrontends`: --group-https-by-vhost (one TLS frontend per vhost). */
export function backendDesired(f: ServiceFragments, defaults: BackendTraits, vhostFrontends: boolean): BackendDesired {
  let perDefaults = memo.get(defaults);
  if (!perDefaults) { perDefaults = new WeakMap(); memo.set(defaults, perDefaults); }
  let out = perDefaults.get(f);
  if (out === undefined) {
    out = new LazyBackendDesired(f, defaults, vhostFrontends);
    perDefaults.set(f, out);
  }
  return out;
}
