// Marathon's apps -> the Model render() works from. Pure: no DNS (resolve is passed in), no clock,
// no logging. Bad input never throws; it becomes a Skipped entry naming the app and the reason.

import { servedApps, type ServedApp, type SourceApp } from './blue-green.js';
import { decodeAppLabels, decodePortLabels, type Labels, type LabelProblem, type PortSettings } from './decode.js';
import { HTTP_LIKE_PROTOCOLS, healthCheckFor } from './health-checks.js';
import { sanitizeLabels, validateApps, compareText } from './app-input.js';
import { sortInPlace } from './sort-in-place.js';
import { serverId, serverName } from './server-naming.js';
import { bindsOverlap, declaredServicePorts, networkingMode, servicePorts, type PortRange, type ServicePortSlot } from './service-ports.js';
import { taskAddress, type Resolver, type TaskAddress } from './task-address.js';
import { isTaskRunnable, type HealthCache } from './task-filter.js';
import type { HealthCheck, Model, Server, Service, Skipped } from './types.js';
import type { WireApp, WireTask } from './wire.js';
import type { Settings } from '../settings.js';

export interface NormalizeOptions {
  /** LB groups served (--group); `*` serves every app. */
  readonly groups: readonly string[];
  /** --strict-mode: a service port is served only with HAPROXY_{n}_ENABLED=true. */
  readonly strictMode: boolean;
  /** --health-check: only tasks Marathon reports alive. */
  readonly healthCheck: boolean;
  readonly minServPortIpPerTask: number;
  readonly maxServPortIpPerTask: number;
  /** FRAMEWORK_NAME: the LB's own app, never served. */
  readonly frameworkName: string | undefined;
  readonly resolve: Resolver;
  /** Last health verdict per task id; kept by the caller between passes. */
  readonly healthCache: HealthCache;
  /** Blue/green colours (colourKey) being rolled back: their tasks drain. Kept by the caller; none when absent. */
  readonly withdrawn?: (colour: string) => boolean;
  /** The load balancer's own listeners (--http-port, --admin-port, ...): no app may bind them. */
  readonly ownPorts?: readonly OwnPort[];
}

/** One of the load balancer's own listeners. */
export interface OwnPort {
  readonly port: number;
  /** Its bind address; `*` for every address. */
  readonly addr: string;
  /** The flag that sets it, for the message. */
  readonly flag: string;
}

/**
 * The own listener a service would bind over. HAProxy accepts a second bind of an address it
 * binds already and splits the connections between the two, so the app would silently take
 * part of the load balancer's traffic (its vhosts, its admin endpoints).
 */
function ownPortTaken(own: readonly OwnPort[] | undefined, port: number, bindAddr: string): OwnPort | undefined {
  if (own === undefined) return undefined;
  for (const o of own) {
    if (o.port === port && bindsOverlap(o.addr, bindAddr)) return o;
  }
  return undefined;
}

/** A task that passed the filters, with where to reach it. */
interface LiveTask {
  readonly task: WireTask & { id: string; host: string };
  readonly address: TaskAddress;
  readonly draining: boolean;
}

function groupsMatch(lbGroups: readonly string[], appGroups: readonly string[]): boolean {
  return lbGroups.includes('*') || appGroups.some((g) => lbGroups.includes(g));
}

/** Could any service port of this app be ours? (Decides whether its label problems are our business.) */
function mayServe(labels: Labels, appGroups: readonly string[], lbGroups: readonly string[]): boolean {
  if (groupsMatch(lbGroups, appGroups)) return true;
  return Object.entries(labels).some(([k, v]) => /^HAPROXY_\d+_GROUP$/.test(k) && groupsMatch(lbGroups, v.split(',')));
}

function backendName(appId: string, servicePort: number): string {
  return `${appId.replace(/^\//, '').replace(/\//g, '_')}_${servicePort}`;
}

function problemSkip(appId: string, index: number | undefined, p: LabelProblem): Skipped {
  const where = index === undefined ? '' : ` (service port index ${index})`;
  return { appId, index, label: p.label, reason: p.reason, message: `app ${appId}${where}: label ${p.label}: ${p.message}` };
}

