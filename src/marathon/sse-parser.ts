// Incremental Server-Sent Events parser (pure). Fed raw text chunks, it returns the complete
// events and keeps any partial line for the next chunk. It follows the WHATWG rules we need:
// lines end in CRLF, LF or CR; `field: value` with one optional space; an empty line ends an
// event; `:` lines are comments; several `data:` lines join with "\n". Marathon sends CRLF and
// bare CRLF heartbeats, which produce no event here (the watcher sees the bytes separately).

export interface SseEvent {
  /** The `event:` field, or 'message' when absent. */
  event: string;
  data: string;
}

export interface SseParser {
  push(chunk: string): SseEvent[];
}

export function createSseParser(): SseParser {
  let buffer = '';
  let eventName = '';
  let data: string[] = [];
  // A chunk ending in CR may be followed by LF in the next chunk; that LF is not a new line.
  let skipLeadingLf = false;

  function takeLine(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (data.length > 0) out.push({ event: eventName || 'message', data: data.join('\n') });
      eventName = '';
      data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') eventName = value;
    else if (field === 'data') data.push(value);
    // id / retry / unknown fields: Marathon sends none and we have no use for them.
  }

  return {
    push(chunk: string): SseEvent[] {
      const out: SseEvent[] = [];
      let text = chunk;
      if (skipLeadingLf && text.startsWith('\n')) text = text.slice(1);
      skipLeadingLf = false;
      buffer += text;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const ch = buffer[i];
        if (ch !== '\n' && ch !== '\r') continue;
        takeLine(buffer.slice(start, i), out);
        if (ch === '\r') {
          if (i + 1 < buffer.length) {
            if (buffer[i + 1] === '\n') i++;
          } else {
            skipLeadingLf = true;
          }
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
      return out;
    },
  };
}

/**
 * The event type carried by a Marathon event payload: JSON with an `eventType` string.
 * Returns an error string instead of throwing so a bad payload is data, not a stream failure.
 */
export function eventTypeOf(data: string): { type: string } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch (err) {
    return { error: `malformed event JSON: ${(err as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { error: 'event payload is not a JSON object' };
  }
  const type = (parsed as Record<string, unknown>)['eventType'];
  if (typeof type !== 'string' || type === '') return { error: 'event payload has no eventType' };
  return { type };
}
