// The domain model: what normalize() makes of Marathon's apps, and all render() ever sees.
// Readonly, sorted, and free of wire-format quirks.

/** A task that can receive traffic, as one HAProxy server line. */
export interface Server {
  /** Marathon task id (for logs and the status page). */
  readonly taskId: string;
  /** Agent hostname as Marathon reported it. */
  readonly host: string;
  /** Address HAProxy connects to (resolved host, or the task's own IP for IP-per-task). */
  readonly ip: string;
  readonly port: number;
  /** Deterministic server name: sanitize(host_ip_port) or sanitize(ip_port) (spec §3.2). */
  readonly name: string;
  /** Deterministic server id, unique per backend, 1..32766 (spec §3.2). */
  readonly id: number;
  /** Blue/green: an old task being drained (rendered ` disabled`). */
  readonly draining: boolean;
  /** Port for HAProxy's health check when it differs from `port` (` port N`). */
  readonly checkPort: number | undefined;
  /** Marathon task state, e.g. TASK_RUNNING (informational). */
  readonly state: string | undefined;
}

/** A Marathon health check, with Marathon's defaults filled in. */
export interface HealthCheck {
  readonly protocol: string;
  readonly path: string;
  readonly portIndex: number | undefined;
  readonly port: number | undefined;
  readonly timeoutSeconds: number;
  readonly intervalSeconds: number;
  readonly gracePeriodSeconds: number;
  readonly maxConsecutiveFailures: number;
}

export interface BasicAuth {
  readonly realm: string;
  readonly user: string;
  /** Expected to be a crypt(3) hash, as HAProxy's `password` keyword wants. */
  readonly passwd: string;
}

/** One service port of one Marathon app: one frontend and one backend in HAProxy. */
export interface Service {
  /** App id as served (blue/green apps carry their deployment group's id). */
  readonly appId: string;
  /** The id Marathon knows the app by (differs from appId for blue/green apps). */
  readonly marathonAppId: string;
  /** Service-port index n (the `{n}` of HAPROXY_{n}_* labels). */
  readonly index: number;
  /** Port the frontend binds: HAPROXY_{n}_PORT, else Marathon's service port. */
  readonly servicePort: number;
  /** `<appId without leading slash, / -> _>_<servicePort>`. */
  readonly backend: string;
  readonly mode: string;
  readonly balance: string;
  /** Lower-cased, in label order. Empty: no vhost routing. */
  readonly vhosts: readonly string[];
  readonly path: string | undefined;
  readonly sticky: boolean;
  readonly redirectToHttps: boolean;
  readonly useHsts: boolean;
  readonly sslCert: string | undefined;
  readonly bindAddr: string;
  readonly bindOptions: string | undefined;
  readonly auth: BasicAuth | undefined;
  readonly proxypassPath: string | undefined;
  readonly revproxyPath: string | undefined;
  readonly redirPath: string | undefined;
  /** Sort key (descending) of this service's :80/:443 blocks. */
  readonly backendWeight: number;
  /** Whitespace-separated list of allowed source networks, or undefined. */
  readonly networkAllowed: string | undefined;
  readonly healthCheck: HealthCheck | undefined;
  /** Per-port template overrides from HAPROXY_{n}_<TEMPLATE> labels: name -> text. */
  readonly templates: Readonly<Record<string, string>>;
  /** Sorted by (host, port). May be empty (rendered as a backend without servers). */
  readonly servers: readonly Server[];
  /** Labels of the app, for the whole-file ejs template and the status page. */
  readonly labels: Readonly<Record<string, string>>;
}

export type SkipReason =
  | 'GROUP_MISMATCH'
  | 'DISABLED'
  | 'NO_SERVICE_PORT'
  | 'NO_TASKS'
  | 'INVALID_LABEL'
  | 'INVALID_TEMPLATE'
  | 'UNSAFE_VALUE'
  | 'CONFIG_REJECTED'
  | 'FRAMEWORK_SELF'
  | 'INVALID_APP';

/** Something that is not served, and why. Returned as data, never thrown. */
export interface Skipped {
  readonly appId: string;
  /** Service-port index when the problem is per port. */
  readonly index?: number | undefined;
  /** The label (or template) at fault, when there is one. */
  readonly label?: string | undefined;
  readonly reason: SkipReason;
  readonly message: string;
  /**
   * For a service port skipped for its own labels: the servers its current tasks make. An app
   * kept on its last good config takes these, so it follows Marathon when tasks move.
   */
  readonly servers?: readonly Server[] | undefined;
}

export interface Model {
  /** Sorted by (appId, servicePort). */
  readonly services: readonly Service[];
  readonly skipped: readonly Skipped[];
}
