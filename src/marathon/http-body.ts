// A response body as text, decoded as got did (gzip, deflate, br). A /v2/apps answer is
// megabytes: an undecoded body with a content-length is copied into one buffer as it arrives
// instead of collecting the chunks and concatenating them, so the text is built from one copy.

import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

export function readBody(res: IncomingMessage): Promise<string> {
  const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  let stream: Readable = res;
  if (encoding === 'gzip' || encoding === 'x-gzip') stream = res.pipe(createGunzip());
  else if (encoding === 'deflate') stream = res.pipe(createInflate());
  else if (encoding === 'br') stream = res.pipe(createBrotliDecompress());
  const declared = stream === res ? Number(res.headers['content-length']) : Number.NaN;
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let whole = Number.isSafeInteger(declared) && declared >= 0 ? Buffer.allocUnsafe(declared) : undefined;
    let length = 0;
    stream.on('data', (c: Buffer) => {
      if (whole !== undefined && length + c.length <= whole.length) c.copy(whole, length);
      else {
        // More than announced (Node rejects that for HTTP/1.1, but be safe): collect instead.
        if (whole !== undefined) chunks = [whole.subarray(0, length)];
        whole = undefined;
        chunks.push(c);
      }
      length += c.length;
    });
    stream.on('end', () => {
      const text = whole !== undefined ? whole.toString('utf8', 0, length) : Buffer.concat(chunks).toString('utf8');
      whole = undefined;
      chunks = [];
      resolve(text);
    });
    stream.on('error', reject);
    if (stream !== res) res.on('error', reject);
    res.on('aborted', () => reject(new Error('the response was cut short')));
  });
}
