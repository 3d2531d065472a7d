import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_BACKTEST_SEED, renderBacktestSvg, runBacktest, type BacktestReport, type BacktestSettings } from '../../ml/backtest';
import { EXIT, UsageError } from '../cli-error';
import { Progress } from '../progress';
import { MARKET_OPTIONS, marketOptions, parseCount } from '../market-options';

export const backtestHelp = `ifw backtest [--seed S] [--years 2014-2025] [--funds N] [--merchants M] [--investor CNY]
             [--horizon DAYS] [--demand arima|seasonal-naive] [--workers N] [--svg FILE] [--json] [--data DIR]

Walk-forward backtest, no look-ahead, on a SIMULATED market (no real fund data exists offline): four
strategies side by side for one investor and for simulated merchants, under the business rules (purchases
confirmed the next business day, standard redemptions paid the next business day, the instant-redemption
cap in force each day): (a) hold fund 0, the Yu'E Bao proxy; (b) equal weights; (c) forecast-driven
switching on walk-forward elastic-net yield forecasts; (d) IIMMF (the LP on yield forecasts and each
merchant's ARIMA demand bound). Prints annualised yields, uplift over (a), instant (T+0) capacity per
merchant and its uplift, turnover, forecast errors and demand coverage. docs/backtest.md explains it.
  --seed S          seed of the simulated market and merchants (default ${DEFAULT_BACKTEST_SEED})
  --years A-B       evaluated years (default 2014-2025; the simulation starts earlier, for the forecasters)
  --funds N         money funds in the market (default 20)
  --merchants M     simulated merchants (default 50; 0 for the single investor only)
  --investor CNY    the single investor's sum (default 1000000)
  --horizon DAYS    days a switch must pay for itself in (c) and (d) (default 14)
  --demand METHOD   demand bound for IIMMF: arima (default; mean + 1.96 se) or seasonal-naive (95 % quantile)
  --workers N       worker threads (default: all cores; 0 runs everything in this thread)
  --svg FILE        also draw the yield curves and cumulative income as SVG into FILE
  --json            print only the JSON report: { strategies: [{ name, annualYieldPct, instantCapacityCny,
                    turnover, ... }], yieldUpliftPct, instantCapacityUpliftPct, simulated: true, ... }
  --data DIR        accepted like every ifw command; the backtest reads and writes no store`;

export async function backtest(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...MARKET_OPTIONS,
      investor: { type: 'string' },
      horizon: { type: 'string' },
      demand: { type: 'string' },
      workers: { type: 'string' },
      svg: { type: 'string' },
    },
  });
  const { seed, fromYear, toYear, funds, merchants } = marketOptions(values, { minFunds: 2, minYear: 2013 });
  const investorCny = values.investor === undefined ? 1_000_000 : parseCount(values.investor, '--investor', 1, 1_000_000_000_000);
  const horizonDays = values.horizon === undefined ? 14 : parseCount(values.horizon, '--horizon', 1, 365);
  const demand = values.demand ?? 'arima';
  if (demand !== 'arima' && demand !== 'seasonal-naive') throw new UsageError(`--demand must be arima or seasonal-naive; got "${demand}"`);
  const workers = values.workers === undefined ? undefined : parseCount(values.workers, '--workers', 0, 64);

  const json = values.json === true;
  let progress: Progress | undefined;
  let stage = '';
  const settings: BacktestSettings = {
    investorCny,
    horizonDays,
    demand,
    ...(workers === undefined ? {} : { workers }),
    onProgress: (label, done, total) => {
      if (label !== stage) {
        progress?.finish();
        progress = new Progress(label, json);
        stage = label;
      }
      progress!.update(done, total);
    },
  };
  const result = await runBacktest({ seed, fromYear, toYear, funds, merchants }, settings);
  progress?.finish();
  if (values.svg !== undefined) writeFileSync(values.svg, renderBacktestSvg(result.series, result.report));
  if (json) {
    console.log(JSON.stringify(result.report, null, 2));
    return EXIT.ok;
  }
  console.log(formatBacktestReport(result.report));
  if (values.svg !== undefined) console.log(`\nchart written to ${values.svg}`);
  return EXIT.ok;
}

