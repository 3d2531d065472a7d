import { ConsoleLogger, type LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';

type Level = 'info' | 'warn' | 'error';

/**
 * The application's JSON lines (pino, Fastify's own logger) on stdout: the level by name, the time in ISO
 * 8601. Written synchronously, so the last lines before an exit are never lost in a buffer.
 */
export function jsonLines(): Logger {
  return pino(
    { base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
    pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * The application's log: coloured lines on a terminal, where a person reads them; JSON lines (no colour
 * codes) anywhere else, where a collector reads them.
 */
export function productLogger(json: Logger | undefined): LoggerService {
  return json ? new NestOnPino(json) : new ConsoleLogger({ logLevels: ['error', 'warn', 'log'], colors: true });
}

/** Nest's log calls on pino: a trailing string is Nest's context (the class that logged), an error's stack comes before it. */
class NestOnPino implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    const strings = rest.filter((value): value is string => typeof value === 'string');
    const stack = level === 'error' && (strings.length > 1 || /\n\s+at /.test(strings[0] ?? '')) ? strings[0] : undefined;
    const context = strings.length > (stack === undefined ? 0 : 1) ? strings[strings.length - 1] : undefined;
    const fields = {
      ...(context !== undefined && { context }),
      ...(stack !== undefined && { stack }),
      ...(message instanceof Error ? { err: message } : typeof message === 'object' && message !== null ? { detail: message } : {}),
    };
    this.pino[level](fields, typeof message === 'string' ? message : message instanceof Error ? message.message : undefined);
  }
}
