import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { IsoDate } from '../../domain/iso-date';
import { formatFen } from '../../domain/money';
import { type CheckpointView, type Condition, READ_STORE_LIMITS, ReadModels } from '../../projections';
import {
  type AccuracyDoc,
  type AccuracyKind,
  CLOSED_DOC_ID,
  type ErrorSums,
  FORECAST_ACCURACY_COLLECTIONS,
  NO_ERRORS,
  accuracyDoc,
  addSums,
  isScored,
  subjectErrors,
} from '../../projections/read-models/forecast-accuracy.projection';
import { HttpProblem } from '../http/problem';

export const FORECAST_ACCURACY_PROJECTION = 'forecast_accuracy';

/** `fundCode` and `merchantId` each name one subject of their kind; `kind` alone lists every subject of it. */
export interface AccuracyFilter {
  kind?: AccuracyKind;
  fundCode?: string;
  merchantId?: string;
}

/**
 * The model's errors beside the naive forecast's, over `count` scored days. `maeRatio` is the model's mean
 * absolute error over the naive forecast's on the same days (MASE-like, scaled by the live naive errors): below 1 the model
 * beats tomorrow = today. Null where nothing was scored, or the naive forecast never erred.
 */
export interface Figures<Amount> {
  count: number;
  mae: Amount | null;
  rmse: Amount | null;
  naiveMae: Amount | null;
  naiveRmse: Amount | null;
  maeRatio: number | null;
  rmseRatio: number | null;
}

/** Funds' figures in CNY per 10,000 shares (numbers, 6 decimals: rates); merchants' in CNY (decimal strings: money). */
export type FundRow = Figures<number> & { fundCode: string; awaitingOutcome: number };
export type MerchantRow = Figures<string> & { merchantId: string | null; walletId: string; awaitingOutcome: number };

export interface ForecastAccuracyBody {
  /** The read model's position the figures are as of; null before it applied any event. */
  position: string | null;
  /** The last closed business date it saw: a merchant's day is scored once closed. */
  closedThrough: IsoDate | null;
  /** Over every fund and every merchant; null when the request names one fund or one merchant. */
  overall: { funds: Figures<number>; merchants: Figures<string> } | null;
  funds: FundRow[];
  merchants: MerchantRow[];
  nextCursor: string | null;
}

export class ForecastAccuracyQuery extends Query<ForecastAccuracyBody> {
  constructor(
    readonly filter: AccuracyFilter,
    readonly page: { limit: number; cursor: string | undefined },
    readonly minPosition: bigint | undefined,
  ) {
    super();
  }
}

/** Subjects the overall figures total: two million, beyond any registry this serves. */
const MAX_SUBJECTS = 2_000 * READ_STORE_LIMITS.maxPageSize;
const PER_TEN_K_MICROS = 10_000;

/**
 * Answers from the forecast_accuracy read model: one page of subjects, and the overall figures summed over
 * every subject's document when asked for (the read model keeps no cross-subject total: each document follows
 * from its own events only, docs/projections.md), all read as of one checkpoint (ReadModels.consistent).
 */
@QueryHandler(ForecastAccuracyQuery)
export class ForecastAccuracyHandler implements IQueryHandler<ForecastAccuracyQuery, ForecastAccuracyBody> {
  constructor(private readonly readModels: ReadModels) {}

  async execute({ filter, page, minPosition }: ForecastAccuracyQuery): Promise<ForecastAccuracyBody> {
    await this.readModels.atLeast([FORECAST_ACCURACY_PROJECTION], minPosition);
    const named = filter.fundCode !== undefined || filter.merchantId !== undefined;
    // The calendar, the totals and the page all as of one checkpoint, so the figures agree with each other.
    return this.readModels.consistent(FORECAST_ACCURACY_PROJECTION, async (view) => {
      const closedThrough = await closedThroughOf(view);
      const overall = named ? null : await overallOf(view, closedThrough);
      return { position: view.position === undefined ? null : view.position.toString(), closedThrough, overall, ...(await rowsOf(view, filter, page, closedThrough)) };
    });
  }
}

async function closedThroughOf(view: CheckpointView): Promise<IsoDate | null> {
  const doc = await view.get(FORECAST_ACCURACY_COLLECTIONS.calendar, CLOSED_DOC_ID);
  return typeof doc?.closedThrough === 'string' ? doc.closedThrough : null;
}

