import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { ForecastProvenance } from '../../domain/forecast/daily-forecast.decider';
import type { IsoDate } from '../../domain/iso-date';
import { formatFen } from '../../domain/money';
import { type InstanceState, type InstanceSummary, type InstanceView, OperateRequiredError, type ProcessEngine } from '../../processes/engine';
import { FUND_SWITCH_PROCESS, type FundSwitchVariables } from '../processes/fund-switch-workers';
import { walletProcessKeyPrefix } from '../processes/wallet-process-keys';
import { type Condition, ReadModels } from '../../projections';
import { FORECASTS_COLLECTIONS, type ForecastCloseDoc, type ForecastDoc, type ForecastKind, forecastId } from '../../projections/read-models/forecasts.projection';
import { HttpProblem } from '../http/problem';
import { PROCESS_ENGINE } from '../processes/process-engine.token';
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
    provenance: ForecastProvenance | null;
    position: string;
  } | null;
  switches: SwitchUnderWay[] | null;
  switchesTruncated: boolean;
  switchesUnavailable: 'OPERATE_REQUIRED' | null;
}

export interface SwitchUnderWay {
  processId: string;
  fromFund: string;
  toFund: string;
  amount: string;
  state: InstanceState;
  step: string[];
  startedAt: string;
}

/**
 * The most switches a portfolio lists. Automatic rebalancing starts at most 10 per close, so more than 20
 * running means a backlog, which an operator follows with GET /processes?wallet=.
 */
export const MAX_PORTFOLIO_SWITCHES = 20;
const RUNNING_STATES: readonly InstanceState[] = ['active', 'incident'];

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
    @Inject(PROCESS_ENGINE) private readonly engine: ProcessEngine,
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
      ...(await switchesUnderWay(this.engine, walletId)),
    };
  }
}

/** Zeebe cannot search instances without Operate: the portfolio is answered without its switches then. */
async function switchesUnderWay(engine: ProcessEngine, walletId: string): Promise<Pick<PortfolioBody, 'switches' | 'switchesTruncated' | 'switchesUnavailable'>> {
  try {
    const running = await runningSwitches(engine, walletId);
    const views = await Promise.all(running.slice(0, MAX_PORTFOLIO_SWITCHES).map((summary) => engine.instance(summary.instanceId)));
    // An instance that ended between the listing and its read is no longer under way.
    const stillRunning = views.filter((view): view is InstanceView => view !== undefined && RUNNING_STATES.includes(view.state));
    return { switches: stillRunning.map(switchBody), switchesTruncated: running.length > MAX_PORTFOLIO_SWITCHES, switchesUnavailable: null };
  } catch (error) {
    if (error instanceof OperateRequiredError) return { switches: null, switchesTruncated: false, switchesUnavailable: error.code };
    throw error;
  }
}

/** The engine filters by one state at a time; one more than the bound of each tells whether any were left out. */
async function runningSwitches(engine: ProcessEngine, walletId: string): Promise<InstanceSummary[]> {
  const query = { bpmnProcessId: FUND_SWITCH_PROCESS, businessKeyPrefix: walletProcessKeyPrefix(walletId), limit: MAX_PORTFOLIO_SWITCHES + 1 };
  const pages = await Promise.all(RUNNING_STATES.map((state) => engine.instances({ ...query, state })));
  return pages.flatMap((page) => page.instances).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
}

function switchBody(view: InstanceView): SwitchUnderWay {
  const { fromFund, toFund, amount } = view.variables as FundSwitchVariables;
  return { processId: view.instanceId, fromFund, toFund, amount, state: view.state, step: view.currentElements, startedAt: view.startedAt.toISOString() };
}

function proposalSummary(doc: ForecastDoc): NonNullable<PortfolioBody['proposal']> {
  const { forecastDate, expectedGain, instantCapacity, demandUpper95, shortfall, binding, provenance } = proposalBody(doc);
  return { madeAtCloseOf: doc.date, forecastDate, expectedGain, instantCapacity, demandUpper95, shortfall, binding, modelVersion: doc.modelVersion, provenance, position: doc.position };
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
