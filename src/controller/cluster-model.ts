// Marathon's apps, normalized, kept up to date one app at a time.
//
// A pass that re-reads a few apps must not re-normalize the cluster. The unit of normalization
// is the served app: a Marathon app, or the apps of one blue/green deployment group (they are
// merged into one served app, so they are normalized together). Each unit is normalized alone,
// with the same normalize() a full pass uses; what crosses units (two services claiming one
// backend name or one bound port) is resolved here, over the services that share a port or a
// name with a changed one. The invariant, checked by a property test: the model after any
// sequence of updates equals normalize() of the whole snapshot.
//
// Apps whose service ports are invented (IP-per-task without declared ports) depend on every
// other app's ports: an update that invents ports, or moves declared ones while some app invents
// them, renormalizes the whole snapshot.
//
// With several Marathons (`claims`), a service port or a vhost (with its path) claimed by apps of
// two clusters goes to the holder: the service that already had it keeps it, the newcomer is
// skipped and named; between newcomers, the first in (appId, port) order wins, as normalize()
// decides. Holders are remembered across full reads, so a resync never moves a port.
//
// A full read (a poll, a resync) reuses a unit as the last read left it when its apps are the
// same JSON as then and nothing else normalize() reads has moved for it: not in a blue/green
// group (withdrawals are decided on every normalization), not a pod (its containers' state and
// health are not in the app-shaped JSON), and no agent of its tasks resolving to another
// address than when it was normalized. Its Service objects stay the same, so the renderer's
// fragments (cached per Service) and the desired state stay too, and the new read's copy of
// the app is dropped at once: a poll at 10,000 apps renders what changed, not the cluster.
//
// Pods arrive as app-shaped records (model/pods.ts) and are units of their own: no blue/green,
// never invented ports. Their services clash with apps' by the same rule (first in id order).

import { normalize, type NormalizeOptions } from '../model/index.js';
import { isPodApp, normalizeRunSpecs } from '../model/pods.js';
import { compareText } from '../model/app-input.js';
import { bindsOverlap, declaredServicePorts, networkingMode } from '../model/service-ports.js';
import { sameJson } from './same-json.js';
import type { Model, Service, Skipped } from '../model/types.js';
import type { WireApp } from '../model/wire.js';

interface Unit {
  readonly services: readonly Service[];
  readonly skipped: readonly Skipped[];
}

/** Service port -> the backend serving it now (only `get` is asked, and only when ports clash). */
export interface PortHolders {
  get(port: number): string | undefined;
}

export interface ModelChange {
  /** Served app ids whose services or skips may have changed. */
  readonly apps: ReadonlySet<string>;
  /** Every unit was renormalized (a full snapshot, or invented ports). */
  readonly full: boolean;
}

const LINE_BREAKING = /[\r\n\0]/;

/**
 * The served app an app belongs to: its HAPROXY_DEPLOYMENT_GROUP, read as decodeAppLabels reads
 * it (a non-empty string without line breaks, with a leading `/`), else its id. Read directly
 * rather than by decoding every label of every app on each full read.
 */
function unitKeyOf(app: WireApp): string {
  if (isPodApp(app) || !inDeploymentGroup(app)) return app.id!;
  const group: unknown = (app.labels as Record<string, unknown>)['HAPROXY_DEPLOYMENT_GROUP'];
  if (typeof group !== 'string' || group === '' || LINE_BREAKING.test(group)) return app.id!;
  return group.startsWith('/') ? group : `/${group}`;
}

function inDeploymentGroup(app: WireApp): boolean {
  const labels: unknown = app.labels;
  return typeof labels === 'object' && labels !== null && Object.hasOwn(labels, 'HAPROXY_DEPLOYMENT_GROUP');
}

function runsOn(app: WireApp, hosts: ReadonlySet<string>): boolean {
  for (const t of Array.isArray(app.tasks) ? app.tasks : []) if (typeof t?.host === 'string' && hosts.has(t.host)) return true;
  return false;
}

