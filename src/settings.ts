// The controller's settings: what marathon_lb.py's flags say, plus our own additions.
// Pure data. Only cli.ts builds it (from argv and env); everything else receives it.

export type Mode = 'once' | 'sse' | 'poll' | 'event';

export interface DcosCredentials {
  readonly uid: string;
  readonly privateKey: string;
  readonly loginEndpoint: string;
}

/** One Marathon of several (--marathon-cluster NAME=URL[,URL...]). */
export interface MarathonCluster {
  readonly name: string;
  readonly urls: readonly string[];
}

export interface Settings {
  readonly mode: Mode;
  /** Marathon base URLs, tried in order (failover). With --marathon-cluster: the first cluster's. */
  readonly marathon: readonly string[];
  /**
   * --marathon-cluster, in command-line order; empty without it. More than one: their app ids
   * are prefixed with /NAME and each is read and watched on its own.
   */
  readonly marathonClusters: readonly MarathonCluster[];
  readonly haproxyConfig: string;
  /** LB groups served; `*` matches every app. */
  readonly groups: readonly string[];
  /** External reload command (marathon-lb's --command). */
  readonly command: string | undefined;
  readonly maxReloadRetries: number;
  readonly reloadInterval: number;
  readonly strictMode: boolean;
  readonly archiveVersions: number;
  readonly healthCheck: boolean;
  readonly lruCacheCapacity: number;
  /** --dns-ttl: seconds a resolved agent address is used before asking again. */
  readonly dnsTtlSeconds: number;
  readonly haproxyMap: boolean;
  readonly dontBindHttpHttps: boolean;
  readonly groupHttpsByVhost: boolean;
  readonly sslCerts: readonly string[];
  readonly skipValidation: boolean;
  readonly skipConfigCleanup: boolean;
  readonly dry: boolean;
  readonly minServPortIpPerTask: number;
  readonly maxServPortIpPerTask: number;
  readonly maxBackoff: number;
  /** Longest SSE line / event data kept (characters); longer events are dropped and resynced. */
  readonly sseMaxLineLength: number;
  readonly syslogSocket: string;
  readonly logFormat: string;
  readonly logLevel: string;
  /** user:pass for Marathon basic auth (from the flag or the credential file). */
  readonly authCredentials: { readonly user: string; readonly password: string } | undefined;
  readonly dcosAuthCredentials: DcosCredentials | undefined;
  readonly marathonCaCert: string | undefined;

  // Our additions (documented in docs/flags.md).
  /** Seconds between polls in poll mode (env POLL_INTERVAL). */
  readonly pollInterval: number;
  /** Seconds between full resyncs in sse/event mode. */
  readonly resyncInterval: number;
  /** Debounce window and max delay (ms) for the reconcile loop. */
  readonly debounceMs: number;
  readonly maxDelayMs: number;
  /** Minimum seconds between two HAProxy reloads. */
  readonly minReloadInterval: number;
  /** The haproxy binary used for validation and for the supervised master. */
  readonly haproxyBin: string;
  /** Directory holding the Lua scripts referenced by the default HEAD. */
  readonly luaDir: string;
  /** Directory for HAProxy's runtime files: master/admin sockets, server state, pid files. */
  readonly runDir: string;
  /** Start and supervise HAProxy in master-worker mode (instead of --command). */
  readonly superviseHaproxy: boolean;
  /** Whole-file ejs template supplied by the operator (the Bamboo way). */
  readonly ejsTemplate: string | undefined;
  /** Directory of template override files (marathon-lb reads ./templates). */
  readonly templatesDir: string;
  /** Where the controller writes its pid (signals from the :9090 Lua endpoints). */
  readonly pidFile: string;
  /** Event (callback) mode: `host:port` to listen on and the URL Marathon should call. */
  readonly callbackListen: string | undefined;
  readonly callbackUrl: string | undefined;
  /** Port of the controller's own status/metrics HTTP server on loopback (0 = off). */
  readonly statusPort: number;
  /** Ports of the well-known frontends (marathon-lb hard-codes 80, 443, 9090, 9091). */
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly adminPort: number;
  readonly appidPort: number;
  /** Address those frontends bind to; `*` = all IPv4 addresses. */
  readonly bindAddress: string;
  /** Address the :9090 admin section binds to (default: bindAddress). */
  readonly adminBindAddress: string;
  /** Networks allowed to use the admin plane's write endpoints (/_mlb_signal/*); empty = everyone. */
  readonly adminWriteNetworks: readonly string[];
  /** FRAMEWORK_NAME: the LB's own app id, skipped. */
  readonly frameworkName: string | undefined;
  /** HAPROXY_GLOBAL_DEFAULT_OPTIONS. */
  readonly globalDefaultOptions: readonly string[];
}

export const DEFAULT_GLOBAL_OPTIONS = ['redispatch', 'http-server-close', 'dontlognull'] as const;
