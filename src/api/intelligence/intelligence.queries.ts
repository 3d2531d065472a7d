import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { IsoDate } from '../../domain/iso-date';
import { formatFen } from '../../domain/money';
import { type Condition, ReadModels } from '../../projections';
import { FORECASTS_COLLECTIONS, type ForecastCloseDoc, type ForecastDoc, type ForecastKind, forecastId } from '../../projections/read-models/forecasts.projection';
import { HttpProblem } from '../http/problem';
import { WALLET_VIEW_PROJECTIONS, WalletViewQuery } from '../wallets/wallet-view';
import { forecastDoc, fundForecastBody, merchantForecastBody, proposalBody, proposalTargetsFen, skipBody } from './forecast-bodies';
import { CALENDAR_PROJECTION, lastClosedDate } from './last-closed-date';

export const FORECASTS_PROJECTION = 'forecasts';

export type MerchantForecastBody = ReturnType<typeof merchantForecastBody> & { madeAtCloseOf: IsoDate; modelVersion: string; inputsPosition: string };

export interface PortfolioBody {
  walletId: string;
  businessDate: IsoDate;
  holdings: { fundCode: string; current: string; target: string | null }[];
  proposal: {
    madeAtCloseOf: IsoDate;
    forecastDate: IsoDate;
    expectedGain: string;
    instantCapacity: string;
    demandUpper95: string;
    shortfall: string;
    binding: string[];
    modelVersion: string;
    position: string;
  } | null;
}

export interface CloseForecastsBody extends Omit<ForecastCloseDoc, 'funds' | 'merchants' | 'proposals' | 'skipped'> {
  counts: { funds: number; merchants: number; proposals: number; skipped: number };
  funds: ReturnType<typeof fundForecastBody>[];
  merchants: ReturnType<typeof merchantForecastBody>[];
  proposals: ReturnType<typeof proposalBody>[];
  skipped: ReturnType<typeof skipBody>[];
  nextCursor: string | null;
}

export class MerchantForecastQuery extends Query<MerchantForecastBody> {
  constructor(
    readonly merchantId: string,
    readonly minPosition: bigint | undefined,
  ) {
    super();
  }
}

export class PortfolioQuery extends Query<PortfolioBody> {
  constructor(
    readonly walletId: string,
    readonly minPosition: bigint | undefined,
  ) {
    super();
  }
}

export class CloseForecastsQuery extends Query<CloseForecastsBody> {
  constructor(
    readonly date: IsoDate,
    readonly kind: ForecastKind | undefined,
    readonly page: { limit: number; cursor: string | undefined },
    readonly minPosition: bigint | undefined,
  ) {
    super();
  }
}

@QueryHandler(MerchantForecastQuery)
export class MerchantForecastHandler implements IQueryHandler<MerchantForecastQuery, MerchantForecastBody> {
  constructor(private readonly readModels: ReadModels) {}

  async execute({ merchantId, minPosition }: MerchantForecastQuery): Promise<MerchantForecastBody> {
    await this.readModels.atLeast([FORECASTS_PROJECTION, CALENDAR_PROJECTION], minPosition);
    const date = await lastClosedDate(this.readModels);
    const get = (kind: ForecastKind, subject: string) => (date === null ? Promise.resolve(undefined) : this.readModels.get(FORECASTS_PROJECTION, FORECASTS_COLLECTIONS.forecasts, forecastId(date, kind, subject)));
    const found = await get('merchant', merchantId);
    if (!found) {
      const skipped = await get('skip', `merchant ${merchantId}`);
      throw HttpProblem.notFound(skipped ? `no forecast at the close of ${date}: ${skipBody(forecastDoc(skipped)).reason}` : `no forecast for merchant ${merchantId} at the close of ${date ?? 'any day yet'}`);
    }
    const doc = forecastDoc(found);
    return { ...merchantForecastBody(doc), madeAtCloseOf: doc.date, modelVersion: doc.modelVersion, inputsPosition: doc.inputsPosition };
  }
}

@QueryHandler(PortfolioQuery)
export class PortfolioHandler implements IQueryHandler<PortfolioQuery, PortfolioBody> {
  constructor(
    private readonly readModels: ReadModels,
    private readonly wallets: WalletViewQuery,
  ) {}

  async execute({ walletId, minPosition }: PortfolioQuery): Promise<PortfolioBody> {
    await this.readModels.atLeast([...new Set([FORECASTS_PROJECTION, CALENDAR_PROJECTION, ...WALLET_VIEW_PROJECTIONS])], minPosition);
    const view = await this.wallets.view(walletId);
    const date = await lastClosedDate(this.readModels);
    const found = date === null ? undefined : await this.readModels.get(FORECASTS_PROJECTION, FORECASTS_COLLECTIONS.forecasts, forecastId(date, 'proposal', walletId));
    const proposal = found && forecastDoc(found);
    const targets = proposal ? proposalTargetsFen(proposal) : new Map<string, bigint>();
    const codes = [...new Set([...view.holdings.map((h) => h.fundCode), ...targets.keys()])].sort();
    return {
      walletId,
      businessDate: view.businessDate,
      holdings: codes.map((fundCode) => ({
        fundCode,
        current: view.holdings.find((h) => h.fundCode === fundCode)?.holding ?? '0.00',
        target: targets.has(fundCode) ? formatFen(targets.get(fundCode)!) : null,
      })),
      proposal: proposal ? proposalSummary(proposal) : null,
    };
  }
}

function proposalSummary(doc: ForecastDoc): NonNullable<PortfolioBody['proposal']> {
  const { forecastDate, expectedGain, instantCapacity, demandUpper95, shortfall, binding } = proposalBody(doc);
  return { madeAtCloseOf: doc.date, forecastDate, expectedGain, instantCapacity, demandUpper95, shortfall, binding, modelVersion: doc.modelVersion, position: doc.position };
}

@QueryHandler(CloseForecastsQuery)
export class CloseForecastsHandler implements IQueryHandler<CloseForecastsQuery, CloseForecastsBody> {
  constructor(private readonly readModels: ReadModels) {}

  async execute({ date, kind, page, minPosition }: CloseForecastsQuery): Promise<CloseForecastsBody> {
    await this.readModels.atLeast([FORECASTS_PROJECTION], minPosition);
    const close = (await this.readModels.get(FORECASTS_PROJECTION, FORECASTS_COLLECTIONS.closes, date)) as unknown as ForecastCloseDoc | undefined;
    if (!close) throw HttpProblem.notFound(`no forecasts were recorded at the close of ${date}`);
    const where: Record<string, Condition> = { date: { eq: date }, ...(kind ? { kind: { eq: kind } } : {}) };
    const found = await this.readModels.page(
      FORECASTS_PROJECTION,
      FORECASTS_COLLECTIONS.forecasts,
      { where, orderBy: ['kind', 'subject'], limit: page.limit, cursor: page.cursor, scope: `forecasts:${date}:${kind ?? ''}` },
      (doc) => [String(doc.body.kind), String(doc.body.subject), doc.id],
    );
    const docs = found.docs.map((doc) => forecastDoc(doc.body));
    const { funds, merchants, proposals, skipped, ...summary } = close;
    return {
      ...summary,
      counts: { funds, merchants, proposals, skipped },
      funds: docs.filter((d) => d.kind === 'fund').map(fundForecastBody),
      merchants: docs.filter((d) => d.kind === 'merchant').map(merchantForecastBody),
      proposals: docs.filter((d) => d.kind === 'proposal').map(proposalBody),
      skipped: docs.filter((d) => d.kind === 'skip').map(skipBody),
      nextCursor: found.nextCursor,
    };
  }
}
