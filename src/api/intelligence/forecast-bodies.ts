import type { JsonObject } from '../../eventstore';
import { decodeData } from '../../domain/event-codec';
import type { DailyForecastEvent, ForecastProvenance } from '../../domain/forecast/daily-forecast.decider';
import { formatPerTenK } from '../../domain/income-rate';
import { formatFen } from '../../domain/money';
import type { ForecastDoc } from '../../projections/read-models/forecasts.projection';

type DataOf<T extends DailyForecastEvent['type']> = Extract<DailyForecastEvent, { type: T }>['data'];

/** Forecasts recorded before provenance and coefficients existed have neither: they show as null. */
function provenanceOf(data: { provenance?: ForecastProvenance }) {
  return { provenance: data.provenance ?? null };
}

/** A stored forecast document, as the projection wrote it. */
export function forecastDoc(body: JsonObject): ForecastDoc {
  return body as unknown as ForecastDoc;
}

export function fundForecastBody(doc: ForecastDoc) {
  const data = decodeData<DataOf<'FundYieldForecasted'>>(doc.data);
  return {
    fundCode: data.fundCode,
    forecastDate: data.forecastDate,
    trainEnd: data.trainEnd,
    perTenK: formatPerTenK(data.perTenK),
    naivePerTenK: formatPerTenK(data.naivePerTenK),
    sevenDayYieldPct: data.sevenDayYieldPct,
    alpha: data.alpha,
    l1Ratio: data.l1Ratio,
    coefficients: data.coefficients ?? null,
    ...provenanceOf(data),
    position: doc.position,
  };
}

export function merchantForecastBody(doc: ForecastDoc) {
  const data = decodeData<DataOf<'MerchantDemandForecasted'>>(doc.data);
  return {
    merchantId: data.merchantId,
    walletId: data.walletId,
    forecastDate: data.forecastDate,
    expectedOutflow: formatFen(data.meanFen),
    upper95: formatFen(data.upper95Fen),
    model: data.model,
    aic: data.aic,
    historyDays: data.historyDays,
    coefficients: data.coefficients ?? null,
    ...provenanceOf(data),
    position: doc.position,
  };
}

export function proposalBody(doc: ForecastDoc) {
  const data = decodeData<DataOf<'RebalanceProposed'>>(doc.data);
  return {
    walletId: data.walletId,
    forecastDate: data.forecastDate,
    targets: data.targets.map((t) => ({ fundCode: t.fundCode, current: formatFen(t.currentFen), target: formatFen(t.targetFen) })),
    expectedGain: formatFen(data.expectedGainFen),
    instantCapacity: formatFen(data.instantCapacityFen),
    demandUpper95: formatFen(data.demandUpper95Fen),
    shortfall: formatFen(data.shortfallFen),
    binding: data.binding,
    ...provenanceOf(data),
    position: doc.position,
  };
}

export function skipBody(doc: ForecastDoc) {
  const data = decodeData<DataOf<'ForecastSkipped'>>(doc.data);
  return { subject: data.subject, forecastDate: data.forecastDate, reason: data.reason, ...provenanceOf(data), position: doc.position };
}

/** The proposal's targets in fen by fund, for the portfolio's holdings. */
export function proposalTargetsFen(doc: ForecastDoc): Map<string, bigint> {
  const data = decodeData<DataOf<'RebalanceProposed'>>(doc.data);
  return new Map(data.targets.map((t) => [t.fundCode, t.targetFen]));
}
