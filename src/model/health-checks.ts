// Marathon health checks -> the model's HealthCheck (spec §5.5, marathon-api.md §2.2.2).

import type { HealthCheck } from './types.js';
import type { WireHealthCheck } from './wire.js';

/** Marathon's documented defaults, for fields an older or terser Marathon left out. */
export const MARATHON_HEALTH_CHECK_DEFAULTS = {
  protocol: 'HTTP',
  path: '/',
  timeoutSeconds: 20,
  intervalSeconds: 60,
  gracePeriodSeconds: 300,
  maxConsecutiveFailures: 3,
} as const;

/** Protocols whose check speaks HTTP, so the service has to be in http mode to use it. */
export const HTTP_LIKE_PROTOCOLS: ReadonlySet<string> = new Set(['HTTP', 'HTTPS', 'MESOS_HTTP', 'MESOS_HTTPS']);

function num(value: number | null | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

function isPortNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** The port index a check applies to: Marathon's default 0 unless it has a fixed port or is a COMMAND check. */
function effectivePortIndex(check: WireHealthCheck): number | undefined {
  if (isIndex(check.portIndex)) return check.portIndex;
  const protocol = check.protocol ?? MARATHON_HEALTH_CHECK_DEFAULTS.protocol;
  if (isPortNumber(check.port) || protocol === 'COMMAND') return undefined;
  return 0;
}

export function toHealthCheck(check: WireHealthCheck): HealthCheck {
  const d = MARATHON_HEALTH_CHECK_DEFAULTS;
  return {
    protocol: typeof check.protocol === 'string' && check.protocol !== '' ? check.protocol : d.protocol,
    path: typeof check.path === 'string' && check.path !== '' ? check.path : d.path,
    portIndex: effectivePortIndex(check),
    port: isPortNumber(check.port) ? check.port : undefined,
    timeoutSeconds: num(check.timeoutSeconds, d.timeoutSeconds),
    intervalSeconds: num(check.intervalSeconds, d.intervalSeconds),
    gracePeriodSeconds: num(check.gracePeriodSeconds, d.gracePeriodSeconds),
    maxConsecutiveFailures: num(check.maxConsecutiveFailures, d.maxConsecutiveFailures),
  };
}

export function appHealthChecks(checks: readonly (WireHealthCheck | null)[] | null | undefined): WireHealthCheck[] {
  if (!Array.isArray(checks)) return [];
  // An empty object is "no check" (marathon-lb's tests use {} for that).
  return checks.filter((c): c is WireHealthCheck => typeof c === 'object' && c !== null && Object.keys(c).length > 0);
}

/**
 * The check for the service port at `position`: the first check with a fixed `port` (which
 * marathon-lb applies to every service port) or whose port index is `position`. COMMAND checks
 * without either are not about a port and are ignored.
 */
export function healthCheckFor(checks: readonly (WireHealthCheck | null)[] | null | undefined, position: number): HealthCheck | undefined {
  for (const check of appHealthChecks(checks)) {
    if (isPortNumber(check.port) || effectivePortIndex(check) === position) return toHealthCheck(check);
  }
  return undefined;
}
