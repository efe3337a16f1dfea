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
  /** Where lines go; default stdout (synchronous, so nothing is lost on process.exit). */
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

/** `scheme://user:pass@host` -> `scheme://***@host`, in any string. */
export function scrubUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, '$1***@');
}

const MAX_DEPTH = 6;

/** A copy of a log record's fields with URL credentials removed from every string. */
function scrubDeep(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubUrlCredentials(value);
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  if (value instanceof Error) {
    return { type: value.name, message: scrubUrlCredentials(value.message), stack: value.stack === undefined ? undefined : scrubUrlCredentials(value.stack) };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, depth + 1);
  return out;
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

export function createLogger(options: LoggerOptions): Logger {
  const base = options.destination ?? pino.destination({ fd: 1, sync: true });
  const dest = options.format !== undefined && PRETTY_FORMATS.has(options.format.toLowerCase()) ? prettyStream(base) : base;
  return pino(
    {
      name: 'marathon-lb',
      level: resolveLevel(options.level),
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
      formatters: {
        log: (obj) => scrubDeep(obj, 0) as Record<string, unknown>,
      },
      hooks: {
        // Messages are meant to be constants, but an interpolated error text may carry a URL.
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrubUrlCredentials(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    dest,
  );
}

/** The `(level, fields, msg)` hook that folders such as marathon/ accept, backed by a logger. */
export function logFnFor(logger: Logger): (level: 'debug' | 'info' | 'warn' | 'error', obj: Record<string, unknown>, msg: string) => void {
  return (level, obj, msg) => logger[level](obj, msg);
}
