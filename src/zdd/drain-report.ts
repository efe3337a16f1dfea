// What a load balancer says about the servers of one backend, read from its /_mlb_drain answer,
// and the decisions taken from it. Pure.

export interface ServerView {
  /** HAProxy status in the current worker: UP, DOWN, MAINT, DRAIN, `no_check`, ... (GONE: only old workers still have it). */
  readonly status: string;
  /** Current sessions plus queued requests, over every worker of the instance. */
  readonly busy: number;
}

export interface BackendView {
  readonly backend: string;
  readonly workers: number;
  readonly servers: ReadonlyMap<string, ServerView>;
}

/** Parses `# backend <name> workers <n>` then `<server> <status> <scur> <qcur>` lines. */
export function parseDrainReport(text: string): BackendView | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const head = /^# backend (\S+) workers (\d+)$/.exec(lines[0] ?? '');
  if (!head) return undefined;
  const servers = new Map<string, ServerView>();
  for (const line of lines.slice(1)) {
    const m = /^(\S+) (\S+) (\d+) (\d+)$/.exec(line);
    if (m) servers.set(m[1]!, { status: m[2]!, busy: Number(m[3]) + Number(m[4]) });
  }
  return { backend: head[1]!, workers: Number(head[2]), servers };
}

/** Takes new traffic: UP (also "UP 1/3", going down), NOLB excluded, or a server without checks. */
export function isServing(s: ServerView | undefined): boolean {
  return s !== undefined && (/^UP/.test(s.status) || s.status === 'no_check');
}

/** No new traffic reaches it and nothing is in flight: it can be killed without a failed request. */
export function isDrained(s: ServerView | undefined): boolean {
  return s === undefined || (!isServing(s) && s.busy === 0);
}

/** Out of rotation, whatever it still holds (what a bounded wait settles for). */
export function isOutOfRotation(s: ServerView | undefined): boolean {
  return !isServing(s);
}
