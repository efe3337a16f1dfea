// The root logger. One pino instance, created once by the shell (cli.ts / main.ts) from the
// settings; everything else gets it (or a child) as a parameter. Messages are constants and the
// variable parts are fields. Secrets are removed here, once, so no call site has to remember.

import pino, { type DestinationStream, type Logger } from 'pino';
import { pinoLevelOf, type PinoLevel } from './cli/log-levels.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** marathon-lb's level name (CRITICAL .. NOTSET, any case) or a pino level name. */
  readonly level: string;
  /**
   * --log-format. `text` or `pretty`: one human-readable line per record. Anything else
   * (including marathon-lb's Python format strings) is accepted and gives JSON lines.
   */
  readonly format?: string;
  /** Where lines go; default stderr (synchronous, so nothing is lost on process.exit). stdout
   *  carries only what the user asked for: --dry's config. */
  readonly destination?: DestinationStream;
}

/** Field paths whose values are replaced by `[redacted]` wherever they appear. */
export const REDACT_PATHS: readonly string[] = [
  'password', '*.password',
  'authorization', '*.authorization', 'Authorization', '*.Authorization',
  'token', '*.token',
  'authCredentials', '*.authCredentials',
  'dcosAuthCredentials', '*.dcosAuthCredentials',
  'privateKey', '*.privateKey', 'private_key', '*.private_key',
  'headers.cookie', '*.headers.cookie', 'headers.authorization', '*.headers.authorization',
  'headers["x-vault-token"]',
];

const PRETTY_FORMATS = new Set(['text', 'pretty']);

/**
 * `scheme://user:pass@host` -> `scheme://***@host`, in any text. Also used on serialized JSON
 * lines, so an escaped quote (`\\"`) inside the userinfo is part of it, a bare quote ends it.
 */
export function scrubUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)(?:[^/\s@"\\]|\\.)*@/gi, '$1***@');
}

/** marathon-lb level names map to pino's; pino names pass through; anything else is an error. */
export function resolveLevel(level: string): PinoLevel | 'silent' {
  const mapped = pinoLevelOf(level);
  if (mapped !== undefined) return mapped;
  const lower = level.toLowerCase();
  if (['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(lower)) return lower as PinoLevel | 'silent';
  throw new Error(`Invalid log level: ${level.toUpperCase()}`);
}

/** One line per record: `time LEVEL msg key=value ...` (for people reading a terminal). */
export function formatPrettyLine(jsonLine: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return jsonLine.endsWith('\n') ? jsonLine : `${jsonLine}\n`;
  }
  const { time, level, msg, pid: _pid, hostname: _host, name: _name, ...fields } = rec;
  const label = typeof level === 'number' ? (pino.levels.labels[level] ?? String(level)) : String(level);
  const parts = [String(time), label.toUpperCase(), String(msg ?? '')];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(`${k}=${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v)}`);
  }
  return `${parts.join(' ')}\n`;
}

function prettyStream(dest: DestinationStream): DestinationStream {
  return { write: (line: string) => dest.write(formatPrettyLine(line)) };
}

/**
 * Credentials inside URLs are removed from the finished line: that one place sees the message,
 * the fields, child-logger bindings and serialized errors alike (pino applies no formatter to
 * child bindings, so a field-level hook would miss `logger.child({ marathon: url })`).
 */
function scrubbingStream(dest: DestinationStream): DestinationStream {
  return { write: (line: string) => dest.write(scrubUrlCredentials(line)) };
}

export function createLogger(options: LoggerOptions): Logger {
  const base = options.destination ?? pino.destination({ fd: 2, sync: true });
  const pretty = options.format !== undefined && PRETTY_FORMATS.has(options.format.toLowerCase());
  return pino(
    {
      name: 'marathon-lb',
      level: resolveLevel(options.level),
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    },
    scrubbingStream(pretty ? prettyStream(base) : base),
  );
}

/** The `(level, fields, msg)` hook that folders such as marathon/ accept, backed by a logger. */
export function logFnFor(logger: Logger): (level: 'debug' | 'info' | 'warn' | 'error', obj: Record<string, unknown>, msg: string) => void {
  return (level, obj, msg) => logger[level](obj, msg);
}