function liveTasks(served: ServedApp, opts: NormalizeOptions): LiveTask[] {
  const out: LiveTask[] = [];
  for (const member of served.members) {
    const mode = networkingMode(member.app);
    // Sorted so that the health cache and duplicate records (one id listed twice) give the same
    // answer whatever order Marathon listed the tasks in.
    const sorted = sortInPlace([...(Array.isArray(member.app.tasks) ? member.app.tasks : [])], compareTasks);
    for (const task of sorted) {
      if (typeof task !== 'object' || task === null || !isTaskRunnable(member.app, task, opts)) continue;
      const address = taskAddress(member.app, task, opts.resolve, mode);
      if (address === undefined) continue;
      const runnable = task as LiveTask['task'];
      out.push({ task: runnable, address, draining: served.draining.has(runnable.id) });
    }
  }
  return out;
}

function compareTasks(a: unknown, b: unknown): number {
  const ida = typeof (a as WireTask | null)?.id === 'string' ? (a as WireTask).id! : '';
  const idb = typeof (b as WireTask | null)?.id === 'string' ? (b as WireTask).id! : '';
  return compareText(ida, idb) || compareText(JSON.stringify(a) ?? '', JSON.stringify(b) ?? '');
}

/** Python-style index into the sibling list (negative counts from the end); undefined when out of range. */
function siblingAt(slots: readonly ServicePortSlot[], index: number): ServicePortSlot | undefined {
  return index < 0 ? slots[slots.length + index] : slots[index];
}

interface HealthPlan {
  readonly healthCheck: HealthCheck | undefined;
  readonly forceHttp: boolean;
  /** Task port -> port to check, or undefined for "the server port". */
  readonly checkPort: (address: TaskAddress, ownPort: number) => number | undefined;
}

function healthPlan(app: WireApp, slot: ServicePortSlot, slots: readonly ServicePortSlot[], settings: PortSettings): HealthPlan {
  let healthCheck = healthCheckFor(app.healthChecks, slot.position);
  const k = settings.healthCheckPortIndex;
  if (k === undefined) {
    const fixed = healthCheck?.port;
    return { healthCheck, forceHttp: false, checkPort: () => fixed };
  }
  const sibling = siblingAt(slots, k);
  let forceHttp = false;
  if (healthCheck === undefined && sibling !== undefined) {
    healthCheck = healthCheckFor(app.healthChecks, sibling.position);
    forceHttp = healthCheck !== undefined && HTTP_LIKE_PROTOCOLS.has(healthCheck.protocol);
  }
  // The same task's port at the sibling's position; out of range falls back to the own port.
  const checkPort = (address: TaskAddress, ownPort: number): number =>
    (sibling === undefined ? undefined : address.ports[sibling.position]) ?? ownPort;
  return { healthCheck, forceHttp, checkPort };
}

function compareServers(a: Server, b: Server): number {
  // Everything breaks ties, so which of two records for one address survives never depends on
  // input order (Marathon can list a stale record next to the live one).
  return compareText(a.host, b.host) || a.port - b.port || compareText(a.ip, b.ip) || compareText(a.taskId, b.taskId)
    || compareText(a.state ?? '', b.state ?? '') || Number(a.draining) - Number(b.draining) || (a.checkPort ?? 0) - (b.checkPort ?? 0);
}

function buildServers(tasks: readonly LiveTask[], slot: ServicePortSlot, plan: HealthPlan): Server[] {
  // Made once each, in their final shape (same key order for all), and given their id after
  // sorting: a second object per server was garbage for every task of every pass.
  const candidates: Array<{ -readonly [K in keyof Server]: Server[K] }> = [];
  for (const { task, address, draining } of tasks) {
    const port = address.ports[slot.position];
    if (port === undefined) continue;
    candidates.push({
      taskId: task.id,
      host: task.host,
      ip: address.ip,
      port,
      name: serverName(task.host, address.ip, port),
      draining,
      checkPort: plan.checkPort(address, port),
      state: typeof task.state === 'string' ? task.state : undefined,
      id: 0,
    });
  }
  sortInPlace(candidates, compareServers);
  // Two tasks on one address (a stale task record) would give HAProxy two servers of one name.
  const seen = new Set<string>();
  const used = new Set<number>();
  const servers: Server[] = [];
  for (const c of candidates) {
    if (seen.has(c.name)) continue;
    seen.add(c.name);
    const id = serverId(c.name, used);
    if (id !== undefined) {
      c.id = id;
      servers.push(c);
    }
  }
  return servers;
}

