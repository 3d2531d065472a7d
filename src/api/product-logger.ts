import { ConsoleLogger } from '@nestjs/common';

/**
 * The application's log: coloured lines on a terminal, JSON lines (no colour codes) anywhere else, where
 * a collector reads them.
 */
export function productLogger(terminal = process.stdout.isTTY === true): ConsoleLogger {
  return new ConsoleLogger({ logLevels: ['error', 'warn', 'log'], json: !terminal, colors: terminal });
}
