import { EventStoreError } from '../eventstore';
import { ConfigError } from '../config';
import { UnsupportedReadStoreUrlError } from '../projections';
import { RebuildInProgressError } from '../projections/rebuild';
import { ListenError } from '../api/server';

/** Errors of the machine or the setup, not of the program: a command reports them in one line and exits 1. */
export function isOperatingError(error: unknown): error is Error {
  return (
    error instanceof EventStoreError || error instanceof ConfigError || error instanceof UnsupportedReadStoreUrlError || error instanceof RebuildInProgressError || error instanceof ListenError
  );
}
