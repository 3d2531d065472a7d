import type { Decider } from '../decider';
import { DomainError } from '../domain-error';
import type { PerTenKMicros } from '../income-rate';
import type { IsoDate } from '../iso-date';
import type { Fen } from '../money';
import { invariant } from '../../invariant';

/**
 * Which code and which model configuration made a forecast. The caller resolves it (the package's version, the
 * git commit, the configuration's hash) and passes it in: the domain reads no file and runs no git.
 */
export interface ForecastProvenance {
  packageVersion: string;
  gitCommit: string;
  configurationHash: string;
}

/** A fitted model's coefficient, by name: an elastic-net feature or the intercept, or an ARIMA term in R's naming (ar1, ma1, sar1, sma1, intercept). */
export interface FittedCoefficient {
  name: string;
  value: number;
}

/**
 * What forecasts recorded before provenance existed lack: events are never rewritten, so every reader takes
 * both shapes (`provenance` and `coefficients` absent).
 */
interface Provenanced {
  provenance?: ForecastProvenance;
}

/**
 * The forecasts made at the close of one business date for the next: every fund's income, every merchant's
 * demand, and the allocation proposed for every merchant wallet that holds funds. They are recorded once per
 * date, with the model version and the log position of their inputs in the metadata and the code version and
 * configuration in `provenance`, so an auditor can rebuild the inputs as of that position, run the same
 * models and get the same numbers. A fund's forecast carries the pooled model's fitted coefficients (every
 * fund's the same: the forecasts read model keys a close's documents by these four kinds, so a fifth event
 * for the model alone would have no place there), a merchant's its ARIMA model's.
 */
