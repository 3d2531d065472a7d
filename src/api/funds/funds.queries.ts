import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { JsonObject } from '../../eventstore';
import { formatPerTenK } from '../../domain/income-rate';
import { type IsoDate, addDays } from '../../domain/iso-date';
import { ReadModels } from '../../projections';
import { FUNDS_COLLECTIONS, fundDayDoc, fundDoc } from '../../projections/read-models/funds.projection';
import { HttpProblem } from '../http/problem';

export const FUNDS_PROJECTION = 'funds';
/** The longest range of daily yields one request may ask for. */
export const MAX_YIELD_RANGE_DAYS = 366;
/** Without `from`, the yields of this many days up to `to`. */
const DEFAULT_YIELD_DAYS = 30;

export interface FundBody {
  code: string;
  name: string;
  registeredOn: IsoDate;
  latestIncomeDate: IsoDate | null;
  latestPerTenK: string | null;
  latestSevenDayYieldPct: string | null;
}

export interface FundPageBody {
  items: FundBody[];
  nextCursor: string | null;
}

export interface FundYieldsBody {
  fundCode: string;
  from: IsoDate;
  to: IsoDate;
  items: { date: IsoDate; perTenK: string; sevenDayYieldPct: string | null }[];
}

export class ListFundsQuery extends Query<FundPageBody> {
  constructor(
    readonly limit: number,
    readonly cursor: string | undefined,
    readonly minPosition: bigint | undefined,
  ) {
    super();
  }
}

export class GetFundQuery extends Query<FundBody> {
  constructor(
    readonly code: string,
    readonly minPosition: bigint | undefined,
  ) {
    super();
  }
}

export class GetFundYieldsQuery extends Query<FundYieldsBody> {
  constructor(
    readonly code: string,
    readonly range: { from?: IsoDate; to?: IsoDate },
    readonly minPosition: bigint | undefined,
  ) {
    super();
  }
}

function toFundBody(body: JsonObject): FundBody {
  const fund = fundDoc(body);
  return {
    code: fund.code,
    name: fund.name,
    registeredOn: fund.registeredOn,
    latestIncomeDate: fund.latestIncomeDate,
    latestPerTenK: fund.latestPerTenK === null ? null : formatPerTenK(fund.latestPerTenK),
    latestSevenDayYieldPct: fund.latestSevenDayYieldPct,
  };
}

@QueryHandler(ListFundsQuery)
export class ListFundsHandler implements IQueryHandler<ListFundsQuery, FundPageBody> {
  constructor(private readonly readModels: ReadModels) {}

  async execute({ limit, cursor, minPosition }: ListFundsQuery): Promise<FundPageBody> {
    await this.readModels.atLeast([FUNDS_PROJECTION], minPosition);
    const page = await this.readModels.page(FUNDS_PROJECTION, FUNDS_COLLECTIONS.funds, { limit, cursor, scope: 'funds', orderBy: ['id'] }, (doc) => [doc.id]);
    return { items: page.docs.map((doc) => toFundBody(doc.body)), nextCursor: page.nextCursor };
  }
}

@QueryHandler(GetFundQuery)
export class GetFundHandler implements IQueryHandler<GetFundQuery, FundBody> {
  constructor(private readonly readModels: ReadModels) {}

  async execute({ code, minPosition }: GetFundQuery): Promise<FundBody> {
    await this.readModels.atLeast([FUNDS_PROJECTION], minPosition);
    const body = await this.readModels.get(FUNDS_PROJECTION, FUNDS_COLLECTIONS.funds, code);
    if (!body) throw HttpProblem.notFound(`fund ${code} is not registered`);
    return toFundBody(body);
  }
}

/** Whole days from `from` to `to`, both included. */
function daysIncluded(from: IsoDate, to: IsoDate): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
}

@QueryHandler(GetFundYieldsQuery)
export class GetFundYieldsHandler implements IQueryHandler<GetFundYieldsQuery, FundYieldsBody> {
  constructor(private readonly readModels: ReadModels) {}

  async execute({ code, range, minPosition }: GetFundYieldsQuery): Promise<FundYieldsBody> {
    await this.readModels.atLeast([FUNDS_PROJECTION], minPosition);
    const body = await this.readModels.get(FUNDS_PROJECTION, FUNDS_COLLECTIONS.funds, code);
    if (!body) throw HttpProblem.notFound(`fund ${code} is not registered`);
    const fund = fundDoc(body);
    const to = range.to ?? fund.latestIncomeDate ?? fund.registeredOn;
    const from = range.from ?? addDays(to, -(DEFAULT_YIELD_DAYS - 1));
    if (from <= to && daysIncluded(from, to) > MAX_YIELD_RANGE_DAYS) {
      throw new HttpProblem(400, `from ${from} to ${to} is ${daysIncluded(from, to)} days; ask for at most ${MAX_YIELD_RANGE_DAYS} at a time`, { code: 'INVALID_PARAMETER', field: 'from' });
    }
    // One row per calendar day at most, so the range's rows fit in one read.
    const rows = from > to ? [] : await this.readModels.find(FUNDS_PROJECTION, FUNDS_COLLECTIONS.fundDays, { where: { fundCode: { eq: code }, date: { gte: from, lte: to } }, orderBy: ['date'], limit: MAX_YIELD_RANGE_DAYS });
    const items: FundYieldsBody['items'] = [];
    for (const row of rows.map((doc) => fundDayDoc(doc.body))) {
      if (row.perTenK !== null) items.push({ date: row.date, perTenK: formatPerTenK(row.perTenK), sevenDayYieldPct: row.sevenDayYieldPct });
    }
    return { fundCode: code, from, to, items };
  }
}