/** What the last full read left, for the next one to reuse (see the header). */
interface LastRead {
  readonly wire: ReadonlyMap<string, WireApp>;
  readonly units: ReadonlyMap<string, Unit>;
  readonly members: ReadonlyMap<string, ReadonlySet<string>>;
  /** Agents whose address changed since then: their apps' units are normalized again. */
  readonly moved: ReadonlySet<string>;
}

function declaredKey(app: WireApp | undefined): string {
  return app ? declaredServicePorts(app).map((p) => p.servicePort).join(',') : '';
}

function inventsPorts(app: WireApp): boolean {
  return !isPodApp(app) && networkingMode(app) === 'container' && declaredServicePorts(app).length === 0;
}

const byAppAndPort = (a: Service, b: Service) => compareText(a.appId, b.appId) || a.servicePort - b.servicePort || a.index - b.index;

function compareSkipped(a: Skipped, b: Skipped): number {
  return compareText(a.appId, b.appId) || (a.index ?? -1) - (b.index ?? -1) || compareText(a.label ?? '', b.label ?? '')
    || compareText(a.reason, b.reason) || compareText(a.message, b.message);
}

function add<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  let s = m.get(k);
  if (!s) { s = new Set(); m.set(k, s); }
  s.add(v);
}

/**
 * The port and backend-name indexes hold lists: nearly every key has one service, and a
 * one-element array is cheaper to make than a Set (a full read makes two per service). A
 * service is indexed under its port and its name once, so the lists never hold it twice.
 */
function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function pull<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (!list) return;
  const at = list.indexOf(v);
  if (at >= 0) list.splice(at, 1);
  if (list.length === 0) m.delete(k);
}

function remove<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}

/** Several Marathons: who keeps a claimed port or vhost (see the header). */
export interface ClaimRules {
  /** The cluster a served app id belongs to. */
  readonly clusterOf: (appId: string) => string;
}

function vhostKeys(s: Service): string[] {
  return s.vhosts.map((v) => `${v}\0${s.path ?? ''}`);
}

export class ClusterModel {
  private wire = new Map<string, WireApp>();
  private readonly unitOf = new Map<string, string>();
  private members = new Map<string, Set<string>>();
  private units = new Map<string, Unit>();
  /**
   * Each task host, and what it resolved to when the units on it were normalized: at the last
   * full read, or when an update first met the host. `movedSince`: hosts an update found
   * resolving to something else than that (units normalized before still use the old answer).
   */
  private answers = new Map<string, string | undefined>();
  private movedSince = new Set<string>();
  /** Skips that belong to no unit (entries without a usable id, duplicates) from the last full read. */
  private looseSkipped: readonly Skipped[] = [];
  private readonly byPort = new Map<number, Service[]>();
  private readonly byBackend = new Map<string, Service[]>();
  private readonly dropped = new Map<Service, Skipped>();
  private inventing = 0;
  /**
   * An app that invents ports lost a port or a name to another app (its services and skips come
   * from the last full normalize, so no later single-app update would give the port back).
   */
  private inventorLost = false;
  private readonly byVhost = new Map<string, Set<Service>>();
  /** Served app id -> service-port indexes that won their port (and vhosts) last time. */
  private readonly held = new Map<string, Set<number>>();
  /** Service port -> the backend HAProxy serves on it now: that service keeps the port in a clash. */
  private holders: PortHolders = new Map();

  constructor(private readonly opts: NormalizeOptions, private readonly claims?: ClaimRules) {}

  /** A full snapshot: every app is replaced. */
  replaceAll(apps: readonly WireApp[]): ModelChange {
    const before = new Set(this.units.keys());
    const moved = new Set(this.movedSince);
    for (const [host, ip] of this.answers) if (this.opts.resolve(host) !== ip) moved.add(host);
    const last: LastRead = { wire: this.wire, units: this.units, members: this.members, moved };
    this.wire = new Map();
    this.units = new Map();
    this.members = new Map();
    for (const a of apps) if (typeof a === 'object' && a !== null && typeof a.id === 'string') this.wire.set(a.id, a);
    this.renormalizeAll(apps, last);
    this.recordAnswers();
    for (const k of this.units.keys()) before.add(k);
    return { apps: before, full: true };
  }

