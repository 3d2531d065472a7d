import { parseArgs } from 'node:util';
import {
  calibrationReport,
  DEFAULT_FUND_ZERO_QUANTILE,
  FUND_ZERO_QUANTILE_RANGE,
  overnightShareWithin,
  simulateMarket,
  simulateMerchants,
  type MarketSimulation,
  type MerchantSimulation,
  yearlySevenDayYieldPct,
} from '../../ml/market';
import { DEFAULT_BACKTEST_SEED } from '../../ml/backtest';
import { EXIT, UsageError } from '../cli-error';
import { MARKET_OPTIONS, marketOptions, parseFundZeroQuantile } from '../market-options';

export const marketHelp = `ifw market [--seed S] [--years A-B] [--funds N] [--merchants M] [--fund-zero-quantile Q] [--series] [--json] [--data DIR]

Simulates the money-fund market and merchants that the backtest runs on (and that ifw simulate drives
the product with), and prints a summary. The data are SIMULATED (no real fund or merchant data exists offline), calibrated to public reference figures for
Yu'E Bao's yield (docs/simulator.md): fund 0's (the Yu'E Bao proxy's) mean 7-day yields against the
references and the daily cross-fund spread by year, each checked against its stated tolerance, yearly
yields of fund 0 and of all funds, the funds' mean yields, and the merchants' flows.
  --seed S       seed (a non-negative integer or any text; default ${DEFAULT_BACKTEST_SEED})
  --years A-B    simulated years, e.g. 2014-2025 (default) or 2020
  --funds N      money funds (default 20)
  --merchants M  simulated merchants (default 50; 0 for none)
  --fund-zero-quantile Q
                 fund 0's place among the funds, ${FUND_ZERO_QUANTILE_RANGE[0]}-${FUND_ZERO_QUANTILE_RANGE[1]} (default ${DEFAULT_FUND_ZERO_QUANTILE}, the median;
                 0.25 is the lower quartile)
  --series       with --json, add the daily series (perTenK per fund, overnight rate, merchants' inflow and
                 withdrawals): large, one value per day per series
  --json         print JSON: a summary by default (bounded: its size grows with funds, merchants and
                 years, not with days), the daily series too with --series
  --data DIR     accepted like every ifw command; the simulation reads and writes no store`;

export async function market(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...MARKET_OPTIONS, series: { type: 'boolean' }, 'fund-zero-quantile': { type: 'string' } },
  });
  const { seed, fromYear, toYear, funds, merchants: merchantCount } = marketOptions(values, { minFunds: 1, minYear: 1990 });
  if (values.series && !values.json) throw new UsageError('--series goes with --json');
  const fundZeroQuantile = parseFundZeroQuantile(values['fund-zero-quantile']);
  const startDate = `${fromYear}-01-01`;
  const endDate = `${toYear}-12-31`;
  const simulation = simulateMarket({ seed, startDate, endDate, funds, fundZeroQuantile });
  const merchants = merchantCount > 0 ? simulateMerchants({ seed, startDate, endDate, merchants: merchantCount }) : undefined;
  const summary = summarise(simulation, merchants);
  if (values.json) {
    const series = values.series
      ? {
          series: {
            dates: simulation.dates,
            overnightRatePct: simulation.overnightRatePct,
            funds: simulation.funds.map((f) => ({ code: f.code, perTenK: f.perTenK })),
            merchants: merchants?.merchants.map((m) => ({ id: m.id, inflowFen: m.inflowFen, withdrawalFen: m.withdrawalFen })) ?? [],
          },
        }
      : {};
    console.log(JSON.stringify({ ...summary, ...series }, null, values.series ? undefined : 2));
    return EXIT.ok;
  }
  console.log(formatSummary(summary));
  return EXIT.ok;
}

