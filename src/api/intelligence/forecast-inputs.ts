import type { EventStore } from '../../eventstore';
import { type IsoDate, daysBackFrom } from '../../domain/iso-date';
import { REGISTRIES, REGISTRY_SCHEMA, registryDecider } from '../../domain/registry/registry.decider';
import type { YieldMarket } from '../../ml/yield';
import type { ReadModels } from '../../projections';
import { HISTORY_BUSINESS_DAYS, MERCHANT_PROFILES_COLLECTION, dailySeries, merchantProfileDoc } from '../../projections/read-models/merchant-profiles.projection';
import { invariant } from '../../invariant';
import { loadStored } from '../commands/stored-aggregate';
import { type RegisteredFund, loadRegisteredFund } from '../funds/fund-loader';

/**
 * At most this many days of income history feed the yield models (two years): a bound on what a close reads.
 * The backtest's walk-forward has its window grow over all the years it simulates (docs/forecasting.md).
 */
const MAX_YIELD_DAYS = 730;
export const MERCHANT_PROFILES_PROJECTION = 'merchant_profiles';

export interface YieldInputs {
  market: YieldMarket | undefined;
  funds: RegisteredFund[];
  excluded: { code: string; reason: string }[];
}

/**
 * The market as the ledger knows it up to `date`: each fund's published income for every calendar day of a
 * common window. IFW has no interbank feed, so the rate level the models use is the funds' mean annualised
 * income, a proxy said out loud in docs/forecasting.md. A fund whose history is shorter than `minDays` is left
 * out with the reason.
 */
export async function yieldInputs(store: EventStore, date: IsoDate, minDays: number): Promise<YieldInputs> {
  const registry = await loadStored(store, REGISTRIES.funds, registryDecider, REGISTRY_SCHEMA);
  const funds: RegisteredFund[] = [];
  const excluded: YieldInputs['excluded'] = [];
  let window = MAX_YIELD_DAYS;
  const daysBack = daysBackFrom(date, MAX_YIELD_DAYS);
  for (const code of registry.state.ids) {
    const fund = (await loadRegisteredFund(store, code)).state;
    let run = 0;
    while (run < MAX_YIELD_DAYS && fund.incomesPerTenK[daysBack[run]!] !== undefined) run++;
    if (run < minDays) {
      excluded.push({ code, reason: `${run} days of income up to ${date}; the model configuration needs ${minDays}, so the fund is forecast once it has them` });
      continue;
    }
    funds.push(fund);
    window = Math.min(window, run);
  }
  if (funds.length === 0) return { market: undefined, funds, excluded };
  const dates = daysBack.slice(0, window).reverse();
  const perTenK = funds.map((fund) => dates.map((d) => Number(fund.incomesPerTenK[d]!) / 10_000));
  const overnightRatePct = dates.map((_, t) => (perTenK.reduce((sum, series) => sum + series[t]!, 0) / funds.length) * 3.65);
  return { market: { dates, overnightRatePct, funds: funds.map((fund, i) => ({ code: fund.code, perTenK: perTenK[i]! })) }, funds, excluded };
}

export interface MerchantSeries {
  merchantId: string;
  walletId: string;
  /** Fen paid out (withdrawals and payments) per business day, oldest first, ending at the closed date. */
  outflowFen: number[];
}

/** Merchants read per page of the profiles read model. */
const MERCHANT_PAGE_SIZE = 200;
/** Pages read at most: a million merchants, far beyond one close's forecasting budget. */
const MAX_MERCHANT_PAGES = 5_000;

/**
 * Every merchant's daily outflow per business day through `date`, at most `historyDays` of them, from the
 * merchant_profiles read model, a page of merchants at a time (by wallet id). The caller must first make sure
 * the read model has reached the position the inputs are recorded at.
 */
export async function* merchantSeries(readModels: ReadModels, date: IsoDate, historyDays: number): AsyncGenerator<MerchantSeries[]> {
  invariant(historyDays <= HISTORY_BUSINESS_DAYS, () => `a demand model of ${historyDays} business days of history, more than the ${HISTORY_BUSINESS_DAYS} the merchant profiles keep`);
  let after: string | undefined;
  for (let page = 0; page < MAX_MERCHANT_PAGES; page++) {
    const docs = await readModels.find(MERCHANT_PROFILES_PROJECTION, MERCHANT_PROFILES_COLLECTION, { orderBy: ['id'], after: after === undefined ? undefined : [after], limit: MERCHANT_PAGE_SIZE });
    const series: MerchantSeries[] = [];
    for (const profile of docs.map((doc) => merchantProfileDoc(doc.body))) {
      if (profile.merchantId === null) continue;
      // A model input, not money on the books: the ARIMA fit works in doubles, exact below 2^53 fen.
      series.push({ merchantId: profile.merchantId, walletId: profile.walletId, outflowFen: dailySeries(profile, date, historyDays).outflowFen.map(Number) });
    }
    if (series.length > 0) yield series;
    if (docs.length < MERCHANT_PAGE_SIZE) return;
    after = docs[docs.length - 1]!.id;
  }
  throw new Error(`more than ${MAX_MERCHANT_PAGES * MERCHANT_PAGE_SIZE} merchant profiles: the demand forecasts stop rather than leave some out`);
}

/** The registered merchants' ids, a page of the registry stream at a time. */
export async function* registeredMerchants(store: EventStore): AsyncGenerator<string[]> {
  let from = 0n;
  for (let page = 0; page < MAX_MERCHANT_PAGES; page++) {
    const ids: string[] = [];
    for await (const recorded of store.readStream(REGISTRIES.merchants, { fromRevision: from, maxCount: MERCHANT_PAGE_SIZE })) {
      ids.push(String(recorded.data.id));
      from = recorded.revision + 1n;
    }
    if (ids.length > 0) yield ids;
    if (ids.length < MERCHANT_PAGE_SIZE) return;
  }
  throw new Error(`more than ${MAX_MERCHANT_PAGES * MERCHANT_PAGE_SIZE} registered merchants`);
}