  /** Some apps re-read from Marathon: a WireApp, or undefined for an app that no longer exists. */
  update(changes: ReadonlyMap<string, WireApp | undefined>): ModelChange {
    const touched = new Set<string>();
    const previous = new Map<string, WireApp | undefined>();
    for (const [id, app] of changes) {
      previous.set(id, this.wire.get(id));
      const old = this.unitOf.get(id);
      if (old !== undefined) touched.add(old);
      if (app === undefined) this.wire.delete(id);
      else this.wire.set(id, app);
    }
    // Invented service ports (IP-per-task apps without declared ones) are assigned in app order
    // around every declared port: a change that invents ports, or moves declared ports while
    // some app invents them, can move another app's ports, so it renormalizes everything.
    // Anything else (every task change, most app changes) cannot.
    // An inventing app that lost a clash (a port label of its own) gets the port back only
    // from a full normalize: whichever app changes may be the one that frees it.
    let everything = this.inventorLost;
    for (const [id, app] of changes) {
      const before = previous.get(id);
      if ((app && inventsPorts(app)) || (before && inventsPorts(before))) everything = true;
      else if (this.inventing > 0 && declaredKey(before) !== declaredKey(app)) everything = true;
      // A blue/green group whose other colour invents ports is normalized as a whole too.
      for (const key of [this.unitOf.get(id), app ? unitKeyOf(app) : undefined]) {
        if (this.inventing > 0 && key !== undefined && [...this.members.get(key) ?? []].some((m) => { const w = this.wire.get(m) ?? previous.get(m); return m !== id && w !== undefined && inventsPorts(w); })) everything = true;
      }
    }
    if (everything) {
      const before = new Set(this.units.keys());
      this.renormalizeAll([...this.wire.values()]);
      this.recordAnswers();
      for (const k of this.units.keys()) before.add(k);
      return { apps: before, full: true };
    }
    for (const [id, app] of changes) {
      const oldKey = this.unitOf.get(id);
      if (oldKey !== undefined) {
        this.members.get(oldKey)?.delete(id);
        if (this.members.get(oldKey)?.size === 0) this.members.delete(oldKey);
        this.unitOf.delete(id);
      }
      if (app !== undefined) {
        const key = unitKeyOf(app);
        this.unitOf.set(id, key);
        add(this.members, key, id);
        touched.add(key);
      }
    }
    const changedServices: Service[] = [];
    for (const key of touched) {
      const old = this.units.get(key);
      for (const s of old?.services ?? []) { this.unindex(s); changedServices.push(s); }
      const ids = this.members.get(key);
      if (!ids || ids.size === 0) { this.units.delete(key); this.held.delete(key); continue; }
      const unit = normalizeRunSpecs([...ids].map((i) => this.wire.get(i)!), this.opts);
      this.units.set(key, unit);
      for (const s of unit.services) { this.index(s); changedServices.push(s); }
      for (const id of ids) this.noteAnswers(this.wire.get(id)!);
    }
    const apps = new Set(touched);
    for (const s of this.resolveClashes(changedServices)) apps.add(s.appId);
    return { apps, full: false };
  }

  /**
   * Who serves each port now (port -> backend name). In a clash over a port, the service that
   * holds it keeps it and the newcomer is skipped, whatever their order; the rest is decided in
   * (appId, port) order. Takes effect for the apps the next update() or replaceAll() touches.
   */
  setPortHolders(holders: PortHolders): void {
    this.holders = holders;
  }

  /** The services of one served app, clashes removed (sorted by port). */
  servicesOf(appId: string): readonly Service[] {
    return (this.units.get(appId)?.services ?? []).filter((s) => !this.dropped.has(s));
  }

  skippedOf(appId: string): readonly Skipped[] {
    const unit = this.units.get(appId);
    const clash = (unit?.services ?? []).map((s) => this.dropped.get(s)).filter((s): s is Skipped => s !== undefined);
    return [...(unit?.skipped ?? []), ...clash].sort(compareSkipped);
  }

