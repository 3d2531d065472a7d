import { StoreUnavailableError, type StoreWriteFailure } from '../errors';

/**
 * SQLite's codes for a write the disk refused. A file over the process's size limit (RLIMIT_FSIZE, a quota)
 * shows as an I/O error of the write, as a device with no space left may.
 */
function reasonOf(code: string): StoreWriteFailure['reason'] | undefined {
  if (code === 'SQLITE_FULL') return 'disk-full';
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM') return 'read-only';
  if (code.startsWith('SQLITE_IOERR')) return 'disk-error';
  return undefined;
}

/** The store error a SQLite error of the disk becomes, or undefined for any other error. */
export function diskFailure(error: unknown): StoreUnavailableError | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  const reason = reasonOf(code);
  // SQLite's own messages ("disk I/O error", "database or disk is full") name no path.
  return reason && new StoreUnavailableError(reason, (error as Error).message);
}
