import fc from 'fast-check';
import { createSseParser, eventTypeOf } from '../../../src/marathon/sse-parser.js';

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

describe('eventTypeOf', () => {
  it('reads eventType', () => {
    expect(eventTypeOf('{"eventType":"api_post_event","appDefinition":{}}')).toEqual({ type: 'api_post_event' });
  });
  it.each(['{not json', '[1]', '"x"', '{"eventType":3}', '{}'])('rejects %s as data', (data) => {
    expect(eventTypeOf(data)).toHaveProperty('error');
  });
});