function buildService(
  served: ServedApp,
  slot: ServicePortSlot,
  index: number,
  slots: readonly ServicePortSlot[],
  settings: PortSettings,
  tasks: readonly LiveTask[],
  labels: Labels,
): Service {
  const app = served.base.app;
  const servicePort = settings.port ?? slot.servicePort;
  const plan = healthPlan(app, slot, slots, settings);
  // A vhost needs http (HAProxy refuses host ACLs in tcp mode); so does an HTTP check borrowed
  // through BACKEND_HEALTHCHECK_PORT_INDEX. Otherwise MODE wins over an HTTP check's preset.
  const mode = settings.vhosts.length > 0 || plan.forceHttp
    ? 'http'
    : settings.mode ?? (plan.healthCheck?.protocol === 'HTTP' ? 'http' : 'tcp');
  return {
    appId: served.appId,
    marathonAppId: served.base.id,
    index,
    servicePort,
    backend: backendName(served.appId, servicePort),
    mode,
    balance: settings.balance,
    vhosts: settings.vhosts,
    path: settings.path,
    sticky: settings.sticky,
    redirectToHttps: settings.redirectToHttps,
    useHsts: settings.useHsts,
    sslCert: settings.sslCert,
    bindAddr: settings.bindAddr,
    bindOptions: settings.bindOptions,
    auth: settings.auth,
    proxypassPath: settings.proxypassPath,
    revproxyPath: settings.revproxyPath,
    redirPath: settings.redirPath,
    backendWeight: settings.backendWeight,
    networkAllowed: settings.networkAllowed,
    healthCheck: plan.healthCheck,
    templates: settings.templates,
    servers: buildServers(tasks, slot, plan),
    labels,
  };
}

function servicesOf(served: ServedApp, slots: readonly ServicePortSlot[], opts: NormalizeOptions, skipped: Skipped[]): Service[] {
  const { appId } = served;
  const labels = served.base.labels;
  let tasks: LiveTask[] | undefined;
  const out: Service[] = [];
  slots.forEach((slot, index) => {
    const { settings, problems } = decodePortLabels(labels, index);
    if (!groupsMatch(opts.groups, settings.groups ?? served.base.settings.groups)) {
      skipped.push({ appId, index, reason: 'GROUP_MISMATCH', message: `app ${appId} (service port index ${index}) is not in groups ${opts.groups.join(',')}` });
      return;
    }
    if (!(settings.enabled ?? !opts.strictMode)) {
      skipped.push({ appId, index, label: `HAPROXY_${index}_ENABLED`, reason: 'DISABLED', message: `app ${appId} (service port index ${index}) is not enabled` });
      return;
    }
    if (problems.length > 0) {
      tasks ??= liveTasks(served, opts);
      // Its settings are broken, but its tasks are not: where they are, for a last good config.
      const servers = buildServers(tasks, slot, healthPlan(served.base.app, slot, slots, { ...settings, healthCheckPortIndex: undefined }));
      for (const p of problems) skipped.push({ ...problemSkip(appId, index, p), servers });
      return;
    }
    tasks ??= liveTasks(served, opts);
    const servicePort = settings.port ?? slot.servicePort;
    const own = ownPortTaken(opts.ownPorts, servicePort, settings.bindAddr);
    if (own !== undefined) {
      const label = `HAPROXY_${index}_PORT`;
      const servers = buildServers(tasks, slot, healthPlan(served.base.app, slot, slots, settings));
      skipped.push({
        appId, index, label, reason: settings.port !== undefined ? 'INVALID_LABEL' : 'INVALID_APP', servers,
        message: `app ${appId} (service port index ${index}): port ${servicePort} is the load balancer's own (${own.flag} ${own.port}); choose another with ${label}`,
      });
      return;
    }
    out.push(buildService(served, slot, index, slots, settings, tasks, labels));
  });
  return out;
}

