// The logging hook this folder accepts: the shell passes a pino-backed function; tests pass
// a collector or nothing.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFn = (level: LogLevel, obj: Record<string, unknown>, msg: string) => void;

export const silentLog: LogFn = () => {};
