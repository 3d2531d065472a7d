import type { Writable } from 'node:stream';

/**
 * Standard output for a command that prints a long listing. It waits while the reader is slower, so a
 * whole log is never buffered in memory, and it notices when the reader has gone (`ifw audit replay | head`):
 * the write that finds the pipe closed reports false, and the command stops reading and ends with status 0.
 */
export class ListingOutput {
  private readerGone = false;

  constructor(private readonly stream: Writable = process.stdout) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // Any other failure of stdout is as fatal as it would be without this listener.
      if (error.code !== 'EPIPE') throw error;
      this.readerGone = true;
    });
    stream.once('close', () => {
      this.readerGone = true;
    });
  }

  /** Writes one line; false once no one reads any more. */
  async writeLine(line: string): Promise<boolean> {
    if (this.readerGone) return false;
    if (!this.stream.write(`${line}\n`)) await this.drainedOrClosed();
    return !this.readerGone;
  }

  private drainedOrClosed(): Promise<void> {
    if (this.readerGone) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off('drain', done).off('close', done);
        resolve();
      };
      this.stream.on('drain', done).on('close', done);
    });
  }
}