/** The service of `onPort` whose bind overlaps `s`'s (the same address, or either on every address). */
function sharingBind(onPort: readonly Service[] | undefined, s: Service): Service | undefined {
  if (onPort === undefined) return undefined;
  for (const o of onPort) if (bindsOverlap(o.bindAddr, s.bindAddr)) return o;
  return undefined;
}

/** Later services that would reuse a backend name or a bound port are skipped, naming the first. */
function dropClashes(services: Service[], skipped: Skipped[]): Service[] {
  if (services.length < 2) return services; // one app's one port, as the cluster model asks nearly always
  const backends = new Map<string, Service>();
  const ports = new Map<number, Service[]>();
  const kept: Service[] = [];
  for (const s of services) {
    const byName = backends.get(s.backend);
    const byPort = byName === undefined ? sharingBind(ports.get(s.servicePort), s) : undefined;
    const other = byName ?? byPort;
    if (other !== undefined) {
      const portLabel = `HAPROXY_${s.index}_PORT`;
      const fromLabel = s.labels[portLabel] !== undefined;
      const what = byName !== undefined ? `backend name ${s.backend}` : `port ${s.servicePort}`;
      skipped.push({
        appId: s.appId,
        index: s.index,
        label: fromLabel ? portLabel : undefined,
        reason: fromLabel ? 'INVALID_LABEL' : 'INVALID_APP',
        message: `app ${s.appId} (service port index ${s.index}): ${what} is already used by app ${other.appId} (service port index ${other.index})`,
      });
      continue;
    }
    backends.set(s.backend, s);
    const onPort = ports.get(s.servicePort);
    if (onPort === undefined) ports.set(s.servicePort, [s]);
    else onPort.push(s);
    kept.push(s);
  }
  return kept;
}

function compareSkipped(a: Skipped, b: Skipped): number {
  return compareText(a.appId, b.appId) || (a.index ?? -1) - (b.index ?? -1) || compareText(a.label ?? '', b.label ?? '')
    || compareText(a.reason, b.reason) || compareText(a.message, b.message);
}

function portRange(opts: NormalizeOptions): PortRange | undefined {
  const { minServPortIpPerTask: min, maxServPortIpPerTask: max } = opts;
  return Number.isInteger(min) && Number.isInteger(max) && min >= 1 && max >= min && max <= 65535 ? { min, max } : undefined;
}

function stripSlash(id: string): string {
  return id.replace(/^\/+/, '');
}

/** Apps that pass the app-level checks, with their decoded app labels. */
function sourceApps(apps: readonly WireApp[], opts: NormalizeOptions, skipped: Skipped[]): SourceApp[] {
  const out: SourceApp[] = [];
  for (const { id, app } of validateApps(apps, skipped)) {
    if (opts.frameworkName !== undefined && opts.frameworkName !== '' && stripSlash(id) === stripSlash(opts.frameworkName)) {
      skipped.push({ appId: id, reason: 'FRAMEWORK_SELF', message: `app ${id} is this load balancer (FRAMEWORK_NAME)` });
      continue;
    }
    const labels = sanitizeLabels(app.labels);
    const { settings, problems } = decodeAppLabels(labels);
    if (problems.length > 0) {
      if (mayServe(labels, settings.groups, opts.groups)) for (const p of problems) skipped.push(problemSkip(id, undefined, p));
      else skipped.push({ appId: id, reason: 'GROUP_MISMATCH', message: `app ${id} is not in groups ${opts.groups.join(',')}` });
      continue;
    }
    out.push({ id, app, labels, settings });
  }
  return out;
}

