// HAProxy's own output, read from the master we supervise, turned into one log record per event
// at the level it deserves. Pure: lines in, records out (the caller logs them).
//
// HAProxy prints `[LEVEL]   (pid) : message` on stderr, and the default HEAD's `log stdout`
// prints most of the same events a second time, bare, on stdout (with quotes dropped), so each
// event would otherwise be logged twice. Many of its [WARNING]s are routine: every reload and
// stop prints "Proxy x stopped" per proxy, "Former worker exited with code 0", and the drains the
// controller itself asks for print "going DOWN for maintenance". Those are debug; HAProxy's
// alerts are errors and its notices debug.

export type OutputLevel = 'debug' | 'info' | 'warn' | 'error';

export interface HaproxyRecord {
  readonly level: OutputLevel;
  /** HAProxy's own level word (ALERT, WARNING, NOTICE, ...) or `LOG` for a bare log line. */
  readonly haproxyLevel: string;
  readonly pid?: number;
  readonly text: string;
}

const PREFIXED = /^\[(EMERG|ALERT|CRIT|ERR|WARNING|NOTICE|INFO|DEBUG)\]\s*\((\d+)\)\s*:\s?(.*)$/;

/** Routine messages, whatever level HAProxy gives them: reloads, stops and our own drains. */
const ROUTINE: readonly RegExp[] = [
  /^Proxy \S+ (stopped|started)/,
  /^Stopping (proxy|frontend|backend) /,
  /^(Former|Current) worker \(?#?\d+\)? ?(\(\d+\) )?exited with code 0\b/,
  /^All workers exited\. Exiting\.\.\. \(0\)/,
  /^Exiting Master process/,
  /^Reloading HAProxy/,
  /^Loading success/,
  /^New worker \(\d+\) forked/,
  /^haproxy version is /,
  /^path to executable is /,
  // The first start has no saved server state yet; later reloads do.
  /Can't open global server state file .*No such file or directory/,
  /^Server \S+ is going DOWN for maintenance/,
  /^Server \S+ (was DOWN and now enters|is leaving) (forced )?(maintenance|drain)/,
  /^Server \S+ (enters|is leaving) (forced )?drain/,
  /^Server \S+ is UP\/READY \(leaving forced maintenance\)/,
];

/** Messages that matter more than their HAProxy level says. */
const SERIOUS: readonly RegExp[] = [
  /^Loading failure/,
  /^(Former|Current) worker \(?#?\d+\)? ?(\(\d+\) )?exited with code [1-9]/,
  /^All workers exited\. Exiting\.\.\. \([1-9]/,
];

/**
 * The cause HAProxy 2.6 puts first when a message follows a command on its runtime API or master
 * CLI: the controller's own server changes and drains, and the stop and reload it asks for
 * (`CLI : Server a/b is UP/READY (leaving forced maintenance).`, `CLI : Proxy f stopped ...`).
 * The message is judged, and matched with its `log stdout` copy (which has no cause), without it.
 */
const CLI_CAUSE = /^CLI : /;

function levelOf(haproxyLevel: string, withCause: string): OutputLevel {
  const text = withCause.replace(CLI_CAUSE, '');
  if (SERIOUS.some((r) => r.test(text))) return 'error';
  if (ROUTINE.some((r) => r.test(text))) return 'debug';
  switch (haproxyLevel) {
    case 'EMERG': case 'ALERT': case 'CRIT': case 'ERR': return 'error';
    case 'WARNING': return /^Server \S+ is UP/.test(text) ? 'info' : 'warn';
    case 'LOG': case 'INFO': return 'info';
    default: return 'debug';
  }
}

/** One line of HAProxy's output as a record (undefined for a blank line). */
export function parseHaproxyLine(line: string): HaproxyRecord | undefined {
  const trimmed = line.trim();
  if (trimmed === '') return undefined;
  const m = PREFIXED.exec(trimmed);
  if (m === null) return { level: levelOf('LOG', trimmed), haproxyLevel: 'LOG', text: trimmed };
  const [, haproxyLevel = '', pid = '', text = ''] = m;
  return { level: levelOf(haproxyLevel, text), haproxyLevel, pid: Number(pid), text };
}

/** The same event from stderr and from `log stdout` compares equal (the log copy drops quotes). */
const sameEvent = (text: string) => text.replace(CLI_CAUSE, '').replace(/['"]/g, '');

/**
 * Turns HAProxy's lines into records, dropping the second copy of an event that arrives both
 * prefixed (stderr) and bare (`log stdout`), in either order: the two pipes do not keep order.
 */
export class HaproxyOutputParser {
  private readonly unmatched = { prefixed: [] as string[], bare: [] as string[] };

  constructor(private readonly window = 256) {}

  /** The record to log for this line, or undefined when it is blank or a copy already logged. */
  push(line: string): HaproxyRecord | undefined {
    const record = parseHaproxyLine(line);
    if (record === undefined) return undefined;
    const key = sameEvent(record.text);
    const mine = record.haproxyLevel === 'LOG' ? this.unmatched.bare : this.unmatched.prefixed;
    const other = record.haproxyLevel === 'LOG' ? this.unmatched.prefixed : this.unmatched.bare;
    const twin = other.indexOf(key);
    if (twin !== -1) {
      other.splice(twin, 1);
      return undefined;
    }
    mine.push(key);
    if (mine.length > this.window) mine.shift();
    return record;
  }
}
