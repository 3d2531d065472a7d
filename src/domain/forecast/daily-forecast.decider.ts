import type { Decider } from '../decider';
import { DomainError } from '../domain-error';
import type { PerTenKMicros } from '../income-rate';
import type { IsoDate } from '../iso-date';
import type { Fen } from '../money';

/**
 * The forecasts made at the close of one business date for the next: every fund's income, every merchant's
 * demand, and the allocation proposed for every merchant wallet that holds funds. They are recorded once per
 * date, all together, with the model version and the log position of their inputs in the metadata, so an
 * auditor can rebuild the inputs as of that position, run the same models and get the same numbers.
 */
export type DailyForecastEvent =
  | {
      type: 'FundYieldForecasted';
      data: { fundCode: string; trainEnd: IsoDate; forecastDate: IsoDate; perTenK: PerTenKMicros; naivePerTenK: PerTenKMicros; sevenDayYieldPct: number; alpha: number; l1Ratio: number };
    }
  | {
      type: 'MerchantDemandForecasted';
      data: { merchantId: string; walletId: string; forecastDate: IsoDate; meanFen: Fen; upper95Fen: Fen; model: string; aic: number | null; historyDays: number };
    }
  | {
      type: 'RebalanceProposed';
      data: {
        walletId: string;
        forecastDate: IsoDate;
        targets: { fundCode: string; currentFen: Fen; targetFen: Fen }[];
        expectedGainFen: Fen;
        instantCapacityFen: Fen;
        demandUpper95Fen: Fen;
        shortfallFen: Fen;
        binding: string[];
      };
    }
  | { type: 'ForecastSkipped'; data: { subject: string; forecastDate: IsoDate; reason: string } };

export type DailyForecastCommand = { type: 'RecordForecasts'; date: IsoDate; events: DailyForecastEvent[] };
export type DailyForecastState = { recorded: boolean };

export const dailyForecastDecider: Decider<DailyForecastCommand, DailyForecastEvent, DailyForecastState> = {
  initialState: { recorded: false },
  decide(command, state) {
    if (state.recorded) throw new DomainError('FORECASTS_RECORDED', `the forecasts made at the close of ${command.date} are already recorded`);
    return command.events;
  },
  evolve: () => ({ recorded: true }),
};

/** The forecasts made at the close of `date`, for the next business day. */
export const dailyForecastStream = (date: IsoDate) => `forecast-${date}`;