  /** Served app ids (units), unsorted. */
  appIds(): IterableIterator<string> {
    return this.units.keys();
  }

  size(): number {
    return this.wire.size;
  }

  wireApps(): IterableIterator<WireApp> {
    return this.wire.values();
  }

  /** The whole model, as normalize() of the whole snapshot would give it. */
  model(): Model {
    const keys = [...this.units.keys()].sort(compareText);
    const services: Service[] = [];
    const skipped: Skipped[] = [...this.looseSkipped];
    // Indexed loops: a full pass runs this once over every unit, cold (see renormalizeAll).
    for (let i = 0; i < keys.length; i++) {
      const u = this.units.get(keys[i]!)!;
      for (let k = 0; k < u.services.length; k++) {
        const s = u.services[k]!;
        const d = this.dropped.get(s);
        if (d) skipped.push(d);
        else services.push(s);
      }
      for (let k = 0; k < u.skipped.length; k++) skipped.push(u.skipped[k]!);
    }
    services.sort(byAppAndPort);
    return { services, skipped: skipped.sort(compareSkipped) };
  }

  private renormalizeAll(apps: readonly WireApp[], last?: LastRead): void {
    this.units.clear();
    this.unitOf.clear();
    this.members.clear();
    this.byPort.clear();
    this.byBackend.clear();
    this.byVhost.clear();
    this.dropped.clear();
    this.inventing = 0;
    const invalid: unknown[] = [];
    // Indexed: a full read runs this once over every app, cold (for-of would make an iterator
    // result per app).
    for (let i = 0; i < apps.length; i++) {
      const a = apps[i]!;
      if (typeof a !== 'object' || a === null || typeof a.id !== 'string' || a.id === '' || a.id === '/') { invalid.push(a); continue; }
      const key = unitKeyOf(a);
      this.unitOf.set(a.id, key);
      add(this.members, key, a.id);
      if (inventsPorts(a)) this.inventing += 1;
    }
    // Entries without a usable id and duplicate ids are reported the way normalize() does.
    this.looseSkipped = [
      ...normalize(invalid as WireApp[], this.opts).skipped,
      ...normalize(duplicates(apps), this.opts).skipped.filter((s) => / is listed more than once/.test(s.message)),
    ];
    // Invented ports depend on the whole cluster: the units that invent ports take their
    // services from one normalize() over everything (invented ports avoid every other port, so
    // they never lose a port clash); every other unit is normalized alone, as in an update.
    const fromFull = new Map<string, Unit>();
    if (this.inventing > 0) {
      const inventingUnits = new Set<string>();
      for (const [key, ids] of this.members) if ([...ids].some((i) => inventsPorts(this.wire.get(i)!))) inventingUnits.add(key);
      const full = normalizeRunSpecs([...this.wire.values()], this.opts);
      for (const key of inventingUnits) fromFull.set(key, { services: [], skipped: [] });
      for (const s of full.services) (fromFull.get(s.appId)?.services as Service[] | undefined)?.push(s);
      for (const s of full.skipped) (fromFull.get(s.appId)?.skipped as Skipped[] | undefined)?.push(s);
    }
    this.inventorLost = [...fromFull.values()].some((u) => u.skipped.some((s) => CLASH_WORDS.test(s.message)));
    const all: Service[] = [];
    // forEach and an indexed loop, not for-of: this runs once per unit on a full read, cold,
    // where for-of makes an entry pair and an iterator result per step.
    this.members.forEach((ids, key) => {
      const unit = fromFull.get(key) ?? (last && this.unchangedUnit(key, ids, last)) ?? normalizeRunSpecs(Array.from(ids, (i) => this.wire.get(i)!), this.opts);
      this.units.set(key, unit);
      const services = unit.services;
      for (let i = 0; i < services.length; i++) { this.index(services[i]!); all.push(services[i]!); }
    });
    for (const k of [...this.held.keys()]) if (!this.members.has(k)) this.held.delete(k);
    this.resolveClashes(all, true);
  }

