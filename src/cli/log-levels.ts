// marathon-lb's log level names (Python logging) and the pino level each one becomes.
// A leaf: settings.ts validates against it, log.ts maps through it.

export const LOG_LEVELS = ['CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG', 'NOTSET'] as const;
export type MarathonLbLogLevel = (typeof LOG_LEVELS)[number];

export type PinoLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** NOTSET in Python means "everything", the closest pino level is trace. */
export const PINO_LEVEL: Readonly<Record<MarathonLbLogLevel, PinoLevel>> = {
  CRITICAL: 'fatal',
  ERROR: 'error',
  WARNING: 'warn',
  INFO: 'info',
  DEBUG: 'debug',
  NOTSET: 'trace',
};

export function isLogLevel(name: string): name is MarathonLbLogLevel {
  return (LOG_LEVELS as readonly string[]).includes(name);
}

/** The pino level for a marathon-lb level name in any case; unknown names give undefined. */
export function pinoLevelOf(name: string): PinoLevel | undefined {
  const upper = name.toUpperCase();
  return isLogLevel(upper) ? PINO_LEVEL[upper] : undefined;
}
