// Incremental Server-Sent Events parser (pure). Fed raw text chunks, it returns the complete
// events and keeps any partial line for the next chunk. It follows the WHATWG rules we need:
// lines end in CRLF, LF or CR; `field: value` with one optional space; an empty line ends an
// event; `:` lines are comments; several `data:` lines join with "\n". Marathon sends CRLF and
// bare CRLF heartbeats, which produce no event here (the watcher sees the bytes separately).
//
// Cost: every character is looked at once. A partial line is kept as a list of pieces and only
// the new chunk is scanned for a line end, so one long line sent in many chunks costs its length,
// not its length squared (rescanning the buffer made one 8 MiB line cost 5 s of CPU).
//
// Bound: a line, and an event's data as a whole, may hold at most `maxLineLength` characters
// (UTF-16 code units; bytes for the ASCII JSON Marathon sends). Past that the parser keeps no
// more of it: it drops the rest of the line and the whole event, reports the drop through
// `onDropped` once per event, and carries on with the next event. The caller cannot know what
// the dropped event said, so it must resync (events.ts asks the controller for a full read).

export interface SseEvent {
  /** The `event:` field, or 'message' when absent. */
  event: string;
  data: string;
}

export interface SseDrop {
  /** The `event:` field of the dropped event when it came before the cut, else ''. */
  event: string;
  /** How many characters of the event had been seen when it was cut. */
  length: number;
  limit: number;
}

export interface SseParserOptions {
  /** Longest line, and longest event data, kept (characters). Default DEFAULT_MAX_LINE_LENGTH. */
  maxLineLength?: number;
  onDropped?: (drop: SseDrop) => void;
}

export interface SseParser {
  push(chunk: string): SseEvent[];
  /** Characters the line-break scan has visited so far: at most the characters pushed (linear cost). */
  scanned(): number;
}

/** 16 MiB: far above any real Marathon event (a deployment in the full plan format is ~1 MiB). */
export const DEFAULT_MAX_LINE_LENGTH = 16 * 1024 * 1024;

export function createSseParser(opts: SseParserOptions = {}): SseParser {
  const limit = opts.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  // The partial line: pieces of earlier chunks not yet ended by a line break.
  let pieces: string[] = [];
  let pendingLength = 0;
  let eventName = '';
  let data: string[] = [];
  let dataLength = 0;
  // The current event was cut: skip lines until the blank line that ends it.
  let dropping = false;
  // The current line was cut: skip characters until its line break.
  let skippingLine = false;
  let scannedChars = 0;
  // A chunk ending in CR may be followed by LF in the next chunk; that LF is not a new line.
  let skipLeadingLf = false;

  function resetEvent(): void {
    eventName = '';
    data = [];
    dataLength = 0;
  }

  function drop(seen: number): void {
    if (!dropping) opts.onDropped?.({ event: eventName, length: seen, limit });
    dropping = true;
    resetEvent();
  }

  function takeLine(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (!dropping && data.length > 0) out.push({ event: eventName || 'message', data: data.join('\n') });
      dropping = false;
      resetEvent();
      return;
    }
    if (dropping || line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') eventName = value;
    else if (field === 'data') {
      dataLength += value.length + (data.length > 0 ? 1 : 0);
      if (dataLength > limit) drop(dataLength);
      else data.push(value);
    }
    // id / retry / unknown fields: Marathon sends none and we have no use for them.
  }

  /** Ends the current line with `tail` (the part of this chunk before the line break). */
  function endLine(tail: string, out: SseEvent[]): void {
    if (skippingLine) {
      // The rest of an oversized line: its event is already dropped.
      skippingLine = false;
      return;
    }
    const line = pieces.length === 0 ? tail : pieces.join('') + tail;
    pieces = [];
    pendingLength = 0;
    takeLine(line, out);
  }

  /** Keeps `part` of a line not yet ended; past the limit the line and its event are dropped. */
  function keepPartial(part: string): void {
    if (skippingLine || part === '') return;
    pendingLength += part.length;
    if (pendingLength > limit) {
      drop(pendingLength);
      pieces = [];
      pendingLength = 0;
      skippingLine = true;
      return;
    }
    pieces.push(part);
  }

  return {
    push(chunk: string): SseEvent[] {
      const out: SseEvent[] = [];
      let i = 0;
      if (skipLeadingLf && chunk.startsWith('\n')) i = 1;
      skipLeadingLf = false;
      let start = i;
      scannedChars += chunk.length - i; // the loop below visits each of these once, and no other
      for (; i < chunk.length; i++) {
        const ch = chunk.charCodeAt(i);
        if (ch !== 10 && ch !== 13) continue;
        const tail = chunk.slice(start, i);
        if (!skippingLine && pendingLength + tail.length > limit) {
          keepPartial(tail); // drops the line and its event
          skippingLine = false;
        } else {
          endLine(tail, out);
        }
        if (ch === 13) {
          if (i + 1 < chunk.length) {
            if (chunk.charCodeAt(i + 1) === 10) i++;
          } else {
            skipLeadingLf = true;
          }
        }
        start = i + 1;
      }
      keepPartial(chunk.slice(start));
      return out;
    },
    scanned: () => scannedChars,
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
