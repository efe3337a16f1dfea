// What a reconcile pass needs from the outside world, as interfaces: main.ts wires the real
// implementations; tests pass real ones too, pointed at temp dirs and loopback servers.

import type { ServerStateRow } from '../haproxy/index.js';
import type { WireApp } from '../model/wire.js';

export interface ValidationAlert {
  readonly line?: number | undefined;
  readonly message: string;
}

export type WriteResult =
  | { readonly ok: true; readonly changed: boolean }
  | { readonly ok: false; readonly alerts: readonly ValidationAlert[]; readonly output: string };

/** Validates (unless told not to) and atomically writes haproxy.cfg and the map files. */
export interface ConfigWriter {
  /** `validate: false` skips `haproxy -c` (a change made of validated server values only). */
  write(config: string, maps: Readonly<Record<string, string>>, opts?: { readonly validate?: boolean }): Promise<WriteResult>;
  /**
   * Writes a config given as pieces, without `haproxy -c` (server lines of validated values
   * only), in slices; `stop` is asked between slices and yes leaves every file as it was.
   */
  writeUnchecked(pieces: Iterable<string>, maps: Readonly<Record<string, string>>, stop: () => boolean): Promise<{
    readonly ok: true; readonly changed: boolean; readonly stopped?: true; readonly configDigest?: string;
  }>;
  /** `haproxy -c` a candidate without writing anything (attribution by bisection). */
  check?(config: string, maps: Readonly<Record<string, string>>): Promise<WriteResult>;
  /** The config on disk, if any (who holds which port, after a controller restart). */
  current?(): Promise<string | undefined>;
  /** Validate the config already on disk (SIGUSR1 reloads it). */
  validateCurrent(): Promise<WriteResult>;
}

export interface RuntimeOpLike {
  readonly op: string;
  readonly backend?: string;
  readonly server?: string;
}

export interface ReloadResult {
  readonly ok: boolean;
  readonly detail?: string | undefined;
}

/** How HAProxy is made to pick up a new config. */
export interface HaproxyDriver {
  readonly kind: 'master' | 'command' | 'none';
  /** Start HAProxy when it is not running yet, else reload it. */
  reload(reasons: readonly string[]): Promise<ReloadResult>;
  /** Apply task-level changes through the runtime API; absent when there is no admin socket. */
  runtime?(ops: readonly RuntimeOpLike[]): Promise<{ readonly ok: boolean; readonly error?: string | undefined }>;
  /** The binds (of new service ports) that cannot be bound now, with the error; absent: not checked. */
  cannotBind?(binds: ReadonlyArray<{ readonly appId: string; readonly addr: string; readonly port: number }>): Promise<Array<{ readonly appId: string; readonly addr: string; readonly port: number; readonly error: string }>>;
  /** HAProxy's live servers (`show servers state`), of some backends or all; throws without a socket. */
  readServers?(backends?: readonly string[]): Promise<ServerStateRow[]>;
  /** A map file's live entries (`show map`); undefined when HAProxy does not know that map. */
  readMap?(name: string): Promise<ReadonlyMap<string, string> | undefined>;
  /**
   * Does the running HAProxy follow the config on disk (it loaded it, or was brought to it at
   * run time)? undefined when no HAProxy answers on the admin socket.
   */
  followsDisk?(): Promise<boolean | undefined>;
  /**
   * Records that HAProxy's live state now follows the files on disk (after a runtime change they
   * were made to say). `configDigest`: the config file's sha256, when the writer knows it.
   */
  synced?(configDigest?: string): Promise<void>;
  stop(): Promise<void>;
  /** What happened to a supervised HAProxy (restarts of a dead master), for the status page. */
  supervision?(): { readonly restarts: number; readonly lastExit: { readonly at: number; readonly code: number | null } | undefined; readonly running: boolean };
  /** Resolves (with why) when the HAProxy this controller supervises is dead and cannot be restarted. */
  readonly fatal?: Promise<string>;
}

export interface AppSource {
  listApps(): Promise<WireApp[]>;
  /** One app with the same embeds; undefined when Marathon no longer has it. */
  getApp?(id: string): Promise<WireApp | undefined>;
}
