import type { StoreWriteFailure } from './errors';

/** How often, at most, a store whose writes fail tries one of its own to learn whether they land again. */
const PROBE_EVERY_MS = 1_000;

/**
 * Why a store's writes fail now, if they do: set by the first refused write, cleared by the next that lands
 * or by a probe that does. A server no one sends writes to while it is not ready still learns of recovery,
 * because asking runs the probe (at most once a second, the refused write itself counting as the first).
 */
export class WriteFailureWatch {
  private failure: StoreWriteFailure | undefined;
  private lastProbeMs = -Infinity;

  constructor(private readonly clockMs: () => number) {}

  refused(reason: StoreWriteFailure['reason'], detail: string): void {
    if (this.failure !== undefined) return;
    this.failure = { reason, detail, sinceMs: this.clockMs() };
    this.lastProbeMs = this.failure.sinceMs;
  }

  landed(): void {
    this.failure = undefined;
  }

  /** The failure as it stands after a probe, when one is due; `probe` resolves true when its write landed. */
  async current(probe: () => Promise<boolean>): Promise<StoreWriteFailure | undefined> {
    const nowMs = this.clockMs();
    if (this.failure === undefined || nowMs - this.lastProbeMs < PROBE_EVERY_MS) return this.failure;
    this.lastProbeMs = nowMs;
    if (await probe()) this.failure = undefined;
    return this.failure;
  }
}
