// What the controller is doing, for people: the JSON behind /_mlb_status and the same as a
// small HTML page. Pure: the snapshot comes in (times as ISO strings, already formatted by
// the caller), a string goes out. Everything shown is escaped, because app ids, vhosts and
// label messages come from app owners.
import type { ReconcileResult } from './metrics.js';

/**
 * HAProxy's view when it was read back (`show servers state`): up, down (its health check
 * failed), maint (retired or disabled), draining; `unknown` when it has not been read yet.
 */
export type ServerState = 'up' | 'draining' | 'down' | 'maint' | 'unknown';

export interface BackendServerStatus {
  readonly name: string;
  /** `ip:port` */
  readonly address: string;
  readonly state: ServerState;
  readonly taskId: string | undefined;
}

export interface StatusService {
  readonly appId: string;
  readonly servicePort: number;
  readonly backend: string;
  readonly mode: 'http' | 'tcp';
  readonly vhosts: readonly string[];
  readonly path: string | undefined;
  readonly servers: readonly BackendServerStatus[];
  /** Served from its last good config (its current definition is broken), and why. */
  readonly stale?: { readonly reason: string } | undefined;
  /** Things about this service an operator should know (a label overridden, say). */
  readonly notices?: readonly string[] | undefined;
}

export interface StatusSkippedApp {
  readonly appId: string;
  readonly reason: string;
  /** The label at fault, or the part of the app definition that explains the skip. */
  readonly label: string | undefined;
  readonly message: string;
}

export interface StatusReload {
  readonly at: string;
  readonly reasons: readonly string[];
  readonly result: 'success' | 'failure';
}

export interface StatusPass {
  readonly at: string;
  readonly result: ReconcileResult;
  readonly error: string | undefined;
}

export interface StatusStream {
  readonly mode: 'sse' | 'poll' | 'event' | 'once';
  /** For poll/once mode: whether the last fetch worked. */
  readonly connected: boolean;
  readonly url: string | undefined;
  /** Since when the stream has been in its current state. */
  readonly since: string | undefined;
  readonly reconnects: number;
}

/** How far HAProxy and Marathon were from what the controller believed. */
export interface StatusConsistency {
  /** Read-backs of HAProxy's live servers so far. */
  readonly checks: number;
  /** Differences found (and corrected) over all read-backs. */
  readonly differences: number;
  readonly lastDifferences: readonly string[];
  /** Backends full reads found changed without an event, in all. */
  readonly drift: number;
  readonly lastDrift: number | undefined;
}

export interface StatusSnapshot {
  readonly version: string;
  readonly configPath: string;
  readonly services: readonly StatusService[];
  readonly skipped: readonly StatusSkippedApp[];
  /** Apps of other HAPROXY_GROUPs (not ours to serve), counted apart from the skipped ones. */
  readonly otherGroups?: number | undefined;
  readonly lastReload: StatusReload | undefined;
  readonly lastPass: StatusPass | undefined;
  readonly stream: StatusStream;
  /** Optional so snapshots from older callers and fixtures stay valid. */
  readonly consistency?: StatusConsistency | undefined;
  /** With --supervise-haproxy: restarts of a master that died. */
  readonly haproxy?: { readonly running: boolean; readonly restarts: number; readonly lastExit: { readonly at: string; readonly code: number | null } | undefined } | undefined;
}

export interface StatusProblem {
  readonly kind: 'pass-failed' | 'stream-down' | 'haproxy-down';
  readonly message: string;
}

export interface StatusWarning {
  readonly kind: 'apps-stale' | 'apps-rejected' | 'apps-skipped' | 'notices' | 'haproxy-restarted';
  readonly message: string;
}

const REJECTED = new Set(['CONFIG_REJECTED']);

/**
 * What keeps the banner from being green without being the controller's failure: apps served
 * from their last good config, apps HAProxy rejected, apps skipped, notices. Not part of the
 * health answer (one app owner's label must not fail the load balancer's health check).
 */
