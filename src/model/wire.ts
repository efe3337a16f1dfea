// Marathon's JSON as it arrives on the wire (GET /v2/apps?embed=apps.tasks...), covering the
// 1.3/1.4 networking fields and the 1.5+ ones. Every field is optional: real Marathons omit or
// null them depending on version, and normalize() must cope with both.

export interface WirePortDefinition {
  port?: number | null;
  protocol?: string | null;
  name?: string | null;
  labels?: Record<string, string> | null;
}

export interface WirePortMapping {
  containerPort?: number | null;
  hostPort?: number | null;
  servicePort?: number | null;
  protocol?: string | null;
  name?: string | null;
  labels?: Record<string, string> | null;
}

export interface WireHealthCheck {
  protocol?: string | null;
  path?: string | null;
  portIndex?: number | null;
  port?: number | null;
  gracePeriodSeconds?: number | null;
  intervalSeconds?: number | null;
  timeoutSeconds?: number | null;
  maxConsecutiveFailures?: number | null;
  ignoreHttp1xx?: boolean | null;
  delaySeconds?: number | null;
  command?: { value?: string } | null;
}

export interface WireHealthResult {
  alive?: boolean | null;
  consecutiveFailures?: number | null;
  firstSuccess?: string | null;
  lastFailure?: string | null;
  lastSuccess?: string | null;
  lastFailureCause?: string | null;
  taskId?: string | null;
  instanceId?: string | null;
}

export interface WireTask {
  id?: string | null;
  appId?: string | null;
  host?: string | null;
  slaveId?: string | null;
  state?: string | null;
  stagedAt?: string | null;
  startedAt?: string | null;
  version?: string | null;
  ports?: number[] | null;
  ipAddresses?: Array<{ ipAddress?: string | null; protocol?: string | null }> | null;
  healthCheckResults?: WireHealthResult[] | null;
}

export interface WireNetwork {
  mode?: string | null;
  name?: string | null;
  labels?: Record<string, string> | null;
}

export interface WireContainer {
  type?: string | null;
  docker?: {
    image?: string | null;
    network?: string | null;
    portMappings?: WirePortMapping[] | null;
  } | null;
  portMappings?: WirePortMapping[] | null;
}

export interface WireIpAddress {
  groups?: string[] | null;
  labels?: Record<string, string> | null;
  discovery?: { ports?: Array<{ number?: number | null; name?: string | null; protocol?: string | null }> | null } | null;
  networkName?: string | null;
}

export interface WireReadinessResult {
  name?: string;
  taskId?: string;
  ready?: boolean;
}

export interface WireApp {
  id?: string | null;
  instances?: number | null;
  labels?: Record<string, string> | null;
  ports?: number[] | null;
  portDefinitions?: WirePortDefinition[] | null;
  container?: WireContainer | null;
  networks?: WireNetwork[] | null;
  ipAddress?: WireIpAddress | null;
  healthChecks?: WireHealthCheck[] | null;
  readinessChecks?: unknown[] | null;
  readinessCheckResults?: WireReadinessResult[] | null;
  tasks?: WireTask[] | null;
  deployments?: Array<{ id?: string }> | null;
  versionInfo?: { lastScalingAt?: string | null; lastConfigChangeAt?: string | null } | null;
  version?: string | null;
  [key: string]: unknown;
}

export interface WireAppsResponse {
  apps: WireApp[];
}