const r = (v: number, digits: number) => (Number.isFinite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : v);

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function summarise(market: MarketSimulation, merchants: MerchantSimulation | undefined) {
  const days = market.dates.length;
  const meanYieldPct = (perTenK: readonly number[]) => (perTenK.reduce((a, b) => a + b, 0) / perTenK.length / 10_000) * 365 * 100;
  const years = [...new Set(market.dates.map((d) => Number(d.slice(0, 4))))];
  const fund0 = new Map(yearlySevenDayYieldPct(market).map((row) => [row.year, row.meanPct]));
  const yearly = years.map((year) => {
    const idx = market.dates.flatMap((d, t) => (d.startsWith(String(year)) ? [t] : []));
    const fundMeans = market.funds.map((f) => (idx.reduce((s, t) => s + f.perTenK[t]!, 0) / idx.length / 10_000) * 365 * 100);
    return {
      year,
      fund0SevenDayYieldPct: r(fund0.get(year) ?? NaN, 3),
      allFundsMeanYieldPct: r(fundMeans.reduce((a, b) => a + b, 0) / fundMeans.length, 3),
      lowestFundYieldPct: r(Math.min(...fundMeans), 3),
      highestFundYieldPct: r(Math.max(...fundMeans), 3),
      overnightRatePct: r(idx.reduce((s, t) => s + market.overnightRatePct[t]!, 0) / idx.length, 3),
    };
  });
  return {
    simulated: true as const,
    note: 'SIMULATED data (src/ml/market, docs/simulator.md): no real fund or merchant.',
    seed: market.seed,
    from: market.dates[0]!,
    to: market.dates[days - 1]!,
    days,
    funds: market.funds.map((f) => ({ code: f.code, name: f.name, spreadPct: r(f.spreadPct, 4), meanYieldPct: r(meanYieldPct(f.perTenK), 4) })),
    calibration: calibrationSummary(market),
    yearly,
    overnightWithin1_3To2_8Pct: r(overnightShareWithin(market) * 100, 2),
    merchants: merchants
      ? (() => {
          const per = merchants.merchants.map((m) => {
            const inflow = m.inflowFen.reduce((a, b) => a + b, 0);
            const withdrawn = m.withdrawalFen.reduce((a, b) => a + b, 0);
            return {
              id: m.id,
              archetype: m.archetype,
              scaleCny: r(m.scaleFen / 100, 2),
              payrollDay: m.payrollDay,
              meanDailyInflowCny: r(inflow / days / 100, 2),
              meanDailyWithdrawalCny: r(withdrawn / days / 100, 2),
              withdrawnShareOfInflow: r(inflow > 0 ? withdrawn / inflow : NaN, 4),
            };
          });
          const archetypes: Record<string, number> = {};
          for (const m of per) archetypes[m.archetype] = (archetypes[m.archetype] ?? 0) + 1;
          const shares = per.map((m) => m.withdrawnShareOfInflow).filter(Number.isFinite);
          return {
            count: per.length,
            archetypes,
            medianDailyInflowCny: r(median(per.map((m) => m.meanDailyInflowCny)), 2),
            withdrawnShareOfInflow: { min: r(Math.min(...shares), 4), median: r(median(shares), 4), max: r(Math.max(...shares), 4) },
            perMerchant: per,
          };
        })()
      : null,
  };
}

/** The calibration report (market-calibration.ts), rounded for printing. */
function calibrationSummary(market: MarketSimulation) {
  const report = calibrationReport(market);
  return {
    fundZeroQuantile: report.fundZeroQuantile,
    tolerances: { ...report.tolerances, levelPathPtsForThisSeed: report.levelPathTolerancePts },
    levelPath: report.levelPath.map((row) => ({
      period: row.period,
      reference: row.source,
      referencePct: row.referencePct,
      simulatedPct: r(row.simulatedPct, 3),
      days: row.days,
      withinTolerance: row.withinTolerance,
    })),
    crossFundSpreadByYear: report.crossFundSpreadByYear.map((row) => ({
      year: row.year,
      days: row.days,
      p25Pct: r(row.p25Pct, 3),
      medianPct: r(row.medianPct, 3),
      p75Pct: r(row.p75Pct, 3),
      p90Pct: r(row.p90Pct, 3),
      iqrPct: r(row.iqrPct, 3),
      iqrShareOfLevelPct: r(row.iqrShareOfLevel * 100, 1),
      p90AboveMedianPct: r(row.p90AboveMedianPct, 3),
      fundZeroRankQuantile: r(row.fundZeroRankQuantile, 3),
      outlierFundDaysPct: r(row.outlierFundDaysPct, 2),
      spreadWithinBand: row.spreadWithinBand,
      fundZeroRankWithinTolerance: row.fundZeroRankWithinTolerance,
    })),
  };
}