export function statusWarnings(s: StatusSnapshot): StatusWarning[] {
  const out: StatusWarning[] = [];
  if (s.haproxy && s.haproxy.restarts > 0) {
    out.push({ kind: 'haproxy-restarted', message: `The HAProxy master died and was restarted ${s.haproxy.restarts} time(s)${s.haproxy.lastExit ? `, last at ${s.haproxy.lastExit.at} (exit code ${String(s.haproxy.lastExit.code)})` : ''}.` });
  }
  const names = (ids: Iterable<string>) => {
    const list = [...new Set(ids)];
    return `${list.slice(0, 10).join(', ')}${list.length > 10 ? ` and ${list.length - 10} more` : ''}`;
  };
  const stale = s.services.filter((sv) => sv.stale !== undefined).map((sv) => sv.appId);
  if (stale.length > 0) out.push({ kind: 'apps-stale', message: `Served from their last good configuration (their current definition is broken): ${names(stale)}.` });
  const rejected = s.skipped.filter((k) => REJECTED.has(k.reason)).map((k) => k.appId);
  if (rejected.length > 0) out.push({ kind: 'apps-rejected', message: `HAProxy rejected the configuration of: ${names(rejected)}.` });
  const skipped = s.skipped.filter((k) => !REJECTED.has(k.reason)).map((k) => k.appId);
  if (skipped.length > 0) out.push({ kind: 'apps-skipped', message: `Not served: ${names(skipped)} (see Skipped apps).` });
  const notices = s.services.flatMap((sv) => (sv.notices ?? []).map((n) => `${sv.appId}: ${n}`));
  if (notices.length > 0) out.push({ kind: 'notices', message: notices.slice(0, 10).join(' ') });
  return out;
}