  /** Every unit was just normalized: what each host resolves to now is what they all used. */
  private recordAnswers(): void {
    this.answers = new Map();
    this.movedSince = new Set();
    for (const a of this.wire.values()) this.noteAnswers(a);
  }

  /** An app was just normalized with the answers of now (see `answers`). */
  private noteAnswers(app: WireApp): void {
    for (const t of Array.isArray(app.tasks) ? app.tasks : []) {
      if (typeof t?.host !== 'string') continue;
      const now = this.opts.resolve(t.host);
      if (!this.answers.has(t.host)) this.answers.set(t.host, now);
      else if (this.answers.get(t.host) !== now) this.movedSince.add(t.host);
    }
  }

  /** The unit as `last` left it, when none of its inputs changed (see the header); it keeps its apps' old copies. */
  private unchangedUnit(key: string, ids: ReadonlySet<string>, last: LastRead): Unit | undefined {
    const unit = last.units.get(key);
    const had = last.members.get(key);
    if (unit === undefined || had === undefined || had.size !== ids.size) return undefined;
    for (const id of ids) {
      const before = last.wire.get(id);
      const now = this.wire.get(id)!;
      if (!had.has(id) || before === undefined || isPodApp(now) || inDeploymentGroup(now) || (last.moved.size > 0 && runsOn(now, last.moved)) || !sameJson(before, now)) return undefined;
    }
    for (const id of ids) this.wire.set(id, last.wire.get(id)!);
    return unit;
  }

  private index(s: Service): void {
    push(this.byPort, s.servicePort, s);
    push(this.byBackend, s.backend, s);
    if (this.claims) for (const k of vhostKeys(s)) add(this.byVhost, k, s);
  }

  private unindex(s: Service): void {
    pull(this.byPort, s.servicePort, s);
    pull(this.byBackend, s.backend, s);
    if (this.claims) for (const k of vhostKeys(s)) remove(this.byVhost, k, s);
    this.dropped.delete(s);
  }

  private holds(s: Service): boolean {
    return this.held.get(s.appId)?.has(s.index) ?? false;
  }

  /**
   * The services connected to the seeds: from the ports and names of the seeds (a removed seed
   * is no longer indexed, but whoever shares its port or name may now win it), following shared
   * ports and names. Each once.
   */
  private componentOf(seeds: readonly Service[]): Service[] {
    const seen = new Set<Service>();
    const queue: Service[] = [];
    const visit = (list: Iterable<Service> | undefined) => {
      for (const o of list ?? []) if (!seen.has(o)) { seen.add(o); queue.push(o); }
    };
    const neighbours = (s: Service) => {
      visit(this.byPort.get(s.servicePort));
      visit(this.byBackend.get(s.backend));
      if (this.claims) for (const k of vhostKeys(s)) visit(this.byVhost.get(k));
    };
    for (const s of seeds) neighbours(s);
    for (let i = 0; i < queue.length; i++) neighbours(queue[i]!);
    return queue;
  }

