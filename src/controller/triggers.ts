// What makes the loop run, per mode: the SSE stream (sse), a timer (poll), POSTed callbacks
// (event), plus a periodic full resync. Every trigger only marks the state dirty.

import type { Logger } from 'pino';
import type { Metrics } from '../admin/index.js';
import { startCallbackReceiver, watchEvents, type LogFn, type MarathonClient } from '../marathon/index.js';
import type { Settings } from '../settings.js';
import type { Controller } from './controller.js';
import { appsOfEvent } from './event-apps.js';

/** Events that can change what HAProxy should serve (plus deployment events for draining). */
export const RELEVANT_EVENTS = [
  'api_post_event', 'status_update_event', 'health_status_changed_event', 'app_terminated_event',
  'deployment_success', 'deployment_failed', 'deployment_step_success', 'instance_health_changed_event',
  // Pods (1.4+): their definitions, and their instances' lifecycle (apps have status_update_event).
  'pod_created_event', 'pod_updated_event', 'pod_deleted_event', 'instance_changed_event',
] as const;

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
    const t = setInterval(() => loop.markDirty(reason), seconds * 1000);
    t.unref();
    stops.push(() => clearInterval(t));
  };
  const onEvent = (type: string, data: string) => {
    d.metrics.eventsTotal.inc({ type });
    // Only the apps the event names are re-read; an event that names none reads everything.
    const named = appsOfEvent(type, data);
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
      const watcher = watchEvents({
        urls: [...settings.marathon],
        auth: settings.authCredentials,
        dcos: settings.dcosAuthCredentials,
        caCert: settings.marathonCaCert,
        eventTypes: [...RELEVANT_EVENTS],
        maxBackoffSeconds: settings.maxBackoff,
        maxLineLength: settings.sseMaxLineLength,
        onEvent,
        onResyncNeeded: () => loop.markDirty('oversized event dropped'),
        onConnected: (url) => {
          const s = watcher.state();
          controller.setStream({ connected: true, url, since: new Date().toISOString(), reconnects: s.reconnects });
          // Events may have been missed while disconnected: every (re)connect is a full resync.
          loop.markDirty('stream connected');
        },
        onDisconnected: (reason) => {
          const s = watcher.state();
          controller.setStream({ connected: false, url: s.url, since: new Date().toISOString(), reconnects: s.reconnects });
          if (stopping) log.info({ reason }, 'event stream closed');
          else log.warn({ reason }, 'event stream lost');
        },
        onAuthError: (err) => log.error({ status: err.status, error: err.message }, 'marathon refused our credentials'),
        log: logFn(log),
      });
      stops.push(() => watcher.close());
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
