import type { EventStore } from '../../eventstore';
import { type IsoDate, addDays, isBusinessDay } from '../../domain/iso-date';
import { type PartyEvent, partyStream } from '../../domain/party/party.decider';
import { REGISTRIES, REGISTRY_SCHEMA, registryDecider } from '../../domain/registry/registry.decider';
import { walletStream } from '../../domain/wallet/wallet.decider';
import { decodeData } from '../../domain/event-codec';
import type { YieldMarket } from '../../ml/yield';
import { loadStored, toDomainEvent } from '../commands/stored-aggregate';
import { type RegisteredFund, loadRegisteredFund } from '../funds/fund-loader';

/** At most this many days of income history feed the yield models (two years). */
const MAX_YIELD_DAYS = 730;
/** At most this many business days of a merchant's history feed its demand model (about a year). */
const MAX_DEMAND_DAYS = 260;

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
  for (const code of registry.state.ids) {
    const fund = (await loadRegisteredFund(store, code)).state;
    let run = 0;
    while (run < MAX_YIELD_DAYS && fund.incomesPerTenK[addDays(date, -run)] !== undefined) run++;
    if (run < minDays) {
      excluded.push({ code, reason: `${run} days of income up to ${date}; the model needs ${minDays}` });
      continue;
    }
    funds.push(fund);
    window = Math.min(window, run);
  }
  if (funds.length === 0) return { market: undefined, funds, excluded };
  const dates = Array.from({ length: window }, (_, i) => addDays(date, i - window + 1));
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

/** Every merchant's daily outflow per business day, from its wallet's events and the dates they were decided on. */
export async function merchantSeries(store: EventStore, date: IsoDate): Promise<MerchantSeries[]> {
  const registry = await loadStored(store, REGISTRIES.merchants, registryDecider, REGISTRY_SCHEMA);
  const all: MerchantSeries[] = [];
  for (const merchantId of registry.state.ids) {
    let walletId: string | undefined;
    for await (const recorded of store.readStream(partyStream(merchantId), { maxCount: 1 })) walletId = toDomainEvent<PartyEvent>(recorded).data.walletId;
    if (!walletId) continue;
    const byDate = new Map<IsoDate, number>();
    let first: IsoDate | undefined;
    for await (const recorded of store.readStream(walletStream(walletId))) {
      const day = String(recorded.metadata.businessDate ?? '');
      if (!day || day > date) continue;
      first ??= day;
      if (recorded.type !== 'CashWithdrawn' && recorded.type !== 'PaymentSent') continue;
      const { amountFen } = decodeData<{ amountFen: bigint }>(recorded.data);
      // A model input, not money on the books: the ARIMA fit works in doubles, exact below 2^53 fen.
      const outflowFen = Number(amountFen);
      byDate.set(day, (byDate.get(day) ?? 0) + outflowFen);
    }
    const outflowFen: number[] = [];
    for (let day = date; first !== undefined && day >= first && outflowFen.length < MAX_DEMAND_DAYS; day = addDays(day, -1)) {
      if (isBusinessDay(day)) outflowFen.unshift(byDate.get(day) ?? 0);
    }
    all.push({ merchantId, walletId, outflowFen });
  }
  return all;
}