export type DailyForecastEvent =
  | {
      type: 'FundYieldForecasted';
      data: Provenanced & {
        fundCode: string;
        trainEnd: IsoDate;
        forecastDate: IsoDate;
        perTenK: PerTenKMicros;
        naivePerTenK: PerTenKMicros;
        sevenDayYieldPct: number;
        alpha: number;
        l1Ratio: number;
        /** The intercept and one coefficient per feature, of the next day's change, on the features' own scale. */
        coefficients?: FittedCoefficient[];
      };
    }
  | {
      type: 'MerchantDemandForecasted';
      data: Provenanced & {
        merchantId: string;
        walletId: string;
        forecastDate: IsoDate;
        meanFen: Fen;
        upper95Fen: Fen;
        model: string;
        aic: number | null;
        historyDays: number;
        coefficients?: FittedCoefficient[];
      };
    }
  | {
      type: 'RebalanceProposed';
      data: Provenanced & {
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
  | { type: 'ForecastSkipped'; data: Provenanced & { subject: string; forecastDate: IsoDate; reason: string } };

/** How many forecasts of each kind a close recorded. */
export interface ForecastCounts {
  funds: number;
  merchants: number;
  proposals: number;
  skipped: number;
}

/**
 * The last event of a close's forecasts, recorded with the last of its appends: a close is recorded in several
 * appends, and without it a reader could not tell a whole close from one a crash cut short. `events` is the
 * number of forecasts before it.
 */
export type ForecastsRecordedEvent = { type: 'ForecastsRecorded'; data: Provenanced & ForecastCounts & { events: number } };

export type DailyForecastStreamEvent = DailyForecastEvent | ForecastsRecordedEvent;

/**
 * The forecasts about one subject, recorded together or not at all: a fund's yield forecast or its skip, a
 * merchant's demand forecast and the proposal made from it, or the merchant's skip.
 */
export type SubjectForecasts = readonly DailyForecastEvent[];

/** A subject has at most a demand forecast and its proposal. */
export const MAX_SUBJECT_EVENTS = 2;

export type DailyForecastCommand = {
  type: 'RecordForecasts';
  date: IsoDate;
  /** The next of the close's forecasts, by subject, in the order they were made. */
  subjects: readonly SubjectForecasts[];
  /** No forecasts follow these: the marker is recorded after them. */
  last: boolean;
};

/** The subjects recorded, newest first; each state shares the list of the one before, so evolve stays O(1). */
export type RecordedSubjects = { subject: string; earlier: RecordedSubjects } | null;

export interface DailyForecastState {
  counts: ForecastCounts;
  subjects: RecordedSubjects;
  /** The marker is recorded: the close is whole and nothing more is recorded. */
  complete: boolean;
}

const COUNTER: Record<DailyForecastEvent['type'], keyof ForecastCounts> = {
  FundYieldForecasted: 'funds',
  MerchantDemandForecasted: 'merchants',
  RebalanceProposed: 'proposals',
  ForecastSkipped: 'skipped',
};

/**
 * What a forecast is about, as its skip names it, so that a subject skipped by one attempt and forecast by
 * the next is recorded once; a proposal has none of its own: it belongs to the demand forecast before it.
 */
function subjectOf(event: DailyForecastEvent): string | undefined {
  switch (event.type) {
    case 'FundYieldForecasted':
      return `fund ${event.data.fundCode}`;
    case 'MerchantDemandForecasted':
      return `merchant ${event.data.merchantId}`;
    case 'RebalanceProposed':
      return undefined;
    case 'ForecastSkipped':
      return event.data.subject;
  }
}

function subjectOfGroup(group: SubjectForecasts): string {
  const [first, ...rest] = group;
  const subject = first && subjectOf(first);
  invariant(subject !== undefined && group.length <= MAX_SUBJECT_EVENTS, () => `a subject's forecasts begin with what they are about and are at most ${MAX_SUBJECT_EVENTS}: ${group.map((e) => e.type).join(', ')}`);
  invariant(rest.every((e) => e.type === 'RebalanceProposed' && first.type === 'MerchantDemandForecasted' && e.data.walletId === first.data.walletId), () => `only a merchant's proposal follows its demand forecast, in ${subject}`);
  return subject;
}

function recordedEvents(counts: ForecastCounts): number {
  return counts.funds + counts.merchants + counts.proposals + counts.skipped;
}

function recordedSubjects(state: DailyForecastState): Set<string> {
  const subjects = new Set<string>();
  for (let node = state.subjects; node !== null; node = node.earlier) subjects.add(node.subject);
  return subjects;
}

/**
 * Records a close's forecasts a run of subjects at a time, leaving out the subjects already recorded: an
 * attempt cut short by a crash is completed by the next, which makes the forecasts again from inputs that may
 * have moved since (see docs/forecasting.md), so what is missing is found by subject, not by count.
 */
export const dailyForecastDecider: Decider<DailyForecastCommand, DailyForecastStreamEvent, DailyForecastState> = {
  initialState: { counts: { funds: 0, merchants: 0, proposals: 0, skipped: 0 }, subjects: null, complete: false },
  decide(command, state) {
    if (state.complete) throw new DomainError('FORECASTS_RECORDED', `the forecasts made at the close of ${command.date} are already recorded`);
    const recorded = recordedSubjects(state);
    const missing: DailyForecastStreamEvent[] = [];
    let counts = state.counts;
    for (const group of command.subjects) {
      const subject = subjectOfGroup(group);
      if (recorded.has(subject)) continue;
      recorded.add(subject);
      missing.push(...group);
      counts = group.reduce(counted, counts);
    }
    if (command.last) missing.push({ type: 'ForecastsRecorded', data: { ...counts, events: recordedEvents(counts) } });
    return missing;
  },
  evolve(state, event) {
    if (event.type === 'ForecastsRecorded') {
      // The marker counts what came before it, so it alone gives a whole close's counts without reading them.
      const { funds, merchants, proposals, skipped } = event.data;
      return { ...state, counts: { funds, merchants, proposals, skipped }, complete: true };
    }
    const subject = subjectOf(event);
    return { ...state, counts: counted(state.counts, event), subjects: subject === undefined ? state.subjects : { subject, earlier: state.subjects } };
  },
};

function counted(counts: ForecastCounts, event: DailyForecastEvent): ForecastCounts {
  const counter = COUNTER[event.type];
  return { ...counts, [counter]: counts[counter] + 1 };
}

/** The forecasts made at the close of `date`, for the next business day. */
export const dailyForecastStream = (date: IsoDate) => `forecast-${date}`;
