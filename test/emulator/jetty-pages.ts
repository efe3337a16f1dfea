// Jetty's HTML error page, which Marathon answers with whenever the error comes from Jetty rather
// than from Marathon's JSON exception mapper: basic-auth 401, no-leader 502/503, proxy failures,
// 405 on /v2/events without the exact Accept header (spec §4.1, §6, §7.1).

import type { ServerResponse } from 'node:http';

const REASONS: Record<number, string> = {
  401: 'Unauthorized',
  405: 'Method Not Allowed',
  500: 'Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function jettyErrorPage(status: number, uri: string, message?: string): string {
  const reason = message ?? REASONS[status] ?? 'Error';
  return [
    '<html>',
    '<head>',
    '<meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1"/>',
    `<title>Error ${status} ${escapeHtml(reason)}</title>`,
    '</head>',
    `<body><h2>HTTP ERROR ${status}</h2>`,
    `<p>Problem accessing ${escapeHtml(uri)}. Reason:`,
    `<pre>    ${escapeHtml(reason)}</pre></p><hr><i><small>Powered by Jetty://</small></i><hr/>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export function sendJettyError(
  res: ServerResponse,
  status: number,
  uri: string,
  message?: string,
  extraHeaders: Record<string, string> = {},
): void {
  const body = jettyErrorPage(status, uri, message);
  res.writeHead(status, {
    'Content-Type': 'text/html;charset=iso-8859-1',
    'Cache-Control': 'must-revalidate,no-cache,no-store',
    'Content-Length': Buffer.byteLength(body, 'latin1'),
    ...extraHeaders,
  });
  res.end(body, 'latin1');
}