const pct = (v: number | null | undefined, digits = 2) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : `${v >= 0 ? '+' : ''}${v.toFixed(digits)} %`);
const num = (v: number, digits = 0) => v.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatBacktestReport(report: BacktestReport): string {
  const out: string[] = [];
  out.push(`IFW backtest on a SIMULATED market (seed ${String(report.seed)}): not real fund or merchant data`);
  out.push(
    `evaluated ${report.evaluation.from} to ${report.evaluation.to} (${num(report.evaluation.days)} days, ${num(report.evaluation.businessDays)} business days); ` +
      `market simulated from ${report.market.from} (${report.market.warmupDays} days of history for the forecasters), ${report.market.funds} funds, fund 0 = Yu'E Bao proxy`,
  );
  out.push(`walk-forward, no look-ahead; switch horizon ${report.horizonDays} days; purchases confirmed and redemptions paid the next business day; instant cap per fund per day from the rule set in force`);
  out.push('');
  out.push(`single investor, ${num(report.investorCny)} CNY ("not earning": share of the balance-days in cash or in purchases awaiting confirmation)`);
  out.push(
    table(
      ['strategy', 'yield % a year', 'uplift', 'turnover / year', 'not earning', 'yield while invested', 'instant capacity CNY', 'income CNY'],
      report.strategies.map((s) => [
        s.label,
        s.investor.annualYieldPct.toFixed(3),
        pct(s.investor.yieldUpliftPct),
        s.investor.turnover.toFixed(2),
        `${s.investor.idleSharePct.toFixed(2)} %`,
        s.investor.investedYieldPct.toFixed(3),
        num(s.investor.instantCapacityCny),
        num(s.investor.incomeCny),
      ]),
    ),
  );
  if (report.merchants > 0) {
    out.push('');
    out.push(`${report.merchants} simulated merchants (instant capacity = Σ min(holding, cap) per merchant, mean over days)`);
    out.push(
      table(
        ['strategy', 'yield % a year', 'uplift', 'not earning', 'capacity CNY', 'uplift', 'covered days', 'paid at once', 'turnover / year'],
        report.strategies.map((s) => {
          const m = s.merchants!;
          return [
            s.label,
            m.annualYieldPct.toFixed(3),
            pct(m.yieldUpliftPct),
            `${m.idleSharePct.toFixed(2)} %`,
            num(m.instantCapacityCny),
            pct(m.instantCapacityUpliftPct, 0),
            `${(m.coverageRate * 100).toFixed(1)} %`,
            `${(m.paidAtOnceShare * 100).toFixed(1)} %`,
            m.turnover.toFixed(2),
          ];
        }),
      ),
    );
    out.push('');
    out.push('instant capacity per merchant under each cap in force');
    out.push(
      table(
        ['cap per fund per day', 'period', ...report.strategies.map((s) => s.name)],
        report.capRegimes.map((r) => [
          `${num(r.capCny)} CNY`,
          `${r.from} to ${r.to}`,
          ...report.strategies.map((s) => `${num(r.merchantCapacityCny[s.name])} (${pct(r.upliftPct[s.name], 0)})`),
        ]),
      ),
    );
  }
  out.push('');
  const y = report.forecastErrors.yield;
  out.push(
    `yield forecasts (elastic net, walk-forward, one day ahead): MAE ${y.mae.toFixed(5)} CNY per 10,000 shares against ${y.naiveMae.toFixed(5)} for "tomorrow = today" (${y.skillPct.toFixed(1)} % better), ${num(y.forecasts)} fund-days`,
  );
  const d = report.forecastErrors.demand;
  if (d) {
    const how =
      d.method === 'arima'
        ? `ARIMA with weekly seasonality, order by AIC every ${d.selectDays} days and coefficients every ${d.refitDays} days on the last ${d.trainDays} days (${d.selections} order searches, ${d.fits} refits, ${d.fallbacks} fallbacks to seasonal naive); bound = mean + 1.96 se`
        : `seasonal-naive: the 95 % quantile of the same weekday over the last 12 weeks`;
    out.push(`demand bounds: ${how}`);
    out.push(
      `  one-day-ahead MASE ${d.mase.toFixed(3)} against ${d.seasonalNaiveMase.toFixed(3)} for seasonal naive; withdrawals at or under the bound on ${(d.boundCoverage * 100).toFixed(1)} % of days (nominal 97.5 %)`,
    );
  }
  out.push('');
  out.push('look-ahead references (not strategies): the fund that turned out best over the period, ' + `${report.hindsight.bestFund.code}: ${pct(report.hindsight.bestFund.upliftPct)}; the best fund of every day with no switching cost: ${pct(report.hindsight.bestEveryDay.upliftPct)} (uplift of mean daily rates over fund 0)`);
  out.push('');
  const t = report.thesis;
  out.push(
    `thesis: "+15-20 % yield over Yu'E Bao alone" -> simulated ${pct(t.yieldUplift.simulatedPct)} for the investor` +
      (t.yieldUplift.merchantsPct === null ? '' : ` (${pct(t.yieldUplift.merchantsPct)} for the merchants, on their lower base)`) +
      `: ${t.yieldUplift.reproduced ? 'reproduced' : 'NOT reproduced'}`,
  );
  if (t.instantCapacityUplift.simulatedPct !== null) {
    out.push(
      `thesis: "T+0 ceiling raised by more than 500 %" -> simulated ${pct(t.instantCapacityUplift.simulatedPct, 0)} over the whole period` +
        ` (${t.instantCapacityUplift.byCap.map((r) => `${pct(r.upliftPct, 0)} under the ${num(r.capCny)} CNY cap`).join(', ')}): ` +
        `${t.instantCapacityUplift.reproduced ? 'reproduced' : 'NOT reproduced over the whole period'}`,
    );
  }
  out.push('every figure above is from simulated data (src/ml/market); see docs/backtest.md for why the uplifts are what they are');
  return out.join('\n');
}
