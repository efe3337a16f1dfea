// Public surface of the Marathon folder: REST client with failover, event stream watcher,
// legacy HTTP-callback receiver, and the errors they raise.

export {
  MarathonError,
  MarathonUnavailableError,
  MarathonAuthError,
  MarathonHttpError,
  MarathonResponseError,
} from './errors.js';
export { createMarathonClient, type MarathonClient, type MarathonClientOptions } from './client.js';
export { watchEvents, type WatchEventsOptions, type EventWatcher, type WatcherState } from './events.js';
export { startCallbackReceiver, type CallbackReceiverOptions, type CallbackReceiver } from './callback.js';
export type { BasicAuth, DcosServiceAccount } from './auth.js';
export type { LogFn, LogLevel } from './log.js';
export { redactUrl } from './redact.js';
export { APPS_PATH, eventsPath } from './urls.js';
