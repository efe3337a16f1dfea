// Marathon's pod JSON (1.4+) as it arrives from GET /v2/pods/::status and
// GET /v2/pods/{id}::status: a PodStatus carries the pod's spec and its instances' status.
// Every field is optional, as on the app side: versions differ (1.4 names the agent `agent`,
// 1.5+ `agentHostname`; container states were STABLE/... in 1.4 and Mesos task states later).

import type { WireNetwork } from './wire.js';

export interface WirePodEndpoint {
  name?: string | null;
  containerPort?: number | null;
  hostPort?: number | null;
  protocol?: string[] | string | null;
  labels?: Record<string, string> | null;
}

export interface WirePodHealthCheck {
  http?: { endpoint?: string | null; path?: string | null; scheme?: string | null } | null;
  tcp?: { endpoint?: string | null } | null;
  exec?: unknown;
  gracePeriodSeconds?: number | null;
  intervalSeconds?: number | null;
  maxConsecutiveFailures?: number | null;
  timeoutSeconds?: number | null;
  delaySeconds?: number | null;
}

export interface WirePodContainer {
  name?: string | null;
  endpoints?: WirePodEndpoint[] | null;
  healthCheck?: WirePodHealthCheck | null;
  [key: string]: unknown;
}

export interface WirePod {
  id?: string | null;
  labels?: Record<string, string> | null;
  containers?: WirePodContainer[] | null;
  networks?: WireNetwork[] | null;
  scaling?: { kind?: string | null; instances?: number | null } | null;
  version?: string | null;
  [key: string]: unknown;
}

export interface WirePodEndpointStatus {
  name?: string | null;
  allocatedHostPort?: number | null;
  /** Present only when a health check is defined for this endpoint. */
  healthy?: boolean | null;
}

export interface WirePodContainerStatus {
  name?: string | null;
  /** 1.4: STAGING | STABLE | DEGRADED | TERMINAL; later: the Mesos task state (TASK_RUNNING, ...). */
  status?: string | null;
  containerId?: string | null;
  endpoints?: WirePodEndpointStatus[] | null;
}

export interface WirePodInstanceStatus {
  id?: string | null;
  /** PENDING | STAGING | STABLE | DEGRADED | TERMINAL */
  status?: string | null;
  /** 1.5+ */
  agentHostname?: string | null;
  /** 1.4 */
  agent?: string | null;
  agentId?: string | null;
  networks?: Array<{ name?: string | null; addresses?: string[] | null }> | null;
  containers?: WirePodContainerStatus[] | null;
}

export interface WirePodStatus {
  id?: string | null;
  spec?: WirePod | null;
  /** DEGRADED | STABLE | TERMINAL */
  status?: string | null;
  instances?: WirePodInstanceStatus[] | null;
  [key: string]: unknown;
}
