// The /v2/events stream side (spec §4): one entry per open connection, Marathon/Jetty framing
// (`event: X\r\ndata: {json}\r\n\r\n`), a bare CRLF heartbeat written as "\r" then "\n" like
// Jetty's EventSource, per-connection `event_type` filters, and test switches to cut or stall.

import type { IncomingMessage, ServerResponse } from 'node:http';

interface Stream {
  res: ServerResponse;
  /** Empty = every event. */
  eventTypes: ReadonlySet<string>;
}

export class SseHub {
  private readonly streams = new Set<Stream>();
  private stalled = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    heartbeatMs: number,
    private readonly onDetached: (remoteAddress: string) => void,
  ) {
    this.timer = setInterval(() => this.heartbeat(), heartbeatMs);
    this.timer.unref();
  }

  /** Takes over the response; the stream stays open until the client or a test ends it. */
  attach(req: IncomingMessage, res: ServerResponse, eventTypes: ReadonlySet<string>): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream;charset=utf-8',
      Connection: 'close',
      'Cache-Control': 'no-cache',
    });
    res.flushHeaders();
    req.socket.setNoDelay(true);
    const stream: Stream = { res, eventTypes };
    this.streams.add(stream);
    const remoteAddress = req.socket.remoteAddress ?? '127.0.0.1';
    res.on('close', () => {
      if (this.streams.delete(stream)) this.onDetached(remoteAddress);
    });
  }

  /** Writes one event to every unstalled stream whose filter admits it. */
  publish(eventType: string, json: string): void {
    if (this.stalled) return;
    const frame = `event: ${eventType}\r\ndata: ${json}\r\n\r\n`;
    for (const s of this.streams) {
      if (s.eventTypes.size > 0 && !s.eventTypes.has(eventType)) continue;
      if (!s.res.writableEnded) s.res.write(frame);
    }
  }

  private heartbeat(): void {
    if (this.stalled) return;
    for (const s of this.streams) {
      if (s.res.writableEnded) continue;
      s.res.write('\r');
      s.res.write('\n');
    }
  }

  count(): number {
    return this.streams.size;
  }

  /** Cuts every connection abruptly (no clean end), like a Marathon that lost leadership and exited. */
  drop(): void {
    for (const s of this.streams) s.res.destroy();
  }

  /** While stalled nothing is written, not even heartbeats; events published meanwhile are lost. */
  stall(stalled: boolean): void {
    this.stalled = stalled;
  }

  close(): void {
    clearInterval(this.timer);
    this.drop();
  }
}
