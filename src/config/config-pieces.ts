// The config as an ordered stream of pieces, in marathon-lb's section order (spec §3.2 layout).
// One walk serves two consumers: `assemble` collects the pieces with their owners (to trace
// HAProxy's complaints to an app, and to tell server lines from structure), and the file writer
// streams their text straight to disk in slices (the controller's low-priority rewrite after
// runtime changes), so that a 10,000-app config never has to exist as one string of chunks and
// the rewrite can stop between two slices when an event needs the controller.

import type { Service } from '../model/types.js';
import type { Owner } from './config-builder.js';
import { sanitize } from './naming.js';
import type { RenderOptions } from './render.js';
import type { ServiceFragments } from './service-fragments.js';
import { fillTemplate, type Lookup } from './template-lookup.js';

/**
 * A piece of text, possibly empty or without its final newline (consumers skip the empty ones
 * and end every other one's line: see `withNewline` in config-builder.ts). `server` (a backend name) marks a task's
 * server line.
 */
export interface Piece {
  readonly text: string;
  readonly owner?: Owner | undefined;
  readonly server?: string | undefined;
}

/**
 * Every piece of the config, in order. `onFrame` receives the text no service owns (global
 * templates, the shared map lookup lines): it says how the maps are read.
 */
export function* configPieces(
  frags: readonly ServiceFragments[], lookup: Lookup, opts: RenderOptions, onFrame: (text: string) => void = () => {},
): Generator<Piece> {
  const bind = !opts.dontBindHttpHttps;
  const global = (name: string, values: Record<string, string> = {}): string => {
    const text = fillTemplate(lookup, name, values);
    onFrame(text);
    return text;
  };
  const shared = (text: string): string => { onFrame(text); return text; };
  // A Service carries its app and index: it is its own pieces' owner (no object per piece).
  const owner = (s: Service): Owner => s;
  let sorted: ServiceFragments[] | undefined;
  const byWeight = () => (sorted ??= [...frags].sort((x, y) => y.service.backendWeight - x.service.backendWeight));

  yield piece(global('HEAD'));
  for (const f of frags) yield piece(f.userlist, owner(f.service));

  if (bind) {
    yield piece(global('HTTP_FRONTEND_HEAD'));
    for (const f of byWeight()) if (f.routing) yield piece(f.routing.http.join(''), owner(f.service));
    yield piece(shared(firstOf(frags, (f) => f.httpMapLine)));
  }

  yield piece(global('HTTP_FRONTEND_APPID_HEAD'));
  for (const f of frags) yield piece(f.appIdLines, owner(f.service));
  yield piece(shared(firstOf(frags, (f) => f.appIdMapLine)));

  if (bind && !opts.groupHttpsByVhost) {
    yield piece(global('HTTPS_FRONTEND_HEAD', { sslCerts: opts.sslCerts.map((c) => `crt ${c}`).join(' ') }));
    for (const f of byWeight()) if (f.routing) yield piece(f.routing.https.map((h) => h.text).join(''), owner(f.service));
    yield piece(shared(firstOf(frags, (f) => f.httpsMapLine)));
  } else if (bind) {
    yield* groupedHttps(byWeight(), global, opts.sslCerts);
  }

  for (const f of frags) yield piece(f.frontend, owner(f.service));
  for (const f of frags) {
    const o = owner(f.service);
    yield piece(f.backend, o);
    for (const srv of f.servers) yield { text: srv.text, owner: o, server: f.service.backend };
  }
}

function piece(text: string, owner?: Owner): Piece {
  return { text, owner };
}

function firstOf(frags: readonly ServiceFragments[], pick: (f: ServiceFragments) => string | undefined): string {
  for (const f of frags) {
    const v = pick(f);
    if (v !== undefined) return v;
  }
  return '';
}

/**
 * --group-https-by-vhost: :443 becomes a TCP SNI switch; each vhost gets a loopback backend
 * and its own TLS frontend carrying that vhost's certificates, bind options and rules.
 */
function* groupedHttps(
  byWeight: readonly ServiceFragments[],
  global: (name: string, values?: Record<string, string>) => string,
  defaultCerts: readonly string[],
): Generator<Piece> {
  interface VhostGroup { rules: Array<{ text: string; s: Service }>; certs: string[]; bindOpts: string[]; mapLine: string | undefined }
  const groups = new Map<string, VhostGroup>();
  const group = (v: string): VhostGroup => {
    let g = groups.get(v);
    if (!g) { g = { rules: [], certs: [], bindOpts: [], mapLine: undefined }; groups.set(v, g); }
    return g;
  };
  for (const f of byWeight) {
    if (!f.routing) continue;
    const s = f.service;
    for (const v of s.vhosts) {
      const g = group(v);
      if (s.sslCert && !g.certs.includes(s.sslCert)) g.certs.push(s.sslCert);
      if (s.bindOptions && !g.bindOpts.includes(s.bindOptions)) g.bindOpts.push(s.bindOptions);
      // A path ACL (vhost '') belongs to every vhost of its service.
      const text = f.routing.https.filter((h) => h.vhost === '' || h.vhost === v).map((h) => h.text).join('');
      if (text) g.rules.push({ text, s });
      if (f.httpsMapLine && g.mapLine === undefined) g.mapLine = f.httpsMapLine;
    }
  }
  const vhosts = [...groups.keys()].sort();
  yield piece(global('HTTPS_GROUPED_FRONTEND_HEAD'));
  for (const v of vhosts) yield piece(global('HTTPS_GROUPED_VHOST_FRONTEND_ACL', { backend: sanitize(v), host: v }));
  for (const v of vhosts) {
    const g = groups.get(v)!;
    const name = sanitize(v);
    const certs = (g.certs.length > 0 ? g.certs : defaultCerts).map((c) => `crt ${c}`).join(' ');
    yield piece(global('HTTPS_GROUPED_VHOST_BACKEND_HEAD', { name }));
    yield piece(global('HTTPS_GROUPED_VHOST_FRONTEND_HEAD', { name, sslCerts: certs, bindOpts: g.bindOpts.map((o) => ` ${o}`).join('') }));
    for (const r of g.rules) yield piece(r.text, r.s);
    yield piece(g.mapLine ?? '');
  }
}