export function normalize(apps: readonly WireApp[], opts: NormalizeOptions): Model {
  const skipped: Skipped[] = [];
  const served = servedApps(sourceApps(apps, opts, skipped), opts.withdrawn);

  // Marathon's own service ports first, so invented ones (IP-per-task) never collide with them.
  // (Indexed loops: the cluster model calls this once per app, so its first thousand calls or
  // so run cold, where for-of makes an iterator result per step.)
  const taken = new Set<number>();
  for (let i = 0; i < served.length; i++) {
    const declared = declaredServicePorts(served[i]!.base.app);
    for (let k = 0; k < declared.length; k++) taken.add(declared[k]!.servicePort);
  }
  const range = portRange(opts);
  let services: Service[] = [];
  for (let i = 0; i < served.length; i++) {
    const s = served[i]!;
    try {
      const slots = servicePorts(s.appId, s.base.app, range, taken);
      if (slots.length === 0) {
        const ours = mayServe(s.base.labels, s.base.settings.groups, opts.groups);
        skipped.push(ours
          ? { appId: s.appId, reason: 'NO_SERVICE_PORT', message: `app ${s.appId} has no service port` }
          : { appId: s.appId, reason: 'GROUP_MISMATCH', message: `app ${s.appId} is not in groups ${opts.groups.join(',')}` });
        continue;
      }
      const own = servicesOf(s, slots, opts, skipped);
      for (let k = 0; k < own.length; k++) services.push(own[k]!);
    } catch (err) {
      // A shape we did not foresee: lose this app, not the whole pass.
      skipped.push({ appId: s.appId, reason: 'INVALID_APP', message: `app ${s.appId} could not be read: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  sortInPlace(services, (a, b) => compareText(a.appId, b.appId) || a.servicePort - b.servicePort || a.index - b.index);
  services = dropClashes(services, skipped);
  return { services, skipped: sortInPlace(skipped, compareSkipped) };
}

/** NormalizeOptions from the controller's Settings plus the shell's resolver and health cache. */
export function normalizeOptionsFrom(
  settings: Pick<Settings, 'groups' | 'strictMode' | 'healthCheck' | 'minServPortIpPerTask' | 'maxServPortIpPerTask' | 'frameworkName'>
    & Partial<Pick<Settings, 'httpPort' | 'httpsPort' | 'adminPort' | 'appidPort' | 'statusPort' | 'bindAddress' | 'adminBindAddress' | 'dontBindHttpHttps'>>,
  resolve: Resolver,
  healthCache: HealthCache,
): NormalizeOptions {
  return {
    ownPorts: ownPortsOf(settings),
    groups: settings.groups,
    strictMode: settings.strictMode,
    healthCheck: settings.healthCheck,
    minServPortIpPerTask: settings.minServPortIpPerTask,
    maxServPortIpPerTask: settings.maxServPortIpPerTask,
    frameworkName: settings.frameworkName,
    resolve,
    healthCache,
  };
}

/**
 * The listeners of the built-in templates and the controller's status server (0: off). With
 * --dont-bind-http-https there is no :80 or :443 frontend, and apps may bind those ports.
 */
function ownPortsOf(s: Partial<Pick<Settings, 'httpPort' | 'httpsPort' | 'adminPort' | 'appidPort' | 'statusPort' | 'bindAddress' | 'adminBindAddress' | 'dontBindHttpHttps'>>): OwnPort[] {
  const bind = s.bindAddress ?? '*';
  const web = s.dontBindHttpHttps !== true;
  const all: Array<OwnPort | undefined> = [
    web && s.httpPort ? { port: s.httpPort, addr: bind, flag: '--http-port' } : undefined,
    web && s.httpsPort ? { port: s.httpsPort, addr: bind, flag: '--https-port' } : undefined,
    s.adminPort ? { port: s.adminPort, addr: s.adminBindAddress ?? bind, flag: '--admin-port' } : undefined,
    s.appidPort ? { port: s.appidPort, addr: bind, flag: '--appid-port' } : undefined,
    s.statusPort ? { port: s.statusPort, addr: '127.0.0.1', flag: '--status-port' } : undefined,
  ];
  return all.filter((o): o is OwnPort => o !== undefined);
}
