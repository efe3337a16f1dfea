// What makes the loop run, per mode: the SSE stream (sse), a timer (poll), POSTed callbacks
// (event), plus a periodic full resync. Every trigger only marks the state dirty.

import type { Logger } from 'pino';
import type { Metrics } from '../admin/index.js';
import { startCallbackReceiver, watchEvents, type LogFn, type MarathonClient } from '../marathon/index.js';
import type { Settings } from '../settings.js';
import type { Controller } from './controller.js';
import { clusterId } from '../model/cluster-prefix.js';
import { appsOfEvent } from './event-apps.js';
import { credentialsFor } from './multi-source.js';

/** Events that can change what HAProxy should serve (plus deployment events for draining). */
export const RELEVANT_EVENTS = [
  'api_post_event', 'status_update_event', 'health_status_changed_event', 'app_terminated_event',
  'deployment_success', 'deployment_failed', 'deployment_step_success', 'instance_health_changed_event',
  // Pods (1.4+): their definitions, and their instances' lifecycle (apps have status_update_event).
  'pod_created_event', 'pod_updated_event', 'pod_deleted_event', 'instance_changed_event',
] as const;

type StreamState = Parameters<Controller['setStream']>[0];

/** Several streams as the one the status page shows: connected when all are; each URL named. */
export function combinedStream(entries: ReadonlyArray<[string, StreamState]>): StreamState {
  if (entries.length === 1 && entries[0]![0] === '') return entries[0]![1];
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    connected: sorted.every(([, s]) => s.connected),
    url: sorted.map(([name, s]) => `${name}=${s.url ?? '(none)'}${s.connected ? '' : ' (down)'}`).join(' '),
    since: sorted.map(([, s]) => s.since ?? '').sort().at(-1) || undefined,
    reconnects: sorted.reduce((n, [, s]) => n + s.reconnects, 0),
  };
}

export interface Triggers {
  stop(): Promise<void>;
}

export interface TriggerDeps {
  readonly settings: Settings;
  readonly controller: Controller;
  readonly marathon: MarathonClient;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Is this run spec id an app? instance_changed_event of apps repeats their status_update_event. */
  readonly isApp?: (id: string) => boolean;
}

function logFn(log: Logger): LogFn {
  return (level, obj, msg) => log[level](obj, msg);
}

export async function startTriggers(d: TriggerDeps): Promise<Triggers> {
  const { settings, controller, log } = d;
  const loop = controller.loop;
  const stops: Array<() => Promise<void> | void> = [];
  const every = (seconds: number, reason: string) => {
    if (seconds <= 0) return;
    // Not unref'd: in poll mode with the status server off, this timer is what keeps the
    // process running; stop() clears it.
    const t = setInterval(() => loop.markDirty(reason), seconds * 1000);
    stops.push(() => clearInterval(t));
  };
  const onEvent = (type: string, data: string, cluster?: string) => {
    d.metrics.eventsTotal.inc({ type });
    // Only the apps the event names are re-read; an event that names none reads everything.
    const ids = appsOfEvent(type, data);
    const named = cluster === undefined || ids === undefined ? ids : ids.map((id) => clusterId(cluster, id));
    if (type === 'instance_changed_event' && named !== undefined && d.isApp && named.every(d.isApp)) return;
    loop.markDirty(`event:${type}`, named);
  };

  let stopping = false; // a stream closed by stop() is not lost
  loop.markDirty('startup');
  switch (settings.mode) {
    case 'poll':
      controller.setStream({ connected: true, url: undefined, since: new Date().toISOString(), reconnects: 0 });
      every(settings.pollInterval, 'poll');
      break;
    case 'sse': {
      // One stream per Marathon; with several, each has its own backoff and marks its own
      // (prefixed) ids, and one being down leaves the others' streams alone.
      const several = settings.marathonClusters.length > 1;
      const streams = several
        ? settings.marathonClusters.map((c) => ({ name: c.name, urls: [...c.urls] }))
        : [{ name: undefined, urls: [...settings.marathon] }];
      const states = new Map<string, StreamState>();
      const publish = () => controller.setStream(combinedStream([...states.entries()]));
      for (const stream of streams) {
        const prefix = stream.name;
        const key = prefix ?? '';
        const tag = prefix === undefined ? {} : { cluster: prefix };
        const watcher = watchEvents({
          urls: stream.urls,
          ...credentialsFor(settings, stream.urls),
          caCert: settings.marathonCaCert,
          eventTypes: [...RELEVANT_EVENTS],
          maxBackoffSeconds: settings.maxBackoff,
          maxLineLength: settings.sseMaxLineLength,
          onEvent: (type, data) => onEvent(type, data, prefix),
          onResyncNeeded: () => loop.markDirty('oversized event dropped'),
          onConnected: (url) => {
            const st = watcher.state();
            states.set(key, { connected: true, url, since: new Date().toISOString(), reconnects: st.reconnects });
            publish();
            // Events may have been missed while disconnected: every (re)connect is a full resync.
            loop.markDirty(prefix === undefined ? 'stream connected' : `stream connected: ${prefix}`);
          },
          onDisconnected: (reason) => {
            const st = watcher.state();
            states.set(key, { connected: false, url: st.url, since: new Date().toISOString(), reconnects: st.reconnects });
            publish();
            if (stopping) log.info({ reason, ...tag }, 'event stream closed');
            else log.warn({ reason, ...tag }, 'event stream lost');
          },
          onAuthError: (err) => log.error({ status: err.status, error: err.message, ...tag }, 'marathon refused our credentials'),
          log: prefix === undefined ? logFn(log) : logFn(log.child({ cluster: prefix })),
        });
        stops.push(() => watcher.close());
      }
      every(settings.resyncInterval, 'periodic resync');
      break;
    }
    case 'event': {
      const [host, port] = (settings.callbackListen ?? '0.0.0.0:0').split(/:(?=\d+$)/);
      const receiver = await startCallbackReceiver({
        listen: { host: host || '0.0.0.0', port: Number(port ?? 0) },
        callbackUrl: settings.callbackUrl!,
        client: d.marathon,
        onEvent,
        eventTypes: [...RELEVANT_EVENTS],
        log: logFn(log),
      });
      controller.setStream({ connected: true, url: receiver.url, since: new Date().toISOString(), reconnects: 0 });
      stops.push(() => receiver.close());
      every(settings.resyncInterval, 'periodic resync');
      break;
    }
    default:
      break;
  }
  return {
    async stop() {
      stopping = true;
      for (const s of stops.reverse()) await s();
    },
  };
}
