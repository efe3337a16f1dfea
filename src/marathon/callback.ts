// Legacy event mode for Marathon < 1.5 (`--event_subscriber http_callback`): Marathon POSTs
// every event as JSON to a URL we register with /v2/eventSubscriptions. As with the SSE
// watcher, each wanted event is reported as its type and its raw JSON text.

import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MarathonClient } from './client.js';
import { MarathonError, MarathonHttpError } from './errors.js';
import { silentLog, type LogFn } from './log.js';
import { redactUrl } from './redact.js';
import { eventTypeOf } from './sse-parser.js';
import { eventSubscriptionPath } from './urls.js';

export interface CallbackReceiverOptions {
  listen: { host: string; port: number };
  /** What Marathon should call; a function gets the bound port (useful with port 0). */
  callbackUrl: string | ((boundPort: number) => string);
  client: MarathonClient;
  /** A wanted event: its `eventType` and its raw JSON text (the POST body). */
  onEvent(type: string, data: string): void;
  /** When given, only these event types are reported. */
  eventTypes?: string[];
  log?: LogFn;
}

export interface CallbackReceiver {
  close(): Promise<void>;
  /** The callback URL registered with Marathon. */
  url: string;
}

/** Deployment events in the heavy plan format carry whole group trees; still, stay bounded. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export async function startCallbackReceiver(opts: CallbackReceiverOptions): Promise<CallbackReceiver> {
  const log = opts.log ?? silentLog;
  const wanted = opts.eventTypes ? new Set(opts.eventTypes) : undefined;

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log('error', { err: (err as Error).message }, 'callback request failed');
      if (!res.headersSent) reply(res, 500, 'internal error');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      reply(res, 405, 'only POST');
      return;
    }
    const body = await readBody(req);
    if (body === undefined) {
      reply(res, 413, 'body too large');
      return;
    }
    const parsed = eventTypeOf(body);
    if ('error' in parsed) {
      log('warn', { error: parsed.error, data: body.slice(0, 200) }, 'skipping malformed Marathon callback event');
      reply(res, 400, parsed.error);
      return;
    }
    // Answer first: Marathon backs off from callback URLs slower than its consumer timeout.
    reply(res, 200, 'ok');
    if (wanted && !wanted.has(parsed.type)) return;
    log('debug', { eventType: parsed.type }, 'Marathon callback event');
    try {
      opts.onEvent(parsed.type, body);
    } catch (err) {
      log('error', { err: (err as Error).message }, 'callback onEvent threw');
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.listen.port, opts.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = typeof opts.callbackUrl === 'function' ? opts.callbackUrl(port) : opts.callbackUrl;

  try {
    await opts.client.post(eventSubscriptionPath(url));
  } catch (err) {
    await closeServer(server);
    throw explainSubscribeError(err, opts.client.currentUrl());
  }
  log('info', { callbackUrl: redactUrl(url), marathon: opts.client.currentUrl() }, 'registered Marathon event callback');

  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        try {
          await opts.client.delete(eventSubscriptionPath(url));
          log('info', { callbackUrl: redactUrl(url) }, 'unregistered Marathon event callback');
        } catch (err) {
          // Marathon drops unreachable subscribers on its own; a failed unregister is not fatal.
          log('warn', { err: (err as Error).message }, 'could not unregister the Marathon event callback');
        }
        await closeServer(server);
      })();
      return closing;
    },
  };
}

/** Marathon >= 1.5 (or one started without http_callback) answers 400 "... not running ...". */
export function explainSubscribeError(err: unknown, marathonUrl: string): Error {
  if (err instanceof MarathonHttpError && err.status === 400 && /not running/i.test(err.marathonMessage ?? '')) {
    return new MarathonError(
      `Marathon at ${marathonUrl} has no HTTP callback event system: it must run with ` +
        '"--event_subscriber http_callback" (removed in Marathon 1.5); use sse mode instead',
      'ERR_MARATHON_CALLBACKS_DISABLED',
      false,
      { cause: err },
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