  /**
   * Re-decides who keeps a port or backend name among every service connected to the given
   * ones through shared ports and names: the service holding the port wins (setPortHolders),
   * else the first in (appId, port) order, as normalize() decides over the whole cluster. Returns the services whose fate changed.
   */
  private resolveClashes(seeds: readonly Service[], whole = false): Service[] {
    // `whole`: the seeds are every indexed service, each once (a full read), so they are their
    // own component and there is nothing to follow.
    const component = whole ? seeds : this.componentOf(seeds);
    if (component.length <= 1) {
      const changed = component.filter((s) => this.dropped.delete(s));
      this.recordHolders(component);
      return changed;
    }
    const claims = this.claims;
    // The holders first (the service HAProxy serves on the port now; with several Marathons, the
    // one that won a claim before), then everyone in normalize()'s order.
    const held = (s: Service) => (this.holders.get(s.servicePort) === s.backend || (claims !== undefined && this.holds(s)) ? 0 : 1);
    const order = (a: Service, b: Service) => held(a) - held(b) || byAppAndPort(a, b);
    // A service alone on its port, its backend name (and, across clusters, its vhosts) wins
    // whatever the order: only the others are sorted and decided (after a full read, that is
    // nearly every service left out of a sort over the whole cluster).
    const contested: Service[] = [];
    const changed: Service[] = [];
    for (const s of component) {
      if (this.byPort.get(s.servicePort)!.length === 1 && this.byBackend.get(s.backend)!.length === 1
        && (!claims || vhostKeys(s).every((k) => this.byVhost.get(k)!.size === 1))) {
        if (this.dropped.delete(s)) changed.push(s);
      } else {
        contested.push(s);
      }
    }
    const sorted = contested.sort(order);
    const backends = new Map<string, Service>();
    const ports = new Map<number, Service[]>();
    const vhosts = new Map<string, Service>();
    for (const s of sorted) {
      const byName = backends.get(s.backend);
      const byPort = (ports.get(s.servicePort) ?? []).find((o) => bindsOverlap(o.bindAddr, s.bindAddr));
      // A vhost (with its path) is claimed only across clusters: within one, sharing is marathon-lb's behaviour.
      const byHost = claims
        ? vhostKeys(s).map((k) => vhosts.get(k)).find((o) => o !== undefined && claims.clusterOf(o.appId) !== claims.clusterOf(s.appId))
        : undefined;
      const other = byName ?? byPort ?? byHost;
      const was = this.dropped.has(s);
      if (other !== undefined) {
        this.dropped.set(s, byName === undefined && byPort === undefined ? vhostSkip(s, other) : clashSkip(s, other, byName !== undefined));
        if (!was) changed.push(s);
        continue;
      }
      if (was) { this.dropped.delete(s); changed.push(s); }
      backends.set(s.backend, s);
      const onPort = ports.get(s.servicePort);
      if (onPort) onPort.push(s);
      else ports.set(s.servicePort, [s]);
      if (claims) for (const k of vhostKeys(s)) if (!vhosts.has(k)) vhosts.set(k, s);
    }
    this.recordHolders(component);
    // In the order one sort over the whole component would have found them.
    return changed.sort(order);
  }

  /** After a decision: the services that won hold their claims until they lose them or leave. */
  private recordHolders(component: Iterable<Service>): void {
    if (!this.claims) return;
    for (const s of component) {
      let set = this.held.get(s.appId);
      if (this.dropped.has(s)) { set?.delete(s.index); continue; }
      if (!set) { set = new Set(); this.held.set(s.appId, set); }
      set.add(s.index);
    }
  }
}

/** Every copy but the first of an id listed more than once, so normalize() reports them. */
function duplicates(apps: readonly WireApp[]): WireApp[] {
  const seen = new Map<string, number>();
  for (const a of apps) if (typeof a?.id === 'string') seen.set(a.id, (seen.get(a.id) ?? 0) + 1);
  return apps.filter((a) => typeof a?.id === 'string' && (seen.get(a.id) ?? 0) > 1);
}

function vhostSkip(s: Service, other: Service): Skipped {
  return {
    appId: s.appId,
    index: s.index,
    label: `HAPROXY_${s.index}_VHOST`,
    reason: 'INVALID_LABEL',
    message: `app ${s.appId} (service port index ${s.index}): vhost ${s.vhosts.join(',')}${s.path ? ` path ${s.path}` : ''} is already served for app ${other.appId} (service port index ${other.index}) of another Marathon`,
  };
}

/** How normalize() words a lost clash (see clashSkip). */
const CLASH_WORDS = / is already used by app /;

/** The same words normalize() uses for a clash. */
function clashSkip(s: Service, other: Service, byName: boolean): Skipped {
  const portLabel = `HAPROXY_${s.index}_PORT`;
  const fromLabel = s.labels[portLabel] !== undefined;
  const what = byName ? `backend name ${s.backend}` : `port ${s.servicePort}`;
  return {
    appId: s.appId,
    index: s.index,
    label: fromLabel ? portLabel : undefined,
    reason: fromLabel ? 'INVALID_LABEL' : 'INVALID_APP',
    message: `app ${s.appId} (service port index ${s.index}): ${what} is already used by app ${other.appId} (service port index ${other.index})`,
  };
}
