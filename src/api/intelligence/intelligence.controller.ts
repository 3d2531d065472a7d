import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { PartyOrStaff, Staff, WalletOwnerOr } from '../auth/access.decorator';
import type { RouteDoc } from '../http/openapi';
import { PAGE_LIMIT_QUERY, parseChoice, parseMinPosition, parsePage } from '../http/query-params';
import { FUND_CODE_FIELD } from '../http/body-schema';
import { HttpProblem } from '../http/problem';
import { validateParam } from '../http/validate-body';
import { WALLET_VIEW_PROJECTIONS } from '../wallets/wallet-view';
import { type AccuracyFilter, FORECAST_ACCURACY_PROJECTION, ForecastAccuracyQuery } from './forecast-accuracy.query';
import { CLOSE_FORECASTS_SCHEMA, FORECAST_ACCURACY_SCHEMA, MERCHANT_FORECAST_SCHEMA, PORTFOLIO_SCHEMA } from './intelligence.schemas';
import { CloseForecastsQuery, FORECASTS_PROJECTION, MAX_PORTFOLIO_SWITCHES, MerchantForecastQuery, PortfolioQuery } from './intelligence.queries';
import { CALENDAR_PROJECTION } from './last-closed-date';

const FORECAST_KINDS = ['fund', 'merchant', 'proposal', 'skip'] as const;
const ACCURACY_KINDS = ['fund', 'merchant'] as const;

export const INTELLIGENCE_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/merchants/{merchantId}/forecast',
    summary: "The merchant's demand forecast for the next business day, made at the last day close",
    description: "Takes the merchant's id, not its wallet id.",
    tag: 'intelligence',
    roles: ['merchant (itself)', 'operator', 'auditor'],
    params: { merchantId: 'id' },
    readsProjections: [FORECASTS_PROJECTION, CALENDAR_PROJECTION],
    responses: {
      200: { description: 'the forecast with its model, inputs position and model version', schema: MERCHANT_FORECAST_SCHEMA },
      404: { description: 'no forecast at the last close, with the reason it was skipped when it was' },
    },
  },
  {
    method: 'get',
    path: '/wallets/{walletId}/portfolio',
    summary: 'Current holdings against the IIMMF target proposed at the last day close, and the fund switches under way',
    description: `The switches are read from the process engine, not from a read model: \`minPosition\` does not wait for them. At most ${MAX_PORTFOLIO_SWITCHES} are listed.`,
    tag: 'intelligence',
    roles: ['customer (own wallet)', 'merchant (own wallet)', 'operator', 'auditor'],
    params: { walletId: 'id' },
    readsProjections: [...new Set([FORECASTS_PROJECTION, CALENDAR_PROJECTION, ...WALLET_VIEW_PROJECTIONS])],
    responses: { 200: { description: 'current and target per fund; `proposal` is null until one was made', schema: PORTFOLIO_SCHEMA }, 404: { description: 'no such wallet' } },
  },
  {
    method: 'get',
    path: '/forecasts/{date}',
    summary: 'Everything forecast at the close of a date: fund yields, merchant demand, proposals and skips',
    description:
      "A page of the forecasts, in the order fund, merchant, proposal, skip and by subject within each; `counts` are of all the close's forecasts recorded, and `complete` says whether that is every one (a close is recorded in several appends).",
    tag: 'intelligence',
    roles: ['operator', 'auditor'],
    params: { date: 'isoDate' },
    query: {
      kind: { description: 'only forecasts of this kind', schema: { type: 'string', enum: [...FORECAST_KINDS] } },
      limit: PAGE_LIMIT_QUERY,
      cursor: { description: 'nextCursor of the previous page, exactly as received, with the same kind', schema: { type: 'string' } },
    },
    readsProjections: [FORECASTS_PROJECTION],
    responses: { 200: { description: "one page of the close's forecasts", schema: CLOSE_FORECASTS_SCHEMA }, 404: { description: 'no forecasts were recorded at the close of that date' } },
  },
  {
    method: 'get',
    path: '/forecasts/accuracy',
    summary: 'How the recorded forecasts fared: per fund, per merchant and overall, the model against the naive forecast',
    description:
      "Every recorded forecast paired with what followed: a fund's forecast income with the income it published for the day, a merchant's forecast outflow with the withdrawals and payments it sent under the business day (once the day is closed). Count, MAE and RMSE of the model and of the naive forecast (tomorrow = today), and their ratios: below 1 the model beats it. A page of subjects, funds before merchants; `overall` sums every subject at the time of the request, a scan of them all, so naming one subject skips it.",
    tag: 'intelligence',
    roles: ['operator', 'auditor'],
    query: {
      kind: { description: 'only subjects of this kind', schema: { type: 'string', enum: [...ACCURACY_KINDS] } },
      fundCode: { description: 'only this fund (not with merchantId, nor kind=merchant)', schema: { type: 'string', pattern: FUND_CODE_FIELD.pattern!.source } },
      merchantId: { description: 'only this merchant (not with fundCode, nor kind=fund)', schema: { type: 'string', format: 'uuid' } },
      limit: PAGE_LIMIT_QUERY,
      cursor: { description: 'nextCursor of the previous page, exactly as received, with the same filters', schema: { type: 'string' } },
    },
    readsProjections: [FORECAST_ACCURACY_PROJECTION],
    responses: { 200: { description: 'one page of subjects, with the overall figures', schema: FORECAST_ACCURACY_SCHEMA } },
  },
];

