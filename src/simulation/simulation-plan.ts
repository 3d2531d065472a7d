import { type IsoDate, addDays, isBusinessDay } from '../domain/iso-date';
import { invariant } from '../invariant';
import type { Seed } from '../ml/market';
import { YIELD_HISTORY_DAYS } from '../ml/model-configuration';

/** The first simulated day unless told otherwise: the first trading day of 2025, inside the simulator's calibrated years. */
export const DEFAULT_FIRST_DAY: IsoDate = '2025-01-02';

/**
 * Business days of the merchants' own history before day 1. The day close's demand model (ARIMA,
 * src/ml/demand) fits from 10 business days of a merchant's outflows; 15 leave room.
 */
export const WARM_UP_BUSINESS_DAYS = 15;

/**
 * Calendar days the ledger runs, publishing incomes and closing, before the parties join. A fund's income
 * can only be published for a day of the ledger (none before its first), and the close's yield model runs the
 * one model configuration (src/ml/model-configuration.ts), which needs YIELD_HISTORY_DAYS of them (its training
 * window, validation blocks and lag days); with the merchants' warm-up after them, the first proposals come
 * before day 1.
 */
export const INCOME_HISTORY_DAYS = YIELD_HISTORY_DAYS;

/** Bounds of the options, so a run is always finite and the stores stay within what was measured. */
export const SIMULATION_BOUNDS = {
  days: { min: 1, max: 3_650 },
  customers: { min: 1, max: 100_000 },
  merchants: { min: 1, max: 10_000 },
  funds: { min: 1, max: 50 },
} as const;

export interface SimulationOptions {
  /** Calendar days simulated from the first day on; each business day among them ends with its day close. */
  days: number;
  customers: number;
  merchants: number;
  funds: number;
  seed: Seed;
  /** The folder of the embedded stores the simulation writes; it must not hold a store already. */
  dataDir: string;
  firstDay?: IsoDate;
}

/** The dates of a run: the funds' income history, the merchants' warm-up, then the simulated days. */
export interface SimulationPlan {
  /** The ledger's first business date (IFW_START_DATE): the funds are registered and publish from it. */
  calendarStart: IsoDate;
  /** The parties join: the merchants act from it, the customers from the first day. */
  partiesFrom: IsoDate;
  firstDay: IsoDate;
  lastDay: IsoDate;
}

export function simulationPlan(options: SimulationOptions): SimulationPlan {
  const firstDay = options.firstDay ?? DEFAULT_FIRST_DAY;
  invariant(isBusinessDay(firstDay), () => `the first simulated day must be a business day; ${firstDay} is not`);
  let partiesFrom = firstDay;
  for (let counted = 0; counted < WARM_UP_BUSINESS_DAYS; ) {
    partiesFrom = addDays(partiesFrom, -1);
    if (isBusinessDay(partiesFrom)) counted += 1;
  }
  let calendarStart = addDays(partiesFrom, -INCOME_HISTORY_DAYS);
  while (!isBusinessDay(calendarStart)) calendarStart = addDays(calendarStart, -1);
  return { calendarStart, partiesFrom, firstDay, lastDay: addDays(firstDay, options.days - 1) };
}