async function rowsOf(view: CheckpointView, filter: AccuracyFilter, page: ForecastAccuracyQuery['page'], closedThrough: IsoDate | null): Promise<Pick<ForecastAccuracyBody, 'funds' | 'merchants' | 'nextCursor'>> {
  const where: Record<string, Condition> = {
    ...(filter.kind ? { kind: { eq: filter.kind } } : {}),
    ...(filter.fundCode !== undefined ? { fundCode: { eq: filter.fundCode } } : {}),
    ...(filter.merchantId !== undefined ? { merchantId: { eq: filter.merchantId } } : {}),
  };
  const scope = `forecast-accuracy:${filter.kind ?? ''}:${filter.fundCode ?? ''}:${filter.merchantId ?? ''}`;
  const found = await view.page(FORECAST_ACCURACY_COLLECTIONS.subjects, { where, orderBy: ['kind'], limit: page.limit, cursor: page.cursor, scope }, (doc) => [String(doc.body.kind), doc.id]);
  const docs = found.docs.map((doc) => accuracyDoc(doc.body));
  return {
    funds: docs.filter((doc) => doc.kind === 'fund').map((doc) => ({ fundCode: doc.fundCode!, ...fundFigures(subjectErrors(doc, closedThrough)), awaitingOutcome: awaiting(doc, closedThrough) })),
    merchants: docs
      .filter((doc) => doc.kind === 'merchant')
      .map((doc) => ({ merchantId: doc.merchantId, walletId: doc.walletId!, ...merchantFigures(subjectErrors(doc, closedThrough)), awaitingOutcome: awaiting(doc, closedThrough) })),
    nextCursor: found.nextCursor,
  };
}

/** The figures summed over every subject's document. */
async function overallOf(view: CheckpointView, closedThrough: IsoDate | null): Promise<NonNullable<ForecastAccuracyBody['overall']>> {
  const sums: Record<AccuracyKind, ErrorSums> = { fund: NO_ERRORS, merchant: NO_ERRORS };
  const tooMany = () => new HttpProblem(503, `more than ${MAX_SUBJECTS} subjects to total; name a fund or a merchant`, { code: 'TOO_MANY_SUBJECTS' });
  for await (const stored of view.every(FORECAST_ACCURACY_COLLECTIONS.subjects, MAX_SUBJECTS, tooMany)) {
    const doc = accuracyDoc(stored.body);
    sums[doc.kind] = addSums(sums[doc.kind], subjectErrors(doc, closedThrough));
  }
  return { funds: fundFigures(sums.fund), merchants: merchantFigures(sums.merchant) };
}

/** Forecasts kept whose outcome is not known yet: a fund's income not published, a merchant's day not closed. */
function awaiting(doc: AccuracyDoc, closedThrough: IsoDate | null): number {
  return doc.days.filter((day) => day.forecast !== null && !isScored(doc.kind, day, closedThrough)).length;
}

const rounded = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;

function figures<Amount>(sums: ErrorSums, mean: (total: bigint) => Amount, rootMean: (total: bigint) => Amount): Figures<Amount> {
  if (sums.count === 0) return { count: 0, mae: null, rmse: null, naiveMae: null, naiveRmse: null, maeRatio: null, rmseRatio: null };
  return {
    count: sums.count,
    mae: mean(sums.absolute),
    rmse: rootMean(sums.squared),
    naiveMae: mean(sums.naiveAbsolute),
    naiveRmse: rootMean(sums.naiveSquared),
    maeRatio: sums.naiveAbsolute === 0n ? null : rounded(Number(sums.absolute) / Number(sums.naiveAbsolute), 4),
    rmseRatio: sums.naiveSquared === 0n ? null : rounded(Math.sqrt(Number(sums.squared) / Number(sums.naiveSquared)), 4),
  };
}

/** 0.0001 CNY per 10,000 shares → CNY per 10,000 shares. */
function fundFigures(sums: ErrorSums): Figures<number> {
  const perTenK = (micros: number) => rounded(micros / PER_TEN_K_MICROS, 6);
  return figures(
    sums,
    (total) => perTenK(Number(total) / sums.count),
    (total) => perTenK(Math.sqrt(Number(total) / sums.count)),
  );
}

/** The mean to the fen, half up; the root mean square to the nearest fen (a statistic, computed in doubles). */
function merchantFigures(sums: ErrorSums): Figures<string> {
  const count = BigInt(sums.count);
  return figures(
    sums,
    (total) => formatFen((total * 2n + count) / (2n * count)),
    (total) => formatFen(BigInt(Math.round(Math.sqrt(Number(total) / sums.count)))),
  );
}
