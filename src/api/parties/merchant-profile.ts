import type { IsoDate } from '../../domain/iso-date';
import { type Fen, formatFen } from '../../domain/money';
import { type MerchantProfileDoc, dailySeries } from '../../projections/read-models/merchant-profiles.projection';
import type { PartyDoc } from '../../projections/read-models/parties.projection';
import {
  type TimeOfMonth,
  type Weekday,
  coefficientOfVariation,
  leastSquaresSlope,
  mean,
  nearestRankPercentile,
  rounded,
  shares,
  standardDeviation,
  timeOfMonthShares,
  weekdayMeans,
} from './merchant-statistics';

/** A flow's statistics: `total` is money (a decimal string); the rest are CNY as numbers rounded to the fen. */
export interface FlowStatistics {
  total: string;
  mean: number | null;
  standardDeviation: number | null;
  coefficientOfVariation: number | null;
  /** Least-squares slope: CNY per business day. */
  trendPerDay: number | null;
  weekdayMeans: Record<Weekday, number | null>;
}

export interface MerchantProfileBody {
  merchantId: string;
  walletId: string;
  name: string;
  registeredOn: IsoDate;
  asOf: IsoDate;
  /** The first business day of the series; null when the merchant had no history by asOf. */
  from: IsoDate | null;
  businessDays: number;
  daily: { date: IsoDate; inflow: string; outflow: string; closingBalance: string; instantRedeemed: string; standardRedeemed: string; withdrawals: number }[];
  inflow: FlowStatistics;
  outflow: FlowStatistics;
  balance: { p10: string | null; p50: string | null; p90: string | null };
  withdrawalHabits: {
    withdrawals: number;
    instantRedeemed: string;
    standardRedeemed: string;
    instantShare: number | null;
    standardShare: number | null;
    outflowByTimeOfMonth: TimeOfMonth | null;
  };
  /** The log position of the last event in the profile. */
  position: string;
}

const cny = (fen: number | null) => (fen === null ? null : rounded(fen / 100, 2));
const sum = (values: readonly Fen[]) => values.reduce((total, value) => total + value, 0n);
const SHARE_DECIMALS = 4;

function flowStatistics(dates: readonly IsoDate[], values: readonly Fen[]): FlowStatistics {
  // Descriptive figures: fen become doubles here, exact below 2^53.
  const fen = values.map(Number);
  const byWeekday = weekdayMeans(dates, fen);
  return {
    total: formatFen(sum(values)),
    mean: cny(mean(fen)),
    standardDeviation: cny(standardDeviation(fen)),
    coefficientOfVariation: rounded(coefficientOfVariation(fen), SHARE_DECIMALS),
    trendPerDay: cny(leastSquaresSlope(fen)),
    weekdayMeans: { monday: cny(byWeekday.monday), tuesday: cny(byWeekday.tuesday), wednesday: cny(byWeekday.wednesday), thursday: cny(byWeekday.thursday), friday: cny(byWeekday.friday) },
  };
}

function roundedShares(split: TimeOfMonth | null): TimeOfMonth | null {
  if (!split) return null;
  return { days1to10: rounded(split.days1to10, SHARE_DECIMALS)!, days11to20: rounded(split.days11to20, SHARE_DECIMALS)!, days21to31: rounded(split.days21to31, SHARE_DECIMALS)! };
}

/** The profile of a merchant as of a closed date, from the business days of its history through that date. */
export function merchantProfileBody(party: PartyDoc, profile: MerchantProfileDoc, asOf: IsoDate, position: bigint): MerchantProfileBody {
  const series = dailySeries(profile, asOf);
  const percentile = (p: number) => {
    const fen = nearestRankPercentile(series.closingCashFen, p);
    return fen === null ? null : formatFen(fen);
  };
  const instantFen = sum(series.instantRedeemedFen);
  const standardFen = sum(series.standardRedeemedFen);
  const redemptionShares = shares([instantFen, standardFen]);
  return {
    merchantId: party.id,
    walletId: party.walletId,
    name: party.name,
    registeredOn: party.registeredOn,
    asOf,
    from: series.dates[0] ?? null,
    businessDays: series.dates.length,
    daily: series.dates.map((date, i) => ({
      date,
      inflow: formatFen(series.inflowFen[i]!),
      outflow: formatFen(series.outflowFen[i]!),
      closingBalance: formatFen(series.closingCashFen[i]!),
      instantRedeemed: formatFen(series.instantRedeemedFen[i]!),
      standardRedeemed: formatFen(series.standardRedeemedFen[i]!),
      withdrawals: series.withdrawals[i]!,
    })),
    inflow: flowStatistics(series.dates, series.inflowFen),
    outflow: flowStatistics(series.dates, series.outflowFen),
    balance: { p10: percentile(10), p50: percentile(50), p90: percentile(90) },
    withdrawalHabits: {
      withdrawals: series.withdrawals.reduce((total, count) => total + count, 0),
      instantRedeemed: formatFen(instantFen),
      standardRedeemed: formatFen(standardFen),
      instantShare: rounded(redemptionShares?.[0] ?? null, SHARE_DECIMALS),
      standardShare: rounded(redemptionShares?.[1] ?? null, SHARE_DECIMALS),
      outflowByTimeOfMonth: roundedShares(timeOfMonthShares(series.dates, series.outflowFen)),
    },
    position: position.toString(),
  };
}