function formatSummary(s: ReturnType<typeof summarise>): string {
  const out: string[] = [];
  out.push(`SIMULATED money-fund market (seed ${String(s.seed)}), ${s.from} to ${s.to}: ${s.funds.length} funds, fund 0 (${s.funds[0]!.code}) = Yu'E Bao proxy. Not real data.`);
  out.push('');
  const { levelPath, crossFundSpreadByYear, tolerances } = s.calibration;
  out.push(`fund 0 mean 7-day yield against the reference figures (DESIGN.md; tolerance ${tolerances.levelPathPtsForThisSeed} points)`);
  for (const c of levelPath) {
    if (c.days === 0) continue;
    out.push(`  ${c.period.padEnd(8)} reference ${c.reference.padEnd(26)} simulated ${c.simulatedPct.toFixed(2)} %${c.withinTolerance === false ? '   OUTSIDE TOLERANCE' : ''}`);
  }
  out.push('');
  const [iqrLow, iqrHigh] = tolerances.spreadIqrPct;
  const [shareLow, shareHigh] = tolerances.spreadIqrShareOfLevel;
  out.push(
    `daily cross-fund spread of the 7-day yields, yearly means (band: IQR ${iqrLow}-${iqrHigh} points and ${shareLow * 100}-${shareHigh * 100} % of the median; fund 0 at quantile ${s.calibration.fundZeroQuantile} ± ${tolerances.fundZeroQuantilePts})`,
  );
  out.push('year   median %   IQR points   IQR/median   p90 - median   fund 0 rank   outlier fund-days %');
  for (const y of crossFundSpreadByYear) {
    const flag = y.spreadWithinBand && y.fundZeroRankWithinTolerance ? '' : '   OUTSIDE BAND';
    out.push(
      `${y.year}   ${y.medianPct.toFixed(2).padStart(8)}   ${y.iqrPct.toFixed(3).padStart(10)}   ${`${y.iqrShareOfLevelPct.toFixed(1)} %`.padStart(10)}   ${y.p90AboveMedianPct.toFixed(3).padStart(12)}   ${y.fundZeroRankQuantile.toFixed(2).padStart(11)}   ${y.outlierFundDaysPct.toFixed(2).padStart(19)}${flag}`,
    );
  }
  out.push('');
  out.push('year   fund 0 7-day   all funds mean   lowest fund   highest fund   overnight rate   (% a year)');
  for (const y of s.yearly) {
    out.push(
      `${y.year}   ${y.fund0SevenDayYieldPct.toFixed(2).padStart(12)}   ${y.allFundsMeanYieldPct.toFixed(2).padStart(14)}   ${y.lowestFundYieldPct.toFixed(2).padStart(11)}   ${y.highestFundYieldPct.toFixed(2).padStart(12)}   ${y.overnightRatePct.toFixed(2).padStart(14)}`,
    );
  }
  out.push(`overnight rate within 1.3-2.8 % on ${s.overnightWithin1_3To2_8Pct} % of the 2015-2024 business days simulated (reference: "mostly")`);
  const means = s.funds.map((f) => f.meanYieldPct);
  out.push(`funds' mean yields over the period: ${Math.min(...means).toFixed(2)} to ${Math.max(...means).toFixed(2)} % (fund 0: ${means[0]!.toFixed(2)} %)`);
  if (s.merchants) {
    const m = s.merchants;
    out.push('');
    out.push(
      `${m.count} simulated merchants (${Object.entries(m.archetypes)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}): median daily inflow ${m.medianDailyInflowCny.toLocaleString('en')} CNY; withdrawn ${(m.withdrawnShareOfInflow.min * 100).toFixed(0)}-${(m.withdrawnShareOfInflow.max * 100).toFixed(0)} % of inflow (median ${(m.withdrawnShareOfInflow.median * 100).toFixed(0)} %)`,
    );
  }
  out.push('');
  out.push('--json for the summary as JSON (add --series for the daily series)');
  return out.join('\n');
}