/** Problems an operator must see first; empty when all is well. Also drives the health answer. */
export function statusProblems(s: StatusSnapshot): StatusProblem[] {
  const problems: StatusProblem[] = [];
  if (s.lastPass !== undefined && (s.lastPass.result === 'error' || s.lastPass.result === 'invalid')) {
    const what = s.lastPass.result === 'invalid' ? 'the generated configuration was rejected' : 'it failed';
    problems.push({
      kind: 'pass-failed',
      message: `Last pass at ${s.lastPass.at}: ${what}${s.lastPass.error ? `: ${s.lastPass.error}` : ''}. ${s.lastReload !== undefined
        ? 'HAProxy keeps the last good configuration.'
        : 'No configuration has been applied since the controller started.'}`,
    });
  }
  if (s.haproxy && !s.haproxy.running && s.haproxy.lastExit) {
    problems.push({ kind: 'haproxy-down', message: `The HAProxy master exited at ${s.haproxy.lastExit.at} (exit code ${String(s.haproxy.lastExit.code)}) and is being restarted.` });
  }
  if (!s.stream.connected) {
    const source = s.stream.mode === 'sse' ? 'Marathon event stream' : 'Marathon';
    problems.push({
      kind: 'stream-down',
      message: `${source} is not connected${s.stream.since ? ` since ${s.stream.since}` : ''}${s.stream.url ? ` (${s.stream.url})` : ''}; changes in Marathon are not seen.`,
    });
  }
  return problems;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.5em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.banner { padding: .6em 1em; margin: .5em 0; border-radius: 4px; background: #fde2e1; border: 1px solid #e0605a; font-weight: 600; }
.warn { padding: .6em 1em; margin: .5em 0; border-radius: 4px; background: #fff4d6; border: 1px solid #d9a400; }
.ok { padding: .6em 1em; background: #e3f4e1; border: 1px solid #6aa864; border-radius: 4px; }
.state-up { color: #1c7c1c; } .state-draining { color: #a66b00; } .state-down { color: #b3261e; } .state-maint { color: #666; } .state-unknown { color: #666; }
code { font-size: .95em; }
`;

const text = (value: string | number | undefined): string => (value === undefined ? '' : escapeHtml(String(value)));

function table(headers: readonly string[], rows: readonly (readonly string[])[], emptyText: string, id: string): string {
  if (rows.length === 0) return `<p id="${id}-empty">${escapeHtml(emptyText)}</p>`;
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table id="${id}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function serversCell(servers: readonly BackendServerStatus[]): string {
  if (servers.length === 0) return '<em>no servers</em>';
  return servers
    .map((sv) => {
      const task = sv.taskId === undefined ? '' : ` <small>${text(sv.taskId)}</small>`;
      return `<div><code>${text(sv.address)}</code> <span class="state-${sv.state}">${text(sv.state)}</span> ${text(sv.name)}${task}</div>`;
    })
    .join('');
}

export function renderStatusHtml(s: StatusSnapshot): string {
  const problems = statusProblems(s);
  const warnings = statusWarnings(s);
  const banners =
    problems.length === 0 && warnings.length === 0
      ? '<p class="ok" id="all-ok">Last pass succeeded, Marathon is connected, and every app is served as defined.</p>'
      : [
        ...problems.map((p) => `<p class="banner" role="alert" id="banner-${p.kind}">${escapeHtml(p.message)}</p>`),
        ...warnings.map((w) => `<p class="warn" id="warn-${w.kind}">${escapeHtml(w.message)}</p>`),
      ].join('\n');
  const services = table(
    ['App', 'Service port', 'Backend', 'Mode', 'Vhosts', 'Path', 'Servers'],
    s.services.map((sv) => [
      text(sv.appId) + (sv.stale ? ` <strong class="stale">stale</strong><br><small>${text(sv.stale.reason)}</small>` : '')
        + (sv.notices ?? []).map((n) => `<br><small class="notice">${text(n)}</small>`).join(''),
      text(sv.servicePort),
      `<code>${text(sv.backend)}</code>`,
      text(sv.mode),
      sv.vhosts.map(text).join('<br>'),
      text(sv.path),
      serversCell(sv.servers),
    ]),
    'No services are exposed.',
    'services',
  );
  const skipped = table(
    ['App', 'Reason', 'Label', 'Message'],
    s.skipped.map((sk) => [text(sk.appId), `<code>${text(sk.reason)}</code>`, sk.label ? `<code>${text(sk.label)}</code>` : '', text(sk.message)]),
    'No apps are skipped.',
    'skipped',
  );
  const pass = s.lastPass;
  const reload = s.lastReload;
  const facts = table(
    ['What', 'Value'],
    [
      ['Last pass', pass ? `${text(pass.at)}: ${text(pass.result)}${pass.error ? ` (${text(pass.error)})` : ''}` : 'none yet'],
      ['Last reload', reload ? `${text(reload.at)}: ${text(reload.result)}; ${reload.reasons.map(text).join('; ')}` : 'none yet'],
      [
        'Marathon',
        `${text(s.stream.mode)}, ${s.stream.connected ? 'connected' : 'not connected'}${s.stream.since ? ` since ${text(s.stream.since)}` : ''}` +
          `${s.stream.url ? `, <code>${text(s.stream.url)}</code>` : ''}, ${text(s.stream.reconnects)} reconnects`,
      ],
      ['Config', `<code>${text(s.configPath)}</code>`],
      ...(s.haproxy ? [[
        'HAProxy master',
        `${s.haproxy.running ? 'running' : 'not running'}, ${text(s.haproxy.restarts)} restarts` +
          `${s.haproxy.lastExit ? ` (last exit ${text(s.haproxy.lastExit.at)}, code ${text(String(s.haproxy.lastExit.code))})` : ''}`,
      ] as [string, string]] : []),
      ...(s.consistency ? [[
        'HAProxy read back',
        `${text(s.consistency.checks)} checks, ${text(s.consistency.differences)} differences corrected` +
          `${s.consistency.lastDifferences.length > 0 ? ` (last: ${s.consistency.lastDifferences.slice(0, 5).map(text).join('; ')})` : ''}` +
          `; drift found by full reads: ${text(s.consistency.drift)}`,
      ] as [string, string]] : []),
      ['Version', text(s.version)],
    ],
    '',
    'facts',
  );
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="15">
<title>marathon-lb status</title>
<style>${STYLE}</style>
</head>
<body>
<h1>marathon-lb status</h1>
${banners}
${facts}
<h2>Services (${s.services.length})</h2>
${services}
<h2>Skipped apps (${s.skipped.length})</h2>
${skipped}
${s.otherGroups ? `<p id="other-groups">${text(s.otherGroups)} apps of other groups are not ours to serve.</p>` : ''}
</body>
</html>
`;
}
