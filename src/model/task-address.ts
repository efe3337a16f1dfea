// Where HAProxy reaches a task (spec §5.3): the address and the ports, by networking mode.
// DNS is I/O, so the caller supplies `resolve` (a cached resolver in the shell, a table in tests).

import { isIP } from 'node:net';
import { containerPorts, isPort, networkingMode, portMappings, type NetworkingMode } from './service-ports.js';
import type { WireApp, WireTask } from './wire.js';
import { boundedMemo } from '../bounded-memo.js';

/** Host name -> IP address, or undefined when it does not resolve. */
export type Resolver = (host: string) => string | undefined;

export interface TaskAddress {
  readonly ip: string;
  /**
   * The task's ports by position (the same positions as ServicePortSlot.position);
   * undefined where a position has no usable port.
   */
  readonly ports: readonly (number | undefined)[];
}

function hostPorts(task: WireTask): (number | undefined)[] {
  return (Array.isArray(task.ports) ? task.ports : []).map((p) => (isPort(p) ? p : undefined));
}

function definitionPorts(app: WireApp): (number | undefined)[] {
  return (Array.isArray(app.portDefinitions) ? app.portDefinitions : []).map((d) => (isPort(d?.port) ? d.port : undefined));
}

function mappingContainerPorts(app: WireApp): (number | undefined)[] {
  return portMappings(app).map((m) => (isPort(m?.containerPort) ? m.containerPort : undefined));
}

function hasPort(ports: readonly (number | undefined)[]): boolean {
  return ports.some((p) => p !== undefined);
}

/**
 * The first list with a usable port: the task's own, the app's port definitions, then (bridge
 * networking only) its mappings' container ports; else none. Later lists are only read when
 * needed, and nothing is made for them up front (this runs per task).
 */
function hostSidePorts(app: WireApp, task: WireTask, bridge: boolean): (number | undefined)[] {
  let ports = hostPorts(task);
  if (hasPort(ports)) return ports;
  ports = definitionPorts(app);
  if (hasPort(ports)) return ports;
  if (bridge) {
    ports = mappingContainerPorts(app);
    if (hasPort(ports)) return ports;
  }
  return [];
}

/** Only hex digits, `.` and `:` (or a `%zone`) can make an IP literal. */
const NOT_AN_IP = /[^0-9a-fA-F:.]/;

/** IP literals pass through; names go to the resolver. */
export function resolveHost(host: string, resolve: Resolver): string | undefined {
  return isIpLiteral(host) ? host : resolve(host);
}

/**
 * Agents' hosts repeat across thousands of tasks: whether each is an IP literal is remembered.
 * isIP() tries a long IPv6 pattern on every agent name; most names fail the cheap test first.
 */
const isIpLiteral = boundedMemo((host) => (host.includes('%') || !NOT_AN_IP.test(host)) && isIP(host) !== 0, 65536);

/** The task's address, or undefined when it has no IP or no ports (the task is then not served). */
export function taskAddress(
  app: WireApp,
  task: WireTask,
  resolve: Resolver,
  mode: NetworkingMode = networkingMode(app),
): TaskAddress | undefined {
  let ip: string | undefined;
  let ports: (number | undefined)[];
  if (mode === 'container') {
    const first = Array.isArray(task.ipAddresses) ? task.ipAddresses[0]?.ipAddress : undefined;
    ip = typeof first === 'string' && first !== '' ? first : undefined;
    ports = containerPorts(app);
  } else {
    ip = typeof task.host === 'string' && task.host !== '' ? resolveHost(task.host, resolve) : undefined;
    ports = hostSidePorts(app, task, mode === 'container/bridge');
  }
  if (ip === undefined || !hasPort(ports)) return undefined;
  return { ip, ports };
}
