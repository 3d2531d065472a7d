import { performance } from 'node:perf_hooks';
import { dailyIncomeFen } from '../domain/income-rate';
import type { CommandOutcome } from './product-session';

/** The kinds of command the simulation sends, as the report counts them. */
export type CommandKind =
  | 'registerFund'
  | 'publishIncome'
  | 'registerParty'
  | 'setRebalancing'
  | 'deposit'
  | 'payment'
  | 'purchase'
  | 'redemption'
  | 'withdrawal'
  | 'instantWithdrawal'
  | 'dayClose';

/** One instant withdrawal as the merchant saw it before asking: today's demand against today's capacity. */
export interface InstantUse {
  demandFen: bigint;
  capacityFen: bigint;
}

/** Money-weighted sums over the closes of the simulated days (the warm-up's are left out). */
export interface YieldSums {
  /** Fen-days: each day's holdings summed over funds and days. */
  holdingFenDays: bigint;
  /** The income the funds paid on those holdings, fen. */
  incomeFen: bigint;
  /** What the same holdings would have earned in fund 0, fen (each day's total rounded down once). */
  fund0IncomeFen: bigint;
}

/** What the simulation counts while it runs; the report is made from it. */
export class SimulationTally {
  readonly commands = new Map<CommandKind, { sent: number; refused: number }>();
  readonly refusals = new Map<string, number>();
  readonly instantUses: InstantUse[] = [];
  readonly yields: YieldSums = { holdingFenDays: 0n, incomeFen: 0n, fund0IncomeFen: 0n };
  closes = 0;
  /** Wall time spent in each phase of the days, ms: where a run's time goes. */
  readonly phaseMs = new Map<string, number>();

  async timed<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const startedMs = performance.now();
    try {
      return await work();
    } finally {
      this.phaseMs.set(phase, (this.phaseMs.get(phase) ?? 0) + performance.now() - startedMs);
    }
  }

  /** Counts an outcome and hands it back, so a caller can count and read it in one go. */
  count(kind: CommandKind, outcome: CommandOutcome): CommandOutcome {
    const counts = this.commands.get(kind) ?? { sent: 0, refused: 0 };
    counts.sent += 1;
    if (!outcome.ok) {
      counts.refused += 1;
      this.refusals.set(outcome.code, (this.refusals.get(outcome.code) ?? 0) + 1);
    }
    this.commands.set(kind, counts);
    return outcome;
  }

  countClose(): void {
    const counts = this.commands.get('dayClose') ?? { sent: 0, refused: 0 };
    counts.sent += 1;
    this.commands.set('dayClose', counts);
    this.closes += 1;
  }

  /**
   * Adds a fund's distributions (IncomeDistributed: its holders' holdings and the fund's income of a day)
   * from `from` on; `fund0PerTenK` is fund 0's income of each day.
   */
  addDistributions(distributions: readonly { date: string; holdingsFen: bigint; totalFen: bigint }[], fund0PerTenK: (date: string) => bigint): void {
    for (const { date, holdingsFen, totalFen } of distributions) {
      this.yields.holdingFenDays += holdingsFen;
      this.yields.incomeFen += totalFen;
      this.yields.fund0IncomeFen += dailyIncomeFen(holdingsFen, fund0PerTenK(date));
    }
  }

  get commandsSent(): number {
    let sent = 0;
    for (const counts of this.commands.values()) sent += counts.sent;
    return sent;
  }
}
