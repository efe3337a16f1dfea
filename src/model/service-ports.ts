// Networking mode and service ports of an app (spec §5.2, marathon-api.md §2.2.1 and §3).
// Marathon moved these fields between 1.3/1.4 and 1.5, so every shape is read here and nowhere else.

import { createHash } from 'node:crypto';
import type { WireApp, WirePortMapping } from './wire.js';

/** host: agent address and host ports. container: IP-per-task. container/bridge: Docker bridge. */
export type NetworkingMode = 'host' | 'container' | 'container/bridge';

function isNonEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
}

/** Later rules override earlier ones, as in marathon-lb: ipAddress, docker.network, networks[]. */
export function networkingMode(app: WireApp): NetworkingMode {
  let mode: NetworkingMode = 'host';
  if (isNonEmptyObject(app.ipAddress)) mode = 'container';
  const dockerNetwork = app.container?.docker?.network;
  if (dockerNetwork === 'USER') mode = 'container';
  if (dockerNetwork === 'BRIDGE') mode = 'container/bridge';
  for (const network of Array.isArray(app.networks) ? app.networks : []) {
    const m = network?.mode ?? 'container';
    if (m === 'host' || m === 'container' || m === 'container/bridge') mode = m;
  }
  return mode;
}

function list<T>(value: readonly T[] | null | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

/** `container.docker.portMappings` (<=1.4) if non-empty, else `container.portMappings` (1.5+). */
export function portMappings(app: WireApp): readonly WirePortMapping[] {
  const docker = list(app.container?.docker?.portMappings);
  return docker.length > 0 ? docker : list(app.container?.portMappings);
}

export function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** One service port and where it came from. */
export interface ServicePortSlot {
  readonly servicePort: number;
  /**
   * Position in the list it was read from (port mappings, port definitions, or discovery ports).
   * Task ports and health-check portIndex refer to this position, so a mapping without a service
   * port does not shift the pairing of the ones after it (marathon-lb's bug, spec §11.12).
   */
  readonly position: number;
  /** Invented by us from --min/max-serv-port-ip-per-task (Marathon gave none). */
  readonly assigned: boolean;
}

function slots(values: readonly (number | null | undefined)[]): ServicePortSlot[] {
  const out: ServicePortSlot[] = [];
  values.forEach((port, position) => {
    if (isPort(port)) out.push({ servicePort: port, position, assigned: false });
  });
  return out;
}

/** The service ports Marathon declares for the app (§5.2 rules 1 and 2). */
export function declaredServicePorts(app: WireApp, mode: NetworkingMode = networkingMode(app)): ServicePortSlot[] {
  if (mode !== 'host') {
    const fromMappings = slots(portMappings(app).map((m) => m?.servicePort));
    if (fromMappings.length > 0) return fromMappings;
  }
  if (Array.isArray(app.portDefinitions)) return slots(app.portDefinitions.map((d) => d?.port));
  return slots(list(app.ports));
}

/** Ports an IP-per-task container listens on: discovery ports (<=1.4), else containerPorts. */
export function containerPorts(app: WireApp): (number | undefined)[] {
  const discovery = list(app.ipAddress?.discovery?.ports).map((p) => (isPort(p?.number) ? p.number : undefined));
  if (discovery.length > 0) return discovery;
  return portMappings(app).map((m) => (isPort(m?.containerPort) ? m.containerPort : undefined));
}

export interface PortRange {
  readonly min: number;
  readonly max: number;
}

const HASH_ATTEMPTS = 50;

function hashCandidate(appId: string, taskPort: number, attempt: number, range: PortRange): number {
  const hex = createHash('sha1').update(`${appId}-${taskPort}-${attempt}`, 'utf8').digest('hex').slice(0, 8);
  return range.min + (parseInt(hex, 16) % (range.max - range.min + 1));
}

/**
 * Picks a service port for (appId, taskPort) that is not in `taken`, and records it there.
 * Hashing makes the choice stable across passes and across LB instances; a clash moves to the
 * next attempt, and after 50 clashes to the lowest free port. Undefined when the range is full.
 */
export function assignServicePort(appId: string, taskPort: number, range: PortRange, taken: Set<number>): number | undefined {
  if (range.min < 1 || range.max < range.min) return undefined;
  for (let attempt = 0; attempt < HASH_ATTEMPTS; attempt++) {
    const candidate = hashCandidate(appId, taskPort, attempt, range);
    if (!taken.has(candidate)) {
      taken.add(candidate);
      return candidate;
    }
  }
  for (let candidate = range.min; candidate <= range.max; candidate++) {
    if (!taken.has(candidate)) {
      taken.add(candidate);
      return candidate;
    }
  }
  return undefined;
}

/**
 * Service ports of an app, inventing them for IP-per-task apps Marathon gave none (§5.2 rule 3).
 * `taken` holds every service port already in use; callers process apps in a fixed order
 * (sorted by id) so the result does not depend on the order Marathon listed the apps in.
 */
export function servicePorts(
  appId: string,
  app: WireApp,
  range: PortRange | undefined,
  taken: Set<number>,
  mode: NetworkingMode = networkingMode(app),
): ServicePortSlot[] {
  const declared = declaredServicePorts(app, mode);
  if (declared.length > 0 || mode !== 'container' || range === undefined) return declared;
  const out: ServicePortSlot[] = [];
  containerPorts(app).forEach((taskPort, position) => {
    if (taskPort === undefined) return;
    const servicePort = assignServicePort(appId, taskPort, range, taken);
    if (servicePort !== undefined) out.push({ servicePort, position, assigned: true });
  });
  return out;
}

/** `*` (the frontend's default) and `0.0.0.0` both bind every IPv4 address. */
const everyAddress = (addr: string): boolean => addr === '*' || addr === '0.0.0.0';

/**
 * Two binds of one port collide when they name the same address or either names every address:
 * HAProxy would accept both and split the port's connections (or hand one the other's).
 */
export function bindsOverlap(a: string, b: string): boolean {
  return a === b || everyAddress(a) || everyAddress(b);
}
