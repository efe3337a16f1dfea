// The config as an ordered stream of pieces, in marathon-lb's section order (spec §3.2 layout).
// One walk serves two consumers: `assemble` collects the pieces with their owners (to trace
// HAProxy's complaints to an app, and to tell server lines from structure), and the file writer
// collects their text alone and writes it to disk in slices (the controller's low-priority
// rewrite after runtime changes), so that a 10,000-app config never has to exist as one string
// and the rewrite can stop between two slices when an event needs the controller. The walk
// hands each piece to a callback: a full render walks ~50,000 pieces at 10,000 apps, and an
// object (or a generator step) per piece was garbage the one-shot run paid for in collections.

import type { Service } from '../model/types.js';
import type { Owner } from './config-builder.js';
import { sanitize } from './naming.js';
import type { RenderOptions } from './render.js';
import type { ServiceFragments } from './service-fragments.js';
import { fillTemplate, type Lookup } from './template-lookup.js';

/**
 * Receives a piece of text, possibly empty or without its final newline (consumers skip the
 * empty ones and end every other one's line: see `withNewline` in config-builder.ts), with the
 * app that produced it. `server` (a backend name) marks a task's server line.
 */
export type PieceSink = (text: string, owner: Owner | undefined, server: string | undefined) => void;

/**
 * Every piece of the config, in order, to `emit`. `onFrame` receives the text no service owns
 * (global templates, the shared map lookup lines): it says how the maps are read.
 */
export function emitConfig(
  frags: readonly ServiceFragments[], lookup: Lookup, opts: RenderOptions, emit: PieceSink, onFrame: (text: string) => void = () => {},
): void {
  const bind = !opts.dontBindHttpHttps;
  const global = (name: string, values: Record<string, string> = {}): void => {
    const text = fillTemplate(lookup, name, values);
    onFrame(text);
    emit(text, undefined, undefined);
  };
  const shared = (text: string): void => { onFrame(text); emit(text, undefined, undefined); };
  // A Service carries its app and index: it is its own pieces' owner (no object per piece).
  // Pieces no service owns (the global templates, the shared map lines) have none.
  let sorted: ServiceFragments[] | undefined;
  const byWeight = () => (sorted ??= [...frags].sort((x, y) => y.service.backendWeight - x.service.backendWeight));

  global('HEAD');
  // Indexed loops: a full render runs this once, so it runs cold, where for-of makes an
  // iterator result per step (there are ~5 pieces per service and one per task).
  for (let i = 0; i < frags.length; i++) emit(frags[i]!.userlist, frags[i]!.service, undefined);

  if (bind) {
    global('HTTP_FRONTEND_HEAD');
    const weighted = byWeight();
    for (let i = 0; i < weighted.length; i++) { const f = weighted[i]!; if (f.routing) emit(f.routing.http.join(''), f.service, undefined); }
    shared(firstOf(frags, (f) => f.httpMapLine));
  }

  global('HTTP_FRONTEND_APPID_HEAD');
  for (let i = 0; i < frags.length; i++) emit(frags[i]!.appIdLines, frags[i]!.service, undefined);
  shared(firstOf(frags, (f) => f.appIdMapLine));

  if (bind && !opts.groupHttpsByVhost) {
    global('HTTPS_FRONTEND_HEAD', { sslCerts: opts.sslCerts.map((c) => `crt ${c}`).join(' ') });
    const weighted = byWeight();
    for (let i = 0; i < weighted.length; i++) { const f = weighted[i]!; if (f.routing) emit(f.routing.https.map((h) => h.text).join(''), f.service, undefined); }
    shared(firstOf(frags, (f) => f.httpsMapLine));
  } else if (bind) {
    groupedHttps(byWeight(), global, opts.sslCerts, emit);
  }

  for (let i = 0; i < frags.length; i++) emit(frags[i]!.frontend, frags[i]!.service, undefined);
  for (let i = 0; i < frags.length; i++) {
    const f = frags[i]!;
    const s = f.service;
    emit(f.backend, s, undefined);
    const servers = f.servers;
    for (let k = 0; k < servers.length; k++) emit(servers[k]!.text, s, s.backend);
  }
}

function firstOf(frags: readonly ServiceFragments[], pick: (f: ServiceFragments) => string | undefined): string {
  for (let i = 0; i < frags.length; i++) {
    const v = pick(frags[i]!);
    if (v !== undefined) return v;
  }
  return '';
}

/**
 * --group-https-by-vhost: :443 becomes a TCP SNI switch; each vhost gets a loopback backend
 * and its own TLS frontend carrying that vhost's certificates, bind options and rules.
 */
function groupedHttps(
  byWeight: readonly ServiceFragments[],
  global: (name: string, values?: Record<string, string>) => void,
  defaultCerts: readonly string[],
  emit: PieceSink,
): void {
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
  global('HTTPS_GROUPED_FRONTEND_HEAD');
  for (const v of vhosts) global('HTTPS_GROUPED_VHOST_FRONTEND_ACL', { backend: sanitize(v), host: v });
  for (const v of vhosts) {
    const g = groups.get(v)!;
    const name = sanitize(v);
    const certs = (g.certs.length > 0 ? g.certs : defaultCerts).map((c) => `crt ${c}`).join(' ');
    global('HTTPS_GROUPED_VHOST_BACKEND_HEAD', { name });
    global('HTTPS_GROUPED_VHOST_FRONTEND_HEAD', { name, sslCerts: certs, bindOpts: g.bindOpts.map((o) => ` ${o}`).join('') });
    for (const r of g.rules) emit(r.text, r.s, undefined);
    emit(g.mapLine ?? '', undefined, undefined);
  }
}