/** `?kind=&fundCode=&merchantId=`; a fund and a merchant, or a subject of the other kind, together are refused. */
function parseAccuracyFilter(query: Record<string, unknown>): AccuracyFilter {
  const kind = parseChoice('kind', query.kind, ACCURACY_KINDS);
  const fundCode = query.fundCode === undefined ? undefined : validateParam('fundCode', FUND_CODE_FIELD, query.fundCode);
  const merchantId = query.merchantId === undefined ? undefined : validateParam('merchantId', 'id', query.merchantId);
  const refuse = (field: string, detail: string) => new HttpProblem(400, detail, { code: 'INVALID_PARAMETER', field });
  if (fundCode !== undefined && merchantId !== undefined) throw refuse('merchantId', 'name a fund (fundCode) or a merchant (merchantId), not both');
  if (fundCode !== undefined && kind === 'merchant') throw refuse('fundCode', 'fundCode names a fund: not with kind=merchant');
  if (merchantId !== undefined && kind === 'fund') throw refuse('merchantId', 'merchantId names a merchant: not with kind=fund');
  return { ...(kind ? { kind } : {}), ...(fundCode !== undefined ? { fundCode, kind: 'fund' as const } : {}), ...(merchantId !== undefined ? { merchantId, kind: 'merchant' as const } : {}) };
}

/** Serves what the daily forecasting job recorded at the day closes, from the forecasts read model. */
@Controller()
export class IntelligenceController {
  constructor(private readonly queries: QueryBus) {}

  @Get('merchants/:merchantId/forecast')
  @PartyOrStaff('merchantId', 'operator', 'auditor')
  merchantForecast(@Param('merchantId') merchantIdParam: string, @Query() query: Record<string, unknown>) {
    const merchantId = validateParam('merchantId', 'id', merchantIdParam);
    return this.queries.execute(new MerchantForecastQuery(merchantId, parseMinPosition(query.minPosition)));
  }

  @Get('wallets/:walletId/portfolio')
  @WalletOwnerOr('walletId', 'operator', 'auditor')
  portfolio(@Param('walletId') walletIdParam: string, @Query() query: Record<string, unknown>) {
    const walletId = validateParam('walletId', 'id', walletIdParam);
    return this.queries.execute(new PortfolioQuery(walletId, parseMinPosition(query.minPosition)));
  }

  @Get('forecasts/accuracy')
  @Staff('operator', 'auditor')
  forecastAccuracy(@Query() query: Record<string, unknown>) {
    return this.queries.execute(new ForecastAccuracyQuery(parseAccuracyFilter(query), parsePage(query.limit, query.cursor), parseMinPosition(query.minPosition)));
  }

  @Get('forecasts/:date')
  @Staff('operator', 'auditor')
  closeForecasts(@Param('date') dateParam: string, @Query() query: Record<string, unknown>) {
    const date = validateParam('date', 'isoDate', dateParam);
    const kind = parseChoice('kind', query.kind, FORECAST_KINDS);
    return this.queries.execute(new CloseForecastsQuery(date, kind, parsePage(query.limit, query.cursor), parseMinPosition(query.minPosition)));
  }
}
