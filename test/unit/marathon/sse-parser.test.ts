import fc from 'fast-check';
import { createSseParser, eventTypeOf, type SseDrop, type SseEvent } from '../../../src/marathon/sse-parser.js';

const frame = (type: string, data: string): string => `event: ${type}\r\ndata: ${data}\r\n\r\n`;

describe('SSE parser', () => {
  it('parses Marathon CRLF frames and ignores bare CRLF heartbeats', () => {
    const parser = createSseParser();
    const events = parser.push(`\r\n${frame('a', '{"eventType":"a"}')}\r\n\r\n${frame('b', '{}')}`);
    expect(events).toEqual([
      { event: 'a', data: '{"eventType":"a"}' },
      { event: 'b', data: '{}' },
    ]);
  });

  it('handles LF-only and CR-only line endings, comments and multi-line data', () => {
    const parser = createSseParser();
    expect(parser.push(': hi\ndata: one\ndata:two\n\rdata: x\r\r')).toEqual([
      { event: 'message', data: 'one\ntwo' },
      { event: 'message', data: 'x' },
    ]);
  });

  it('gives the same events however the bytes are split into chunks', () => {
    const text = `\r\n${frame('status_update_event', '{"eventType":"status_update_event","x":1}')}\r\n${frame('b', '{"eventType":"b"}')}`;
    const whole = createSseParser().push(text);
    fc.assert(
      fc.property(fc.array(fc.nat(text.length), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const parser = createSseParser();
        const out = [];
        let last = 0;
        for (const p of [...points, text.length]) {
          out.push(...parser.push(text.slice(last, p)));
          last = p;
        }
        expect(out).toEqual(whole);
      }),
    );
  });
});

/** Feeds `text` cut at `cuts`; returns the events and the drops. */
function feed(text: string, cuts: number[], maxLineLength?: number): { events: SseEvent[]; drops: SseDrop[] } {
  const drops: SseDrop[] = [];
  const parser = createSseParser({ ...(maxLineLength === undefined ? {} : { maxLineLength }), onDropped: (d) => drops.push(d) });
  const events: SseEvent[] = [];
  let last = 0;
  for (const p of [...new Set(cuts)].sort((a, b) => a - b).concat(text.length)) {
    events.push(...parser.push(text.slice(last, p)));
    last = p;
  }
  return { events, drops };
}

describe('SSE parser cost and bounds', () => {
  it('scans each character once: one 8 MiB line in 64 KiB chunks costs 8 MiB, not the square', () => {
    const payload = `{"eventType":"api_post_event","x":"${'a'.repeat(8 * 1024 * 1024)}"}`;
    const text = frame('api_post_event', payload);
    const parser = createSseParser();
    const events: SseEvent[] = [];
    const step = 64 * 1024;
    for (let at = 0; at < text.length; at += step) events.push(...parser.push(text.slice(at, at + step)));
    expect(events).toHaveLength(1);
    expect(events[0]?.data.length).toBe(payload.length);
    // The old parser rescanned the kept buffer on every chunk: ~ (chunks^2 / 2) x 64 KiB, here
    // over 500 MiB of scanning for 8 MiB of input.
    expect(parser.scanned()).toBeLessThanOrEqual(text.length);
  });

  it('drops an event whose line is longer than the limit, reports it once, and keeps the next event', () => {
    const big = frame('api_post_event', `{"eventType":"api_post_event","x":"${'b'.repeat(200)}"}`);
    const text = `${big}${frame('status_update_event', '{"eventType":"status_update_event"}')}`;
    const { events, drops } = feed(text, [10, 50, 120], 100);
    expect(events).toEqual([{ event: 'status_update_event', data: '{"eventType":"status_update_event"}' }]);
    expect(drops).toEqual([{ event: 'api_post_event', length: expect.any(Number), limit: 100 }]);
    expect(drops[0]!.length).toBeGreaterThan(100);
  });

  it('drops an event whose data lines add up past the limit, though each line is short', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `data: line-${i}\r\n`).join('');
    const text = `event: x\r\n${lines}\r\n${frame('y', '{}')}`;
    const { events, drops } = feed(text, [], 100);
    expect(events).toEqual([{ event: 'y', data: '{}' }]);
    expect(drops).toHaveLength(1);
  });

  it('a line that goes on far past the limit is skipped; the stream recovers at the next event', () => {
    const parser = createSseParser({ maxLineLength: 1000, onDropped: () => {} });
    for (let i = 0; i < 1000; i++) expect(parser.push('z'.repeat(997))).toEqual([]);
    expect(parser.push('\r\n\r\ndata: ok\r\n\r\n')).toEqual([{ event: 'message', data: 'ok' }]);
  });

  it('with a limit, gives the same events and drops however the bytes are split', () => {
    const text = [
      frame('a', 'x'.repeat(40)), frame('big', 'y'.repeat(70)), '\r\n', frame('b', '{"eventType":"b"}'),
      'event: c\r\ndata: 1234567890\r\ndata: 1234567890\r\ndata: 1234567890\r\n\r\n', frame('d', 'z'),
    ].join('');
    const whole = feed(text, [], 60);
    expect(whole.events.map((e) => e.event)).toEqual(['a', 'b', 'c', 'd']);
    expect(whole.drops.map((d) => d.event)).toEqual(['big']);
    fc.assert(
      fc.property(fc.array(fc.nat(text.length), { maxLength: 20 }), (cuts) => {
        const split = feed(text, cuts, 60);
        expect(split.events).toEqual(whole.events);
        expect(split.drops.map((d) => d.event)).toEqual(['big']);
      }),
    );
  });
});

describe('eventTypeOf', () => {
  it('reads eventType', () => {
    expect(eventTypeOf('{"eventType":"api_post_event","appDefinition":{}}')).toEqual({ type: 'api_post_event' });
  });
  it.each(['{not json', '[1]', '"x"', '{"eventType":3}', '{}'])('rejects %s as data', (data) => {
    expect(eventTypeOf(data)).toHaveProperty('error');
  });
});
