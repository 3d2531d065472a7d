/**
 * Progress of a long command on the terminal (stderr, so stdout stays clean for --json and pipes).
 * Silent when asked for JSON or when stderr is not a terminal; redraws at most every `intervalMs`.
 */
export class Progress {
  private lastDrawMs = 0;
  private readonly live: boolean;

  constructor(
    private readonly label: string,
    quiet: boolean,
    private readonly intervalMs = 200,
  ) {
    this.live = !quiet && process.stderr.isTTY === true;
  }

  update(done: number, total?: number): void {
    if (!this.live) return;
    const now = Date.now();
    if (now - this.lastDrawMs < this.intervalMs) return;
    this.lastDrawMs = now;
    const share = total ? ` (${Math.floor((done / total) * 100)} %)` : '';
    process.stderr.write(`\r${this.label}: ${done.toLocaleString('en')}${total ? ` of ${total.toLocaleString('en')}` : ''}${share}   `);
  }

  finish(): void {
    if (this.live) process.stderr.write('\n');
  }
}
